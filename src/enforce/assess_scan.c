/*
 * assess_scan.c
 *		The one-call assessment over a table (issue 12, item 7):
 *		cbreturn.assess_export_returns() and cbreturn.assess_import_returns().
 *
 * Nothing is read or decided here that is not read or decided elsewhere:
 * the stored rows are those cbreturn.violations() reads (violation_scan.c:
 * the caller's rights, its row security, every partition), each row's facts
 * are those the attached check reads (cbr_export_facts, cbr_import_facts:
 * its columns, reason labels of R-V-1, a timestamp as its China date by
 * R-T-1, the declaration header, the ordinary-return column), and the
 * assessment is cbreturn.assess_export_return / assess_import_return
 * itself, called through fmgr (src/sql_api/assess.c).  So a row's
 * assessment here is the scalar function's on the same facts.
 */
#include "enforce/violation_int.h"
#include "enforce/assess.h"

#include "access/htup_details.h"
#include "access/relation.h"
#include "catalog/pg_type.h"
#include "funcapi.h"
#include "miscadmin.h"
#include "nodes/makefuncs.h"
#include "parser/parse_func.h"
#include "utils/builtins.h"
#include "utils/rel.h"
#include "utils/tuplestore.h"

/* One scan: the scalar assessment function, its day arguments and the result. */
typedef struct AssessScan
{
	FmgrInfo	fn;
	Datum		as_of;
	bool		as_of_null;
	Datum		soon;
	bool		soon_null;
	Tuplestorestate *store;
	TupleDesc	desc;
} AssessScan;

#define EXPORT_NARGS 13
#define IMPORT_NARGS 6

void
cbr_assess_header_denied(Relation rel, Oid header)
{
	ereport(ERROR,
			(errcode(ERRCODE_INSUFFICIENT_PRIVILEGE),
			 errmsg("permission denied for table %s", cbr_relation_text(header)),
			 errdetail("The check on table %s reads facts of its returns from this header, and the assessment shows what follows from them.",
					   cbr_relation_text(RelationGetRelid(rel))),
			 errhint("Assess as a role that may read the header columns the check reads, with no row security applying to it there.")));
}

static inline void
assess_arg(FunctionCallInfo fc, int i, Datum d, bool isnull)
{
	fc->args[i].value = isnull ? (Datum) 0 : d;
	fc->args[i].isnull = isnull;
}

/* One result row: the row's key, its ctid and the assessment (rel is the row's table). */
static void
assess_put(AssessScan *as, TriggerData *td, FunctionCallInfo fc)
{
	Datum		values[3];
	bool		nulls[3] = {false, false, false};
	HeapTuple	tuple = td->tg_trigtuple;

	values[2] = FunctionCallInvoke(fc);
	nulls[2] = fc->isnull;
	/* the caller may read the table, through its policies (cbr_scan_rows) */
	values[0] = cbr_row_key(td->tg_relation, tuple, GetUserId(), false, &nulls[0]);
	values[1] = PointerGetDatum(&tuple->t_self);
	tuplestore_putvalues(as->store, as->desc, values, nulls);
}

/*
 * The reason the export check holds a row to: its reason column's, else
 * (no reason column, or NULL there) that of the remark code, as R-EX-2
 * reads the remarks (cbr_decide_remarks, src/rules/export.c).
 */
static bool
assess_export_reason(const CbrExportRow *row, CbrReason *reason)
{
	if (row->reason_state == CBR_VALUE_OK)
	{
		*reason = row->reason;
		return true;
	}
	return row->remarks != NULL && !cbr_remarks_blank(row->remarks, row->remarks_len) &&
		cbr_reason_from_remarks(row->remarks, row->remarks_len, reason);
}

/*
 * One export row: assess_export_return(code, exported_on, reason,
 * returned_on, as_of, export_office, return_office, is_food,
 * original_state, left_special_area_on, rebate_claimed, due_soon_days,
 * ordinary) on its facts.  is_food and original_state are no role of the
 * check: NULL, and so listed in missing; rebate_claimed its default.
 */
static void
assess_export_row(TriggerData *td, void *arg)
{
	AssessScan *as = (AssessScan *) arg;
	CbrExportRow row;
	CbrReason reason = CBR_REASON_UNSOLD;
	bool		has_reason;
	bool		ordinary;
	LOCAL_FCINFO(fc, EXPORT_NARGS);

	cbr_export_facts(td, &row, &ordinary);
	has_reason = assess_export_reason(&row, &reason);
	InitFunctionCallInfoData(*fc, &as->fn, EXPORT_NARGS, InvalidOid, NULL, NULL);
	assess_arg(fc, 0, Int16GetDatum(row.code[0]), row.code_state[0] != CBR_VALUE_OK);
	assess_arg(fc, 1, DateADTGetDatum(row.exported), !row.has_exported);
	assess_arg(fc, 2, has_reason ? ObjectIdGetDatum(cbr_reason_to_oid(reason)) : (Datum) 0, !has_reason);
	assess_arg(fc, 3, DateADTGetDatum(row.returned), !row.has_returned);
	assess_arg(fc, 4, as->as_of, as->as_of_null);
	assess_arg(fc, 5, Int16GetDatum(row.code[1]), row.code_state[1] != CBR_VALUE_OK);
	assess_arg(fc, 6, Int16GetDatum(row.code[2]), row.code_state[2] != CBR_VALUE_OK);
	assess_arg(fc, 7, (Datum) 0, true);
	assess_arg(fc, 8, (Datum) 0, true);
	assess_arg(fc, 9, DateADTGetDatum(row.left), !row.has_left);
	assess_arg(fc, 10, BoolGetDatum(false), false);
	assess_arg(fc, 11, as->soon, as->soon_null);
	assess_arg(fc, 12, BoolGetDatum(ordinary), false);
	assess_put(as, td, fc);
}

/* One import row: assess_import_return(released_on, applied_on, arrived_on, as_of, due_soon_days, ordinary). */
static void
assess_import_row(TriggerData *td, void *arg)
{
	AssessScan *as = (AssessScan *) arg;
	Datum		date[3];
	bool		isnull[3];
	bool		ordinary;
	int			i;
	LOCAL_FCINFO(fc, IMPORT_NARGS);

	cbr_import_facts(td, date, isnull, &ordinary);
	InitFunctionCallInfoData(*fc, &as->fn, IMPORT_NARGS, InvalidOid, NULL, NULL);
	for (i = 0; i < 3; i++)
		assess_arg(fc, i, date[i], isnull[i]);
	assess_arg(fc, 3, as->as_of, as->as_of_null);
	assess_arg(fc, 4, as->soon, as->soon_null);
	assess_arg(fc, 5, BoolGetDatum(ordinary), false);
	assess_put(as, td, fc);
}

/* The scalar assessment function of kind, looked up by its signature (sql/45_assess.sql). */
static Oid
assess_function(CbrCheckKind kind)
{
	Oid			argtypes[EXPORT_NARGS];
	int			i;

	if (kind == CBR_CHECK_IMPORT)
	{
		for (i = 0; i < 4; i++)
			argtypes[i] = DATEOID;
		argtypes[4] = INT4OID;
		argtypes[5] = BOOLOID;
		return LookupFuncName(list_make2(makeString("cbreturn"), makeString("assess_import_return")),
							  IMPORT_NARGS, argtypes, false);
	}
	argtypes[0] = cbr_type_oid("supervision_code");
	argtypes[1] = argtypes[3] = argtypes[4] = argtypes[9] = DATEOID;
	argtypes[2] = cbr_type_oid("return_reason");
	argtypes[5] = argtypes[6] = cbr_type_oid("customs_code");
	argtypes[7] = argtypes[8] = argtypes[10] = argtypes[12] = BOOLOID;
	argtypes[11] = INT4OID;
	return LookupFuncName(list_make2(makeString("cbreturn"), makeString("assess_export_return")),
						  EXPORT_NARGS, argtypes, false);
}

/*
 * ("table" regclass, as_of date, due_soon_days integer) -> (row_key jsonb,
 * row_ctid tid, assessment): every stored row of the table that the caller
 * may see, assessed by the check of kind attached to it.
 */
static void
assess_scan(FunctionCallInfo fcinfo, CbrCheckKind kind, const char *fname, const char *attach)
{
	ReturnSetInfo *rsinfo = (ReturnSetInfo *) fcinfo->resultinfo;
	const char *kname = cbr_check_kind_names[kind];
	Relation	rel;
	AttachedChecks a;
	CbrCollector col = {0};
	AssessScan as;

	InitMaterializedSRF(fcinfo, 0);
	if (PG_ARGISNULL(0))
		ereport(ERROR,
				(errcode(ERRCODE_NULL_VALUE_NOT_ALLOWED),
				 errmsg("the table must not be NULL")));
	/* the rows of a Citus table are on its shards, not here */
	cbr_citus_refuse_option(PG_GETARG_OID(0), fname);
	rel = cbr_open_checked(PG_GETARG_OID(0));
	cbr_attached_checks(RelationGetRelid(rel), kname, &a);
	if (a.nkinds == 0)
		ereport(ERROR,
				(errcode(ERRCODE_OBJECT_NOT_IN_PREREQUISITE_STATE),
				 errmsg("no %s check is attached to table %s", kname, cbr_relation_text(RelationGetRelid(rel))),
				 errhint("The assessment reads the columns that %s names; attach the check first.", attach)));
	cbr_require_select(rel, &a);
	fmgr_info(assess_function(kind), &as.fn);
	as.as_of_null = PG_ARGISNULL(1);
	as.as_of = as.as_of_null ? (Datum) 0 : PG_GETARG_DATUM(1);
	as.soon_null = PG_ARGISNULL(2);
	as.soon = as.soon_null ? (Datum) 0 : PG_GETARG_DATUM(2);
	as.store = rsinfo->setResult;
	as.desc = rsinfo->setDesc;
	col.relid = RelationGetRelid(rel);
	col.capture = false;		/* bad input raises, as validate() raises it */
	col.row_fn = kind == CBR_CHECK_EXPORT ? assess_export_row : assess_import_row;
	col.row_arg = &as;
	(void) cbr_scan_table(rel, kname, &col);
	relation_close(rel, NoLock);
}

/*
 * cbreturn.assess_export_returns("table" regclass, as_of date,
 * due_soon_days integer) RETURNS TABLE (row_key jsonb, row_ctid tid,
 * assessment cbreturn.export_assessment)
 */
PG_FUNCTION_INFO_V1(cbr_assess_export_returns);
Datum
cbr_assess_export_returns(PG_FUNCTION_ARGS)
{
	assess_scan(fcinfo, CBR_CHECK_EXPORT, "cbreturn.assess_export_returns()",
				"cbreturn.attach_export_return_checks()");
	return (Datum) 0;
}

/*
 * cbreturn.assess_import_returns("table" regclass, as_of date,
 * due_soon_days integer) RETURNS TABLE (row_key jsonb, row_ctid tid,
 * assessment cbreturn.import_assessment)
 */
PG_FUNCTION_INFO_V1(cbr_assess_import_returns);
Datum
cbr_assess_import_returns(PG_FUNCTION_ARGS)
{
	assess_scan(fcinfo, CBR_CHECK_IMPORT, "cbreturn.assess_import_returns()",
				"cbreturn.attach_import_return_checks()");
	return (Datum) 0;
}
