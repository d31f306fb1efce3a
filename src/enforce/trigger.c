/*
 * trigger.c
 *		Write-time enforcement on an ERP's own tables: the export-return
 *		checks (R-EX-1, R-EX-2, R-EX-5), the import-return checks (R-IM-1) and
 *		the status check (rules section 6), as row triggers in C.
 *
 * A DBA attaches them with the cbreturn.attach_* functions, naming the
 * table's own columns (sql/50_enforcement.sql, docs/enforcement.md).
 * What a check resolved from the metadata tables (column numbers, types,
 * input and output functions) is kept for the life of the backend in a
 * cache keyed by table and check kind (below), so neither a row nor a
 * statement pays for SPI or catalog lookups once the cache is warm; per row
 * a trigger fetches a few attributes and calls the plain C rules of rules.h.
 *
 * Timing: a check that only reads the row (the import check, and the export
 * check when it fills neither the remarks nor a deadline column) is attached
 * AFTER ROW, so that COPY keeps inserting in batches (PostgreSQL 15 falls
 * back to one row at a time when a table has any BEFORE ROW trigger).  An
 * error in an AFTER ROW trigger aborts its statement like one in a BEFORE
 * trigger, so a rejected row still leaves nothing behind.  Its WHEN clause
 * (cbreturn._export_row_ok, cbreturn._import_row_ok, below) names the
 * checked columns, so that a row passing every rule queues no trigger event
 * at all; the trigger is only called for a row that fails.  A check that
 * fills a column must run BEFORE the row is written.  The status check stays
 * BEFORE (it compares the old and new row and is not on a bulk-load path).
 * The quantity check (R-EX-3, R-IM-2) is in trigger_quantity.c.
 */
#include "enforce/trigger.h"
#include "policy/policy.h"

#include "access/htup_details.h"
#include "access/relation.h"
#include "access/xact.h"
#include "catalog/namespace.h"
#include "catalog/pg_type.h"
#include "executor/spi.h"
#include "lib/stringinfo.h"
#include "nodes/bitmapset.h"
#include "nodes/nodeFuncs.h"
#include "nodes/primnodes.h"
#include "storage/lmgr.h"
#include "utils/builtins.h"
#include "utils/hsearch.h"
#include "utils/inval.h"
#include "utils/lsyscache.h"
#include "utils/memutils.h"
#include "utils/relcache.h"
#include "utils/snapmgr.h"
#include "utils/syscache.h"

/* ---------------------------------------------------------------------
 * Shared helpers
 * --------------------------------------------------------------------- */

TriggerData *
cbr_trigger_protocol(FunctionCallInfo fcinfo, const char *funcname, CbrTiming timing,
					 bool allow_delete)
{
	TriggerData *trigdata;

	if (!CALLED_AS_TRIGGER(fcinfo))
		ereport(ERROR,
				(errcode(ERRCODE_E_R_I_E_TRIGGER_PROTOCOL_VIOLATED),
				 errmsg("function \"%s\" was not called by trigger manager", funcname)));
	trigdata = (TriggerData *) fcinfo->context;
	/* INSTEAD OF triggers are on views, to which no check attaches */
	if (timing == CBR_FIRE_EITHER && TRIGGER_FIRED_INSTEAD(trigdata->tg_event))
		ereport(ERROR,
				(errcode(ERRCODE_E_R_I_E_TRIGGER_PROTOCOL_VIOLATED),
				 errmsg("function \"%s\" must be fired BEFORE or AFTER the row is written", funcname)));
	if (!TRIGGER_FIRED_FOR_ROW(trigdata->tg_event))
		ereport(ERROR,
				(errcode(ERRCODE_E_R_I_E_TRIGGER_PROTOCOL_VIOLATED),
				 errmsg("function \"%s\" must be fired for each row", funcname)));
	if (timing == CBR_FIRE_BEFORE && !TRIGGER_FIRED_BEFORE(trigdata->tg_event))
		ereport(ERROR,
				(errcode(ERRCODE_E_R_I_E_TRIGGER_PROTOCOL_VIOLATED),
				 errmsg("function \"%s\" must be fired BEFORE the row is written", funcname)));
	if (timing == CBR_FIRE_AFTER && !TRIGGER_FIRED_AFTER(trigdata->tg_event))
		ereport(ERROR,
				(errcode(ERRCODE_E_R_I_E_TRIGGER_PROTOCOL_VIOLATED),
				 errmsg("function \"%s\" must be fired AFTER the row is written", funcname)));
	if (TRIGGER_FIRED_BY_DELETE(trigdata->tg_event) ? !allow_delete
		: !(TRIGGER_FIRED_BY_INSERT(trigdata->tg_event) ||
			TRIGGER_FIRED_BY_UPDATE(trigdata->tg_event)))
		ereport(ERROR,
				(errcode(ERRCODE_E_R_I_E_TRIGGER_PROTOCOL_VIOLATED),
				 errmsg("function \"%s\" must be fired for INSERT or UPDATE%s", funcname,
						allow_delete ? _(" or DELETE") : "")));
	return trigdata;
}

Oid
cbr_type_oid(const char *name)
{
	Oid			nsp = get_namespace_oid("cbreturn", false);
	Oid			typoid;

	typoid = GetSysCacheOid2(TYPENAMENSP, Anum_pg_type_oid,
							 CStringGetDatum(name), ObjectIdGetDatum(nsp));
	if (!OidIsValid(typoid))
		elog(ERROR, "type cbreturn.%s does not exist", name);
	return typoid;
}

bool
cbr_is_textual(Oid typid)
{
	return typid == TEXTOID || typid == VARCHAROID || typid == BPCHAROID;
}

char *
cbr_date_text(DateADT d)
{
	return DatumGetCString(DirectFunctionCall1(date_out, DateADTGetDatum(d)));
}

char *
cbr_row_identity(Relation rel, HeapTuple tuple)
{
	Bitmapset  *pk = RelationGetIndexAttrBitmap(rel, INDEX_ATTR_BITMAP_PRIMARY_KEY);
	TupleDesc	tupdesc = RelationGetDescr(rel);
	StringInfoData names;
	StringInfoData values;
	int			x = -1;
	bool		first = true;

	if (pk == NULL)
		return "";
	initStringInfo(&names);
	initStringInfo(&values);
	while ((x = bms_next_member(pk, x)) >= 0)
	{
		AttrNumber	attnum = x + FirstLowInvalidHeapAttributeNumber;
		Form_pg_attribute att;
		bool		isnull;
		Datum		d;

		if (attnum <= 0)
			continue;
		att = TupleDescAttr(tupdesc, attnum - 1);
		d = heap_getattr(tuple, attnum, tupdesc, &isnull);
		appendStringInfoString(&names, first ? "" : ", ");
		appendStringInfoString(&values, first ? "" : ", ");
		appendStringInfoString(&names, quote_identifier(NameStr(att->attname)));
		if (isnull)
			appendStringInfoString(&values, "null");
		else
		{
			Oid			typout;
			bool		varlena;

			getTypeOutputInfo(att->atttypid, &typout, &varlena);
			appendStringInfoString(&values, OidOutputFunctionCall(typout, d));
		}
		first = false;
	}
	return psprintf(_("Row (%s)=(%s) of %s: "), names.data, values.data,
					quote_qualified_identifier(get_namespace_name(RelationGetNamespace(rel)),
											   RelationGetRelationName(rel)));
}

/*
 * Read the metadata of one attached check.  Runs two small queries through
 * SPI, when the cache of attached checks is built (below, and the quantity
 * check's in trigger_quantity.c); every name is schema-qualified and every operator
 * is OPERATOR(pg_catalog.x), so a hostile search_path cannot redirect them.
 */
void
cbr_load_check(Oid relid, const char *kind, CbrCheckMeta *meta, MemoryContext mcxt)
{
	Oid			argtypes[2] = {OIDOID, TEXTOID};
	Datum		args[2];
	int			ret;
	uint64		i;
	MemoryContext oldcxt;

	memset(meta, 0, sizeof(*meta));
	args[0] = ObjectIdGetDatum(relid);
	args[1] = CStringGetTextDatum(kind);

	if (SPI_connect() != SPI_OK_CONNECT)
		elog(ERROR, "SPI_connect failed");
	ret = SPI_execute_with_args(
		"SELECT k.fill_remarks, k.declared_relation::pg_catalog.oid, k.status_labels"
		"  FROM cbreturn.attached_check k"
		" WHERE k.relation::pg_catalog.oid OPERATOR(pg_catalog.=) $1"
		"   AND k.check_kind OPERATOR(pg_catalog.=) $2",
		2, argtypes, args, NULL, true, 1);
	if (ret != SPI_OK_SELECT)
		elog(ERROR, "reading cbreturn.attached_check failed: %s", SPI_result_code_string(ret));
	if (SPI_processed == 0)
		ereport(ERROR,
				(errcode(ERRCODE_OBJECT_NOT_IN_PREREQUISITE_STATE),
				 errmsg("no %s check is attached to table %s", kind,
						get_rel_name(relid) ? quote_identifier(get_rel_name(relid)) : "?"),
				 errhint("Create the trigger with cbreturn.attach_%s, not by hand.",
						 strcmp(kind, "export") == 0 ? "export_return_checks"
						 : strcmp(kind, "import") == 0 ? "import_return_checks"
						 : strcmp(kind, "quantity") == 0 ? "quantity_check" : "status_check")));
	{
		HeapTuple	tup = SPI_tuptable->vals[0];
		TupleDesc	desc = SPI_tuptable->tupdesc;
		bool		isnull;
		Datum		d;

		d = SPI_getbinval(tup, desc, 1, &isnull);
		meta->fill_remarks = !isnull && DatumGetBool(d);
		d = SPI_getbinval(tup, desc, 2, &isnull);
		meta->declared_relid = isnull ? InvalidOid : DatumGetObjectId(d);
		d = SPI_getbinval(tup, desc, 3, &isnull);
		if (!isnull)
		{
			ArrayType  *arr = DatumGetArrayTypeP(d);
			Datum	   *elems;
			bool	   *nulls;
			int			n;
			int			j;

			deconstruct_array(arr, TEXTOID, -1, false, TYPALIGN_INT, &elems, &nulls, &n);
			if (n != 7)
				elog(ERROR, "status check on %u has %d labels, not 7", relid, n);
			oldcxt = MemoryContextSwitchTo(mcxt);
			for (j = 0; j < n; j++)
				meta->labels[j] = nulls[j] ? pstrdup("") : TextDatumGetCString(elems[j]);
			MemoryContextSwitchTo(oldcxt);
			meta->nlabels = n;
		}
	}

	ret = SPI_execute_with_args(
		"SELECT c.role, c.column_relation::pg_catalog.oid, c.column_attnum,"
		"       c.column_name::pg_catalog.text"
		"  FROM cbreturn.attached_column c"
		" WHERE c.relation::pg_catalog.oid OPERATOR(pg_catalog.=) $1"
		"   AND c.check_kind OPERATOR(pg_catalog.=) $2",
		2, argtypes, args, NULL, true, 0);
	if (ret != SPI_OK_SELECT)
		elog(ERROR, "reading cbreturn.attached_column failed: %s", SPI_result_code_string(ret));
	if (SPI_processed > CBR_MAX_ROLES)
		elog(ERROR, "check %s on %u has too many columns", kind, relid);
	oldcxt = MemoryContextSwitchTo(mcxt);
	for (i = 0; i < SPI_processed; i++)
	{
		HeapTuple	tup = SPI_tuptable->vals[i];
		TupleDesc	desc = SPI_tuptable->tupdesc;
		bool		isnull;

		meta->role[i] = SPI_getvalue(tup, desc, 1);
		meta->colrel[i] = DatumGetObjectId(SPI_getbinval(tup, desc, 2, &isnull));
		meta->attnum[i] = DatumGetInt16(SPI_getbinval(tup, desc, 3, &isnull));
		meta->colname[i] = SPI_getvalue(tup, desc, 4);
	}
	meta->ncols = (int) SPI_processed;
	MemoryContextSwitchTo(oldcxt);
	SPI_finish();
}

AttrNumber
cbr_role_column(const CbrCheckMeta *meta, const char *role, Relation rel,
				const Oid *typids, int ntypids, bool required)
{
	int			i;
	TupleDesc	tupdesc = RelationGetDescr(rel);

	for (i = 0; i < meta->ncols; i++)
	{
		Form_pg_attribute att;
		AttrNumber	attnum = meta->attnum[i];
		int			t;

		if (strcmp(meta->role[i], role) != 0 || meta->colrel[i] != RelationGetRelid(rel))
			continue;
		/*
		 * The event trigger of 50_enforcement.sql refuses to drop an attached
		 * column or change its type; this is the backstop, so that a check
		 * can never read the wrong column or silently stop checking.
		 */
		if (attnum <= 0 || attnum > tupdesc->natts ||
			TupleDescAttr(tupdesc, attnum - 1)->attisdropped)
			ereport(ERROR,
					(errcode(ERRCODE_UNDEFINED_COLUMN),
					 errmsg("column \"%s\" attached as %s no longer exists in table \"%s\"",
							meta->colname[i], role, RelationGetRelationName(rel)),
					 errhint("Detach the check with cbreturn.detach() and attach it again.")));
		att = TupleDescAttr(tupdesc, attnum - 1);
		if (typids == NULL)
			return attnum;
		for (t = 0; t < ntypids; t++)
			if (att->atttypid == typids[t])
				return attnum;
		ereport(ERROR,
				(errcode(ERRCODE_DATATYPE_MISMATCH),
				 errmsg("column \"%s\" attached as %s of table \"%s\" has type %s, which the check cannot read",
						NameStr(att->attname), role, RelationGetRelationName(rel),
						format_type_be(att->atttypid)),
				 errhint("Detach the check with cbreturn.detach() and attach it again.")));
	}
	if (required)
		elog(ERROR, "check on table \"%s\" has no column for %s",
			 RelationGetRelationName(rel), role);
	return InvalidAttrNumber;
}

/* ---------------------------------------------------------------------
 * The backend-lifetime cache of attached checks
 *
 * Why: fn_extra lives for one statement, and reading the metadata tables
 * through SPI at the start of every statement cost about half the
 * throughput of one-row transactions.  What a check resolved is therefore
 * kept, per table and check kind, in CacheMemoryContext until something it
 * depends on changes:
 *
 *	 - the table itself (ALTER TABLE, RENAME COLUMN, CREATE or DROP TRIGGER):
 *	   PostgreSQL sends a relcache invalidation of the table;
 *	 - the metadata (attach, detach, the event trigger that follows renames,
 *	   a direct write): the statement triggers cbreturn._attached_changed()
 *	   on cbreturn.attached_check and cbreturn.attached_column send a
 *	   relcache invalidation of the written table, as policy_changed does for
 *	   the policy tables (policy.c); DROP EXTENSION drops those tables, which
 *	   sends the same invalidation, so a re-created extension is read afresh;
 *	 - a cache reset (sinval queue overflow): everything is forgotten.
 *
 * Invalidations queued by this backend reach it at its next command, those
 * of other backends when their writer commits, and on rollback PostgreSQL
 * replays the aborted ones locally, so a cache built from uncommitted
 * metadata is dropped too.  Column numbers survive RENAME COLUMN, so a
 * renamed column keeps being checked; a dropped one is refused by the event
 * trigger, and cbr_role_column() is the backstop when the cache is rebuilt.
 * ---------------------------------------------------------------------
 */

typedef enum CbrCheckKind
{
	CBR_CHECK_EXPORT,
	CBR_CHECK_IMPORT,
	CBR_CHECK_STATUS,
	CBR_CHECK_KINDS
} CbrCheckKind;

/* check_kind as cbreturn.attached_check spells it */
static const char *const check_kind_names[CBR_CHECK_KINDS] = {"export", "import", "status"};

typedef struct CheckCacheKey
{
	Oid			relid;
	int32		kind;			/* CbrCheckKind */
} CheckCacheKey;

typedef struct CheckCacheEntry
{
	CheckCacheKey key;			/* hash key: must be first */
	bool		valid;			/* false: rebuild before use */
	void	   *config;			/* ExportCache, ImportCache or StatusCache */
	MemoryContext cxt;			/* holds *config */
	MemoryContext previous_cxt; /* the config before, freed at the next build */
} CheckCacheEntry;

/* Resolves one kind of check on rel from its metadata, allocating in cxt. */
typedef void *(*CheckConfigBuilder) (const CbrCheckMeta *meta, Relation rel, MemoryContext cxt);

static HTAB *check_cache = NULL;

/* cbreturn.attached_check and attached_column as of the last build */
static Oid	metadata_relids[2] = {InvalidOid, InvalidOid};

/* bumped by every invalidation that touches an entry: a build compares it */
static uint64 check_cache_inval_count = 0;

static void
check_cache_invalidate_all(void)
{
	HASH_SEQ_STATUS status;
	CheckCacheEntry *e;

	hash_seq_init(&status, check_cache);
	while ((e = (CheckCacheEntry *) hash_seq_search(&status)) != NULL)
		e->valid = false;
	check_cache_inval_count++;
}

/* Relcache callback: forget what depends on the invalidated relation. */
static void
check_cache_relcache_callback(Datum arg, Oid relid)
{
	CheckCacheKey key;
	int			k;
	bool		hit = false;

	if (check_cache == NULL)
		return;
	if (!OidIsValid(relid) || relid == metadata_relids[0] || relid == metadata_relids[1])
	{
		check_cache_invalidate_all();
		return;
	}
	memset(&key, 0, sizeof(key));
	key.relid = relid;
	for (k = 0; k < CBR_CHECK_KINDS; k++)
	{
		CheckCacheEntry *e;

		key.kind = k;
		e = (CheckCacheEntry *) hash_search(check_cache, &key, HASH_FIND, NULL);
		if (e != NULL)
		{
			e->valid = false;
			hit = true;
		}
	}
	if (hit)
		check_cache_inval_count++;
}

/*
 * Build the config of entry e from the metadata tables.  The metadata
 * tables are locked (which takes in pending invalidations) and the
 * invalidation counter noted before the snapshot is taken, so a change
 * committed after the snapshot arrives as an invalidation later, and one
 * that arrives while we read makes us read again.  The latest snapshot (as
 * catalog caches use, and as the trigger list of the table is read) rather
 * than the statement's keeps a config built now right for later statements.
 * The config is built in a context under the caller's until it is complete,
 * so an error frees it with the statement.
 */
static void
check_cache_build(CheckCacheEntry *e, Relation rel, CheckConfigBuilder build)
{
	int			attempt;

	for (attempt = 0;; attempt++)
	{
		Oid			nsp = get_namespace_oid("cbreturn", false);
		uint64		count;
		MemoryContext cxt;
		CbrCheckMeta meta;
		void	   *config;
		bool		pushed = false;

		metadata_relids[0] = get_relname_relid("attached_check", nsp);
		metadata_relids[1] = get_relname_relid("attached_column", nsp);
		if (!OidIsValid(metadata_relids[0]) || !OidIsValid(metadata_relids[1]))
			elog(ERROR, "the metadata tables of cbreturn do not exist");
		LockRelationOid(metadata_relids[0], AccessShareLock);
		LockRelationOid(metadata_relids[1], AccessShareLock);
		count = check_cache_inval_count;

		cxt = AllocSetContextCreate(CurrentMemoryContext, "cbreturn attached check",
									ALLOCSET_SMALL_SIZES);
		pushed = cbr_push_latest_snapshot();
		cbr_load_check(e->key.relid, check_kind_names[e->key.kind], &meta, cxt);
		if (pushed)
			PopActiveSnapshot();
		config = build(&meta, rel, cxt);

		if (count != check_cache_inval_count && attempt < 3)
		{
			MemoryContextDelete(cxt);	/* changed while we read: read again */
			continue;
		}
		MemoryContextSetParent(cxt, CacheMemoryContext);
		if (e->previous_cxt != NULL)
			MemoryContextDelete(e->previous_cxt);
		/* keep the last config one build longer: a caller may still hold it */
		e->previous_cxt = e->cxt;
		e->cxt = cxt;
		e->config = config;
		e->valid = true;
		return;
	}
}

/*
 * The entry of the check of the given kind on rel, built if it is not
 * valid.  Entries are never removed, so the pointer stays good for the
 * backend; its config is replaced when it is rebuilt.
 */
static CheckCacheEntry *
check_cache_entry(Relation rel, CbrCheckKind kind, CheckConfigBuilder build)
{
	CheckCacheKey key;
	CheckCacheEntry *e;
	bool		found;

	if (check_cache == NULL)
	{
		HASHCTL		ctl;

		memset(&ctl, 0, sizeof(ctl));
		ctl.keysize = sizeof(CheckCacheKey);
		ctl.entrysize = sizeof(CheckCacheEntry);
		ctl.hcxt = CacheMemoryContext;
		check_cache = hash_create("cbreturn attached checks", 64, &ctl,
								  HASH_ELEM | HASH_BLOBS | HASH_CONTEXT);
		CacheRegisterRelcacheCallback(check_cache_relcache_callback, (Datum) 0);
	}
	memset(&key, 0, sizeof(key));
	key.relid = RelationGetRelid(rel);
	key.kind = kind;
	e = (CheckCacheEntry *) hash_search(check_cache, &key, HASH_ENTER, &found);
	if (!found)
	{
		e->valid = false;
		e->config = NULL;
		e->cxt = NULL;
		e->previous_cxt = NULL;
	}
	if (!e->valid)
		check_cache_build(e, rel, build);
	return e;
}

/*
 * The config of the check of the given kind on rel.  The entry is
 * remembered in fn_extra, so from the second row of a statement on the cost
 * is one test; the first row of a statement costs a hash lookup.
 */
static void *
check_config(FunctionCallInfo fcinfo, Relation rel, CbrCheckKind kind, CheckConfigBuilder build)
{
	CheckCacheEntry *e = (CheckCacheEntry *) fcinfo->flinfo->fn_extra;

	if (likely(e != NULL && e->valid))
		return e->config;
	e = check_cache_entry(rel, kind, build);
	fcinfo->flinfo->fn_extra = e;
	return e->config;
}

/*
 * cbreturn._attached_changed(): AFTER ... FOR EACH STATEMENT trigger on
 * cbreturn.attached_check and cbreturn.attached_column.  Queues a relcache
 * invalidation of the written table, which every backend's cache of
 * attached checks listens for (see above), and forgets this backend's
 * configs at once, so a row written later in this same command reads the
 * new metadata.
 */
PG_FUNCTION_INFO_V1(cbr_attached_changed);
Datum
cbr_attached_changed(PG_FUNCTION_ARGS)
{
	TriggerData *trigdata = cbr_statement_trigger_protocol(fcinfo, "_attached_changed");

	CacheInvalidateRelcacheByRelid(RelationGetRelid(trigdata->tg_relation));
	if (check_cache != NULL)
		check_cache_invalidate_all();
	cbr_quantity_cache_invalidate_all();
	return PointerGetDatum(NULL);
}

/*
 * The protocol of the statement triggers that tell the backend caches a
 * cbreturn table changed (cbreturn.policy_changed, cbreturn._attached_changed):
 * called by the trigger manager, AFTER ... FOR EACH STATEMENT.
 */
TriggerData *
cbr_statement_trigger_protocol(FunctionCallInfo fcinfo, const char *funcname)
{
	TriggerData *trigdata = (TriggerData *) fcinfo->context;

	if (!CALLED_AS_TRIGGER(fcinfo))
		ereport(ERROR,
				(errcode(ERRCODE_E_R_I_E_TRIGGER_PROTOCOL_VIOLATED),
				 errmsg("function \"%s\" was not called by trigger manager", funcname)));
	if (!TRIGGER_FIRED_AFTER(trigdata->tg_event) || !TRIGGER_FIRED_FOR_STATEMENT(trigdata->tg_event))
		ereport(ERROR,
				(errcode(ERRCODE_E_R_I_E_TRIGGER_PROTOCOL_VIOLATED),
				 errmsg("function \"%s\" must be fired AFTER ... FOR EACH STATEMENT", funcname)));
	return trigdata;
}

/* ---------------------------------------------------------------------
 * The WHEN clause of the reading checks
 *
 * Why: an AFTER ROW trigger costs a queued event per row (the event saved,
 * the row fetched again by its TID, the function called at the end of the
 * statement), which was most of what the checks added to a COPY.  The
 * reading checks are therefore attached with a WHEN clause that calls
 * cbreturn._export_row_ok() or cbreturn._import_row_ok() on the checked
 * columns, named one by one (a whole-row NEW costs what the queue saves).
 * PostgreSQL evaluates it when the row is written and queues no event for
 * a row that passes; a row that fails, or that the function cannot decide
 * (unreadable text, a code the reference tables do not know), fires the
 * trigger, which decides again with the same code and raises the detailed
 * error.  So the functions may say "not ok" too often, never too rarely.
 *
 * The first argument is the checked table (a regclass constant), so the
 * function reads the same cached config as the trigger.  On the first row
 * of a statement, and after the config was rebuilt, it verifies that its
 * arguments are exactly the attached columns (column numbers and types, in
 * role order; NULL for a role not attached): the WHEN clause stores column
 * numbers and the metadata too, and both follow renames and dump/restore by
 * the same names, so they cannot drift apart through attach, detach,
 * RENAME or pg_dump; a direct write to the metadata or a trigger made by
 * hand could, and that is an error, never a row let through unchecked.
 * ---------------------------------------------------------------------
 */

/* What a WHEN function keeps in fn_extra. */
typedef struct RowOkState
{
	Oid			relid;
	CheckCacheEntry *entry;
	void	   *verified;		/* the config the arguments were checked against */
} RowOkState;

/*
 * Check that arguments 1..n of the WHEN function (argument 0 is the table)
 * are the columns attnums[] of rel, a NULL constant where a role is not
 * attached.  Column and argument types must agree, so that a Datum is never
 * read as another type.
 */
static void
row_ok_verify_args(FunctionCallInfo fcinfo, const char *funcname, const char *kind, Relation rel,
				   const AttrNumber *attnums, const char *const *roles, int n)
{
	Node	   *expr = fcinfo->flinfo->fn_expr;
	List	   *args;
	int			i;

	if (expr == NULL || !IsA(expr, FuncExpr))
		ereport(ERROR,
				(errcode(ERRCODE_OBJECT_NOT_IN_PREREQUISITE_STATE),
				 errmsg("function \"%s\" must be called in the WHEN clause of the %s check", funcname, kind)));
	args = ((FuncExpr *) expr)->args;
	if (list_length(args) != n + 1)
		elog(ERROR, "%s called with %d arguments", funcname, list_length(args));
	for (i = 0; i < n; i++)
	{
		Node	   *arg = (Node *) list_nth(args, i + 1);
		bool		ok;

		if (attnums[i] == InvalidAttrNumber)
			ok = IsA(arg, Const) && ((Const *) arg)->constisnull;
		else
			ok = IsA(arg, Var) && ((Var *) arg)->varattno == attnums[i] &&
				((Var *) arg)->varno != INNER_VAR &&	/* OLD in a WHEN clause */
				exprType(arg) == TupleDescAttr(RelationGetDescr(rel), attnums[i] - 1)->atttypid;
		if (!ok)
			ereport(ERROR,
					(errcode(ERRCODE_OBJECT_NOT_IN_PREREQUISITE_STATE),
					 errmsg("argument %d of %s is not the column attached as %s to table \"%s\"",
							i + 2, funcname, roles[i], RelationGetRelationName(rel)),
					 attnums[i] == InvalidAttrNumber
					 ? errdetail("No column is attached as %s; the argument must be NULL.", roles[i])
					 : errdetail("The %s check reads column \"%s\" as %s.", kind,
								 NameStr(TupleDescAttr(RelationGetDescr(rel), attnums[i] - 1)->attname),
								 roles[i]),
					 errhint("Detach the check with cbreturn.detach() and attach it again, so that the trigger and its WHEN clause are made from the metadata.")));
	}
}

/*
 * The config of the check on the table named by argument 0 of a WHEN
 * function, verified against the function's arguments when it is new.
 */
static void *
row_ok_config(FunctionCallInfo fcinfo, CbrCheckKind kind, CheckConfigBuilder build,
			  void (*attnums_of) (const void *config, AttrNumber *attnums),
			  const char *funcname, const char *const *roles, int n)
{
	RowOkState *st = (RowOkState *) fcinfo->flinfo->fn_extra;
	Oid			relid;
	Relation	rel;
	AttrNumber	attnums[CBR_MAX_ROLES];

	if (PG_ARGISNULL(0))
		ereport(ERROR,
				(errcode(ERRCODE_NULL_VALUE_NOT_ALLOWED),
				 errmsg("the table argument of %s must not be NULL", funcname)));
	relid = PG_GETARG_OID(0);
	if (likely(st != NULL && st->relid == relid && st->entry->valid &&
			   st->entry->config == st->verified))
		return st->verified;
	if (st == NULL)
	{
		st = MemoryContextAllocZero(fcinfo->flinfo->fn_mcxt, sizeof(RowOkState));
		fcinfo->flinfo->fn_extra = st;
	}
	st->verified = NULL;
	/* the writer holds a lock on the table already; a direct call takes one */
	rel = try_relation_open(relid, AccessShareLock);
	if (rel == NULL)
		ereport(ERROR,
				(errcode(ERRCODE_UNDEFINED_TABLE),
				 errmsg("relation with OID %u does not exist", relid),
				 errhint("%s is called by the WHEN clause of an attached check.", funcname)));
	st->relid = relid;
	st->entry = check_cache_entry(rel, kind, build);
	attnums_of(st->entry->config, attnums);
	row_ok_verify_args(fcinfo, funcname, check_kind_names[kind], rel, attnums, roles, n);
	relation_close(rel, NoLock);
	st->verified = st->entry->config;
	return st->verified;
}

/* Fetch a date column (0 = not attached: reported as NULL). */
static inline bool
get_date(HeapTuple tuple, TupleDesc tupdesc, AttrNumber attnum, DateADT *d)
{
	bool		isnull;
	Datum		v;

	if (attnum == InvalidAttrNumber)
		return false;
	v = heap_getattr(tuple, attnum, tupdesc, &isnull);
	if (isnull)
		return false;
	*d = DatumGetDateADT(v);
	return true;
}

/* ---------------------------------------------------------------------
 * Export returns: R-EX-1, R-EX-2, R-EX-5
 * --------------------------------------------------------------------- */

/* The columns the export check reads, in the order of _export_row_ok's arguments. */
typedef enum ExportRole
{
	EX_EXPORTED,
	EX_REASON,
	EX_RETURNED,
	EX_REMARKS,
	EX_SUPERVISION,
	EX_EXPORT_OFFICE,
	EX_RETURN_OFFICE,
	EX_NROLES
} ExportRole;

static const char *const export_roles[EX_NROLES] = {
	"exported_on", "reason", "returned_on", "remarks", "supervision_code",
	"export_office", "return_office"
};

typedef struct ExportCache
{
	AttrNumber	col[EX_NROLES];	/* 0: not attached */
	AttrNumber	deadline;
	bool		reason_is_enum;
	bool		code_is_text[3];	/* supervision, export office, return office */
	bool		fill_remarks;
	/* how to build a value of the remarks column when filling it */
	FmgrInfo	remarks_in;
	Oid			remarks_ioparam;
	int32		remarks_typmod;
} ExportCache;

/* the enum labels; messages show them through _() (po/: 滞销退运 etc.) */
static const char *const reason_labels[CBR_REASON_COUNT] = {
	gettext_noop("unsold"), gettext_noop("consumer_return"), gettext_noop("quality_or_spec")
};

/* Builds the ExportCache of the export check on rel (see check_config). */
static void *
export_build(const CbrCheckMeta *meta, Relation rel, MemoryContext cxt)
{
	ExportCache *c;
	Oid			date_t[1] = {DATEOID};
	Oid			text_t[3] = {TEXTOID, VARCHAROID, BPCHAROID};
	Oid			reason_t[4];
	Oid			sup_t[4];
	Oid			office_t[4];
	TupleDesc	tupdesc = RelationGetDescr(rel);
	int			i;

	c = MemoryContextAllocZero(cxt, sizeof(ExportCache));
	reason_t[0] = cbr_type_oid("return_reason");
	sup_t[0] = cbr_type_oid("supervision_code");
	office_t[0] = cbr_type_oid("customs_code");
	memcpy(reason_t + 1, text_t, sizeof(text_t));
	memcpy(sup_t + 1, text_t, sizeof(text_t));
	memcpy(office_t + 1, text_t, sizeof(text_t));

	c->col[EX_EXPORTED] = cbr_role_column(meta, "exported_on", rel, date_t, 1, true);
	c->col[EX_REASON] = cbr_role_column(meta, "reason", rel, reason_t, 4, false);
	c->col[EX_RETURNED] = cbr_role_column(meta, "returned_on", rel, date_t, 1, false);
	c->col[EX_REMARKS] = cbr_role_column(meta, "remarks", rel, text_t, 3, false);
	c->col[EX_SUPERVISION] = cbr_role_column(meta, "supervision_code", rel, sup_t, 4, false);
	c->col[EX_EXPORT_OFFICE] = cbr_role_column(meta, "export_office", rel, office_t, 4, false);
	c->col[EX_RETURN_OFFICE] = cbr_role_column(meta, "return_office", rel, office_t, 4, false);
	c->deadline = cbr_role_column(meta, "deadline", rel, date_t, 1, false);
	c->fill_remarks = meta->fill_remarks && c->col[EX_REMARKS] != InvalidAttrNumber;
	if (c->col[EX_REASON])
		c->reason_is_enum = TupleDescAttr(tupdesc, c->col[EX_REASON] - 1)->atttypid == reason_t[0];
	for (i = 0; i < 3; i++)
	{
		AttrNumber	a = c->col[EX_SUPERVISION + i];

		if (a)
			c->code_is_text[i] = TupleDescAttr(tupdesc, a - 1)->atttypid != (i == 0 ? sup_t[0] : office_t[0]);
	}
	if (c->fill_remarks)
	{
		Form_pg_attribute att = TupleDescAttr(tupdesc, c->col[EX_REMARKS] - 1);
		Oid			typinput;

		getTypeInputInfo(att->atttypid, &typinput, &c->remarks_ioparam);
		fmgr_info_cxt(typinput, &c->remarks_in, cxt);
		c->remarks_typmod = att->atttypmod;
	}
	return c;
}

static void
export_attnums(const void *config, AttrNumber *attnums)
{
	memcpy(attnums, ((const ExportCache *) config)->col, sizeof(AttrNumber) * EX_NROLES);
}

/* What a column held: nothing, a value the rules read, or unreadable text. */
typedef enum ValueState
{
	VALUE_NULL,
	VALUE_OK,
	VALUE_BAD
} ValueState;

/* One export return as the rules see it. */
typedef struct ExportRow
{
	bool		has_exported;
	bool		has_returned;
	DateADT		exported;
	DateADT		returned;
	ValueState	reason_state;	/* VALUE_BAD: text that is no label */
	CbrReason	reason;
	const char *remarks;		/* NULL when NULL; not NUL-terminated */
	int			remarks_len;
	ValueState	code_state[3];	/* supervision, export office, return office */
	int16		code[3];
} ExportRow;

/* The reason held by a text value: one of the labels of return_reason. */
static bool
reason_from_label(const char *s, int len, CbrReason *reason)
{
	int			r;

	while (len > 0 && s[len - 1] == ' ')	/* bpchar padding */
		len--;
	for (r = 0; r < CBR_REASON_COUNT; r++)
		if ((int) strlen(reason_labels[r]) == len && memcmp(s, reason_labels[r], len) == 0)
		{
			*reason = (CbrReason) r;
			return true;
		}
	return false;
}

/*
 * Read the values of the checked columns (in ExportRole order; isnull for a
 * role not attached) into *row.  Never raises for a value: unreadable text
 * is VALUE_BAD, for export_decide to report in its turn.
 */
static void
export_read(const ExportCache *c, const Datum *v, const bool *isnull, ExportRow *row)
{
	int			i;

	row->has_exported = !isnull[EX_EXPORTED];
	row->exported = row->has_exported ? DatumGetDateADT(v[EX_EXPORTED]) : 0;
	row->has_returned = !isnull[EX_RETURNED];
	row->returned = row->has_returned ? DatumGetDateADT(v[EX_RETURNED]) : 0;

	row->reason = CBR_REASON_UNSOLD;
	if (isnull[EX_REASON])
		row->reason_state = VALUE_NULL;
	else if (c->reason_is_enum)
	{
		row->reason = cbr_reason_from_oid(DatumGetObjectId(v[EX_REASON]));
		row->reason_state = VALUE_OK;
	}
	else
	{
		text	   *t = (text *) pg_detoast_datum_packed((struct varlena *) DatumGetPointer(v[EX_REASON]));

		row->reason_state = reason_from_label(VARDATA_ANY(t), (int) VARSIZE_ANY_EXHDR(t), &row->reason)
			? VALUE_OK : VALUE_BAD;
	}

	row->remarks = NULL;
	row->remarks_len = 0;
	if (!isnull[EX_REMARKS])
	{
		text	   *t = (text *) pg_detoast_datum_packed((struct varlena *) DatumGetPointer(v[EX_REMARKS]));

		row->remarks = VARDATA_ANY(t);
		row->remarks_len = (int) VARSIZE_ANY_EXHDR(t);
	}

	for (i = 0; i < 3; i++)
	{
		Datum		d = v[EX_SUPERVISION + i];
		CbrParseError err;

		row->code[i] = 0;
		if (isnull[EX_SUPERVISION + i])
			row->code_state[i] = VALUE_NULL;
		else if (!c->code_is_text[i])
		{
			row->code[i] = DatumGetInt16(d);
			row->code_state[i] = VALUE_OK;
		}
		else
			row->code_state[i] = cbr_parse_code4(TextDatumGetCString(d), &row->code[i], &err)
				? VALUE_OK : VALUE_BAD;
	}
}

/* What export_decide found. */
typedef enum ExportVerdict
{
	EXPORT_OK,
	EXPORT_REASON_UNREADABLE,	/* reason text that is no label (22P02) */
	EXPORT_REMARKS_EMPTY,		/* R-EX-2 (CB002) */
	EXPORT_REMARKS_NO_CODE,		/* R-EX-2 (CB002) */
	EXPORT_REMARKS_MISMATCH,	/* R-EX-2 (CB002) */
	EXPORT_DEADLINE_OUT_OF_RANGE,	/* R-EX-1, R-P-1: no deadline to count (22008) */
	EXPORT_AFTER_DEADLINE,		/* R-EX-1 (CB001) */
	EXPORT_BEFORE_EXPORT,		/* R-EX-1 (CB001) */
	EXPORT_CODE_UNREADABLE,		/* R-EX-5: code text that is no code (22P02) */
	EXPORT_CROSS_UNDECIDED,		/* R-EX-5: the rules engine raises (CB007, 22008) */
	EXPORT_CROSS_REFUSED		/* R-EX-5 (CB005) */
} ExportVerdict;

typedef struct ExportDecision
{
	bool		has_reason;
	CbrReason	reason;			/* the reason column's, or the remarks' code's */
	CbrReason	coded;			/* the reason of the remark code */
	bool		fill_remarks;	/* blank remarks to be filled with the code */
	bool		has_deadline;
	DateADT		deadline;		/* R-EX-1 */
	int			months;
	int			bad_code;		/* EXPORT_CODE_UNREADABLE: which of the three */
} ExportDecision;

/* True when a remarks value is empty or white space only (ASCII or U+3000). */
static bool
remarks_blank(const char *p, int len)
{
	const unsigned char *s = (const unsigned char *) p;
	int			i = 0;

	while (i < len)
	{
		if (s[i] == ' ' || (s[i] >= '\t' && s[i] <= '\r'))
			i++;
		else if (len - i >= 3 && s[i] == 0xE3 && s[i + 1] == 0x80 && s[i + 2] == 0x80)
			i += 3;
		else
			return false;
	}
	return true;
}

/*
 * R-EX-5 can be decided without an error: the return date is finite and
 * the reference tables know both districts and the supervision code.  The
 * same conditions as cbr_cross_customs_decide's checks (policy.c), which
 * raise CB007 or 22008 otherwise.
 */
static bool
cross_customs_decidable(int16 sup, int16 expo, int16 reto, DateADT returned)
{
	const CbrPolicy *p = cbr_policy();

	return !DATE_NOT_FINITE(returned) &&
		expo >= 0 && expo < CBR_CODE4_COUNT && p->district_known[expo / 100] &&
		reto >= 0 && reto < CBR_CODE4_COUNT && p->district_known[reto / 100] &&
		sup >= 0 && sup < CBR_CODE4_COUNT && p->code_known[sup];
}

/*
 * The export rules on one row, in the order the trigger reports them:
 * R-EX-2, the remarks start with the code of the reason (or are to be
 * filled with it); R-EX-1 with R-P-1, the return is not after the deadline
 * (6 months unsold/consumer return, 12 months quality/specification) nor
 * before the export; R-EX-5, a return through another customs district is
 * allowed.  A NULL means "not known yet" and skips the checks that need it.
 * The one implementation of these rules for both the trigger and the WHEN
 * function.
 */
static ExportVerdict
export_decide(const ExportCache *c, const ExportRow *row, ExportDecision *d)
{
	int			i;

	memset(d, 0, sizeof(*d));
	if (row->reason_state == VALUE_BAD)
		return EXPORT_REASON_UNREADABLE;
	d->has_reason = row->reason_state == VALUE_OK;
	d->reason = row->reason;

	/* R-EX-2: the first position of the remarks carries the reason's code. */
	if (c->col[EX_REMARKS])
	{
		if (row->remarks == NULL || remarks_blank(row->remarks, row->remarks_len))
		{
			if (c->fill_remarks && d->has_reason)
				d->fill_remarks = true;
			else if (d->has_reason || c->col[EX_REASON] == InvalidAttrNumber)
				return EXPORT_REMARKS_EMPTY;
		}
		else if (!cbr_reason_from_remarks(row->remarks, row->remarks_len, &d->coded))
			return EXPORT_REMARKS_NO_CODE;
		else if (d->has_reason && d->coded != d->reason)
			return EXPORT_REMARKS_MISMATCH;
		else if (!d->has_reason)
		{
			/* No reason column, or it is NULL: the remarks name the reason. */
			d->reason = d->coded;
			d->has_reason = true;
		}
	}

	/* R-EX-1 with R-P-1: months from the export clearance date. */
	if (row->has_exported && d->has_reason)
	{
		d->months = cbr_export_window_months(d->reason);
		if (!cbr_add_months(row->exported, d->months, &d->deadline))
			return EXPORT_DEADLINE_OUT_OF_RANGE;
		d->has_deadline = true;
		if (row->has_returned && row->returned > d->deadline)
			return EXPORT_AFTER_DEADLINE;
	}
	if (row->has_exported && row->has_returned && row->returned < row->exported)
		return EXPORT_BEFORE_EXPORT;

	/*
	 * R-EX-5 (GACC 2024 No. 167): a return through another customs district
	 * than the one that cleared the export; decided by the rules engine from
	 * the policy tables (pilot districts, nationwide date), cached per
	 * backend.  The codes are read in order and a NULL one ends the check.
	 */
	if (c->col[EX_SUPERVISION] && row->has_returned)
	{
		for (i = 0; i < 3; i++)
		{
			if (row->code_state[i] == VALUE_NULL)
				return EXPORT_OK;
			if (row->code_state[i] == VALUE_BAD)
			{
				d->bad_code = i;
				return EXPORT_CODE_UNREADABLE;
			}
		}
		if (!cross_customs_decidable(row->code[0], row->code[1], row->code[2], row->returned))
			return EXPORT_CROSS_UNDECIDED;
		if (!cbr_cross_customs_allowed(row->code[0], row->code[1], row->code[2], row->returned))
			return EXPORT_CROSS_REFUSED;
	}
	return EXPORT_OK;
}

static char *
remarks_text(const char *p, int len)
{
	return pnstrdup(p, len);
}

/* Raise the error of a verdict other than EXPORT_OK, as a client sees it. */
static void
export_report(Relation rel, HeapTuple tuple, const ExportCache *c, const Datum *v,
			  const ExportRow *row, const ExportDecision *d, ExportVerdict verdict)
{
	TupleDesc	tupdesc = RelationGetDescr(rel);
	bool		has_reason = d->has_reason;
	CbrReason	reason = d->reason;

	switch (verdict)
	{
		case EXPORT_OK:
			return;
		case EXPORT_REASON_UNREADABLE:
			{
				char	   *s = TextDatumGetCString(v[EX_REASON]);
				int			len = (int) strlen(s);

				while (len > 0 && s[len - 1] == ' ')	/* bpchar padding */
					s[--len] = '\0';
				ereport(ERROR,
						(errcode(ERRCODE_INVALID_TEXT_REPRESENTATION),
						 errmsg("invalid return reason \"%s\" in column \"%s\"", s,
								NameStr(TupleDescAttr(tupdesc, c->col[EX_REASON] - 1)->attname)),
						 errhint("The reasons are unsold, consumer_return and quality_or_spec (R-EX-1)."),
						 errtablecol(rel, c->col[EX_REASON])));
			}
			break;
		case EXPORT_REMARKS_EMPTY:
			ereport(ERROR,
					(errcode(ERRCODE_CBRETURN_REMARK),
					 errmsg("remarks of an export return must start with the R-EX-2 code of its reason"),
					 errdetail("%sthe remarks are empty%s%s.", cbr_row_identity(rel, tuple),
							   has_reason ? _(" and the reason is ") : "",
							   has_reason ? _(reason_labels[reason]) : ""),
					 has_reason
					 ? errhint("Start the remarks with %s.", cbr_remark_code(reason))
					 : errhint("Start the remarks with ZXTY (unsold), THTY (consumer return) or PGTY (quality or specification)."),
					 errtablecol(rel, c->col[EX_REMARKS])));
			break;
		case EXPORT_REMARKS_NO_CODE:
			ereport(ERROR,
					(errcode(ERRCODE_CBRETURN_REMARK),
					 errmsg("remarks of an export return must start with the R-EX-2 code of its reason"),
					 errdetail("%sthe remarks are \"%s\"%s%s.", cbr_row_identity(rel, tuple),
							   remarks_text(row->remarks, row->remarks_len),
							   has_reason ? _(" and the reason is ") : "",
							   has_reason ? _(reason_labels[reason]) : ""),
					 has_reason
					 ? errhint("Start the remarks with %s.", cbr_remark_code(reason))
					 : errhint("Start the remarks with ZXTY (unsold), THTY (consumer return) or PGTY (quality or specification)."),
					 errtablecol(rel, c->col[EX_REMARKS])));
			break;
		case EXPORT_REMARKS_MISMATCH:
			ereport(ERROR,
					(errcode(ERRCODE_CBRETURN_REMARK),
					 errmsg("remark code %s does not match the return reason %s (R-EX-2)",
							cbr_remark_code(d->coded), _(reason_labels[reason])),
					 errdetail("%sthe remarks are \"%s\" and the reason is %s.",
							   cbr_row_identity(rel, tuple),
							   remarks_text(row->remarks, row->remarks_len),
							   _(reason_labels[reason])),
					 errhint("Start the remarks with %s, or set the reason to %s.",
							 cbr_remark_code(reason), _(reason_labels[d->coded])),
					 errtablecol(rel, c->col[EX_REMARKS])));
			break;
		case EXPORT_DEADLINE_OUT_OF_RANGE:
			cbr_report_date_out_of_range(gettext_noop("export date"), row->exported);
			break;
		case EXPORT_AFTER_DEADLINE:
			ereport(ERROR,
					(errcode(ERRCODE_CBRETURN_WINDOW),
					 errmsg("return of %s is after the R-EX-1 deadline %s",
							cbr_date_text(row->returned), cbr_date_text(d->deadline)),
					 errdetail("%sexported on %s, reason %s, returned on %s; the window is %d months from the export date.",
							   cbr_row_identity(rel, tuple), cbr_date_text(row->exported),
							   _(reason_labels[reason]), cbr_date_text(row->returned), d->months),
					 errhint("A return of these goods is accepted on or before %s%s.",
							 cbr_date_text(d->deadline),
							 reason == CBR_REASON_QUALITY_OR_SPEC ? ""
							 : _("; only quality or specification returns (PGTY) have 12 months")),
					 errtablecol(rel, c->col[EX_RETURNED])));
			break;
		case EXPORT_BEFORE_EXPORT:
			ereport(ERROR,
					(errcode(ERRCODE_CBRETURN_WINDOW),
					 errmsg("return of %s is before the export date %s (R-EX-1)",
							cbr_date_text(row->returned), cbr_date_text(row->exported)),
					 errdetail("%sexported on %s, returned on %s.", cbr_row_identity(rel, tuple),
							   cbr_date_text(row->exported), cbr_date_text(row->returned)),
					 errhint("A return date on or after %s is accepted.", cbr_date_text(row->exported)),
					 errtablecol(rel, c->col[EX_RETURNED])));
			break;
		case EXPORT_CODE_UNREADABLE:
			{
				AttrNumber	attnum = c->col[EX_SUPERVISION + d->bad_code];
				char	   *str = TextDatumGetCString(v[EX_SUPERVISION + d->bad_code]);
				int16		code;
				CbrParseError err;

				if (cbr_parse_code4(str, &code, &err))
					elog(ERROR, "code \"%s\" was unreadable and is now read", str);
				ereport(ERROR,
						(errcode(ERRCODE_INVALID_TEXT_REPRESENTATION),
						 errmsg("invalid 4-digit code \"%s\" in column \"%s\": %s", str,
								NameStr(TupleDescAttr(tupdesc, attnum - 1)->attname),
								cbr_parse_error_text(&err, str)),
						 errhint("Customs office and supervision codes have 4 digits, e.g. 2924 or 9610 (R-ID-2, R-ID-3)."),
						 errtablecol(rel, attnum)));
			}
			break;
		case EXPORT_CROSS_UNDECIDED:
			/* the rules engine raises the precise error (CB007, 22008) */
			(void) cbr_cross_customs_allowed(row->code[0], row->code[1], row->code[2], row->returned);
			elog(ERROR, "R-EX-5 could not be decided and raised no error");
			break;
		case EXPORT_CROSS_REFUSED:
			{
				List	   *steps = NIL;
				ListCell   *lc;
				StringInfoData why;
				char		supbuf[5];
				char		expbuf[5];
				char		retbuf[5];

				(void) cbr_cross_customs_decide(row->code[0], row->code[1], row->code[2],
												row->returned, &steps);
				initStringInfo(&why);
				foreach(lc, steps)
				{
					CbrStep    *st = (CbrStep *) lfirst(lc);

					if (!st->passed && st->seen)
						appendStringInfo(&why, "%s%s: %s", why.len ? "; " : _(" Failed: "),
										 st->rule_id, st->seen);
				}
				cbr_format_code4(row->code[0], supbuf);
				cbr_format_code4(row->code[1], expbuf);
				cbr_format_code4(row->code[2], retbuf);
				ereport(ERROR,
						(errcode(ERRCODE_CBRETURN_CROSS_CUSTOMS),
						 errmsg("cross-customs return through office %s of goods exported through office %s is not allowed by R-EX-5",
								retbuf, expbuf),
						 errdetail("%ssupervision code %s, exported through %s, returned through %s on %s.%s%s",
								   cbr_row_identity(rel, tuple), supbuf, expbuf, retbuf,
								   cbr_date_text(row->returned), why.data, why.len ? "." : ""),
						 errhint("Return the goods through a customs office of district %.2s; a return through another district is allowed only for 9610 retail exports, in a pilot district from 2024-12-15 or anywhere from 2026-04-01.",
								 expbuf),
						 errtablecol(rel, c->col[EX_RETURN_OFFICE])));
			}
			break;
	}
}

/*
 * cbreturn.export_return_check(): AFTER (or BEFORE) INSERT OR UPDATE FOR
 * EACH ROW; BEFORE when it fills the remarks or the deadline column.
 *
 * The rules are export_decide's (R-EX-2, R-EX-1, R-EX-5, in that order);
 * this raises what it found, fills empty remarks when the DBA asked for
 * that, and fills the optional deadline column.  Attached AFTER, it has a
 * WHEN clause (_export_row_ok) and is only called for a row that fails.
 */
PG_FUNCTION_INFO_V1(cbr_export_return_check);
Datum
cbr_export_return_check(PG_FUNCTION_ARGS)
{
	TriggerData *trigdata = cbr_trigger_protocol(fcinfo, "export_return_check", CBR_FIRE_EITHER, false);
	Relation	rel = trigdata->tg_relation;
	TupleDesc	tupdesc = RelationGetDescr(rel);
	HeapTuple	tuple = TRIGGER_FIRED_BY_UPDATE(trigdata->tg_event)
		? trigdata->tg_newtuple : trigdata->tg_trigtuple;
	ExportCache *c = (ExportCache *) check_config(fcinfo, rel, CBR_CHECK_EXPORT, export_build);
	Datum		v[EX_NROLES];
	bool		isnull[EX_NROLES];
	ExportRow	row;
	ExportDecision d;
	ExportVerdict verdict;
	int			replace_cols[2];
	Datum		replace_vals[2];
	bool		replace_nulls[2];
	int			nreplace = 0;
	int			i;

	/*
	 * Filling a column changes the row, which only a BEFORE trigger can do;
	 * attach_export_return_checks creates the trigger BEFORE in that case.
	 * A check that only reads the row may fire either way, and AFTER is what
	 * attach creates, so that COPY keeps inserting in batches.
	 */
	if ((c->fill_remarks || c->deadline) && !TRIGGER_FIRED_BEFORE(trigdata->tg_event))
		ereport(ERROR,
				(errcode(ERRCODE_E_R_I_E_TRIGGER_PROTOCOL_VIOLATED),
				 errmsg("function \"%s\" must be fired BEFORE the row is written", "export_return_check"),
				 errdetail("The export check on table \"%s\" fills %s.", RelationGetRelationName(rel),
						   c->fill_remarks ? _("empty remarks") : _("the deadline column")),
				 errhint("Create the trigger with cbreturn.attach_export_return_checks, not by hand.")));

	for (i = 0; i < EX_NROLES; i++)
	{
		v[i] = (Datum) 0;
		isnull[i] = true;
		if (c->col[i])
			v[i] = heap_getattr(tuple, c->col[i], tupdesc, &isnull[i]);
	}
	export_read(c, v, isnull, &row);
	verdict = export_decide(c, &row, &d);
	if (verdict != EXPORT_OK)
		export_report(rel, tuple, c, v, &row, &d, verdict);

	if (d.fill_remarks)
	{
		replace_cols[nreplace] = c->col[EX_REMARKS];
		replace_vals[nreplace] = InputFunctionCall(&c->remarks_in,
												   (char *) cbr_remark_code(d.reason),
												   c->remarks_ioparam,
												   c->remarks_typmod);
		replace_nulls[nreplace] = false;
		nreplace++;
	}
	/* The deadline column, when attached, always holds the R-EX-1 deadline. */
	if (c->deadline)
	{
		replace_cols[nreplace] = c->deadline;
		replace_vals[nreplace] = d.has_deadline ? DateADTGetDatum(d.deadline) : (Datum) 0;
		replace_nulls[nreplace] = !d.has_deadline;
		nreplace++;
	}

	if (nreplace > 0)
		tuple = heap_modify_tuple_by_cols(tuple, tupdesc, nreplace,
										  replace_cols, replace_vals, replace_nulls);
	return PointerGetDatum(tuple);
}

/*
 * cbreturn._export_row_ok(checked regclass, exported_on date, reason "any",
 * returned_on date, remarks "any", supervision_code "any",
 * export_office "any", return_office "any"): the WHEN clause of the
 * reading export check.  True when export_decide accepts the row (R-EX-1,
 * R-EX-2, R-EX-5); false when it rejects it, cannot read a value, or the
 * check fills a column (then the trigger must see every row).  The
 * arguments are the attached columns in role order, NULL for a role not
 * attached (verified, see row_ok_config).
 */
PG_FUNCTION_INFO_V1(cbr_export_row_ok);
Datum
cbr_export_row_ok(PG_FUNCTION_ARGS)
{
	ExportCache *c = (ExportCache *) row_ok_config(fcinfo, CBR_CHECK_EXPORT, export_build,
												   export_attnums, "_export_row_ok",
												   export_roles, EX_NROLES);
	Datum		v[EX_NROLES];
	bool		isnull[EX_NROLES];
	ExportRow	row;
	ExportDecision d;
	int			i;

	if (c->fill_remarks || c->deadline)
		PG_RETURN_BOOL(false);
	for (i = 0; i < EX_NROLES; i++)
	{
		isnull[i] = PG_ARGISNULL(i + 1);
		v[i] = isnull[i] ? (Datum) 0 : PG_GETARG_DATUM(i + 1);
	}
	export_read(c, v, isnull, &row);
	PG_RETURN_BOOL(export_decide(c, &row, &d) == EXPORT_OK && !d.fill_remarks);
}

/* ---------------------------------------------------------------------
 * Import returns: R-IM-1
 * --------------------------------------------------------------------- */

/* The columns the import check reads, in the order of _import_row_ok's arguments. */
#define IM_NROLES 3

static const char *const import_roles[IM_NROLES] = {"released_on", "applied_on", "arrived_on"};

typedef struct ImportCache
{
	AttrNumber	col[IM_NROLES];	/* released, applied, arrived; 0: not attached */
} ImportCache;

/* Builds the ImportCache of the import check on rel (see check_config). */
static void *
import_build(const CbrCheckMeta *meta, Relation rel, MemoryContext cxt)
{
	ImportCache *c = MemoryContextAllocZero(cxt, sizeof(ImportCache));
	Oid			date_t[1] = {DATEOID};

	c->col[0] = cbr_role_column(meta, "released_on", rel, date_t, 1, true);
	c->col[1] = cbr_role_column(meta, "applied_on", rel, date_t, 1, false);
	c->col[2] = cbr_role_column(meta, "arrived_on", rel, date_t, 1, false);
	return c;
}

static void
import_attnums(const void *config, AttrNumber *attnums)
{
	memcpy(attnums, ((const ImportCache *) config)->col, sizeof(AttrNumber) * IM_NROLES);
}

typedef enum ImportVerdict
{
	IMPORT_OK,
	IMPORT_DEADLINE_OUT_OF_RANGE,	/* R-P-1: no deadline to count (22008) */
	IMPORT_AFTER_DEADLINE,		/* R-IM-1 (CB001) */
	IMPORT_BEFORE_RELEASE		/* R-IM-1 (CB001) */
} ImportVerdict;

static const int import_days[IM_NROLES] = {0, CBR_IMPORT_APPLY_DAYS, CBR_IMPORT_ARRIVAL_DAYS};
static const char *const import_what[IM_NROLES] = {NULL, gettext_noop("return application"), gettext_noop("arrival")};

/*
 * R-IM-1 (GACC 2020 No. 45): the return application within 30 days and the
 * arrival within 45 days of the release date, calendar days counted by
 * R-P-1, neither before the release; the application is checked first.
 * NULL dates skip their check.  *which is the role that failed (1 applied,
 * 2 arrived).  The one implementation for the trigger and the WHEN function.
 */
static ImportVerdict
import_decide(const bool *has, const DateADT *date, int *which, DateADT *deadline)
{
	int			i;

	if (!has[0])
		return IMPORT_OK;
	for (i = 1; i < IM_NROLES; i++)
	{
		if (!has[i])
			continue;
		*which = i;
		if (!cbr_add_days(date[0], import_days[i], deadline))
			return IMPORT_DEADLINE_OUT_OF_RANGE;
		if (date[i] > *deadline)
			return IMPORT_AFTER_DEADLINE;
		if (date[i] < date[0])
			return IMPORT_BEFORE_RELEASE;
	}
	return IMPORT_OK;
}

/* Raise the error of a verdict other than IMPORT_OK. */
static void
import_report(Relation rel, HeapTuple tuple, const ImportCache *c, const DateADT *date,
			  int which, DateADT deadline, ImportVerdict verdict)
{
	DateADT		released = date[0];
	DateADT		when = date[which];
	const char *what = import_what[which];

	switch (verdict)
	{
		case IMPORT_OK:
			return;
		case IMPORT_DEADLINE_OUT_OF_RANGE:
			cbr_report_date_out_of_range(gettext_noop("release date"), released);
			break;
		case IMPORT_AFTER_DEADLINE:
			ereport(ERROR,
					(errcode(ERRCODE_CBRETURN_WINDOW),
					 errmsg("%s on %s is after the R-IM-1 deadline %s",
							_(what), cbr_date_text(when), cbr_date_text(deadline)),
					 errdetail("%sreleased on %s, %s on %s; the window is %d days from the release date.",
							   cbr_row_identity(rel, tuple), cbr_date_text(released), _(what),
							   cbr_date_text(when), import_days[which]),
					 errhint("The %s is accepted on or before %s.", _(what), cbr_date_text(deadline)),
					 errtablecol(rel, c->col[which])));
			break;
		case IMPORT_BEFORE_RELEASE:
			ereport(ERROR,
					(errcode(ERRCODE_CBRETURN_WINDOW),
					 errmsg("%s on %s is before the release date %s (R-IM-1)",
							_(what), cbr_date_text(when), cbr_date_text(released)),
					 errdetail("%sreleased on %s, %s on %s.", cbr_row_identity(rel, tuple),
							   cbr_date_text(released), _(what), cbr_date_text(when)),
					 errhint("The %s is accepted from %s to %s.", _(what),
							 cbr_date_text(released), cbr_date_text(deadline)),
					 errtablecol(rel, c->col[which])));
			break;
	}
}

/*
 * cbreturn.import_return_check(): AFTER (or BEFORE) INSERT OR UPDATE FOR
 * EACH ROW; it only reads the row, so attach creates it AFTER (see the file
 * header), with a WHEN clause (_import_row_ok): it is only called for a row
 * that fails R-IM-1 (import_decide).
 */
PG_FUNCTION_INFO_V1(cbr_import_return_check);
Datum
cbr_import_return_check(PG_FUNCTION_ARGS)
{
	TriggerData *trigdata = cbr_trigger_protocol(fcinfo, "import_return_check", CBR_FIRE_EITHER, false);
	Relation	rel = trigdata->tg_relation;
	TupleDesc	tupdesc = RelationGetDescr(rel);
	HeapTuple	tuple = TRIGGER_FIRED_BY_UPDATE(trigdata->tg_event)
		? trigdata->tg_newtuple : trigdata->tg_trigtuple;
	ImportCache *c = (ImportCache *) check_config(fcinfo, rel, CBR_CHECK_IMPORT, import_build);
	bool		has[IM_NROLES];
	DateADT		date[IM_NROLES];
	int			which = 0;
	DateADT		deadline = 0;
	ImportVerdict verdict;
	int			i;

	for (i = 0; i < IM_NROLES; i++)
	{
		date[i] = 0;
		has[i] = get_date(tuple, tupdesc, c->col[i], &date[i]);
	}
	verdict = import_decide(has, date, &which, &deadline);
	if (verdict != IMPORT_OK)
		import_report(rel, tuple, c, date, which, deadline, verdict);
	return PointerGetDatum(tuple);
}

/*
 * cbreturn._import_row_ok(checked regclass, released_on date, applied_on
 * date, arrived_on date): the WHEN clause of the import check.  True when
 * import_decide accepts the row (R-IM-1); the arguments are the attached
 * columns, NULL for a role not attached (verified, see row_ok_config).
 */
PG_FUNCTION_INFO_V1(cbr_import_row_ok);
Datum
cbr_import_row_ok(PG_FUNCTION_ARGS)
{
	(void) row_ok_config(fcinfo, CBR_CHECK_IMPORT, import_build, import_attnums,
						 "_import_row_ok", import_roles, IM_NROLES);
	{
		bool		has[IM_NROLES];
		DateADT		date[IM_NROLES];
		int			which = 0;
		DateADT		deadline = 0;
		int			i;

		for (i = 0; i < IM_NROLES; i++)
		{
			has[i] = !PG_ARGISNULL(i + 1);
			date[i] = has[i] ? PG_GETARG_DATEADT(i + 1) : 0;
		}
		PG_RETURN_BOOL(import_decide(has, date, &which, &deadline) == IMPORT_OK);
	}
}

/* ---------------------------------------------------------------------
 * Status: rules section 6
 * --------------------------------------------------------------------- */

#define CBR_STAGES 7

static const char *const stage_names[CBR_STAGES] = {
	"registered", "declared", "shipped", "arrived", "inspected", "released", "rejected"
};

/* released and rejected are both the last step: the same rank. */
static inline int
stage_rank(int stage)
{
	return stage >= 5 ? 5 : stage;
}

typedef struct StatusCache
{
	AttrNumber	status;
	FmgrInfo	status_out;
	char	   *labels[CBR_STAGES];
	AttrNumber	stamp[CBR_STAGES];
	Oid			stamp_type;		/* DATEOID, TIMESTAMPOID or TIMESTAMPTZOID */
} StatusCache;

/* Builds the StatusCache of the status check on rel (see check_config). */
static void *
status_build(const CbrCheckMeta *meta, Relation rel, MemoryContext cxt)
{
	StatusCache *c;
	Oid			stamp_t[3] = {DATEOID, TIMESTAMPOID, TIMESTAMPTZOID};
	Oid			typout;
	bool		varlena;
	int			i;

	c = MemoryContextAllocZero(cxt, sizeof(StatusCache));
	/* text, varchar, bpchar, name or an enum: any type is read by its output */
	c->status = cbr_role_column(meta, "status", rel, NULL, 0, true);
	getTypeOutputInfo(TupleDescAttr(RelationGetDescr(rel), c->status - 1)->atttypid,
					  &typout, &varlena);
	fmgr_info_cxt(typout, &c->status_out, cxt);
	if (meta->nlabels != CBR_STAGES)
		elog(ERROR, "status check without its labels");
	for (i = 0; i < CBR_STAGES; i++)
	{
		char		role[32];

		c->labels[i] = meta->labels[i];
		snprintf(role, sizeof(role), "%s_at", stage_names[i]);
		c->stamp[i] = cbr_role_column(meta, role, rel, stamp_t, 3, false);
		if (c->stamp[i])
		{
			Oid			t = TupleDescAttr(RelationGetDescr(rel), c->stamp[i] - 1)->atttypid;

			if (OidIsValid(c->stamp_type) && t != c->stamp_type)
				ereport(ERROR,
						(errcode(ERRCODE_DATATYPE_MISMATCH),
						 errmsg("stage time columns of table \"%s\" have different types",
								RelationGetRelationName(rel))));
			c->stamp_type = t;
		}
	}
	return c;
}

/* The stage of a row, -1 for NULL; an unknown label is an error. */
static int
row_stage(StatusCache *c, Relation rel, HeapTuple tuple)
{
	bool		isnull;
	Datum		d = heap_getattr(tuple, c->status, RelationGetDescr(rel), &isnull);
	char	   *s;
	int			len;
	int			i;

	if (isnull)
		return -1;
	s = OutputFunctionCall(&c->status_out, d);
	len = (int) strlen(s);
	while (len > 0 && s[len - 1] == ' ')	/* bpchar padding */
		s[--len] = '\0';
	for (i = 0; i < CBR_STAGES; i++)
		if (strcmp(s, c->labels[i]) == 0)
			return i;
	ereport(ERROR,
			(errcode(ERRCODE_CBRETURN_STATUS),
			 errmsg("unknown return status \"%s\" (rules section 6)", s),
			 errdetail("%sthe status column holds \"%s\".", cbr_row_identity(rel, tuple), s),
			 errhint("The statuses are, in order: %s, %s, %s, %s, %s, then %s or %s.",
					 c->labels[0], c->labels[1], c->labels[2], c->labels[3], c->labels[4],
					 c->labels[5], c->labels[6]),
			 errtablecol(rel, c->status)));
	return -1;					/* keep compiler quiet */
}

static char *
stamp_text(StatusCache *c, Datum d)
{
	switch (c->stamp_type)
	{
		case DATEOID:
			return DatumGetCString(DirectFunctionCall1(date_out, d));
		case TIMESTAMPOID:
			return DatumGetCString(DirectFunctionCall1(timestamp_out, d));
		default:
			return DatumGetCString(DirectFunctionCall1(timestamptz_out, d));
	}
}

/* Stage times compare as int64: days for date, microseconds otherwise. */
static inline int64
stamp_value(StatusCache *c, Datum d)
{
	return c->stamp_type == DATEOID ? (int64) DatumGetDateADT(d) : DatumGetInt64(d);
}

/*
 * cbreturn.status_check(): BEFORE INSERT OR UPDATE FOR EACH ROW.
 *
 * Rules section 6 (seed 000): a return is registered, declared, shipped,
 * arrives, is inspected and is released or rejected.  A status never goes
 * backwards (released and rejected are final), a stage's time is not set
 * before the stage is reached, and a later stage never has an earlier time.
 */
PG_FUNCTION_INFO_V1(cbr_status_check);
Datum
cbr_status_check(PG_FUNCTION_ARGS)
{
	TriggerData *trigdata = cbr_trigger_protocol(fcinfo, "status_check", CBR_FIRE_BEFORE, false);
	Relation	rel = trigdata->tg_relation;
	TupleDesc	tupdesc = RelationGetDescr(rel);
	bool		is_update = TRIGGER_FIRED_BY_UPDATE(trigdata->tg_event);
	HeapTuple	tuple = is_update ? trigdata->tg_newtuple : trigdata->tg_trigtuple;
	StatusCache *c = (StatusCache *) check_config(fcinfo, rel, CBR_CHECK_STATUS, status_build);
	int			stage = row_stage(c, rel, tuple);
	int			prev_stage = -1;
	int64		prev_value = 0;
	Datum		prev_datum = (Datum) 0;
	int			i;

	if (is_update)
	{
		int			old_stage = row_stage(c, rel, trigdata->tg_trigtuple);

		if (old_stage >= 0 &&
			(stage < 0 || stage_rank(stage) < stage_rank(old_stage) ||
			 (stage_rank(old_stage) == 5 && stage != old_stage)))
			ereport(ERROR,
					(errcode(ERRCODE_CBRETURN_STATUS),
					 stage_rank(old_stage) == 5
					 ? errmsg("return status %s is final and cannot change to %s (rules section 6)",
							  c->labels[old_stage], stage < 0 ? "NULL" : c->labels[stage])
					 : errmsg("return status cannot move back from %s to %s (rules section 6)",
							  c->labels[old_stage], stage < 0 ? "NULL" : c->labels[stage]),
					 errdetail("%sthe status was %s and the update sets %s.",
							   cbr_row_identity(rel, trigdata->tg_trigtuple), c->labels[old_stage],
							   stage < 0 ? "NULL" : c->labels[stage]),
					 stage_rank(old_stage) == 5
					 ? errhint("%s is final; the status can no longer change.", c->labels[old_stage])
					 : errhint("Accepted: %s or a later status.", c->labels[old_stage]),
					 errtablecol(rel, c->status)));
	}

	for (i = 0; i < CBR_STAGES; i++)
	{
		bool		isnull;
		Datum		d;
		int64		v;

		if (c->stamp[i] == InvalidAttrNumber)
			continue;
		d = heap_getattr(tuple, c->stamp[i], tupdesc, &isnull);
		if (isnull)
			continue;
		/* a time for a stage the return has not reached */
		if (stage < 0 || (i < 5 ? i > stage_rank(stage) : i != stage))
			ereport(ERROR,
					(errcode(ERRCODE_CBRETURN_STATUS),
					 errmsg("return has a time for stage %s but its status is %s (rules section 6)",
							c->labels[i], stage < 0 ? "NULL" : c->labels[stage]),
					 errdetail("%sthe %s time is %s.", cbr_row_identity(rel, tuple),
							   c->labels[i], stamp_text(c, d)),
					 errhint("Set the status to %s together with its time, or leave the time empty.",
							 c->labels[i]),
					 errtablecol(rel, c->stamp[i])));
		v = stamp_value(c, d);
		if (prev_stage >= 0 && v < prev_value)
			ereport(ERROR,
					(errcode(ERRCODE_CBRETURN_STATUS),
					 errmsg("time of stage %s is earlier than the time of stage %s (rules section 6)",
							c->labels[i], c->labels[prev_stage]),
					 errdetail("%s%s at %s, %s at %s.", cbr_row_identity(rel, tuple),
							   c->labels[prev_stage], stamp_text(c, prev_datum),
							   c->labels[i], stamp_text(c, d)),
					 errhint("A %s time on or after %s is accepted.", c->labels[i],
							 stamp_text(c, prev_datum)),
					 errtablecol(rel, c->stamp[i])));
		prev_stage = i;
		prev_value = v;
		prev_datum = d;
	}
	return PointerGetDatum(tuple);
}
