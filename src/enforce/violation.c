/*
 * violation.c
 *		Record mode, ordinary (taxed) returns and existing rows (issue 12,
 *		items 4 and 5): what a write-time check does with a row that breaks
 *		one of its rules.  This file holds the report path every check calls
 *		(refuse, record into cbreturn.violation_log, or collect for
 *		violations()) and the export check's rules taken one at a time; the
 *		options it reads are kept by violation_options.c, set by
 *		violation_set.c, and the scan of the rows already stored is
 *		violation_scan.c.
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
#include "enforce/violation_int.h"

#include "access/genam.h"
#include "access/htup_details.h"
#include "access/nbtree.h"
#include "access/relscan.h"
#include "access/tableam.h"
#include "access/xact.h"
#include "catalog/pg_type.h"
#include "executor/spi.h"
#include "lib/stringinfo.h"
#include "miscadmin.h"
#include "nodes/bitmapset.h"
#include "utils/acl.h"
#include "utils/builtins.h"
#include "utils/fmgrprotos.h"
#include "utils/snapmgr.h"
#include "utils/json.h"
#include "utils/lsyscache.h"
#include "utils/memutils.h"
#include "utils/rel.h"
#include "utils/relcache.h"
#include "utils/resowner.h"
#include "utils/rls.h"
#include "utils/tuplestore.h"

/* check_kind as cbreturn.attached_check spells it, by CbrCheckKind */
const char *const cbr_check_kind_names[CBR_CHECK_KINDS] = {"export", "import", "status"};

/* The scan of existing rows in progress in this backend, if any (violation_scan.c). */
CbrCollector *cbr_collector = NULL;

struct CbrViolations
{
	Relation	rel;
	CbrCheckKind kind;
	const CbrCheckOptions *opt;
	CbrCollector *collect;		/* scanning existing rows */
	bool		capture;		/* catch the error of a verdict (record or collect) */
};

CbrViolations *
cbr_violations_begin(Relation rel, CbrCheckKind kind)
{
	const CbrCheckOptions *opt = cbr_check_options(rel, kind);
	CbrCollector *col = cbr_collector != NULL &&
		cbr_collector->relid == RelationGetRelid(rel) ? cbr_collector : NULL;
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
Datum
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
	/* the words the DETAIL began with, in the language it was written in */
	prefix = cbr_row_identity(rel, tuple);
	len = strlen(prefix);
	if (len == 0 || strncmp(detail, prefix, len) != 0)
	{
		/* cbr_row_identity_seen's words for a row whose key the writer may not see */
		cbr_language_begin();
		prefix = psprintf(_("A row of %s: "), cbr_relation_text(RelationGetRelid(rel)));
		cbr_language_end();
		len = strlen(prefix);
		if (strncmp(detail, prefix, len) != 0)
			len = 0;
	}
	return pstrdup(detail + len);
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

/*
 * Does a row with the primary key of tuple exist already, or is one being
 * written (a dirty snapshot, as PostgreSQL's own unique check reads)?
 */
static bool
cbr_row_key_taken(Relation rel, HeapTuple tuple)
{
#if PG_VERSION_NUM >= 180000
	Oid			pk = RelationGetPrimaryKeyIndex(rel, true);
#else
	Oid			pk = RelationGetPrimaryKeyIndex(rel);
#endif
	ScanKeyData sk[INDEX_MAX_KEYS];
	SnapshotData dirty;
	Relation	irel;
	IndexScanDesc scan;
	TupleTableSlot *slot;
	bool		found = false;
	int			n;
	int			i;

	if (!OidIsValid(pk))
		return false;
	irel = index_open(pk, AccessShareLock);
	n = IndexRelationGetNumberOfKeyAttributes(irel);
	for (i = 0; i < n; i++)
	{
		AttrNumber	att = irel->rd_index->indkey.values[i];
		Oid			type = irel->rd_opcintype[i];
		Oid			op = get_opfamily_member(irel->rd_opfamily[i], type, type, BTEqualStrategyNumber);
		bool		isnull;
		Datum		d = att > 0 ? heap_getattr(tuple, att, RelationGetDescr(rel), &isnull) : (Datum) 0;

		if (att <= 0 || isnull || !OidIsValid(op))
		{
			index_close(irel, AccessShareLock);
			return false;
		}
		ScanKeyEntryInitialize(&sk[i], 0, i + 1, BTEqualStrategyNumber, type,
							   irel->rd_indcollation[i], get_opcode(op), d);
	}
	InitDirtySnapshot(dirty);
	slot = table_slot_create(rel, NULL);
	scan = cbr_index_beginscan(rel, irel, &dirty, n, 0);
	index_rescan(scan, sk, n, NULL, 0);
	found = index_getnext_slot(scan, ForwardScanDirection, slot);
	index_endscan(scan);
	ExecDropSingleTupleTableSlot(slot);
	index_close(irel, AccessShareLock);
	return found;
}

/*
 * Record mode: one entry of cbreturn.violation_log, written as its owner.
 * A check that runs BEFORE INSERT (one that fills a column, the status
 * check) logs a row that is not stored yet; when a row with its primary key
 * exists already the INSERT either fails (and the entry with it) or is
 * turned by ON CONFLICT into nothing, or into an UPDATE whose own check
 * logs what it stores: nothing is logged for it.
 */
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
	TriggerData *t = cbr_noted_trigger();

	if (t != NULL && t->tg_relation == s->rel && TRIGGER_FIRED_BEFORE(t->tg_event) &&
		TRIGGER_FIRED_BY_INSERT(t->tg_event) && cbr_row_key_taken(s->rel, tuple))
		return;
	args[0] = ObjectIdGetDatum(RelationGetRelid(s->rel));
	args[1] = CStringGetTextDatum(cbr_check_kind_names[s->kind]);
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
	CbrCollector *col = s->collect;
	Datum		values[8];
	bool		nulls[8] = {false, false, false, false, false, false, false, false};
	char	   *detail = cbr_detail_without_row(s->rel, tuple, edata->detail);

	/* the caller may read the table, through its policies (see cbr_scan_rows) */
	values[0] = cbr_row_key(s->rel, tuple, GetUserId(), false, &nulls[0]);
	values[1] = CStringGetTextDatum(cbr_check_kind_names[s->kind]);
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
cbr_catch_error(CbrRaiseVerdict raise, void *arg)
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
	return edata;
}

static ErrorData *
cbr_catch_verdict(CbrViolations *s, CbrRaiseVerdict raise, void *arg)
{
	ErrorData  *edata = cbr_catch_error(raise, arg);

	if (edata == NULL)
		elog(ERROR, "a verdict of the %s check was not raised", cbr_check_kind_names[s->kind]);
	return edata;
}

TriggerData *
cbr_stored_row_call(Relation rel, HeapTuple tuple)
{
	TriggerData *td = palloc0(sizeof(TriggerData));

	td->type = T_TriggerData;
	td->tg_event = TRIGGER_EVENT_DELETE | TRIGGER_EVENT_ROW | TRIGGER_EVENT_AFTER;
	td->tg_relation = rel;
	td->tg_trigtuple = tuple;
	return td;
}

char *
cbr_verdict_message(CbrRaiseVerdict raise, void *arg)
{
	ErrorData  *edata = cbr_catch_error(raise, arg);

	if (edata == NULL)
		return NULL;
	if (!cbr_is_row_finding(edata->sqlerrcode))
		ReThrowError(edata);
	return edata->message;
}

void
cbr_violation_report(CbrViolations *s, HeapTuple tuple, const char *rule_id,
					 CbrRaiseVerdict raise, void *arg)
{
	ErrorData  *edata;

	if (s == NULL || !s->capture)
	{
		raise(arg);
		elog(ERROR, "a verdict of the %s check was not raised", s ? cbr_check_kind_names[s->kind] : "?");
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
		elog(ERROR, "a verdict of the %s check was not raised", s ? cbr_check_kind_names[s->kind] : "?");
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
