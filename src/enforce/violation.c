/*
 * violation.c
 *		Record mode, ordinary (taxed) returns and existing rows (issue 12,
 *		items 4 and 5): what a write-time check does with a row that breaks
 *		one of its rules, and the scan of the rows already stored.
 *
 * Record mode.  A check set to on_violation 'record'
 * (cbreturn.set_on_violation) stores a row that breaks a rule and writes one
 * entry per broken rule into cbreturn.violation_log, so that a history load
 * is not aborted by one late row.  The entry carries the error the check
 * would have raised: the check's own report function raises it inside a
 * subtransaction, and the error is caught, so the message, DETAIL and HINT
 * are exactly those of refuse mode.  Only rule verdicts are recorded
 * (CB001, CB002, CB005, CB006, CB008-CB012); bad input, missing metadata, privileges and
 * cancels are raised as always.  The entry is written as the owner of the
 * metadata (the log's owner), as metadata.c writes: nobody else may write
 * the log, and only the owner of the checked table reads its entries
 * (row security, sql/57_violations.sql).
 *
 * Refuse mode stays as fast as before: a check calls cbr_violations_begin()
 * only once its decision has refused the row, and gets NULL (raise as
 * always) from one hash lookup; no subtransaction.
 *
 * Ordinary returns.  Goods that come back late still come back, declared as
 * ordinary returned goods (e.g. supervision code 4561) and taxed
 * (rules R-TX-6: "outside R-TX-2 and R-TX-6 a return is taxed as an
 * ordinary import").  A column named with cbreturn.set_ordinary_return_column
 * marks such rows; the CBEC window and remark rules (R-EX-1, R-EX-2, R-IM-1)
 * do not apply to them.  R-EX-5 still does.
 *
 * Existing rows.  cbreturn.violations(table) calls the check's own trigger
 * function on every stored row (as an INSERT, BEFORE the row is written) and
 * collects what it would raise; cbreturn.validate(table) raises the first
 * such error, as ALTER TABLE ... VALIDATE CONSTRAINT does.  So existing rows
 * are judged by the very code that judges a write, one decision per rule.
 */
#include "enforce/violation.h"

#include "access/htup_details.h"
#include "access/relation.h"
#include "access/table.h"
#include "access/tableam.h"
#include "access/xact.h"
#include "catalog/namespace.h"
#include "catalog/pg_inherits.h"
#include "catalog/pg_type.h"
#include "executor/executor.h"
#include "executor/spi.h"
#include "funcapi.h"
#include "lib/stringinfo.h"
#include "miscadmin.h"
#include "nodes/bitmapset.h"
#include "storage/lmgr.h"
#include "utils/acl.h"
#include "utils/array.h"
#include "utils/datum.h"
#include "utils/builtins.h"
#include "utils/fmgrprotos.h"
#include "utils/hsearch.h"
#include "utils/inval.h"
#include "utils/json.h"
#include "utils/lsyscache.h"
#include "utils/memutils.h"
#include "utils/rel.h"
#include "utils/relcache.h"
#include "utils/resowner.h"
#include "utils/rls.h"
#include "utils/snapmgr.h"
#include "utils/syscache.h"
#include "utils/tuplestore.h"
#include "utils/typcache.h"

/* The trigger functions of the checks (export_check.c, import_check.c, status_check.c). */
extern PGDLLEXPORT Datum export_return_check(PG_FUNCTION_ARGS);
extern PGDLLEXPORT Datum import_return_check(PG_FUNCTION_ARGS);
extern PGDLLEXPORT Datum status_check(PG_FUNCTION_ARGS);

/* A relation's schema-qualified, quoted name, for messages. */
static char *
cbr_rel_text(Oid relid)
{
	return quote_qualified_identifier(get_namespace_name(get_rel_namespace(relid)),
									  get_rel_name(relid));
}

/* check_kind as cbreturn.attached_check spells it, by CbrCheckKind */
static const char *const kind_names[CBR_CHECK_KINDS] = {"export", "import", "status"};

/* ---------------------------------------------------------------------
 * The options of an attached check: on_violation and the ordinary-return
 * column, kept per backend as check_cache.c keeps the configs (the cache
 * protocol of src/policy/cache.c; invalidated by the same relcache events).
 * ---------------------------------------------------------------------
 */
typedef struct CheckOptions
{
	bool		record;			/* on_violation = 'record' */
	AttrNumber	ordinary;		/* the ordinary-return column; 0: none */
	int			nvalues;		/* the values that mark an ordinary return */
	Datum	   *values;
	FmgrInfo	eq;				/* the column type's default equality */
	Oid			collation;
} CheckOptions;

typedef struct OptionsKey
{
	Oid			relid;
	int32		kind;
} OptionsKey;

typedef struct OptionsEntry
{
	OptionsKey	key;			/* hash key: must be first */
	CbrCache	cache;
	CheckOptions *opt;
} OptionsEntry;

static HTAB *options_cache = NULL;
static Oid	options_metadata[2] = {InvalidOid, InvalidOid};
static bool options_sweep_pending = false;

static void
cbr_options_invalidate_all(void)
{
	HASH_SEQ_STATUS status;
	OptionsEntry *e;

	hash_seq_init(&status, options_cache);
	while ((e = (OptionsEntry *) hash_seq_search(&status)) != NULL)
		cbr_cache_invalidate(&e->cache);
	options_sweep_pending = true;
}

static void
cbr_options_relcache_callback(Datum arg, Oid relid)
{
	OptionsKey	key;
	int			k;

	if (options_cache == NULL)
		return;
	if (!OidIsValid(relid) || relid == options_metadata[0] || relid == options_metadata[1])
	{
		cbr_options_invalidate_all();
		return;
	}
	memset(&key, 0, sizeof(key));
	key.relid = relid;
	for (k = 0; k < CBR_CHECK_KINDS; k++)
	{
		OptionsEntry *e;

		key.kind = k;
		e = (OptionsEntry *) hash_search(options_cache, &key, HASH_FIND, NULL);
		if (e != NULL)
		{
			cbr_cache_invalidate(&e->cache);
			options_sweep_pending = true;
		}
	}
}

/* Remove the invalidated entries whose table no longer exists. */
static void
cbr_options_sweep(void)
{
	HASH_SEQ_STATUS status;
	OptionsEntry *e;

	options_sweep_pending = false;
	hash_seq_init(&status, options_cache);
	while ((e = (OptionsEntry *) hash_seq_search(&status)) != NULL)
	{
		if (e->cache.valid || SearchSysCacheExists1(RELOID, ObjectIdGetDatum(e->key.relid)))
			continue;
		cbr_cache_forget(&e->cache);
		(void) hash_search(options_cache, &e->key, HASH_REMOVE, NULL);
	}
}

/* The OID of a table of schema cbreturn (55000 when the schema predates it). */
static Oid
cbr_own_table(const char *name)
{
	Oid			relid = get_relname_relid(name, get_namespace_oid("cbreturn", false));

	if (!OidIsValid(relid))
		ereport(ERROR,
				(errcode(ERRCODE_OBJECT_NOT_IN_PREREQUISITE_STATE),
				 errmsg("table cbreturn.%s does not exist", name),
				 errhint("The cbreturn module is newer than its objects in this database: run ALTER EXTENSION cbreturn UPDATE.")));
	return relid;
}

/*
 * Read the options of the check of kind on rel into a CheckOptions
 * allocated in cxt.  No row: the check is not attached (its trigger fails
 * on its own metadata first); refuse.
 */
static CheckOptions *
cbr_options_load(Relation rel, CbrCheckKind kind, MemoryContext cxt)
{
	Oid			argtypes[2] = {OIDOID, TEXTOID};
	Datum		args[2];
	CheckOptions *opt = MemoryContextAllocZero(cxt, sizeof(CheckOptions));
	HeapTuple	tup;
	TupleDesc	desc;
	bool		isnull;
	Datum		d;
	int			ret;
	Oid			registered;

	/*
	 * The module of 0.3.0 over a 0.2.0 schema, before ALTER EXTENSION
	 * UPDATE: no options yet, every check refuses (as it did).  The update's
	 * ALTER TABLE invalidates what is built here.
	 */
	if (get_attnum(options_metadata[0], "on_violation") == InvalidAttrNumber)
		return opt;
	/* a partition: the options of the check of its ancestor (issue 12) */
	registered = cbr_check_registered(RelationGetRelid(rel), kind_names[kind]);
	if (!OidIsValid(registered))
		return opt;
	args[0] = ObjectIdGetDatum(registered);
	args[1] = CStringGetTextDatum(kind_names[kind]);
	if (SPI_connect() != SPI_OK_CONNECT)
		elog(ERROR, "SPI_connect failed");
	ret = SPI_execute_with_args(
		"SELECT k.on_violation OPERATOR(pg_catalog.=) 'record', k.ordinary_values,"
		"       c.column_attnum, c.column_name::pg_catalog.text"
		"  FROM cbreturn.attached_check k"
		"  LEFT JOIN cbreturn.attached_column c"
		"    ON c.relation OPERATOR(pg_catalog.=) k.relation"
		"   AND c.check_kind OPERATOR(pg_catalog.=) k.check_kind"
		"   AND c.role OPERATOR(pg_catalog.=) 'ordinary_return'"
		" WHERE k.relation::pg_catalog.oid OPERATOR(pg_catalog.=) $1"
		"   AND k.check_kind OPERATOR(pg_catalog.=) $2",
		2, argtypes, args, NULL, true, 1);
	if (ret != SPI_OK_SELECT)
		elog(ERROR, "reading cbreturn.attached_check failed: %s", SPI_result_code_string(ret));
	if (SPI_processed == 0)
	{
		SPI_finish();
		return opt;
	}
	tup = SPI_tuptable->vals[0];
	desc = SPI_tuptable->tupdesc;
	opt->record = DatumGetBool(SPI_getbinval(tup, desc, 1, &isnull));
	d = SPI_getbinval(tup, desc, 3, &isnull);
	if (!isnull)
	{
		CbrCheckMeta meta;
		Datum		arr = SPI_getbinval(tup, desc, 2, &isnull);
		Datum	   *elems;
		bool	   *nulls;
		int			n;
		int			i;
		Form_pg_attribute att;
		TypeCacheEntry *tc;
		Oid			typinput;
		Oid			ioparam;
		MemoryContext oldcxt;

		/* cbr_role_column checks that the column is still the one recorded */
		memset(&meta, 0, sizeof(meta));
		meta.ncols = 1;
		meta.role[0] = "ordinary_return";
		meta.colname[0] = SPI_getvalue(tup, desc, 4);
		meta.colrel[0] = RelationGetRelid(rel);
		meta.attnum[0] = cbr_partition_attnum(registered, DatumGetInt16(d), RelationGetRelid(rel));
		opt->ordinary = cbr_role_column(&meta, "ordinary_return", rel, NULL, 0, true);
		if (isnull)
			ereport(ERROR,
					(errcode(ERRCODE_OBJECT_NOT_IN_PREREQUISITE_STATE),
					 errmsg("the ordinary-return column of the %s check on table \"%s\" has no values",
							kind_names[kind], RelationGetRelationName(rel)),
					 errhint("Name the column again with cbreturn.set_ordinary_return_column().")));
		att = TupleDescAttr(RelationGetDescr(rel), opt->ordinary - 1);
		tc = lookup_type_cache(att->atttypid, TYPECACHE_EQ_OPR_FINFO);
		if (!OidIsValid(tc->eq_opr_finfo.fn_oid))
			ereport(ERROR,
					(errcode(ERRCODE_UNDEFINED_FUNCTION),
					 errmsg("could not identify an equality operator for type %s",
							format_type_be(att->atttypid))));
		fmgr_info_copy(&opt->eq, &tc->eq_opr_finfo, cxt);
		opt->collation = att->attcollation;
		getTypeInputInfo(att->atttypid, &typinput, &ioparam);
		deconstruct_array(DatumGetArrayTypeP(arr), TEXTOID, -1, false, TYPALIGN_INT,
						  &elems, &nulls, &n);
		oldcxt = MemoryContextSwitchTo(cxt);
		opt->values = palloc(sizeof(Datum) * Max(n, 1));
		for (i = 0; i < n; i++)
		{
			if (nulls[i])
				continue;
			opt->values[opt->nvalues++] =
				datumCopy(OidInputFunctionCall(typinput, TextDatumGetCString(elems[i]), ioparam,
											   att->atttypmod),
						  att->attbyval, att->attlen);
		}
		MemoryContextSwitchTo(oldcxt);
	}
	SPI_finish();
	return opt;
}

/* The options of the check of kind on rel, built if they are not valid. */
static const CheckOptions *
cbr_check_options(Relation rel, CbrCheckKind kind)
{
	OptionsKey	key;
	OptionsEntry *e;
	bool		found;

	if (options_cache == NULL)
	{
		HASHCTL		ctl;

		memset(&ctl, 0, sizeof(ctl));
		ctl.keysize = sizeof(OptionsKey);
		ctl.entrysize = sizeof(OptionsEntry);
		ctl.hcxt = CacheMemoryContext;
		options_cache = hash_create("cbreturn check options", 16, &ctl,
									HASH_ELEM | HASH_BLOBS | HASH_CONTEXT);
		CacheRegisterRelcacheCallback(cbr_options_relcache_callback, (Datum) 0);
	}
	if (options_sweep_pending)
		cbr_options_sweep();
	memset(&key, 0, sizeof(key));
	key.relid = RelationGetRelid(rel);
	key.kind = kind;
	e = (OptionsEntry *) hash_search(options_cache, &key, HASH_ENTER, &found);
	if (!found)
	{
		memset(&e->cache, 0, sizeof(e->cache));
		e->opt = NULL;
	}
	if (!e->cache.valid)
	{
		CbrCacheBuild b = {0};
		CheckOptions *opt;

		do
		{
			/* locking the metadata takes in the invalidations pending */
			options_metadata[0] = cbr_own_table("attached_check");
			options_metadata[1] = cbr_own_table("attached_column");
			LockRelationOid(options_metadata[0], AccessShareLock);
			LockRelationOid(options_metadata[1], AccessShareLock);
			cbr_cache_build_begin(&b, &e->cache, "cbreturn check options");
			cbr_cache_build_read(&b);
			opt = cbr_options_load(rel, kind, b.cxt);
		} while (!cbr_cache_build_end(&b));
		e->opt = opt;
	}
	return e->opt;
}

/* ---------------------------------------------------------------------
 * Collecting: cbreturn.violations() and cbreturn.validate()
 * ---------------------------------------------------------------------
 */
typedef struct Collector
{
	Oid			relid;
	bool		capture;		/* violations(): collect; validate(): raise */
	Tuplestorestate *store;
	TupleDesc	desc;
} Collector;

static void cbr_not_attached(Oid relid, const char *kind);

/* The scan in progress in this backend, if any. */
static Collector *collector = NULL;

struct CbrViolations
{
	Relation	rel;
	CbrCheckKind kind;
	const CheckOptions *opt;
	Collector  *collect;		/* scanning existing rows */
	bool		capture;		/* catch the error of a verdict (record or collect) */
};

CbrViolations *
cbr_violations_begin(Relation rel, CbrCheckKind kind)
{
	const CheckOptions *opt = cbr_check_options(rel, kind);
	Collector  *col = collector != NULL && collector->relid == RelationGetRelid(rel) ? collector : NULL;
	bool		capture = col != NULL ? col->capture : opt->record;
	CbrViolations *s;

	if (!capture && opt->ordinary == InvalidAttrNumber)
		return NULL;
	s = palloc(sizeof(CbrViolations));
	s->rel = rel;
	s->kind = kind;
	s->opt = opt;
	s->collect = col;
	s->capture = capture;
	return s;
}

bool
cbr_violations_ordinary(CbrViolations *s, HeapTuple tuple)
{
	bool		isnull;
	Datum		d;
	int			i;

	if (s == NULL || s->opt->ordinary == InvalidAttrNumber)
		return false;
	d = heap_getattr(tuple, s->opt->ordinary, RelationGetDescr(s->rel), &isnull);
	if (isnull)
		return false;
	for (i = 0; i < s->opt->nvalues; i++)
		if (DatumGetBool(FunctionCall2Coll((FmgrInfo *) &s->opt->eq, s->opt->collation,
										   d, s->opt->values[i])))
			return true;
	return false;
}

/*
 * The primary key of a row as a jsonb object {"column": "value as text"},
 * with only the key columns role may read (as PostgreSQL's own errors show
 * key values: SELECT on the table or on the column, and no row security
 * applying to role when check_rls).  NULL when the table has no primary key
 * or role may read none of it.
 */
static Datum
cbr_row_key(Relation rel, HeapTuple tuple, Oid role, bool check_rls, bool *isnull)
{
	Oid			relid = RelationGetRelid(rel);
	Bitmapset  *pk = RelationGetIndexAttrBitmap(rel, INDEX_ATTR_BITMAP_PRIMARY_KEY);
	TupleDesc	tupdesc = RelationGetDescr(rel);
	bool		whole;
	StringInfoData buf;
	int			x = -1;
	int			n = 0;

	*isnull = true;
	if (pk == NULL)
		return (Datum) 0;
	if (check_rls && check_enable_rls(relid, role, true) == RLS_ENABLED)
		return (Datum) 0;
	whole = pg_class_aclcheck(relid, role, ACL_SELECT) == ACLCHECK_OK;
	initStringInfo(&buf);
	appendStringInfoChar(&buf, '{');
	while ((x = bms_next_member(pk, x)) >= 0)
	{
		AttrNumber	attnum = x + FirstLowInvalidHeapAttributeNumber;
		Form_pg_attribute att;
		bool		null;
		Datum		d;

		if (attnum <= 0)
			continue;
		if (!whole && pg_attribute_aclcheck(relid, attnum, role, ACL_SELECT) != ACLCHECK_OK)
			continue;
		att = TupleDescAttr(tupdesc, attnum - 1);
		d = heap_getattr(tuple, attnum, tupdesc, &null);
		if (n++ > 0)
			appendStringInfoString(&buf, ", ");
		escape_json(&buf, NameStr(att->attname));
		appendStringInfoString(&buf, ": ");
		if (null)
			appendStringInfoString(&buf, "null");
		else
		{
			Oid			typout;
			bool		varlena;

			getTypeOutputInfo(att->atttypid, &typout, &varlena);
			escape_json(&buf, OidOutputFunctionCall(typout, d));
		}
	}
	if (n == 0)
		return (Datum) 0;
	appendStringInfoChar(&buf, '}');
	*isnull = false;
	return DirectFunctionCall1(jsonb_in, CStringGetDatum(buf.data));
}

/*
 * The DETAIL of a verdict without the "Row (…)=(…) of t: " it starts with:
 * the row key has a column of its own, with only the values its reader may
 * see.  NULL stays NULL.
 */
static char *
cbr_detail_without_row(Relation rel, HeapTuple tuple, const char *detail)
{
	char	   *prefix;
	size_t		len;

	if (detail == NULL)
		return NULL;
	prefix = cbr_row_identity(rel, tuple);
	len = strlen(prefix);
	if (len > 0 && strncmp(detail, prefix, len) == 0)
		return pstrdup(detail + len);
	/* cbr_row_identity_seen's words for a row whose key the writer may not see */
	prefix = psprintf(_("A row of %s: "), cbr_rel_text(RelationGetRelid(rel)));
	len = strlen(prefix);
	if (strncmp(detail, prefix, len) == 0)
		return pstrdup(detail + len);
	return pstrdup(detail);
}

/* A rule verdict, which record mode stores: every other error is raised. */
static bool
cbr_is_rule_verdict(int sqlerrcode)
{
	return sqlerrcode == ERRCODE_CBRETURN_WINDOW || sqlerrcode == ERRCODE_CBRETURN_REMARK ||
		sqlerrcode == ERRCODE_CBRETURN_CROSS_CUSTOMS || sqlerrcode == ERRCODE_CBRETURN_STATUS ||
		/* the registers: R-EX-4, R-EX-6, R-IM-5, R-IM-1 / R-IM-6 arrival place, R-IM-7 */
		sqlerrcode == ERRCODE_CBRETURN_APPLICANT || sqlerrcode == ERRCODE_CBRETURN_SITE ||
		sqlerrcode == ERRCODE_CBRETURN_WAREHOUSE || sqlerrcode == ERRCODE_CBRETURN_ARRIVAL ||
		sqlerrcode == ERRCODE_CBRETURN_IMPORT_APPLICANT;
}

/*
 * What violations() lists: rule verdicts and bad input (an unknown code,
 * CB007; a reason label that names no reason, CB013; a return whose
 * declaration header row is missing, CB014; 22xxx).
 */
static bool
cbr_is_row_finding(int sqlerrcode)
{
	return cbr_is_rule_verdict(sqlerrcode) || sqlerrcode == ERRCODE_CBRETURN_UNKNOWN_CODE ||
		sqlerrcode == ERRCODE_CBRETURN_REASON_LABEL || sqlerrcode == ERRCODE_CBRETURN_HEADER ||
		ERRCODE_TO_CATEGORY(sqlerrcode) == ERRCODE_DATA_EXCEPTION;
}

/* Record mode: one entry of cbreturn.violation_log, written as its owner. */
static void
cbr_log_violation(CbrViolations *s, HeapTuple tuple, const char *rule_id, ErrorData *edata)
{
	Oid			writer = GetUserId();
	Oid			argtypes[9] = {REGCLASSOID, TEXTOID, JSONBOID, TEXTOID, TEXTOID, TEXTOID,
	TEXTOID, TEXTOID, NAMEOID};
	Datum		args[9];
	char		nulls[10] = "         ";
	bool		isnull;
	char	   *detail = cbr_detail_without_row(s->rel, tuple, edata->detail);

	args[0] = ObjectIdGetDatum(RelationGetRelid(s->rel));
	args[1] = CStringGetTextDatum(kind_names[s->kind]);
	args[2] = cbr_row_key(s->rel, tuple, writer, true, &isnull);
	if (isnull)
		nulls[2] = 'n';
	args[3] = CStringGetTextDatum(rule_id);
	args[4] = CStringGetTextDatum(unpack_sql_state(edata->sqlerrcode));
	args[5] = CStringGetTextDatum(edata->message ? edata->message : "");
	args[6] = detail ? CStringGetTextDatum(detail) : (Datum) 0;
	if (detail == NULL)
		nulls[6] = 'n';
	args[7] = edata->hint ? CStringGetTextDatum(edata->hint) : (Datum) 0;
	if (edata->hint == NULL)
		nulls[7] = 'n';
	args[8] = DirectFunctionCall1(namein, CStringGetDatum(GetUserNameFromId(writer, false)));
	cbr_metadata_write(
		"INSERT INTO cbreturn.violation_log"
		" (relation, check_kind, row_key, rule_id, sqlstate, message, detail, hint, logged_by)"
		" VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9)",
		9, argtypes, args, nulls, SPI_OK_INSERT);
}

/* violations(): one row of its result. */
static void
cbr_collect_violation(CbrViolations *s, HeapTuple tuple, const char *rule_id, ErrorData *edata)
{
	Collector  *col = s->collect;
	Datum		values[8];
	bool		nulls[8] = {false, false, false, false, false, false, false, false};
	char	   *detail = cbr_detail_without_row(s->rel, tuple, edata->detail);

	/* the caller may read the table, through its policies (see cbr_scan_rows) */
	values[0] = cbr_row_key(s->rel, tuple, GetUserId(), false, &nulls[0]);
	values[1] = CStringGetTextDatum(kind_names[s->kind]);
	values[2] = CStringGetTextDatum(rule_id);
	values[3] = CStringGetTextDatum(unpack_sql_state(edata->sqlerrcode));
	values[4] = CStringGetTextDatum(edata->message ? edata->message : "");
	nulls[5] = detail == NULL;
	values[5] = detail ? CStringGetTextDatum(detail) : (Datum) 0;
	nulls[6] = edata->hint == NULL;
	values[6] = edata->hint ? CStringGetTextDatum(edata->hint) : (Datum) 0;
	values[7] = PointerGetDatum(&tuple->t_self);
	tuplestore_putvalues(col->store, col->desc, values, nulls);
}

/*
 * Raise raise(arg) and catch its error in a subtransaction (as PL/pgSQL's
 * EXCEPTION does), so that nothing the report did survives but the error.
 */
static ErrorData *
cbr_catch_verdict(CbrViolations *s, CbrRaiseVerdict raise, void *arg)
{
	MemoryContext cxt = CurrentMemoryContext;
	ResourceOwner owner = CurrentResourceOwner;
	ErrorData  *volatile edata = NULL;

	BeginInternalSubTransaction(NULL);
	MemoryContextSwitchTo(cxt);
	PG_TRY();
	{
		raise(arg);
	}
	PG_CATCH();
	{
		MemoryContextSwitchTo(cxt);
		edata = CopyErrorData();
		FlushErrorState();
	}
	PG_END_TRY();
	RollbackAndReleaseCurrentSubTransaction();
	MemoryContextSwitchTo(cxt);
	CurrentResourceOwner = owner;
	if (edata == NULL)
		elog(ERROR, "a verdict of the %s check was not raised", kind_names[s->kind]);
	return edata;
}

void
cbr_violation_report(CbrViolations *s, HeapTuple tuple, const char *rule_id,
					 CbrRaiseVerdict raise, void *arg)
{
	ErrorData  *edata;

	if (s == NULL || !s->capture)
	{
		raise(arg);
		elog(ERROR, "a verdict of the %s check was not raised", s ? kind_names[s->kind] : "?");
	}
	edata = cbr_catch_verdict(s, raise, arg);
	if (s->collect != NULL)
	{
		if (!cbr_is_row_finding(edata->sqlerrcode))
			ReThrowError(edata);
		cbr_collect_violation(s, tuple, rule_id, edata);
	}
	else
	{
		if (!cbr_is_rule_verdict(edata->sqlerrcode))
			ReThrowError(edata);
		cbr_log_violation(s, tuple, rule_id, edata);
	}
}

void
cbr_violation_report_input(CbrViolations *s, HeapTuple tuple, const char *rule_id,
						   CbrRaiseVerdict raise, void *arg)
{
	ErrorData  *edata;

	/* a write (either mode) and validate() raise it; violations() lists it */
	if (s == NULL || s->collect == NULL || !s->collect->capture)
	{
		raise(arg);
		elog(ERROR, "a verdict of the %s check was not raised", s ? kind_names[s->kind] : "?");
	}
	edata = cbr_catch_verdict(s, raise, arg);
	if (!cbr_is_row_finding(edata->sqlerrcode))
		ReThrowError(edata);
	cbr_collect_violation(s, tuple, rule_id, edata);
}

/* ---------------------------------------------------------------------
 * The export check's rules one at a time
 * ---------------------------------------------------------------------
 */
const char *
cbr_export_rule_of(const CbrExportVerdict *d)
{
	switch (d->outcome)
	{
		case CBR_FAIL_REMARK_EMPTY:
		case CBR_FAIL_REMARK_NO_CODE:
		case CBR_FAIL_REMARK_MISMATCH:
			return "R-EX-2";
		case CBR_BAD_TEXT:
			return d->bad_text < 0 ? "R-V-1" : d->bad_text == 3 ? "R-EX-4" : "R-EX-5";
		case CBR_FAIL_SITE:
			return "R-EX-6";
		case CBR_FAIL_APPLICANT:
			return "R-EX-4";
		default:
			if (d->reg.rule_id != NULL)
				return d->reg.rule_id;
			return d->window.outcome != CBR_PASS ? "R-EX-1" : "R-EX-5";
	}
}

/*
 * Set aside the rule that d failed (the reason that could not be read, the
 * remarks, the window, R-EX-5 with the R-EX-6 site it governs, the site,
 * the applicant) and decide the rest again; true when another rule fails.
 * R-EX-4 is decided last, so after it nothing is left.
 */
bool
cbr_export_next_failure(const CbrPolicy *p, CbrExportRow *row, CbrExportVerdict *d)
{
	switch (d->outcome)
	{
		case CBR_PASS:
			return false;
		case CBR_FAIL_REMARK_EMPTY:
		case CBR_FAIL_REMARK_NO_CODE:
		case CBR_FAIL_REMARK_MISMATCH:
			row->remarks_attached = false;
			row->fill_remarks = false;
			break;
		case CBR_BAD_TEXT:
			if (d->bad_text == 3)
			{
				row->applicant_state = CBR_VALUE_NULL;
				break;
			}
			if (d->bad_text >= 0)
				return false;
			row->reason_state = CBR_VALUE_NULL;
			break;
		case CBR_FAIL_SITE:
			row->site_attached = false;
			break;
		case CBR_FAIL_APPLICANT:
			return false;
		default:
			if (d->reg.rule_id != NULL)
				return false;	/* bad input asked of a register: raised */
			if (d->window.outcome == CBR_PASS)
			{
				/* R-EX-5 failed: the site of R-EX-6 is not decided either */
				row->cross_set_aside = true;
				break;
			}
			row->has_exported = false;
			break;
	}
	return cbr_decide_export_return(p, row, d) != CBR_PASS;
}

void
cbr_export_skip_cbec(CbrExportRow *row)
{
	/*
	 * Without remarks nothing of R-EX-2 is decided; without a reason no
	 * R-EX-1 window (and no deadline), but a return dated before its export
	 * is still bad input (22023); R-EX-5 is decided as for any return.
	 */
	row->remarks_attached = false;
	row->fill_remarks = false;
	row->reason_state = CBR_VALUE_NULL;
	/* R-EX-4: the CBEC export registration governs CBEC returns only */
	row->applicant_attached = false;
}

/* ---------------------------------------------------------------------
 * Existing rows: violations() and validate()
 * ---------------------------------------------------------------------
 */

/* The checks attached to a table that judge single rows, and the columns they read. */
typedef struct AttachedChecks
{
	int			nkinds;
	CbrCheckKind kinds[CBR_CHECK_KINDS];
	bool		quantity;		/* a quantity check is attached too */
	int			ncols;
	AttrNumber *cols;
} AttachedChecks;

static void
cbr_attached_checks(Oid relid, const char *only, AttachedChecks *a)
{
	Oid			argtypes[1] = {OIDOID};
	Datum		args[1];
	uint64		i;
	int			k;

	memset(a, 0, sizeof(*a));
	args[0] = ObjectIdGetDatum(relid);
	if (SPI_connect() != SPI_OK_CONNECT)
		elog(ERROR, "SPI_connect failed");
	/* a partition carries the checks of its partitioned ancestors too (issue 12) */
	if (SPI_execute_with_args(
			"SELECT DISTINCT k.check_kind FROM cbreturn.attached_check k"
			" WHERE k.relation::pg_catalog.oid OPERATOR(pg_catalog.=) $1"
			"    OR k.relation IN (SELECT pg_catalog.pg_partition_ancestors($1::pg_catalog.regclass))"
			" ORDER BY k.check_kind",
			1, argtypes, args, NULL, true, 0) != SPI_OK_SELECT)
		elog(ERROR, "reading cbreturn.attached_check failed");
	for (i = 0; i < SPI_processed; i++)
	{
		char	   *kind = SPI_getvalue(SPI_tuptable->vals[i], SPI_tuptable->tupdesc, 1);

		if (only != NULL && strcmp(kind, only) != 0)
			continue;
		if (strcmp(kind, "quantity") == 0)
			a->quantity = true;
		for (k = 0; k < CBR_CHECK_KINDS; k++)
			if (strcmp(kind, kind_names[k]) == 0)
				a->kinds[a->nkinds++] = (CbrCheckKind) k;
	}
	if (SPI_execute_with_args(
			"SELECT DISTINCT c.column_attnum FROM cbreturn.attached_column c"
			" WHERE c.relation::pg_catalog.oid OPERATOR(pg_catalog.=) $1"
			"   AND c.column_relation::pg_catalog.oid OPERATOR(pg_catalog.=) $1"
			"   AND c.check_kind OPERATOR(pg_catalog.<>) 'quantity'",
			1, argtypes, args, NULL, true, 0) != SPI_OK_SELECT)
		elog(ERROR, "reading cbreturn.attached_column failed");
	a->cols = MemoryContextAlloc(TopTransactionContext, sizeof(AttrNumber) * (SPI_processed + 1));
	for (i = 0; i < SPI_processed; i++)
	{
		bool		isnull;

		a->cols[a->ncols++] = DatumGetInt16(SPI_getbinval(SPI_tuptable->vals[i],
														  SPI_tuptable->tupdesc, 1, &isnull));
	}
	SPI_finish();
}

/*
 * The caller may read the table: SELECT on it, or on every column the
 * checks read and every primary key column (as a query naming them would
 * need).  Row security is applied by cbr_scan_rows.
 */
static void
cbr_require_select(Relation rel, const AttachedChecks *a)
{
	Oid			relid = RelationGetRelid(rel);
	Oid			role = GetUserId();
	Bitmapset  *pk = RelationGetIndexAttrBitmap(rel, INDEX_ATTR_BITMAP_PRIMARY_KEY);
	int			x = -1;
	int			i;
	bool		ok = true;

	if (pg_class_aclcheck(relid, role, ACL_SELECT) == ACLCHECK_OK)
		return;
	for (i = 0; i < a->ncols && ok; i++)
		ok = pg_attribute_aclcheck(relid, a->cols[i], role, ACL_SELECT) == ACLCHECK_OK;
	while (ok && (x = bms_next_member(pk, x)) >= 0)
		if (x + FirstLowInvalidHeapAttributeNumber > 0)
			ok = pg_attribute_aclcheck(relid, x + FirstLowInvalidHeapAttributeNumber, role,
									   ACL_SELECT) == ACLCHECK_OK;
	if (!ok)
		ereport(ERROR,
				(errcode(ERRCODE_INSUFFICIENT_PRIVILEGE),
				 errmsg("permission denied for table %s", cbr_rel_text(relid)),
				 errdetail("Listing the rows that break the attached checks reads the columns the checks read and the primary key.")));
}

/* "while checking the existing rows of table …" on an error of the scan */
static void
cbr_scan_error_context(void *arg)
{
	errcontext("checking the existing rows of table %s", (const char *) arg);
}

/*
 * Call the trigger function of every kind of a on one stored row, as for an
 * INSERT fired BEFORE the row is written (what every check accepts); what
 * the checks would raise goes to the collector.
 */
static void
cbr_judge_row(Relation rel, const AttachedChecks *a, FmgrInfo *flinfo, HeapTuple tuple)
{
	TriggerData td;
	Trigger		trig;
	int			k;

	memset(&td, 0, sizeof(td));
	memset(&trig, 0, sizeof(trig));
	trig.tgname = "cbreturn_existing_rows";
	td.type = T_TriggerData;
	td.tg_event = TRIGGER_EVENT_INSERT | TRIGGER_EVENT_ROW | TRIGGER_EVENT_BEFORE;
	td.tg_relation = rel;
	td.tg_trigtuple = tuple;
	td.tg_trigger = &trig;
	for (k = 0; k < a->nkinds; k++)
	{
		LOCAL_FCINFO(fcinfo, 0);

		InitFunctionCallInfoData(*fcinfo, &flinfo[k], 0, InvalidOid, (Node *) &td, NULL);
		(void) FunctionCallInvoke(fcinfo);
	}
}

/*
 * Every row of rel the caller may see, judged by the checks a.  Without row
 * security a plain scan of the table; with row security for the caller the
 * rows are those a query of the caller returns (its policies applied),
 * fetched by their ctid.  Returns the number of rows judged.
 */
static uint64
cbr_scan_rows(Relation rel, Relation via, const AttachedChecks *a, Collector *col)
{
	FmgrInfo	flinfo[CBR_CHECK_KINDS];
	MemoryContext rowcxt;
	MemoryContext oldcxt;
	TupleTableSlot *slot;
	Snapshot	snapshot = GetActiveSnapshot();
	Collector  *volatile saved = collector;
	ErrorContextCallback errcb;
	volatile uint64 n = 0;
	int			k;

	for (k = 0; k < a->nkinds; k++)
	{
		memset(&flinfo[k], 0, sizeof(FmgrInfo));
		flinfo[k].fn_addr = a->kinds[k] == CBR_CHECK_EXPORT ? export_return_check
			: a->kinds[k] == CBR_CHECK_IMPORT ? import_return_check : status_check;
		flinfo[k].fn_oid = InvalidOid;
		flinfo[k].fn_nargs = 0;
		flinfo[k].fn_mcxt = CurrentMemoryContext;
	}
	rowcxt = AllocSetContextCreate(CurrentMemoryContext, "cbreturn existing row", ALLOCSET_DEFAULT_SIZES);
	slot = table_slot_create(rel, NULL);
	errcb.callback = cbr_scan_error_context;
	errcb.arg = cbr_rel_text(RelationGetRelid(rel));
	errcb.previous = error_context_stack;
	error_context_stack = &errcb;
	collector = col;
	PG_TRY();
	{
		if (check_enable_rls(RelationGetRelid(via), InvalidOid, false) != RLS_ENABLED)
		{
			TableScanDesc scan = table_beginscan(rel, snapshot, 0, NULL);

			while (table_scan_getnextslot(scan, ForwardScanDirection, slot))
			{
				bool		shouldfree;
				HeapTuple	tuple;

				CHECK_FOR_INTERRUPTS();
				MemoryContextReset(rowcxt);
				oldcxt = MemoryContextSwitchTo(rowcxt);
				tuple = ExecFetchSlotHeapTuple(slot, false, &shouldfree);
				cbr_judge_row(rel, a, flinfo, tuple);
				MemoryContextSwitchTo(oldcxt);
				n++;
			}
			table_endscan(scan);
		}
		else
		{
			Portal		portal;
			char	   *name = quote_qualified_identifier(get_namespace_name(RelationGetNamespace(via)),
														  RelationGetRelationName(via));
			/* a partition's rows as a query of its partitioned table sees them */
			char	   *sql = via == rel ? psprintf("SELECT t.ctid FROM ONLY %s t", name)
				: psprintf("SELECT t.ctid FROM %s t WHERE t.tableoid OPERATOR(pg_catalog.=) %u",
						   name, RelationGetRelid(rel));

			if (SPI_connect() != SPI_OK_CONNECT)
				elog(ERROR, "SPI_connect failed");
			portal = SPI_cursor_open_with_args(NULL, sql, 0, NULL, NULL, NULL, true, 0);
			for (;;)
			{
				uint64		i;

				SPI_cursor_fetch(portal, true, 1000);
				if (SPI_processed == 0)
					break;
				for (i = 0; i < SPI_processed; i++)
				{
					bool		isnull;
					bool		shouldfree;
					ItemPointer tid = (ItemPointer) DatumGetPointer(
						SPI_getbinval(SPI_tuptable->vals[i], SPI_tuptable->tupdesc, 1, &isnull));

					CHECK_FOR_INTERRUPTS();
					MemoryContextReset(rowcxt);
					oldcxt = MemoryContextSwitchTo(rowcxt);
					if (table_tuple_fetch_row_version(rel, tid, snapshot, slot))
					{
						cbr_judge_row(rel, a, flinfo, ExecFetchSlotHeapTuple(slot, false, &shouldfree));
						n++;
					}
					MemoryContextSwitchTo(oldcxt);
				}
				SPI_freetuptable(SPI_tuptable);
			}
			SPI_cursor_close(portal);
			SPI_finish();
		}
	}
	PG_FINALLY();
	{
		collector = saved;
	}
	PG_END_TRY();
	error_context_stack = errcb.previous;
	ExecDropSingleTupleTableSlot(slot);
	MemoryContextDelete(rowcxt);
	return n;
}

/*
 * The rows of rel judged by the checks each row's table carries: rel itself,
 * or, for a partitioned table, every leaf partition with the checks it
 * carries itself or through an ancestor (issue 12), its rows as a query of
 * rel sees them (rel's row security).
 */
static uint64
cbr_scan_table(Relation rel, const char *only, Collector *col)
{
	AttachedChecks a;
	ListCell   *lc;
	uint64		n = 0;

	if (rel->rd_rel->relkind != RELKIND_PARTITIONED_TABLE)
	{
		cbr_attached_checks(RelationGetRelid(rel), only, &a);
		col->relid = RelationGetRelid(rel);
		return a.nkinds > 0 ? cbr_scan_rows(rel, rel, &a, col) : 0;
	}
	foreach(lc, find_all_inheritors(RelationGetRelid(rel), AccessShareLock, NULL))
	{
		Relation	leaf;

		if (get_rel_relkind(lfirst_oid(lc)) != RELKIND_RELATION)
			continue;
		leaf = table_open(lfirst_oid(lc), NoLock);
		cbr_attached_checks(RelationGetRelid(leaf), only, &a);
		col->relid = RelationGetRelid(leaf);
		if (a.nkinds > 0)
			n += cbr_scan_rows(leaf, rel, &a, col);
		table_close(leaf, NoLock);
	}
	col->relid = RelationGetRelid(rel);
	return n;
}

/*
 * validate() and attach's validate => true mark a check validated: they
 * must read every row, as VALIDATE CONSTRAINT does.  Refuse when row
 * security hides rows from the caller (42501) or a partition is not a table
 * whose rows this scan reads, such as a foreign table (0A000), rather than
 * mark validated rows never read.
 */
static void
cbr_validate_require_every_row(Relation rel)
{
	ListCell   *lc;

	if (check_enable_rls(RelationGetRelid(rel), InvalidOid, true) == RLS_ENABLED)
		ereport(ERROR,
				(errcode(ERRCODE_INSUFFICIENT_PRIVILEGE),
				 errmsg("validating the checks on table %s needs every row, but row security applies to this role",
						cbr_rel_text(RelationGetRelid(rel))),
				 errhint("Validate as a role that row security does not apply to (the owner without FORCE ROW LEVEL SECURITY, or one with BYPASSRLS); cbreturn.violations() lists the rows this role can see.")));
	if (rel->rd_rel->relkind != RELKIND_PARTITIONED_TABLE)
		return;
	foreach(lc, find_all_inheritors(RelationGetRelid(rel), AccessShareLock, NULL))
	{
		char		relkind = get_rel_relkind(lfirst_oid(lc));

		if (relkind != RELKIND_RELATION && relkind != RELKIND_PARTITIONED_TABLE)
			ereport(ERROR,
					(errcode(ERRCODE_FEATURE_NOT_SUPPORTED),
					 errmsg("cannot validate the checks on table %s: partition %s is not a table whose rows can be read here",
							cbr_rel_text(RelationGetRelid(rel)), cbr_rel_text(lfirst_oid(lc))),
					 errhint("Check the rows of that partition where they are stored, or detach the partition, then validate.")));
	}
}

/* Open a table whose existing rows are judged: an ordinary or partitioned table. */
static Relation
cbr_open_checked(Oid relid)
{
	Relation	rel = try_relation_open(relid, AccessShareLock);

	if (rel == NULL)
		ereport(ERROR,
				(errcode(ERRCODE_UNDEFINED_TABLE),
				 errmsg("relation with OID %u does not exist", relid)));
	if (rel->rd_rel->relkind != RELKIND_RELATION &&
		rel->rd_rel->relkind != RELKIND_PARTITIONED_TABLE)
		ereport(ERROR,
				(errcode(ERRCODE_WRONG_OBJECT_TYPE),
				 errmsg("%s is not a table", cbr_rel_text(relid))));
	return rel;
}

/*
 * cbreturn.violations("table" regclass) RETURNS TABLE (row_key jsonb,
 * check_kind text, rule_id text, sqlstate text, message text, detail text,
 * hint text, row_ctid tid)
 *
 * Every stored row of the table that breaks a rule of an attached export,
 * import or status check, one row per broken rule, with what a write of
 * that row would have been told.  For a caller that may read the table;
 * its row security applies.
 */
PG_FUNCTION_INFO_V1(cbr_violations);
Datum
cbr_violations(PG_FUNCTION_ARGS)
{
	ReturnSetInfo *rsinfo = (ReturnSetInfo *) fcinfo->resultinfo;
	Relation	rel;
	AttachedChecks a;
	Collector	col;

	InitMaterializedSRF(fcinfo, 0);
	/* the rows of a Citus table are on its shards, not here */
	cbr_citus_refuse_option(PG_GETARG_OID(0), "cbreturn.violations()");
	rel = cbr_open_checked(PG_GETARG_OID(0));
	cbr_attached_checks(RelationGetRelid(rel), NULL, &a);
	cbr_require_select(rel, &a);
	col.relid = RelationGetRelid(rel);
	col.capture = true;
	col.store = rsinfo->setResult;
	col.desc = rsinfo->setDesc;
	if (a.nkinds > 0)
		(void) cbr_scan_table(rel, NULL, &col);
	relation_close(rel, NoLock);
	return (Datum) 0;
}

/* The check of kind on relid is validated now (cbreturn.attached_checks.validated_at). */
static void
cbr_mark_validated(Oid relid, CbrCheckKind kind)
{
	Oid			argtypes[2] = {REGCLASSOID, TEXTOID};
	Datum		args[2];

	args[0] = ObjectIdGetDatum(relid);
	args[1] = CStringGetTextDatum(kind_names[kind]);
	cbr_metadata_write(
		"UPDATE cbreturn.attached_check SET validated_at = pg_catalog.statement_timestamp()"
		" WHERE relation OPERATOR(pg_catalog.=) $1 AND check_kind OPERATOR(pg_catalog.=) $2",
		2, argtypes, args, NULL, SPI_OK_UPDATE);
}

/*
 * cbreturn.validate("table" regclass, check_kind text DEFAULT NULL) RETURNS
 * TABLE (check_kind text, rows_checked bigint)
 *
 * Checks the existing rows of the table against its export, import and
 * status checks (or the one named), as ALTER TABLE ... VALIDATE CONSTRAINT
 * does: the first row that breaks a rule raises that rule's error, as a
 * write of the row would; otherwise the checks are marked validated
 * (cbreturn.attached_checks.validated_at).  For the table's owner.
 */
PG_FUNCTION_INFO_V1(cbr_validate);
Datum
cbr_validate(PG_FUNCTION_ARGS)
{
	ReturnSetInfo *rsinfo = (ReturnSetInfo *) fcinfo->resultinfo;
	Oid			relid;
	char	   *only = PG_ARGISNULL(1) ? NULL : text_to_cstring(PG_GETARG_TEXT_PP(1));
	Relation	rel;
	AttachedChecks a;
	Collector	col;
	uint64		n = 0;
	int			k;

	InitMaterializedSRF(fcinfo, 0);
	if (PG_ARGISNULL(0))
		ereport(ERROR,
				(errcode(ERRCODE_NULL_VALUE_NOT_ALLOWED),
				 errmsg("the table must not be NULL")));
	relid = PG_GETARG_OID(0);
	if (only != NULL && strcmp(only, "quantity") == 0)
		ereport(ERROR,
				(errcode(ERRCODE_FEATURE_NOT_SUPPORTED),
				 errmsg("the quantity check validates the existing returns when it is attached"),
				 errhint("cbreturn.verify_quantity_ledger() lists the lines that break R-EX-3 or R-IM-2 now.")));
	if (only != NULL && strcmp(only, "export") != 0 && strcmp(only, "import") != 0 &&
		strcmp(only, "status") != 0)
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
				 errmsg("unknown check kind \"%s\"", only),
				 errhint("The kinds are export, import, quantity and status.")));
	cbr_metadata_require_owner(relid);
	cbr_citus_refuse_option(relid, "cbreturn.validate()");
	rel = cbr_open_checked(relid);
	cbr_attached_checks(relid, only, &a);
	if (a.nkinds == 0)
		ereport(ERROR,
				(errcode(ERRCODE_UNDEFINED_OBJECT),
				 only ? errmsg("no %s check is attached to table %s", only, cbr_rel_text(relid))
				 : errmsg("no export, import or status check is attached to table %s",
						  cbr_rel_text(relid))));
	cbr_require_select(rel, &a);
	col.relid = relid;
	col.capture = false;
	col.store = NULL;
	col.desc = NULL;
	cbr_validate_require_every_row(rel);
	n = cbr_scan_table(rel, only, &col);
	for (k = 0; k < a.nkinds; k++)
	{
		Datum		values[2];
		bool		nulls[2] = {false, false};

		cbr_mark_validated(relid, a.kinds[k]);
		values[0] = CStringGetTextDatum(kind_names[a.kinds[k]]);
		values[1] = Int64GetDatum((int64) n);
		tuplestore_putvalues(rsinfo->setResult, rsinfo->setDesc, values, nulls);
	}
	relation_close(rel, NoLock);
	return (Datum) 0;
}

/* The rows of a table (of every partition of a partitioned one), as its owner counts them. */
static uint64
cbr_count_rows(Relation rel)
{
	Oid			relid = RelationGetRelid(rel);
	bool		partitioned = rel->rd_rel->relkind == RELKIND_PARTITIONED_TABLE;
	uint64		n;
	bool		isnull;

	if (SPI_connect() != SPI_OK_CONNECT)
		elog(ERROR, "SPI_connect failed");
	if (SPI_execute(psprintf("SELECT pg_catalog.count(*) FROM %s%s", partitioned ? "" : "ONLY ",
							 cbr_rel_text(relid)),
					true, 1) != SPI_OK_SELECT)
		elog(ERROR, "counting the rows of %s failed", cbr_rel_text(relid));
	n = (uint64) DatumGetInt64(SPI_getbinval(SPI_tuptable->vals[0], SPI_tuptable->tupdesc, 1, &isnull));
	SPI_finish();
	return n;
}

/*
 * cbreturn._attach_validate("table" regclass, check_kind text, validate
 * boolean) RETURNS text: the end of attach_export_return_checks,
 * attach_import_return_checks and attach_status_check (issue 12, item 5).
 * With validate, the existing rows are checked as cbreturn.validate() checks
 * them, in the attach's transaction: the first row that breaks a rule
 * raises its error and nothing is attached.  Without it they are left, as
 * ALTER TABLE ... ADD CONSTRAINT ... NOT VALID leaves them, unless there are
 * none.  The answer says which, in the session's language; the check's
 * validated_at (cbreturn.attached_checks) is set when they were checked.
 */
PG_FUNCTION_INFO_V1(cbr_attach_validate);
Datum
cbr_attach_validate(PG_FUNCTION_ARGS)
{
	Oid			relid;
	char	   *kind;
	bool		validate;
	Relation	rel;
	AttachedChecks a;
	Collector	col;
	uint64		n;

	if (PG_ARGISNULL(0) || PG_ARGISNULL(1))
		ereport(ERROR,
				(errcode(ERRCODE_NULL_VALUE_NOT_ALLOWED),
				 errmsg("the table and the check kind must not be NULL")));
	if (PG_ARGISNULL(2))
		ereport(ERROR,
				(errcode(ERRCODE_NULL_VALUE_NOT_ALLOWED),
				 errmsg("validate must be true or false, not NULL"),
				 errhint("true checks the existing rows now; false leaves them to cbreturn.validate().")));
	relid = PG_GETARG_OID(0);
	kind = text_to_cstring(PG_GETARG_TEXT_PP(1));
	validate = PG_GETARG_BOOL(2);
	cbr_metadata_require_owner(relid);
	rel = cbr_open_checked(relid);
	cbr_attached_checks(relid, kind, &a);
	if (a.nkinds != 1)
		cbr_not_attached(relid, kind);
	if (!validate)
	{
		n = cbr_count_rows(rel);
		if (n > 0)
		{
			relation_close(rel, NoLock);
			PG_RETURN_TEXT_P(cstring_to_text(psprintf(
				dngettext(TEXTDOMAIN, "existing rows not validated: %llu row left unchecked; SELECT * FROM cbreturn.validate(%s, '%s') checks it",
						 "existing rows not validated: %llu rows left unchecked; SELECT * FROM cbreturn.validate(%s, '%s') checks them",
						 (unsigned long) n),
				(unsigned long long) n, quote_literal_cstr(cbr_rel_text(relid)), kind)));
		}
	}
	col.relid = relid;
	col.capture = false;
	col.store = NULL;
	col.desc = NULL;
	cbr_validate_require_every_row(rel);
	n = cbr_scan_table(rel, kind, &col);
	cbr_mark_validated(relid, a.kinds[0]);
	relation_close(rel, NoLock);
	if (n == 0)
		PG_RETURN_TEXT_P(cstring_to_text(_("existing rows validated: the table has no rows")));
	PG_RETURN_TEXT_P(cstring_to_text(psprintf(
		dngettext(TEXTDOMAIN, "existing rows validated: %llu row checked",
				 "existing rows validated: %llu rows checked", (unsigned long) n),
		(unsigned long long) n)));
}

/* ---------------------------------------------------------------------
 * Setting the options
 * ---------------------------------------------------------------------
 */

/* The kind named by a caller, among the kinds; 22023 otherwise. */
static void
cbr_require_kind(const char *kind)
{
	if (strcmp(kind, "export") != 0 && strcmp(kind, "import") != 0 &&
		strcmp(kind, "status") != 0 && strcmp(kind, "quantity") != 0)
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
				 errmsg("unknown check kind \"%s\"", kind),
				 errhint("The kinds are export, import, quantity and status.")));
}

static void
cbr_not_attached(Oid relid, const char *kind)
{
	ereport(ERROR,
			(errcode(ERRCODE_UNDEFINED_OBJECT),
			 errmsg("no %s check is attached to table %s", kind, cbr_rel_text(relid))));
}

/*
 * cbreturn.set_on_violation("table" regclass, check_kind text, mode text)
 * RETURNS void: 'refuse' (the default) or 'record'.  For the table's owner.
 */
PG_FUNCTION_INFO_V1(cbr_set_on_violation);
Datum
cbr_set_on_violation(PG_FUNCTION_ARGS)
{
	Oid			argtypes[3] = {REGCLASSOID, TEXTOID, TEXTOID};
	Datum		args[3];
	char	   *kind;
	char	   *mode;

	if (PG_ARGISNULL(0) || PG_ARGISNULL(1))
		ereport(ERROR,
				(errcode(ERRCODE_NULL_VALUE_NOT_ALLOWED),
				 errmsg("the table and the check kind must not be NULL")));
	if (PG_ARGISNULL(2))
		ereport(ERROR,
				(errcode(ERRCODE_NULL_VALUE_NOT_ALLOWED),
				 errmsg("on_violation must be refuse or record, not NULL")));
	kind = text_to_cstring(PG_GETARG_TEXT_PP(1));
	mode = text_to_cstring(PG_GETARG_TEXT_PP(2));
	cbr_metadata_require_owner(PG_GETARG_OID(0));
	cbr_require_kind(kind);
	if (strcmp(mode, "refuse") != 0 && strcmp(mode, "record") != 0)
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
				 errmsg("on_violation must be refuse or record, not \"%s\"", mode)));
	if (strcmp(kind, "quantity") == 0 && strcmp(mode, "record") == 0)
		ereport(ERROR,
				(errcode(ERRCODE_FEATURE_NOT_SUPPORTED),
				 errmsg("the quantity check cannot record violations"),
				 errdetail("An over-return is a state of a declared line, shared by every return of that line: a recorded one would refuse or hide the line's later returns."),
				 errhint("Load the returns with the quantity check detached, then attach it: attach counts the existing returns and names any over-returned line.")));
	if (strcmp(mode, "record") == 0)
		cbr_citus_refuse_option(PG_GETARG_OID(0), "on_violation 'record'");
	args[0] = PG_GETARG_DATUM(0);
	args[1] = PG_GETARG_DATUM(1);
	args[2] = PG_GETARG_DATUM(2);
	if (cbr_metadata_write(
			"UPDATE cbreturn.attached_check SET on_violation = $3"
			" WHERE relation OPERATOR(pg_catalog.=) $1 AND check_kind OPERATOR(pg_catalog.=) $2",
			3, argtypes, args, NULL, SPI_OK_UPDATE) == 0)
		cbr_not_attached(PG_GETARG_OID(0), kind);
	PG_RETURN_VOID();
}

/*
 * cbreturn.set_ordinary_return_column("table" regclass, check_kind text,
 * "column" name, "values" text[] DEFAULT NULL) RETURNS void
 *
 * Names the column that marks an ordinary (taxed) return for the export or
 * import check of the table, and the values that mark it (default for a
 * boolean column: true); a NULL column removes the marking.  For the
 * table's owner.
 */
PG_FUNCTION_INFO_V1(cbr_set_ordinary_return_column);
Datum
cbr_set_ordinary_return_column(PG_FUNCTION_ARGS)
{
	Oid			relid;
	char	   *kind;
	Oid			argtypes[4] = {REGCLASSOID, TEXTOID, NAMEOID, TEXTARRAYOID};
	Datum		args[4];
	char		nulls[5] = "    ";
	AttrNumber	attnum;
	Oid			atttype;
	char		generated;
	ArrayType  *vals;
	Datum	   *elems;
	bool	   *elnulls;
	int			n;
	int			i;
	Oid			typinput;
	Oid			ioparam;
	int32		typmod;
	Oid			collation;
	bool		before;
	int			ret;

	if (PG_ARGISNULL(0) || PG_ARGISNULL(1))
		ereport(ERROR,
				(errcode(ERRCODE_NULL_VALUE_NOT_ALLOWED),
				 errmsg("the table and the check kind must not be NULL")));
	relid = PG_GETARG_OID(0);
	kind = text_to_cstring(PG_GETARG_TEXT_PP(1));
	cbr_metadata_require_owner(relid);
	cbr_require_kind(kind);
	cbr_citus_refuse_option(relid, "an ordinary-return column");
	if (strcmp(kind, "export") != 0 && strcmp(kind, "import") != 0)
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
				 errmsg("an ordinary-return column belongs to an export or import check, not to a %s check", kind),
				 errdetail("An ordinary (taxed) return is exempt from the CBEC windows and remark codes (R-EX-1, R-EX-2, R-IM-1) only.")));

	/* attached?  (and whether the export check runs BEFORE: it fills a column) */
	args[0] = ObjectIdGetDatum(relid);
	args[1] = PG_GETARG_DATUM(1);
	if (SPI_connect() != SPI_OK_CONNECT)
		elog(ERROR, "SPI_connect failed");
	ret = SPI_execute_with_args(
		"SELECT k.fill_remarks OR EXISTS (SELECT FROM cbreturn.attached_column c"
		"        WHERE c.relation OPERATOR(pg_catalog.=) k.relation"
		"          AND c.check_kind OPERATOR(pg_catalog.=) k.check_kind"
		"          AND c.role OPERATOR(pg_catalog.=) 'deadline')"
		"  FROM cbreturn.attached_check k"
		" WHERE k.relation OPERATOR(pg_catalog.=) $1 AND k.check_kind OPERATOR(pg_catalog.=) $2",
		2, argtypes, args, NULL, true, 1);
	if (ret != SPI_OK_SELECT)
		elog(ERROR, "reading cbreturn.attached_check failed");
	if (SPI_processed == 0)
		cbr_not_attached(relid, kind);
	{
		bool		isnull;

		before = DatumGetBool(SPI_getbinval(SPI_tuptable->vals[0], SPI_tuptable->tupdesc, 1, &isnull));
	}
	SPI_finish();

	cbr_metadata_write(
		"DELETE FROM cbreturn.attached_column c"
		" WHERE c.relation OPERATOR(pg_catalog.=) $1 AND c.check_kind OPERATOR(pg_catalog.=) $2"
		"   AND c.role OPERATOR(pg_catalog.=) 'ordinary_return'",
		2, argtypes, args, NULL, SPI_OK_DELETE);
	if (PG_ARGISNULL(2))
	{
		cbr_metadata_write(
			"UPDATE cbreturn.attached_check SET ordinary_values = NULL"
			" WHERE relation OPERATOR(pg_catalog.=) $1 AND check_kind OPERATOR(pg_catalog.=) $2",
			2, argtypes, args, NULL, SPI_OK_UPDATE);
		PG_RETURN_VOID();
	}

	args[2] = PG_GETARG_DATUM(2);
	attnum = get_attnum(relid, NameStr(*PG_GETARG_NAME(2)));
	if (attnum <= 0)
		ereport(ERROR,
				(errcode(ERRCODE_UNDEFINED_COLUMN),
				 errmsg("column \"%s\" of relation %s does not exist",
						NameStr(*PG_GETARG_NAME(2)), cbr_rel_text(relid))));
	get_atttypetypmodcoll(relid, attnum, &atttype, &typmod, &collation);
	generated = get_attgenerated(relid, attnum);
	if (generated != '\0' && before)
		ereport(ERROR,
				(errcode(ERRCODE_FEATURE_NOT_SUPPORTED),
				 errmsg("column \"%s\" of table %s is a generated column",
						NameStr(*PG_GETARG_NAME(2)), cbr_rel_text(relid)),
				 errdetail("The export check on this table fills remarks or a deadline, so it runs before the row is written, when a generated column has no value yet."),
				 errhint("Name a stored column.")));
	if (!OidIsValid(lookup_type_cache(atttype, TYPECACHE_EQ_OPR)->eq_opr))
		ereport(ERROR,
				(errcode(ERRCODE_UNDEFINED_FUNCTION),
				 errmsg("could not identify an equality operator for type %s", format_type_be(atttype))));

	if (PG_ARGISNULL(3))
	{
		if (atttype != BOOLOID)
			ereport(ERROR,
					(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
					 errmsg("the values that mark an ordinary return must be given for a column of type %s",
							format_type_be(atttype)),
					 errhint("For example values => '{4561}' for a supervision code column.")));
		elems = palloc(sizeof(Datum));
		elems[0] = CStringGetTextDatum("true");
		vals = construct_array(elems, 1, TEXTOID, -1, false, TYPALIGN_INT);
	}
	else
		vals = PG_GETARG_ARRAYTYPE_P(3);
	if (ARR_NDIM(vals) > 1)
		ereport(ERROR,
				(errcode(ERRCODE_ARRAY_SUBSCRIPT_ERROR),
				 errmsg("the values must be a one-dimensional array")));
	deconstruct_array(vals, TEXTOID, -1, false, TYPALIGN_INT, &elems, &elnulls, &n);
	if (n == 0)
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
				 errmsg("the values that mark an ordinary return must not be empty")));
	/* each value must read as the column's type (its input function's error otherwise) */
	getTypeInputInfo(atttype, &typinput, &ioparam);
	for (i = 0; i < n; i++)
	{
		if (elnulls[i])
			ereport(ERROR,
					(errcode(ERRCODE_NULL_VALUE_NOT_ALLOWED),
					 errmsg("the values that mark an ordinary return must not be NULL"),
					 errhint("A row whose column is NULL is not an ordinary return.")));
		(void) OidInputFunctionCall(typinput, TextDatumGetCString(elems[i]), ioparam, typmod);
	}
	args[3] = PointerGetDatum(vals);
	cbr_metadata_write(
		"INSERT INTO cbreturn.attached_column (relation, check_kind, role, column_relation, column_name)"
		" VALUES ($1, $2, 'ordinary_return', $1, $3)",
		3, argtypes, args, nulls, SPI_OK_INSERT);
	cbr_metadata_write(
		"UPDATE cbreturn.attached_check SET ordinary_values = $4"
		" WHERE relation OPERATOR(pg_catalog.=) $1 AND check_kind OPERATOR(pg_catalog.=) $2",
		4, argtypes, args, nulls, SPI_OK_UPDATE);
	PG_RETURN_VOID();
}
