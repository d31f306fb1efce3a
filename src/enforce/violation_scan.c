/*
 * violation_scan.c
 *		Existing rows (issue 12, item 5): cbreturn.violations(),
 *		cbreturn.validate() and the end of attach (cbreturn._attach_validate).
 *
 * Each calls the checks' own trigger functions on every stored row (as an
 * INSERT, BEFORE the row is written) with a collector set
 * (cbr_collector, violation_int.h): violations() collects what they would
 * raise, validate() raises the first such error, as ALTER TABLE ...
 * VALIDATE CONSTRAINT does.  So existing rows are judged by the very code
 * that judges a write, one decision per rule; the report path they go
 * through is violation.c.
 */
#include "enforce/violation_int.h"
#include "enforce/header.h"

#include "access/htup_details.h"
#include "access/relation.h"
#include "access/table.h"
#include "access/tableam.h"
#include "catalog/pg_inherits.h"
#include "catalog/pg_type.h"
#include "executor/executor.h"
#include "executor/spi.h"
#include "funcapi.h"
#include "miscadmin.h"
#include "nodes/bitmapset.h"
#include "utils/acl.h"
#include "utils/builtins.h"
#include "utils/lsyscache.h"
#include "utils/memutils.h"
#include "utils/rel.h"
#include "utils/relcache.h"
#include "utils/rls.h"
#include "utils/snapmgr.h"
#include "utils/tuplestore.h"

/* The trigger functions of the checks (export_check.c, import_check.c, status_check.c). */
extern PGDLLEXPORT Datum export_return_check(PG_FUNCTION_ARGS);
extern PGDLLEXPORT Datum import_return_check(PG_FUNCTION_ARGS);
extern PGDLLEXPORT Datum status_check(PG_FUNCTION_ARGS);

/* "while checking the existing rows of table …" on an error of the scan */
static void
cbr_scan_error_context(void *arg)
{
	/* in cbreturn's message language, as its ereport()s are (src/cbreturn.h) */
	cbr_language_begin();
	errcontext("checking the existing rows of table %s", (const char *) arg);
	cbr_language_end();
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
	/* an assessment over the table (assess_scan.c) reads the row instead */
	if (cbr_collector->row_fn != NULL)
		cbr_collector->row_fn(&td, cbr_collector->row_arg);
	for (k = 0; k < a->nkinds && cbr_collector->row_fn == NULL; k++)
	{
		LOCAL_FCINFO(fcinfo, 0);

		InitFunctionCallInfoData(*fcinfo, &flinfo[k], 0, InvalidOid, (Node *) &td, NULL);
		(void) FunctionCallInvoke(fcinfo);
	}
}

/* What a scan of one table's rows needs at each row. */
typedef struct CbrRowScan
{
	Relation	rel;
	const AttachedChecks *a;
	FmgrInfo	flinfo[CBR_CHECK_KINDS];	/* the checks' trigger functions */
	MemoryContext rowcxt;		/* reset at each row */
	TupleTableSlot *slot;
	Snapshot	snapshot;
} CbrRowScan;

/* Without row security for the caller: a plain scan of the table. */
static uint64
cbr_scan_heap(CbrRowScan *rs)
{
	TableScanDesc scan = table_beginscan(rs->rel, rs->snapshot, 0, NULL);
	MemoryContext oldcxt;
	uint64		n = 0;

	while (table_scan_getnextslot(scan, ForwardScanDirection, rs->slot))
	{
		bool		shouldfree;
		HeapTuple	tuple;

		CHECK_FOR_INTERRUPTS();
		MemoryContextReset(rs->rowcxt);
		oldcxt = MemoryContextSwitchTo(rs->rowcxt);
		tuple = ExecFetchSlotHeapTuple(rs->slot, false, &shouldfree);
		cbr_judge_row(rs->rel, rs->a, rs->flinfo, tuple);
		MemoryContextSwitchTo(oldcxt);
		n++;
	}
	table_endscan(scan);
	return n;
}

/*
 * With row security for the caller: the rows a query of the caller returns
 * through via (its policies applied), fetched by their ctid.
 */
static uint64
cbr_scan_visible(CbrRowScan *rs, Relation via)
{
	Relation	rel = rs->rel;
	Portal		portal;
	MemoryContext oldcxt;
	uint64		n = 0;
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
			MemoryContextReset(rs->rowcxt);
			oldcxt = MemoryContextSwitchTo(rs->rowcxt);
			if (table_tuple_fetch_row_version(rel, tid, rs->snapshot, rs->slot))
			{
				cbr_judge_row(rel, rs->a, rs->flinfo, ExecFetchSlotHeapTuple(rs->slot, false, &shouldfree));
				n++;
			}
			MemoryContextSwitchTo(oldcxt);
		}
		SPI_freetuptable(SPI_tuptable);
	}
	SPI_cursor_close(portal);
	SPI_finish();
	return n;
}

/*
 * Every row of rel the caller may see, judged by the checks a.  Without row
 * security a plain scan of the table; with row security for the caller the
 * rows are those a query of the caller returns (its policies applied),
 * fetched by their ctid.  Returns the number of rows judged.
 */
static uint64
cbr_scan_rows(Relation rel, Relation via, const AttachedChecks *a, CbrCollector *col)
{
	CbrRowScan rs;
	CbrCollector *volatile saved = cbr_collector;
	ErrorContextCallback errcb;
	volatile uint64 n = 0;
	int			k;

	rs.rel = rel;
	rs.a = a;
	rs.snapshot = GetActiveSnapshot();
	for (k = 0; k < a->nkinds; k++)
	{
		memset(&rs.flinfo[k], 0, sizeof(FmgrInfo));
		rs.flinfo[k].fn_addr = a->kinds[k] == CBR_CHECK_EXPORT ? export_return_check
			: a->kinds[k] == CBR_CHECK_IMPORT ? import_return_check : status_check;
		rs.flinfo[k].fn_oid = InvalidOid;
		rs.flinfo[k].fn_nargs = 0;
		rs.flinfo[k].fn_mcxt = CurrentMemoryContext;
	}
	rs.rowcxt = AllocSetContextCreate(CurrentMemoryContext, "cbreturn existing row", ALLOCSET_DEFAULT_SIZES);
	rs.slot = table_slot_create(rel, NULL);
	errcb.callback = cbr_scan_error_context;
	errcb.arg = cbr_relation_text(RelationGetRelid(rel));
	errcb.previous = error_context_stack;
	error_context_stack = &errcb;
	cbr_collector = col;
	PG_TRY();
	{
		if (check_enable_rls(RelationGetRelid(via), InvalidOid, false) != RLS_ENABLED)
			n = cbr_scan_heap(&rs);
		else
			n = cbr_scan_visible(&rs, via);
	}
	PG_FINALLY();
	{
		cbr_collector = saved;
	}
	PG_END_TRY();
	error_context_stack = errcb.previous;
	ExecDropSingleTupleTableSlot(rs.slot);
	MemoryContextDelete(rs.rowcxt);
	return n;
}

/*
 * The rows of rel judged by the checks each row's table carries: rel itself,
 * or, for a partitioned table, every leaf partition with the checks it
 * carries itself or through an ancestor (issue 12), its rows as a query of
 * rel sees them (rel's row security).
 */
uint64
cbr_scan_table(Relation rel, const char *only, CbrCollector *col)
{
	AttachedChecks a;
	ListCell   *lc;
	uint64		n = 0;
	uint64		m;
	int			k;

	if (rel->rd_rel->relkind != RELKIND_PARTITIONED_TABLE)
	{
		cbr_attached_checks(RelationGetRelid(rel), only, &a);
		col->relid = RelationGetRelid(rel);
		n = a.nkinds > 0 ? cbr_scan_rows(rel, rel, &a, col) : 0;
		for (k = 0; k < a.nkinds; k++)
			col->rows[a.kinds[k]] += n;
		return n;
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
		{
			m = cbr_scan_rows(leaf, rel, &a, col);
			/* a leaf's rows count for the kinds it carries (its own or its ancestors') */
			for (k = 0; k < a.nkinds; k++)
				col->rows[a.kinds[k]] += m;
			n += m;
		}
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
						cbr_relation_text(RelationGetRelid(rel))),
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
							cbr_relation_text(RelationGetRelid(rel)), cbr_relation_text(lfirst_oid(lc))),
					 errhint("Check the rows of that partition where they are stored, or detach the partition, then validate.")));
	}
}

/* Open a table whose existing rows are judged: an ordinary or partitioned table. */
Relation
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
				 errmsg("%s is not a table", cbr_relation_text(relid))));
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
	CbrCollector col = {0};

	InitMaterializedSRF(fcinfo, 0);
	/* a table checks can be attached to, as validate() requires it */
	cbr_metadata_require_table(PG_GETARG_OID(0));
	/* the rows of a Citus table are on its shards, not here */
	cbr_citus_refuse_option(PG_GETARG_OID(0), "cbreturn.violations()");
	rel = cbr_open_checked(PG_GETARG_OID(0));
	cbr_row_checks(rel, NULL, &a);
	cbr_require_select(rel, &a);
	/* nothing that judges a row: validate()'s error, not an empty list */
	cbr_require_row_checks(rel, NULL, &a);
	col.relid = RelationGetRelid(rel);
	col.capture = true;
	col.store = rsinfo->setResult;
	col.desc = rsinfo->setDesc;
	(void) cbr_scan_table(rel, NULL, &col);
	relation_close(rel, NoLock);
	return (Datum) 0;
}

/*
 * The check of kind on relid, or on a partition of it (checks attached to
 * each partition), is validated now (cbreturn.attached_checks.validated_at):
 * every row it judges was read.  A check on an ancestor judges rows this
 * scan did not read.
 */
static void
cbr_mark_validated(Oid relid, CbrCheckKind kind)
{
	Oid			argtypes[2] = {REGCLASSOID, TEXTOID};
	Datum		args[2];

	args[0] = ObjectIdGetDatum(relid);
	args[1] = CStringGetTextDatum(cbr_check_kind_names[kind]);
	cbr_metadata_write(
		"UPDATE cbreturn.attached_check SET validated_at = pg_catalog.statement_timestamp()"
		" WHERE (relation OPERATOR(pg_catalog.=) $1"
		"        OR relation IN (SELECT t.relid FROM pg_catalog.pg_partition_tree($1) t))"
		"   AND check_kind OPERATOR(pg_catalog.=) $2",
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
	CbrCollector col = {0};
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
	cbr_row_checks(rel, only, &a);
	cbr_require_select(rel, &a);
	/* nothing that judges a row: the error violations() raises too */
	cbr_require_row_checks(rel, only, &a);
	col.relid = relid;
	col.capture = false;
	col.store = NULL;
	col.desc = NULL;
	cbr_validate_require_every_row(rel);
	(void) cbr_scan_table(rel, only, &col);
	for (k = 0; k < a.nkinds; k++)
	{
		Datum		values[2];
		bool		nulls[2] = {false, false};

		cbr_mark_validated(relid, a.kinds[k]);
		values[0] = CStringGetTextDatum(cbr_check_kind_names[a.kinds[k]]);
		values[1] = Int64GetDatum((int64) col.rows[a.kinds[k]]);
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
							 cbr_relation_text(relid)),
					true, 1) != SPI_OK_SELECT)
		elog(ERROR, "counting the rows of %s failed", cbr_relation_text(relid));
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
	CbrCollector col = {0};
	uint64		n;
	char	   *answer;

	cbr_require_table_and_kind(fcinfo);
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
			const char *table = quote_literal_cstr(cbr_relation_text(relid));

			relation_close(rel, NoLock);
			/* in the language of cbreturn's messages (cbreturn.language), as its errors */
			cbr_language_begin();
			answer = psprintf(dngettext(TEXTDOMAIN, "existing rows not validated: %llu row left unchecked; SELECT * FROM cbreturn.validate(%s, '%s') checks it",
										"existing rows not validated: %llu rows left unchecked; SELECT * FROM cbreturn.validate(%s, '%s') checks them",
										(unsigned long) n),
							  (unsigned long long) n, table, kind);
			cbr_language_end();
			PG_RETURN_TEXT_P(cstring_to_text(answer));
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
	cbr_language_begin();
	answer = n == 0 ? pstrdup(_("existing rows validated: the table has no rows"))
		: psprintf(dngettext(TEXTDOMAIN, "existing rows validated: %llu row checked",
							 "existing rows validated: %llu rows checked", (unsigned long) n),
				   (unsigned long long) n);
	cbr_language_end();
	PG_RETURN_TEXT_P(cstring_to_text(answer));
}
