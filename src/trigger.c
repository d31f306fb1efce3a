/*
 * trigger.c
 *		Write-time enforcement on an ERP's own tables: the export-return
 *		checks (R-EX-1, R-EX-2, R-EX-5), the import-return checks (R-IM-1) and
 *		the status check (rules section 6), as row triggers in C.
 *
 * A DBA attaches them with the cbreturn.attach_* functions, naming the
 * table's own columns (src/sql/50_enforcement.sql, docs/enforcement.md).
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
 * trigger, so a rejected row still leaves nothing behind.  A check that
 * fills a column must run BEFORE the row is written.  The status check stays
 * BEFORE (it compares the old and new row and is not on a bulk-load path).
 * The quantity check (R-EX-3, R-IM-2) is in trigger_quantity.c.
 */
#include "trigger.h"
#include "policy.h"

#include "access/htup_details.h"
#include "access/xact.h"
#include "catalog/namespace.h"
#include "catalog/pg_type.h"
#include "executor/spi.h"
#include "lib/stringinfo.h"
#include "nodes/bitmapset.h"
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
						allow_delete ? " or DELETE" : "")));
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
	return psprintf("Row (%s)=(%s) of %s: ", names.data, values.data,
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
		if (!IsInParallelMode())
		{
			PushActiveSnapshot(GetLatestSnapshot());
			pushed = true;
		}
		else if (!ActiveSnapshotSet())
		{
			PushActiveSnapshot(GetTransactionSnapshot());
			pushed = true;
		}
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
 * The config of the check of the given kind on rel.  The entry is
 * remembered in fn_extra, so from the second row of a statement on the cost
 * is one test; the first row of a statement costs a hash lookup.
 */
static void *
check_config(FunctionCallInfo fcinfo, Relation rel, CbrCheckKind kind, CheckConfigBuilder build)
{
	CheckCacheEntry *e = (CheckCacheEntry *) fcinfo->flinfo->fn_extra;
	CheckCacheKey key;
	bool		found;

	if (likely(e != NULL && e->valid))
		return e->config;
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
	/* entries are never removed, so the pointer stays good for the statement */
	fcinfo->flinfo->fn_extra = e;
	return e->config;
}

PG_FUNCTION_INFO_V1(cbr_attached_changed);

/*
 * cbreturn._attached_changed(): AFTER ... FOR EACH STATEMENT trigger on
 * cbreturn.attached_check and cbreturn.attached_column.  Queues a relcache
 * invalidation of the written table, which every backend's cache of
 * attached checks listens for (see above), and forgets this backend's
 * configs at once, so a row written later in this same command reads the
 * new metadata.
 */
Datum
cbr_attached_changed(PG_FUNCTION_ARGS)
{
	TriggerData *trigdata = (TriggerData *) fcinfo->context;

	if (!CALLED_AS_TRIGGER(fcinfo))
		ereport(ERROR,
				(errcode(ERRCODE_E_R_I_E_TRIGGER_PROTOCOL_VIOLATED),
				 errmsg("function \"%s\" was not called by trigger manager", "_attached_changed")));
	if (!TRIGGER_FIRED_AFTER(trigdata->tg_event) || !TRIGGER_FIRED_FOR_STATEMENT(trigdata->tg_event))
		ereport(ERROR,
				(errcode(ERRCODE_E_R_I_E_TRIGGER_PROTOCOL_VIOLATED),
				 errmsg("function \"%s\" must be fired AFTER ... FOR EACH STATEMENT", "_attached_changed")));
	CacheInvalidateRelcacheByRelid(RelationGetRelid(trigdata->tg_relation));
	if (check_cache != NULL)
		check_cache_invalidate_all();
	return PointerGetDatum(NULL);
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

/*
 * Fetch a 4-digit code (customs_code, supervision_code or text holding the
 * digits); false when NULL.  Bad text is 22P02, as the types' input says.
 */
static bool
get_code(HeapTuple tuple, TupleDesc tupdesc, Relation rel, AttrNumber attnum, bool is_text,
		 int16 *code)
{
	bool		isnull;
	Datum		v = heap_getattr(tuple, attnum, tupdesc, &isnull);
	char	   *str;
	CbrParseError err;

	if (isnull)
		return false;
	if (!is_text)
	{
		*code = DatumGetInt16(v);
		return true;
	}
	str = TextDatumGetCString(v);
	if (!cbr_parse_code4(str, code, &err))
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_TEXT_REPRESENTATION),
				 errmsg("invalid 4-digit code \"%s\" in column \"%s\": %s", str,
						NameStr(TupleDescAttr(tupdesc, attnum - 1)->attname),
						cbr_parse_error_text(&err, str)),
				 errhint("Customs office and supervision codes have 4 digits, e.g. 2924 or 9610 (R-ID-2, R-ID-3)."),
				 errtablecol(rel, attnum)));
	return true;
}

/* ---------------------------------------------------------------------
 * Export returns: R-EX-1, R-EX-2, R-EX-5
 * --------------------------------------------------------------------- */

typedef struct ExportCache
{
	AttrNumber	exported;
	AttrNumber	reason;
	AttrNumber	returned;
	AttrNumber	remarks;
	AttrNumber	supervision;
	AttrNumber	export_office;
	AttrNumber	return_office;
	AttrNumber	deadline;
	bool		reason_is_enum;
	bool		supervision_is_text;
	bool		export_office_is_text;
	bool		return_office_is_text;
	bool		fill_remarks;
	/* how to build a value of the remarks column when filling it */
	FmgrInfo	remarks_in;
	Oid			remarks_ioparam;
	int32		remarks_typmod;
} ExportCache;

static const char *const reason_labels[CBR_REASON_COUNT] = {
	"unsold", "consumer_return", "quality_or_spec"
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

	c = MemoryContextAllocZero(cxt, sizeof(ExportCache));
	reason_t[0] = cbr_type_oid("return_reason");
	sup_t[0] = cbr_type_oid("supervision_code");
	office_t[0] = cbr_type_oid("customs_code");
	memcpy(reason_t + 1, text_t, sizeof(text_t));
	memcpy(sup_t + 1, text_t, sizeof(text_t));
	memcpy(office_t + 1, text_t, sizeof(text_t));

	c->exported = cbr_role_column(meta, "exported_on", rel, date_t, 1, true);
	c->reason = cbr_role_column(meta, "reason", rel, reason_t, 4, false);
	c->returned = cbr_role_column(meta, "returned_on", rel, date_t, 1, false);
	c->remarks = cbr_role_column(meta, "remarks", rel, text_t, 3, false);
	c->supervision = cbr_role_column(meta, "supervision_code", rel, sup_t, 4, false);
	c->export_office = cbr_role_column(meta, "export_office", rel, office_t, 4, false);
	c->return_office = cbr_role_column(meta, "return_office", rel, office_t, 4, false);
	c->deadline = cbr_role_column(meta, "deadline", rel, date_t, 1, false);
	c->fill_remarks = meta->fill_remarks && c->remarks != InvalidAttrNumber;
	if (c->reason)
		c->reason_is_enum = TupleDescAttr(tupdesc, c->reason - 1)->atttypid == reason_t[0];
	if (c->supervision)
		c->supervision_is_text = TupleDescAttr(tupdesc, c->supervision - 1)->atttypid != sup_t[0];
	if (c->export_office)
		c->export_office_is_text = TupleDescAttr(tupdesc, c->export_office - 1)->atttypid != office_t[0];
	if (c->return_office)
		c->return_office_is_text = TupleDescAttr(tupdesc, c->return_office - 1)->atttypid != office_t[0];
	if (c->fill_remarks)
	{
		Form_pg_attribute att = TupleDescAttr(tupdesc, c->remarks - 1);
		Oid			typinput;

		getTypeInputInfo(att->atttypid, &typinput, &c->remarks_ioparam);
		fmgr_info_cxt(typinput, &c->remarks_in, cxt);
		c->remarks_typmod = att->atttypmod;
	}
	return c;
}

/* The reason held by a text column: one of the labels of return_reason. */
static CbrReason
reason_from_text(Datum d, Relation rel, AttrNumber attnum)
{
	char	   *s = TextDatumGetCString(d);
	int			len = (int) strlen(s);
	int			r;

	while (len > 0 && s[len - 1] == ' ')	/* bpchar padding */
		s[--len] = '\0';
	for (r = 0; r < CBR_REASON_COUNT; r++)
		if (strcmp(s, reason_labels[r]) == 0)
			return (CbrReason) r;
	ereport(ERROR,
			(errcode(ERRCODE_INVALID_TEXT_REPRESENTATION),
			 errmsg("invalid return reason \"%s\" in column \"%s\"", s,
					NameStr(TupleDescAttr(RelationGetDescr(rel), attnum - 1)->attname)),
			 errhint("The reasons are unsold, consumer_return and quality_or_spec (R-EX-1)."),
			 errtablecol(rel, attnum)));
	return CBR_REASON_UNSOLD;	/* keep compiler quiet */
}

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

static char *
remarks_text(const char *p, int len)
{
	return pnstrdup(p, len);
}

PG_FUNCTION_INFO_V1(cbr_export_return_check);

/*
 * cbreturn.export_return_check(): AFTER (or BEFORE) INSERT OR UPDATE FOR
 * EACH ROW; BEFORE when it fills the remarks or the deadline column.
 *
 * In this order: R-EX-2, the remarks start with the code of the reason (or
 * are filled with it when empty and the DBA asked for that); R-EX-1, the
 * return date is not after the deadline counted by R-P-1 from the export
 * date (6 months unsold/consumer return, 1 year quality/specification);
 * R-EX-5, a return through another customs district is allowed.  A NULL
 * date means "not known yet" and skips the checks that need it; the
 * optional deadline column is filled in.
 */
Datum
cbr_export_return_check(PG_FUNCTION_ARGS)
{
	TriggerData *trigdata = cbr_trigger_protocol(fcinfo, "export_return_check", CBR_FIRE_EITHER, false);
	Relation	rel = trigdata->tg_relation;
	TupleDesc	tupdesc = RelationGetDescr(rel);
	HeapTuple	tuple = TRIGGER_FIRED_BY_UPDATE(trigdata->tg_event)
		? trigdata->tg_newtuple : trigdata->tg_trigtuple;
	ExportCache *c = (ExportCache *) check_config(fcinfo, rel, CBR_CHECK_EXPORT, export_build);
	DateADT		exported = 0;
	DateADT		returned = 0;
	DateADT		deadline = 0;
	bool		has_exported;
	bool		has_returned;
	bool		has_deadline = false;
	bool		has_reason = false;
	CbrReason	reason = CBR_REASON_UNSOLD;
	int			replace_cols[2];
	Datum		replace_vals[2];
	bool		replace_nulls[2];
	int			nreplace = 0;

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
						   c->fill_remarks ? "empty remarks" : "the deadline column"),
				 errhint("Create the trigger with cbreturn.attach_export_return_checks, not by hand.")));

	has_exported = get_date(tuple, tupdesc, c->exported, &exported);
	has_returned = get_date(tuple, tupdesc, c->returned, &returned);

	if (c->reason)
	{
		bool		isnull;
		Datum		d = heap_getattr(tuple, c->reason, tupdesc, &isnull);

		if (!isnull)
		{
			reason = c->reason_is_enum ? cbr_reason_from_oid(DatumGetObjectId(d))
				: reason_from_text(d, rel, c->reason);
			has_reason = true;
		}
	}

	/* R-EX-2: the first position of the remarks carries the reason's code. */
	if (c->remarks)
	{
		bool		isnull;
		Datum		d = heap_getattr(tuple, c->remarks, tupdesc, &isnull);
		text	   *t = isnull ? NULL : (text *) pg_detoast_datum_packed((struct varlena *) DatumGetPointer(d));
		const char *p = t ? VARDATA_ANY(t) : NULL;
		int			len = t ? (int) VARSIZE_ANY_EXHDR(t) : 0;
		CbrReason	coded;

		if (t == NULL || remarks_blank(p, len))
		{
			if (c->fill_remarks && has_reason)
			{
				replace_cols[nreplace] = c->remarks;
				replace_vals[nreplace] = InputFunctionCall(&c->remarks_in,
														   (char *) cbr_remark_code(reason),
														   c->remarks_ioparam,
														   c->remarks_typmod);
				replace_nulls[nreplace] = false;
				nreplace++;
			}
			else if (has_reason || c->reason == InvalidAttrNumber)
				ereport(ERROR,
						(errcode(ERRCODE_CBRETURN_REMARK),
						 errmsg("remarks of an export return must start with the R-EX-2 code of its reason"),
						 errdetail("%sthe remarks are empty%s%s.", cbr_row_identity(rel, tuple),
								   has_reason ? " and the reason is " : "",
								   has_reason ? reason_labels[reason] : ""),
						 has_reason
						 ? errhint("Start the remarks with %s.", cbr_remark_code(reason))
						 : errhint("Start the remarks with ZXTY (unsold), THTY (consumer return) or PGTY (quality or specification)."),
						 errtablecol(rel, c->remarks)));
		}
		else if (!cbr_reason_from_remarks(p, len, &coded))
			ereport(ERROR,
					(errcode(ERRCODE_CBRETURN_REMARK),
					 errmsg("remarks of an export return must start with the R-EX-2 code of its reason"),
					 errdetail("%sthe remarks are \"%s\"%s%s.", cbr_row_identity(rel, tuple),
							   remarks_text(p, len),
							   has_reason ? " and the reason is " : "",
							   has_reason ? reason_labels[reason] : ""),
					 has_reason
					 ? errhint("Start the remarks with %s.", cbr_remark_code(reason))
					 : errhint("Start the remarks with ZXTY (unsold), THTY (consumer return) or PGTY (quality or specification)."),
					 errtablecol(rel, c->remarks)));
		else if (has_reason && coded != reason)
			ereport(ERROR,
					(errcode(ERRCODE_CBRETURN_REMARK),
					 errmsg("remark code %s does not match the return reason %s (R-EX-2)",
							cbr_remark_code(coded), reason_labels[reason]),
					 errdetail("%sthe remarks are \"%s\" and the reason is %s.",
							   cbr_row_identity(rel, tuple), remarks_text(p, len),
							   reason_labels[reason]),
					 errhint("Start the remarks with %s, or set the reason to %s.",
							 cbr_remark_code(reason), reason_labels[coded]),
					 errtablecol(rel, c->remarks)));
		else if (!has_reason)
		{
			/* No reason column, or it is NULL: the remarks name the reason. */
			reason = coded;
			has_reason = true;
		}
	}

	/* R-EX-1 with R-P-1: months from the export clearance date. */
	if (has_exported && has_reason)
	{
		int			months = cbr_export_window_months(reason);

		if (!cbr_add_months(exported, months, &deadline))
			cbr_report_date_out_of_range("export date", exported);
		has_deadline = true;
		if (has_returned && returned > deadline)
			ereport(ERROR,
					(errcode(ERRCODE_CBRETURN_WINDOW),
					 errmsg("return of %s is after the R-EX-1 deadline %s",
							cbr_date_text(returned), cbr_date_text(deadline)),
					 errdetail("%sexported on %s, reason %s, returned on %s; the window is %d months from the export date.",
							   cbr_row_identity(rel, tuple), cbr_date_text(exported),
							   reason_labels[reason], cbr_date_text(returned), months),
					 errhint("A return of these goods is accepted on or before %s%s.",
							 cbr_date_text(deadline),
							 reason == CBR_REASON_QUALITY_OR_SPEC ? ""
							 : "; only quality or specification returns (PGTY) have 12 months"),
					 errtablecol(rel, c->returned)));
	}
	if (has_exported && has_returned && returned < exported)
		ereport(ERROR,
				(errcode(ERRCODE_CBRETURN_WINDOW),
				 errmsg("return of %s is before the export date %s (R-EX-1)",
						cbr_date_text(returned), cbr_date_text(exported)),
				 errdetail("%sexported on %s, returned on %s.", cbr_row_identity(rel, tuple),
						   cbr_date_text(exported), cbr_date_text(returned)),
				 errhint("A return date on or after %s is accepted.", cbr_date_text(exported)),
				 errtablecol(rel, c->returned)));

	/*
	 * R-EX-5 (GACC 2024 No. 167): a return through another customs district
	 * than the one that cleared the export; decided by the rules engine from
	 * the policy tables (pilot districts, nationwide date), cached per backend.
	 */
	if (c->supervision && has_returned)
	{
		int16		sup;
		int16		expo;
		int16		reto;

		if (get_code(tuple, tupdesc, rel, c->supervision, c->supervision_is_text, &sup) &&
			get_code(tuple, tupdesc, rel, c->export_office, c->export_office_is_text, &expo) &&
			get_code(tuple, tupdesc, rel, c->return_office, c->return_office_is_text, &reto) &&
			!cbr_cross_customs_allowed(sup, expo, reto, returned))
		{
			List	   *steps = NIL;
			ListCell   *lc;
			StringInfoData why;
			char		supbuf[5];
			char		expbuf[5];
			char		retbuf[5];

			(void) cbr_cross_customs_decide(sup, expo, reto, returned, &steps);
			initStringInfo(&why);
			foreach(lc, steps)
			{
				CbrStep    *st = (CbrStep *) lfirst(lc);

				if (!st->passed && st->seen)
					appendStringInfo(&why, "%s%s: %s", why.len ? "; " : " Failed: ",
									 st->rule_id, st->seen);
			}
			cbr_format_code4(sup, supbuf);
			cbr_format_code4(expo, expbuf);
			cbr_format_code4(reto, retbuf);
			ereport(ERROR,
					(errcode(ERRCODE_CBRETURN_CROSS_CUSTOMS),
					 errmsg("cross-customs return through office %s of goods exported through office %s is not allowed by R-EX-5",
							retbuf, expbuf),
					 errdetail("%ssupervision code %s, exported through %s, returned through %s on %s.%s%s",
							   cbr_row_identity(rel, tuple), supbuf, expbuf, retbuf,
							   cbr_date_text(returned), why.data, why.len ? "." : ""),
					 errhint("Return the goods through a customs office of district %.2s; a return through another district is allowed only for 9610 retail exports, in a pilot district from 2024-12-15 or anywhere from 2026-04-01.",
							 expbuf),
					 errtablecol(rel, c->return_office)));
		}
	}

	/* The deadline column, when attached, always holds the R-EX-1 deadline. */
	if (c->deadline)
	{
		replace_cols[nreplace] = c->deadline;
		replace_vals[nreplace] = has_deadline ? DateADTGetDatum(deadline) : (Datum) 0;
		replace_nulls[nreplace] = !has_deadline;
		nreplace++;
	}

	if (nreplace > 0)
		tuple = heap_modify_tuple_by_cols(tuple, tupdesc, nreplace,
										  replace_cols, replace_vals, replace_nulls);
	return PointerGetDatum(tuple);
}

/* ---------------------------------------------------------------------
 * Import returns: R-IM-1
 * --------------------------------------------------------------------- */

typedef struct ImportCache
{
	AttrNumber	released;
	AttrNumber	applied;
	AttrNumber	arrived;
} ImportCache;

/* One R-IM-1 window: "what" happened on "when", within "days" of release. */
static void
check_import_window(Relation rel, HeapTuple tuple, AttrNumber attnum, DateADT released,
					DateADT when, int days, const char *what)
{
	DateADT		deadline;

	if (!cbr_add_days(released, days, &deadline))
		cbr_report_date_out_of_range("release date", released);
	if (when > deadline)
		ereport(ERROR,
				(errcode(ERRCODE_CBRETURN_WINDOW),
				 errmsg("%s on %s is after the R-IM-1 deadline %s",
						what, cbr_date_text(when), cbr_date_text(deadline)),
				 errdetail("%sreleased on %s, %s on %s; the window is %d days from the release date.",
						   cbr_row_identity(rel, tuple), cbr_date_text(released), what,
						   cbr_date_text(when), days),
				 errhint("The %s is accepted on or before %s.", what, cbr_date_text(deadline)),
				 errtablecol(rel, attnum)));
	if (when < released)
		ereport(ERROR,
				(errcode(ERRCODE_CBRETURN_WINDOW),
				 errmsg("%s on %s is before the release date %s (R-IM-1)",
						what, cbr_date_text(when), cbr_date_text(released)),
				 errdetail("%sreleased on %s, %s on %s.", cbr_row_identity(rel, tuple),
						   cbr_date_text(released), what, cbr_date_text(when)),
				 errhint("The %s is accepted from %s to %s.", what,
						 cbr_date_text(released), cbr_date_text(deadline)),
				 errtablecol(rel, attnum)));
}

/* Builds the ImportCache of the import check on rel (see check_config). */
static void *
import_build(const CbrCheckMeta *meta, Relation rel, MemoryContext cxt)
{
	ImportCache *c = MemoryContextAllocZero(cxt, sizeof(ImportCache));
	Oid			date_t[1] = {DATEOID};

	c->released = cbr_role_column(meta, "released_on", rel, date_t, 1, true);
	c->applied = cbr_role_column(meta, "applied_on", rel, date_t, 1, false);
	c->arrived = cbr_role_column(meta, "arrived_on", rel, date_t, 1, false);
	return c;
}

PG_FUNCTION_INFO_V1(cbr_import_return_check);

/*
 * cbreturn.import_return_check(): AFTER (or BEFORE) INSERT OR UPDATE FOR
 * EACH ROW; it only reads the row, so attach creates it AFTER (see the file
 * header).
 *
 * R-IM-1 (GACC 2020 No. 45): the return application within 30 days and the
 * arrival at the original site within 45 days of the release date of the
 * import list, calendar days counted by R-P-1.  NULL dates skip their check.
 */
Datum
cbr_import_return_check(PG_FUNCTION_ARGS)
{
	TriggerData *trigdata = cbr_trigger_protocol(fcinfo, "import_return_check", CBR_FIRE_EITHER, false);
	Relation	rel = trigdata->tg_relation;
	TupleDesc	tupdesc = RelationGetDescr(rel);
	HeapTuple	tuple = TRIGGER_FIRED_BY_UPDATE(trigdata->tg_event)
		? trigdata->tg_newtuple : trigdata->tg_trigtuple;
	ImportCache *c = (ImportCache *) check_config(fcinfo, rel, CBR_CHECK_IMPORT, import_build);
	DateADT		released;
	DateADT		d;

	if (get_date(tuple, tupdesc, c->released, &released))
	{
		if (get_date(tuple, tupdesc, c->applied, &d))
			check_import_window(rel, tuple, c->applied, released, d,
								CBR_IMPORT_APPLY_DAYS, "return application");
		if (get_date(tuple, tupdesc, c->arrived, &d))
			check_import_window(rel, tuple, c->arrived, released, d,
								CBR_IMPORT_ARRIVAL_DAYS, "arrival");
	}
	return PointerGetDatum(tuple);
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

PG_FUNCTION_INFO_V1(cbr_status_check);

/*
 * cbreturn.status_check(): BEFORE INSERT OR UPDATE FOR EACH ROW.
 *
 * Rules section 6 (seed 000): a return is registered, declared, shipped,
 * arrives, is inspected and is released or rejected.  A status never goes
 * backwards (released and rejected are final), a stage's time is not set
 * before the stage is reached, and a later stage never has an earlier time.
 */
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
