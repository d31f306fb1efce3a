/*
 * trigger_quantity.c
 *		R-EX-3 and R-IM-2 at write time: over all returns of one original
 *		declaration line, the returned quantity never exceeds the declared
 *		quantity, whatever the concurrency.
 *
 * Design (docs/enforcement.md, "Concurrency").  cbreturn.quantity_ledger
 * holds one row per declared line with the quantity returned so far.  Every
 * INSERT, UPDATE or DELETE of a return moves that counter with a single
 * INSERT ... ON CONFLICT DO UPDATE, and only then reads the declared quantity
 * and compares.  Two writers of one line therefore meet on one ledger row:
 *
 *   READ COMMITTED: the second waits for the first to commit, then adds to
 *   the committed total (ON CONFLICT re-reads the latest row version), and
 *   its fresh snapshot for the declared quantity sees what was committed.
 *   REPEATABLE READ / SERIALIZABLE: the second gets 40001 (could not
 *   serialize access due to concurrent update), never an over-return.
 *
 * An UPDATE that moves a return to another line takes quantity from the old
 * line and adds it to the new one, locking the two ledger rows in the order
 * of their keys so that two such updates cannot deadlock each other.  The
 * declared-lines table carries cbreturn.declared_quantity_guard(), which
 * locks the same ledger row before a declared quantity is lowered or a line
 * is deleted or re-keyed.
 *
 * The ledger is written as its owner and the declared table is read as its
 * owner (as PostgreSQL's own foreign-key triggers do), so the role writing a
 * return needs no rights on either.
 */
#include "trigger.h"

#include "access/htup_details.h"
#include "access/table.h"
#include "catalog/namespace.h"
#include "catalog/pg_class.h"
#include "catalog/pg_operator.h"
#include "catalog/pg_type.h"
#include "executor/spi.h"
#include "lib/stringinfo.h"
#include "miscadmin.h"
#include "utils/array.h"
#include "utils/builtins.h"
#include "utils/lsyscache.h"
#include "utils/memutils.h"
#include "utils/numeric.h"
#include "utils/syscache.h"
#include "utils/typcache.h"

#define CBR_MAX_KEYS 8

/* Per statement: what the quantity trigger of one returns table needs. */
typedef struct QuantityCache
{
	int			nkeys;
	AttrNumber	key[CBR_MAX_KEYS];		/* in the returns table */
	char	   *keyname[CBR_MAX_KEYS];
	Oid			keytype[CBR_MAX_KEYS];
	FmgrInfo	keyout[CBR_MAX_KEYS];
	AttrNumber	quantity;
	Oid			quantity_type;
	Oid			declared_relid;
	Oid			declared_owner;
	Oid			ledger_owner;
	SPIPlanPtr	upsert_plan;	/* ledger += delta, returning the total */
	SPIPlanPtr	declared_plan;	/* declared quantity of a line */
	MemoryContextCallback free_plans;
} QuantityCache;

/* Per statement: the guard on one declared-lines table. */
typedef struct GuardCheck
{
	Oid			returns_relid;
	int			nkeys;
	AttrNumber	key[CBR_MAX_KEYS];		/* in the declared table */
	FmgrInfo	keyout[CBR_MAX_KEYS];
	AttrNumber	quantity;
	Oid			quantity_type;
} GuardCheck;

typedef struct GuardCache
{
	int			nchecks;
	GuardCheck *checks;
	Oid			ledger_owner;
	SPIPlanPtr	lock_plan;
	MemoryContextCallback free_plans;
} GuardCache;

static Oid
rel_owner(Oid relid)
{
	HeapTuple	tp = SearchSysCache1(RELOID, ObjectIdGetDatum(relid));
	Oid			owner;

	if (!HeapTupleIsValid(tp))
		elog(ERROR, "cache lookup failed for relation %u", relid);
	owner = ((Form_pg_class) GETSTRUCT(tp))->relowner;
	ReleaseSysCache(tp);
	return owner;
}

static char *
qualified_name(Oid relid)
{
	return quote_qualified_identifier(get_namespace_name(get_rel_namespace(relid)),
									  get_rel_name(relid));
}

static Oid
ledger_owner(void)
{
	Oid			relid = get_relname_relid("quantity_ledger", get_namespace_oid("cbreturn", false));

	if (!OidIsValid(relid))
		elog(ERROR, "table cbreturn.quantity_ledger does not exist");
	return rel_owner(relid);
}

/* Plans kept with SPI_keepplan die with the statement that made them. */
static void
free_quantity_plans(void *arg)
{
	QuantityCache *c = (QuantityCache *) arg;

	if (c->upsert_plan)
		SPI_freeplan(c->upsert_plan);
	if (c->declared_plan)
		SPI_freeplan(c->declared_plan);
	c->upsert_plan = c->declared_plan = NULL;
}

static void
free_guard_plans(void *arg)
{
	GuardCache *c = (GuardCache *) arg;

	if (c->lock_plan)
		SPI_freeplan(c->lock_plan);
	c->lock_plan = NULL;
}

static Numeric
quantity_numeric(Datum d, Oid type)
{
	switch (type)
	{
		case INT2OID:
			return int64_to_numeric(DatumGetInt16(d));
		case INT4OID:
			return int64_to_numeric(DatumGetInt32(d));
		case INT8OID:
			return int64_to_numeric(DatumGetInt64(d));
		default:
			return DatumGetNumeric(d);
	}
}

static int
numeric_compare(Numeric a, Numeric b)
{
	return DatumGetInt32(DirectFunctionCall2(numeric_cmp, NumericGetDatum(a), NumericGetDatum(b)));
}

static char *
numeric_text(Numeric n)
{
	return DatumGetCString(DirectFunctionCall1(numeric_out, NumericGetDatum(n)));
}

/* "OPERATOR(schema.=)" for the default equality operator of a type. */
static char *
equality_operator(Oid typid)
{
	TypeCacheEntry *tce = lookup_type_cache(typid, TYPECACHE_EQ_OPR);
	HeapTuple	tp;
	char	   *result;

	if (!OidIsValid(tce->eq_opr))
		ereport(ERROR,
				(errcode(ERRCODE_UNDEFINED_FUNCTION),
				 errmsg("type %s of a line key column has no default equality operator",
						format_type_be(typid))));
	tp = SearchSysCache1(OPEROID, ObjectIdGetDatum(tce->eq_opr));
	if (!HeapTupleIsValid(tp))
		elog(ERROR, "cache lookup failed for operator %u", tce->eq_opr);
	result = psprintf("OPERATOR(%s.%s)",
					  quote_identifier(get_namespace_name(((Form_pg_operator) GETSTRUCT(tp))->oprnamespace)),
					  NameStr(((Form_pg_operator) GETSTRUCT(tp))->oprname));
	ReleaseSysCache(tp);
	return result;
}

static QuantityCache *
quantity_cache(FunctionCallInfo fcinfo, Relation rel)
{
	QuantityCache *c = (QuantityCache *) fcinfo->flinfo->fn_extra;
	MemoryContext mcxt = fcinfo->flinfo->fn_mcxt;
	TupleDesc	tupdesc = RelationGetDescr(rel);
	CbrCheckMeta meta;
	Relation	drel;
	StringInfoData sql;
	Oid			argtypes[CBR_MAX_KEYS];
	Oid			ledger_types[3] = {REGCLASSOID, TEXTARRAYOID, NUMERICOID};
	AttrNumber	declared_quantity = InvalidAttrNumber;
	int			i;

	if (c != NULL)
		return c;
	cbr_load_check(RelationGetRelid(rel), "quantity", &meta, mcxt);
	c = MemoryContextAllocZero(mcxt, sizeof(QuantityCache));
	c->declared_relid = meta.declared_relid;

	for (i = 0; i < CBR_MAX_KEYS; i++)
	{
		char		role[32];
		Form_pg_attribute att;
		Oid			typout;
		bool		varlena;

		snprintf(role, sizeof(role), "line_%d", i + 1);
		c->key[i] = cbr_role_column(&meta, role, rel, NULL, 0, false);
		if (c->key[i] == InvalidAttrNumber)
			break;
		att = TupleDescAttr(tupdesc, c->key[i] - 1);
		c->keyname[i] = MemoryContextStrdup(mcxt, NameStr(att->attname));
		c->keytype[i] = att->atttypid;
		getTypeOutputInfo(att->atttypid, &typout, &varlena);
		fmgr_info_cxt(typout, &c->keyout[i], mcxt);
	}
	c->nkeys = i;
	if (c->nkeys == 0)
		elog(ERROR, "quantity check on \"%s\" has no line key", RelationGetRelationName(rel));
	{
		Oid			qt[4] = {INT2OID, INT4OID, INT8OID, NUMERICOID};

		c->quantity = cbr_role_column(&meta, "quantity", rel, qt, 4, true);
		c->quantity_type = TupleDescAttr(tupdesc, c->quantity - 1)->atttypid;
	}

	/* The declared table: re-check its columns as of now. */
	drel = table_open(c->declared_relid, AccessShareLock);
	initStringInfo(&sql);
	for (i = 0; i < meta.ncols; i++)
	{
		if (meta.colrel[i] != c->declared_relid)
			continue;
		if (strcmp(meta.role[i], "declared_quantity") == 0)
		{
			Oid			qt[4] = {INT2OID, INT4OID, INT8OID, NUMERICOID};

			declared_quantity = cbr_role_column(&meta, "declared_quantity", drel, qt, 4, true);
		}
	}
	appendStringInfo(&sql, "SELECT d.%s::pg_catalog.numeric FROM %s d WHERE ",
					 quote_identifier(NameStr(TupleDescAttr(RelationGetDescr(drel), declared_quantity - 1)->attname)),
					 quote_qualified_identifier(get_namespace_name(RelationGetNamespace(drel)),
												RelationGetRelationName(drel)));
	for (i = 0; i < c->nkeys; i++)
	{
		char		role[32];
		AttrNumber	dk;

		snprintf(role, sizeof(role), "declared_line_%d", i + 1);
		dk = cbr_role_column(&meta, role, drel, &c->keytype[i], 1, true);
		appendStringInfo(&sql, "%sd.%s %s $%d", i > 0 ? " AND " : "",
						 quote_identifier(NameStr(TupleDescAttr(RelationGetDescr(drel), dk - 1)->attname)),
						 equality_operator(c->keytype[i]), i + 1);
		argtypes[i] = c->keytype[i];
	}
	c->declared_owner = drel->rd_rel->relowner;
	table_close(drel, AccessShareLock);
	c->ledger_owner = ledger_owner();

	if (SPI_connect() != SPI_OK_CONNECT)
		elog(ERROR, "SPI_connect failed");
	c->declared_plan = SPI_prepare(sql.data, c->nkeys, argtypes);
	if (c->declared_plan == NULL)
		elog(ERROR, "SPI_prepare failed for \"%s\": %s", sql.data, SPI_result_code_string(SPI_result));
	c->upsert_plan = SPI_prepare(
		"INSERT INTO cbreturn.quantity_ledger AS l (relation, line, returned)"
		" VALUES ($1, $2, $3)"
		" ON CONFLICT (relation, line) DO UPDATE"
		" SET returned = l.returned OPERATOR(pg_catalog.+) excluded.returned"
		" RETURNING l.returned",
		3, ledger_types);
	if (c->upsert_plan == NULL)
		elog(ERROR, "SPI_prepare failed for the ledger: %s", SPI_result_code_string(SPI_result));
	SPI_keepplan(c->declared_plan);
	SPI_keepplan(c->upsert_plan);
	SPI_finish();
	c->free_plans.func = free_quantity_plans;
	c->free_plans.arg = c;
	MemoryContextRegisterResetCallback(mcxt, &c->free_plans);
	fcinfo->flinfo->fn_extra = c;
	return c;
}

/* The ledger key of a row: its line key columns as text; false if any is NULL. */
static bool
line_of(QuantityCache *c, TupleDesc tupdesc, HeapTuple tuple, Datum *keys, ArrayType **line)
{
	Datum		texts[CBR_MAX_KEYS];
	int			i;

	for (i = 0; i < c->nkeys; i++)
	{
		bool		isnull;

		keys[i] = heap_getattr(tuple, c->key[i], tupdesc, &isnull);
		if (isnull)
			return false;
		texts[i] = CStringGetTextDatum(OutputFunctionCall(&c->keyout[i], keys[i]));
	}
	*line = construct_array(texts, c->nkeys, TEXTOID, -1, false, TYPALIGN_INT);
	return true;
}

static char *
line_text(QuantityCache *c, ArrayType *line)
{
	StringInfoData s;
	Datum	   *elems;
	bool	   *nulls;
	int			n;
	int			i;

	deconstruct_array(line, TEXTOID, -1, false, TYPALIGN_INT, &elems, &nulls, &n);
	initStringInfo(&s);
	appendStringInfoChar(&s, '(');
	for (i = 0; i < c->nkeys; i++)
		appendStringInfo(&s, "%s%s", i ? ", " : "", quote_identifier(c->keyname[i]));
	appendStringInfoString(&s, ")=(");
	for (i = 0; i < n; i++)
		appendStringInfo(&s, "%s%s", i ? ", " : "", TextDatumGetCString(elems[i]));
	appendStringInfoChar(&s, ')');
	return s.data;
}

/*
 * Move the counter of one line by delta; when it grows, compare the new
 * total with the declared quantity.  Runs inside SPI_connect.
 */
static void
apply_delta(QuantityCache *c, Relation rel, HeapTuple tuple, Datum *keys, ArrayType *line,
			Numeric delta, Numeric row_quantity)
{
	Datum		args[3];
	Oid			save_userid;
	int			save_sec;
	int			ret;
	bool		isnull;
	Numeric		total;
	Numeric		declared = NULL;
	bool		grows = numeric_compare(delta, int64_to_numeric(0)) > 0;

	args[0] = ObjectIdGetDatum(RelationGetRelid(rel));
	args[1] = PointerGetDatum(line);
	args[2] = NumericGetDatum(delta);

	GetUserIdAndSecContext(&save_userid, &save_sec);
	SetUserIdAndSecContext(c->ledger_owner,
						   save_sec | SECURITY_LOCAL_USERID_CHANGE | SECURITY_NOFORCE_RLS);
	ret = SPI_execute_plan(c->upsert_plan, args, NULL, false, 1);
	SetUserIdAndSecContext(save_userid, save_sec);
	if (ret != SPI_OK_INSERT_RETURNING || SPI_processed != 1)
		elog(ERROR, "updating cbreturn.quantity_ledger failed: %s", SPI_result_code_string(ret));
	total = DatumGetNumeric(SPI_getbinval(SPI_tuptable->vals[0], SPI_tuptable->tupdesc, 1, &isnull));
	total = DatumGetNumericCopy(NumericGetDatum(total));
	if (!grows)
		return;

	/* Read after the ledger row is ours: a fresh snapshot in READ COMMITTED. */
	SetUserIdAndSecContext(c->declared_owner,
						   save_sec | SECURITY_LOCAL_USERID_CHANGE | SECURITY_NOFORCE_RLS);
	ret = SPI_execute_plan(c->declared_plan, keys, NULL, false, 1);
	SetUserIdAndSecContext(save_userid, save_sec);
	if (ret != SPI_OK_SELECT)
		elog(ERROR, "reading the declared line failed: %s", SPI_result_code_string(ret));
	if (SPI_processed == 1)
	{
		Datum		d = SPI_getbinval(SPI_tuptable->vals[0], SPI_tuptable->tupdesc, 1, &isnull);

		declared = isnull ? int64_to_numeric(0) : DatumGetNumericCopy(d);
	}
	if (declared == NULL)
		ereport(ERROR,
				(errcode(ERRCODE_CBRETURN_QUANTITY),
				 errmsg("return refers to no declared line (R-EX-3, R-IM-2)"),
				 errdetail("%sline %s has no row in %s.", cbr_row_identity(rel, tuple),
						   line_text(c, line), qualified_name(c->declared_relid)),
				 errhint("Record the original declaration line first; a return is counted against it."),
				 errtablecol(rel, c->key[0])));
	if (numeric_compare(total, declared) > 0)
	{
		Numeric		before = DatumGetNumeric(DirectFunctionCall2(numeric_sub,
																 NumericGetDatum(total),
																 NumericGetDatum(delta)));
		Numeric		room = DatumGetNumeric(DirectFunctionCall2(numeric_sub,
															   NumericGetDatum(declared),
															   NumericGetDatum(before)));

		if (numeric_compare(room, int64_to_numeric(0)) < 0)
			room = int64_to_numeric(0);
		ereport(ERROR,
				(errcode(ERRCODE_CBRETURN_QUANTITY),
				 errmsg("returned quantity %s of line %s exceeds the declared quantity %s (R-EX-3, R-IM-2)",
						numeric_text(total), line_text(c, line), numeric_text(declared)),
				 errdetail("%sthis row returns %s; %s of the line was returned before, %s was declared.",
						   cbr_row_identity(rel, tuple), numeric_text(row_quantity),
						   numeric_text(before), numeric_text(declared)),
				 errhint("At most %s more may be returned on this line.", numeric_text(room)),
				 errtablecol(rel, c->quantity)));
	}
}

/* Byte order of two line keys: equality, and a fixed order to lock in. */
static int
text_array_cmp(ArrayType *a, ArrayType *b)
{
	Datum	   *ea;
	Datum	   *eb;
	bool	   *na;
	bool	   *nb;
	int			n1;
	int			n2;
	int			i;

	deconstruct_array(a, TEXTOID, -1, false, TYPALIGN_INT, &ea, &na, &n1);
	deconstruct_array(b, TEXTOID, -1, false, TYPALIGN_INT, &eb, &nb, &n2);
	for (i = 0; i < n1 && i < n2; i++)
	{
		text	   *ta = DatumGetTextPP(ea[i]);
		text	   *tb = DatumGetTextPP(eb[i]);
		int			la = VARSIZE_ANY_EXHDR(ta);
		int			lb = VARSIZE_ANY_EXHDR(tb);
		int			r = memcmp(VARDATA_ANY(ta), VARDATA_ANY(tb), Min(la, lb));

		if (r != 0)
			return r;
		if (la != lb)
			return la < lb ? -1 : 1;
	}
	return n1 == n2 ? 0 : (n1 < n2 ? -1 : 1);
}

static inline bool
array_eq_text(ArrayType *a, ArrayType *b)
{
	return text_array_cmp(a, b) == 0;
}

PG_FUNCTION_INFO_V1(cbr_quantity_check);

/*
 * cbreturn.quantity_check(): AFTER INSERT OR UPDATE OR DELETE FOR EACH ROW on
 * a returns table.  AFTER, so that it counts the row as finally written
 * (after every BEFORE trigger).  R-EX-3 (GACC 2020 No. 44) and R-IM-2: the
 * quantity returned over all batches of one line never exceeds the quantity
 * declared on it.
 */
Datum
cbr_quantity_check(PG_FUNCTION_ARGS)
{
	TriggerData *trigdata = cbr_trigger_protocol(fcinfo, "quantity_check", CBR_FIRE_AFTER, true);
	Relation	rel = trigdata->tg_relation;
	TupleDesc	tupdesc = RelationGetDescr(rel);
	QuantityCache *c = quantity_cache(fcinfo, rel);
	HeapTuple	oldtup = NULL;
	HeapTuple	newtup = NULL;
	Datum		oldkeys[CBR_MAX_KEYS];
	Datum		newkeys[CBR_MAX_KEYS];
	ArrayType  *oldline = NULL;
	ArrayType  *newline = NULL;
	Numeric		oldq = NULL;
	Numeric		newq = NULL;
	Numeric		zero = int64_to_numeric(0);

	if (TRIGGER_FIRED_BY_INSERT(trigdata->tg_event))
		newtup = trigdata->tg_trigtuple;
	else if (TRIGGER_FIRED_BY_DELETE(trigdata->tg_event))
		oldtup = trigdata->tg_trigtuple;
	else
	{
		oldtup = trigdata->tg_trigtuple;
		newtup = trigdata->tg_newtuple;
	}

	if (oldtup)
	{
		bool		isnull;
		Datum		d = heap_getattr(oldtup, c->quantity, tupdesc, &isnull);

		if (isnull || !line_of(c, tupdesc, oldtup, oldkeys, &oldline))
			oldline = NULL;
		else
			oldq = quantity_numeric(d, c->quantity_type);
	}
	if (newtup)
	{
		bool		isnull;
		Datum		d = heap_getattr(newtup, c->quantity, tupdesc, &isnull);

		if (!isnull)
		{
			newq = quantity_numeric(d, c->quantity_type);
			if (numeric_compare(newq, zero) < 0)
				ereport(ERROR,
						(errcode(ERRCODE_CBRETURN_QUANTITY),
						 errmsg("returned quantity %s is negative (R-EX-3, R-IM-2)", numeric_text(newq)),
						 errdetail("%sthe quantity is %s.", cbr_row_identity(rel, newtup), numeric_text(newq)),
						 errhint("A return carries a quantity of zero or more."),
						 errtablecol(rel, c->quantity)));
		}
		if (isnull || !line_of(c, tupdesc, newtup, newkeys, &newline))
			newline = NULL;
	}

	/* An UPDATE that touches neither line nor quantity costs nothing here. */
	if (oldline && newline && array_eq_text(oldline, newline) &&
		numeric_compare(oldq, newq) == 0)
		return PointerGetDatum(NULL);
	if (oldline == NULL && newline == NULL)
		return PointerGetDatum(NULL);

	if (SPI_connect() != SPI_OK_CONNECT)
		elog(ERROR, "SPI_connect failed");
	if (oldline && newline && array_eq_text(oldline, newline))
		apply_delta(c, rel, newtup, newkeys, newline,
					DatumGetNumeric(DirectFunctionCall2(numeric_sub, NumericGetDatum(newq),
														NumericGetDatum(oldq))),
					newq);
	else
	{
		Numeric		minus_old = oldline
			? DatumGetNumeric(DirectFunctionCall1(numeric_uminus, NumericGetDatum(oldq)))
			: NULL;

		/* two lines: lock their ledger rows in key order (no deadlock) */
		if (oldline && newline && text_array_cmp(oldline, newline) > 0)
		{
			apply_delta(c, rel, newtup, newkeys, newline, newq, newq);
			apply_delta(c, rel, oldtup, oldkeys, oldline, minus_old, oldq);
		}
		else
		{
			if (oldline)
				apply_delta(c, rel, oldtup, oldkeys, oldline, minus_old, oldq);
			if (newline)
				apply_delta(c, rel, newtup, newkeys, newline, newq, newq);
		}
	}
	SPI_finish();
	return PointerGetDatum(NULL);
}

/* ---------------------------------------------------------------------
 * The guard on a declared-lines table
 * --------------------------------------------------------------------- */

static GuardCache *
guard_cache(FunctionCallInfo fcinfo, Relation rel)
{
	GuardCache *c = (GuardCache *) fcinfo->flinfo->fn_extra;
	MemoryContext mcxt = fcinfo->flinfo->fn_mcxt;
	Oid			argtypes[1] = {OIDOID};
	Datum		args[1];
	Oid			lock_types[2] = {REGCLASSOID, TEXTARRAYOID};
	Oid		   *returns_relids;
	int			n;
	int			i;
	int			ret;

	if (c != NULL)
		return c;
	c = MemoryContextAllocZero(mcxt, sizeof(GuardCache));
	args[0] = ObjectIdGetDatum(RelationGetRelid(rel));
	if (SPI_connect() != SPI_OK_CONNECT)
		elog(ERROR, "SPI_connect failed");
	ret = SPI_execute_with_args(
		"SELECT k.relation::pg_catalog.oid FROM cbreturn.attached_check k"
		" WHERE k.declared_relation::pg_catalog.oid OPERATOR(pg_catalog.=) $1"
		"   AND k.check_kind OPERATOR(pg_catalog.=) 'quantity'",
		1, argtypes, args, NULL, true, 0);
	if (ret != SPI_OK_SELECT)
		elog(ERROR, "reading cbreturn.attached_check failed: %s", SPI_result_code_string(ret));
	n = (int) SPI_processed;
	returns_relids = MemoryContextAlloc(mcxt, sizeof(Oid) * Max(n, 1));
	for (i = 0; i < n; i++)
	{
		bool		isnull;

		returns_relids[i] = DatumGetObjectId(SPI_getbinval(SPI_tuptable->vals[i],
														   SPI_tuptable->tupdesc, 1, &isnull));
	}
	/*
	 * Lock the line's ledger row, creating it (at 0) when the line has no
	 * returns yet: a return being written concurrently must meet this lock
	 * too, or it could count against the old declared quantity.
	 */
	c->lock_plan = SPI_prepare(
		"INSERT INTO cbreturn.quantity_ledger AS l (relation, line, returned)"
		" VALUES ($1, $2, 0)"
		" ON CONFLICT (relation, line) DO UPDATE SET returned = l.returned"
		" RETURNING l.returned",
		2, lock_types);
	if (c->lock_plan == NULL)
		elog(ERROR, "SPI_prepare failed for the ledger: %s", SPI_result_code_string(SPI_result));
	SPI_keepplan(c->lock_plan);
	SPI_finish();
	c->free_plans.func = free_guard_plans;
	c->free_plans.arg = c;
	MemoryContextRegisterResetCallback(mcxt, &c->free_plans);

	c->checks = MemoryContextAllocZero(mcxt, sizeof(GuardCheck) * Max(n, 1));
	for (i = 0; i < n; i++)
	{
		GuardCheck *g = &c->checks[i];
		CbrCheckMeta meta;
		Oid			qt[4] = {INT2OID, INT4OID, INT8OID, NUMERICOID};
		int			k;

		cbr_load_check(returns_relids[i], "quantity", &meta, mcxt);
		g->returns_relid = returns_relids[i];
		for (k = 0; k < CBR_MAX_KEYS; k++)
		{
			char		role[32];
			Oid			typout;
			bool		varlena;

			snprintf(role, sizeof(role), "declared_line_%d", k + 1);
			g->key[k] = cbr_role_column(&meta, role, rel, NULL, 0, false);
			if (g->key[k] == InvalidAttrNumber)
				break;
			getTypeOutputInfo(TupleDescAttr(RelationGetDescr(rel), g->key[k] - 1)->atttypid,
							  &typout, &varlena);
			fmgr_info_cxt(typout, &g->keyout[k], mcxt);
		}
		g->nkeys = k;
		g->quantity = cbr_role_column(&meta, "declared_quantity", rel, qt, 4, true);
		g->quantity_type = TupleDescAttr(RelationGetDescr(rel), g->quantity - 1)->atttypid;
	}
	c->nchecks = n;
	c->ledger_owner = ledger_owner();
	fcinfo->flinfo->fn_extra = c;
	return c;
}

/* The ledger key of a declared line, as line_of() builds it for a return. */
static bool
declared_line_of(GuardCheck *g, TupleDesc tupdesc, HeapTuple tuple, ArrayType **line)
{
	Datum		texts[CBR_MAX_KEYS];
	int			i;

	for (i = 0; i < g->nkeys; i++)
	{
		bool		isnull;
		Datum		d = heap_getattr(tuple, g->key[i], tupdesc, &isnull);

		if (isnull)
			return false;
		texts[i] = CStringGetTextDatum(OutputFunctionCall(&g->keyout[i], d));
	}
	*line = construct_array(texts, g->nkeys, TEXTOID, -1, false, TYPALIGN_INT);
	return true;
}

/* "(a, b)" for a line key (array_out needs an FmgrInfo; this does not). */
static char *
array_text(ArrayType *line)
{
	StringInfoData s;
	Datum	   *elems;
	bool	   *nulls;
	int			n;
	int			i;

	deconstruct_array(line, TEXTOID, -1, false, TYPALIGN_INT, &elems, &nulls, &n);
	initStringInfo(&s);
	appendStringInfoChar(&s, '(');
	for (i = 0; i < n; i++)
		appendStringInfo(&s, "%s%s", i ? ", " : "", TextDatumGetCString(elems[i]));
	appendStringInfoChar(&s, ')');
	return s.data;
}

PG_FUNCTION_INFO_V1(cbr_declared_quantity_guard);

/*
 * cbreturn.declared_quantity_guard(): BEFORE UPDATE OR DELETE FOR EACH ROW on
 * a declared-lines table.  R-EX-3, R-IM-2 seen from the other side: a
 * declared quantity may not drop below what was already returned of the
 * line, and a line with returns may not be deleted or re-keyed.  It locks
 * the line's ledger row first, so it serialises with concurrent returns.
 */
Datum
cbr_declared_quantity_guard(PG_FUNCTION_ARGS)
{
	TriggerData *trigdata = cbr_trigger_protocol(fcinfo, "declared_quantity_guard", CBR_FIRE_BEFORE, true);
	Relation	rel = trigdata->tg_relation;
	TupleDesc	tupdesc = RelationGetDescr(rel);
	bool		is_delete = TRIGGER_FIRED_BY_DELETE(trigdata->tg_event);
	HeapTuple	oldtup = trigdata->tg_trigtuple;
	HeapTuple	newtup = is_delete ? NULL : trigdata->tg_newtuple;
	GuardCache *c;
	int			i;
	bool		connected = false;

	if (TRIGGER_FIRED_BY_INSERT(trigdata->tg_event))
		ereport(ERROR,
				(errcode(ERRCODE_E_R_I_E_TRIGGER_PROTOCOL_VIOLATED),
				 errmsg("function \"declared_quantity_guard\" must be fired for UPDATE or DELETE")));
	c = guard_cache(fcinfo, rel);
	for (i = 0; i < c->nchecks; i++)
	{
		GuardCheck *g = &c->checks[i];
		ArrayType  *oldline;
		ArrayType  *newline = NULL;
		bool		rekeyed;
		Numeric		newq = NULL;
		Datum		args[2];
		Oid			save_userid;
		int			save_sec;
		int			ret;
		bool		isnull;
		Numeric		returned;

		if (!declared_line_of(g, tupdesc, oldtup, &oldline))
			continue;
		rekeyed = is_delete || !declared_line_of(g, tupdesc, newtup, &newline) ||
			!array_eq_text(oldline, newline);
		if (!rekeyed)
		{
			Datum		oq = heap_getattr(oldtup, g->quantity, tupdesc, &isnull);
			Numeric		oldq = isnull ? int64_to_numeric(0) : quantity_numeric(oq, g->quantity_type);
			Datum		nq = heap_getattr(newtup, g->quantity, tupdesc, &isnull);

			newq = isnull ? int64_to_numeric(0) : quantity_numeric(nq, g->quantity_type);
			if (numeric_compare(newq, oldq) >= 0)
				continue;		/* raising a declared quantity is always safe */
		}
		if (!connected)
		{
			if (SPI_connect() != SPI_OK_CONNECT)
				elog(ERROR, "SPI_connect failed");
			connected = true;
		}
		args[0] = ObjectIdGetDatum(g->returns_relid);
		args[1] = PointerGetDatum(oldline);
		GetUserIdAndSecContext(&save_userid, &save_sec);
		SetUserIdAndSecContext(c->ledger_owner,
							   save_sec | SECURITY_LOCAL_USERID_CHANGE | SECURITY_NOFORCE_RLS);
		ret = SPI_execute_plan(c->lock_plan, args, NULL, false, 1);
		SetUserIdAndSecContext(save_userid, save_sec);
		if (ret != SPI_OK_INSERT_RETURNING || SPI_processed != 1)
			elog(ERROR, "locking the ledger failed: %s", SPI_result_code_string(ret));
		returned = DatumGetNumeric(SPI_getbinval(SPI_tuptable->vals[0], SPI_tuptable->tupdesc, 1, &isnull));
		if (rekeyed && numeric_compare(returned, int64_to_numeric(0)) > 0)
			ereport(ERROR,
					(errcode(ERRCODE_CBRETURN_QUANTITY),
					 errmsg("declared line %s has returns and cannot be %s (R-EX-3, R-IM-2)",
							array_text(oldline), is_delete ? "deleted" : "re-keyed"),
					 errdetail("%s%s has been returned of it in table %s.",
							   cbr_row_identity(rel, oldtup), numeric_text(returned),
							   qualified_name(g->returns_relid)),
					 errhint("Delete or move its returns first."),
					 errtable(rel)));
		if (!rekeyed && numeric_compare(newq, returned) < 0)
			ereport(ERROR,
					(errcode(ERRCODE_CBRETURN_QUANTITY),
					 errmsg("declared quantity %s of line %s is below the quantity already returned, %s (R-EX-3, R-IM-2)",
							numeric_text(newq), array_text(oldline), numeric_text(returned)),
					 errdetail("%s%s has been returned of it in table %s.",
							   cbr_row_identity(rel, oldtup), numeric_text(returned),
							   qualified_name(g->returns_relid)),
					 errhint("A declared quantity of %s or more is accepted.", numeric_text(returned)),
					 errtablecol(rel, g->quantity)));
	}
	if (connected)
		SPI_finish();
	return PointerGetDatum(is_delete ? oldtup : newtup);
}
