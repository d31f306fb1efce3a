/*
 * assess.c
 *		The one-call assessment of a return for reporting (docs/reporting.md):
 *		every deadline, the days left, where the return stands on a day, the
 *		remark code, the cross-customs verdict, the tax relief with its
 *		evidence, and which inputs are missing.
 *
 * Nothing is decided here: each field is the verdict of the decision that
 * the rule's own SQL function asks (src/rules/), and the tax relief is the
 * answer of cbreturn.export_tax_relief itself, called through fmgr, so the
 * assessment and the rule functions cannot disagree.  A NULL input leaves
 * NULL only the fields that need it, and is named in "missing"; bad input
 * raises the error the rule function raises (docs/rules.md, Bad input).
 */
#include "policy/policy.h"
#include "sql_api/sql_api.h"

#include "access/htup_details.h"
#include "catalog/pg_type.h"
#include "executor/executor.h"
#include "funcapi.h"
#include "nodes/makefuncs.h"
#include "parser/parse_func.h"
#include "utils/array.h"
#include "utils/builtins.h"
#include "utils/lsyscache.h"

/* Per call site: the result row descriptor and, for exports, export_tax_relief. */
typedef struct AssessState
{
	TupleDesc	tupdesc;
	FmgrInfo	relief;
	bool		has_relief;
} AssessState;

static AssessState *
assess_state(FunctionCallInfo fcinfo, bool with_relief)
{
	AssessState *st = (AssessState *) fcinfo->flinfo->fn_extra;
	TupleDesc	tupdesc;
	MemoryContext old;

	if (st != NULL)
		return st;
	if (get_call_result_type(fcinfo, NULL, &tupdesc) != TYPEFUNC_COMPOSITE)
		elog(ERROR, "return type must be a row type");
	old = MemoryContextSwitchTo(fcinfo->flinfo->fn_mcxt);
	st = palloc0(sizeof(AssessState));
	st->tupdesc = BlessTupleDesc(CreateTupleDescCopy(tupdesc));
	if (with_relief)
	{
		/*
		 * cbreturn.export_tax_relief(code, exported_on, returned_on, reason,
		 * is_food, original_state, left_special_area_on, rebate_claimed,
		 * ordinary): the types of code and reason are those of this
		 * function's arguments 0 and 2.
		 */
		Oid		   *mine;
		int			nmine;
		Oid			argtypes[9];
		Oid			relief;

		(void) get_func_signature(fcinfo->flinfo->fn_oid, &mine, &nmine);
		argtypes[0] = mine[0];
		argtypes[1] = argtypes[2] = argtypes[6] = DATEOID;
		argtypes[3] = mine[2];
		argtypes[4] = argtypes[5] = argtypes[7] = argtypes[8] = BOOLOID;
		relief = LookupFuncName(list_make2(makeString("cbreturn"), makeString("export_tax_relief")),
								9, argtypes, false);
		fmgr_info_cxt(relief, &st->relief, fcinfo->flinfo->fn_mcxt);
		st->has_relief = true;
	}
	MemoryContextSwitchTo(old);
	fcinfo->flinfo->fn_extra = st;
	return st;
}

/* A text[] of the given C strings (empty when n is 0). */
static Datum
assess_text_array(const char **items, int n)
{
	Datum	   *elems = palloc(sizeof(Datum) * Max(n, 1));
	int			i;

	if (n == 0)
		return PointerGetDatum(construct_empty_array(TEXTOID));
	for (i = 0; i < n; i++)
		elems[i] = CStringGetTextDatum(items[i]);
	return PointerGetDatum(construct_array(elems, n, TEXTOID, -1, false, TYPALIGN_INT));
}

/* due_soon_days: NULL is missing; below 0 the error of return_status (22023). */
static bool
assess_due_soon(FunctionCallInfo fcinfo, int arg, int32 *soon)
{
	if (PG_ARGISNULL(arg))
		return false;
	*soon = PG_GETARG_INT32(arg);
	if (unlikely(*soon < 0))
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
				 errmsg("due_soon_days must be 0 or more"),
				 errdetail("The value given is %d.", *soon)));
	return true;
}

/* The standing of one window on as_of, or the 22008 error of its dates. */
static void
assess_standing(DateADT deadline, bool has_done, DateADT done, DateADT as_of,
				CbrDateRole done_role, CbrStandingVerdict *v)
{
	if (cbr_decide_standing(deadline, has_done, done, as_of, v) != CBR_PASS)
		cbr_report_date_out_of_range(cbr_date_role_name(v->bad == CBR_DATE_RETURNED ? done_role : v->bad),
									 v->bad_value);
}

/* A number of days as an integer; 22003 beyond its range (dates millennia apart). */
static Datum
assess_days(int64 days)
{
	if (days < PG_INT32_MIN || days > PG_INT32_MAX)
		ereport(ERROR,
				(errcode(ERRCODE_NUMERIC_VALUE_OUT_OF_RANGE),
				 errmsg("days left out of range for type integer"),
				 errdetail("The deadline and the day it is counted from are %lld days apart.",
						   (long long) days)));
	return Int32GetDatum((int32) days);
}

/*
 * The items of the evidence text of a tax relief (R-TX-5): its parts
 * separated by "; " (English) or "；" (Chinese: the text follows the
 * language setting).  NULL relief: NULL; not relieved: empty.
 */
static Datum
assess_evidence(Datum relief, bool *isnull)
{
	bool		null;
	Datum		ev = GetAttributeByName(DatumGetHeapTupleHeader(relief), "evidence_required", &null);
	const char *items[16];
	int			n = 0;
	char	   *s;
	char	   *sep;

	*isnull = false;
	if (null)
		return assess_text_array(items, 0);
	s = TextDatumGetCString(ev);
	for (;;)
	{
		char	   *wide = strstr(s, "\xef\xbc\x9b");	/* U+FF1B FULLWIDTH SEMICOLON */
		int			seplen = 2;

		sep = strstr(s, "; ");
		if (wide != NULL && (sep == NULL || wide < sep))
		{
			sep = wide;
			seplen = 3;
		}
		if (sep == NULL || n >= (int) lengthof(items) - 1)
			break;
		*sep = '\0';
		items[n++] = s;
		s = sep + seplen;
	}
	items[n++] = s;
	return assess_text_array(items, n);
}

/* Argument positions of assess_export_return (sql/45_assess.sql). */
enum
{
	EX_CODE, EX_EXPORTED, EX_REASON, EX_RETURNED, EX_AS_OF, EX_EXPORT_OFFICE,
	EX_RETURN_OFFICE, EX_IS_FOOD, EX_ORIGINAL_STATE, EX_LEFT_AREA, EX_REBATE,
	EX_DUE_SOON, EX_ORDINARY, EX_NARGS
};

static const char *const export_arg_names[EX_NARGS] = {
	"code", "exported_on", "reason", "returned_on", "as_of", "export_office",
	"return_office", "is_food", "original_state", "left_special_area_on",
	"rebate_claimed", "due_soon_days", "ordinary"
};

/* Fields of cbreturn.export_assessment. */
enum
{
	EA_DEADLINE, EA_DAYS_LEFT, EA_STATUS, EA_REMARK_CODE, EA_CROSS, EA_RELIEF,
	EA_EVIDENCE, EA_MISSING, EA_NFIELDS
};

/* One call of assess_export_return: its inputs as read, and the row being built. */
typedef struct ExportAssess
{
	FunctionCallInfo fcinfo;
	Datum		values[EA_NFIELDS];
	bool		nulls[EA_NFIELDS];
	bool		has_returned;	/* returned_on NULL: not returned yet */
	DateADT		returned;
	bool		has_reason;
	CbrReason	reason;
	bool		is_1210;
	CbrWindowScope scope;		/* do R-EX-1 and R-EX-2 apply (ordinary)? */
} ExportAssess;

/* Set field f of the row. */
static inline void
ea_set(ExportAssess *a, int f, Datum d)
{
	a->values[f] = d;
	a->nulls[f] = false;
}

/*
 * R-EX-1 with R-P-1: the deadline, and where the return stands on as_of
 * (return_status, return_days_left).  A return date before the export is
 * 22023 for an ordinary return too (it still may not come back before it
 * left), but an ordinary return has no window: its deadline, days and
 * status are those of cbr_decide_window_scope.
 */
static void
ea_window(ExportAssess *a)
{
	FunctionCallInfo fcinfo = a->fcinfo;
	CbrWindowVerdict w;
	CbrStandingVerdict s;
	int32		soon = 0;
	bool		has_soon = assess_due_soon(fcinfo, EX_DUE_SOON, &soon);

	if (a->scope == CBR_WINDOW_ORDINARY)
		ea_set(a, EA_STATUS, CStringGetTextDatum(cbr_return_status_names[CBR_STATUS_ORDINARY]));
	if (!a->has_reason || PG_ARGISNULL(EX_EXPORTED))
		return;
	/* a 1210 return with its departure: the dates in order too, as the export check reads them */
	if ((a->is_1210 && !PG_ARGISNULL(EX_LEFT_AREA)
		 ? cbr_decide_bonded_export_window(PG_GETARG_DATEADT(EX_EXPORTED), PG_GETARG_DATEADT(EX_LEFT_AREA),
										   a->reason, a->has_returned, a->returned, &w)
		 : cbr_decide_export_window(PG_GETARG_DATEADT(EX_EXPORTED), a->reason, a->has_returned, a->returned,
									&w)) != CBR_PASS && w.outcome != CBR_FAIL_WINDOW)
		cbr_report_bad_date(w.outcome, cbr_date_role_name(w.bad), w.bad_value,
							cbr_date_role_name(w.other), w.other_value);
	if (a->scope != CBR_WINDOW_CBEC)
		return;
	ea_set(a, EA_DEADLINE, DateADTGetDatum(w.deadline));
	if (PG_ARGISNULL(EX_AS_OF))
		return;
	assess_standing(w.deadline, a->has_returned, a->returned, PG_GETARG_DATEADT(EX_AS_OF),
					CBR_DATE_RETURNED, &s);
	ea_set(a, EA_DAYS_LEFT, assess_days(s.days_left));
	if (has_soon)
		ea_set(a, EA_STATUS, CStringGetTextDatum(cbr_return_status_names[cbr_standing_status(&s, soon)]));
}

/* R-EX-5, on the return date (it holds for an ordinary return too). */
static void
ea_cross_customs(ExportAssess *a)
{
	FunctionCallInfo fcinfo = a->fcinfo;
	CbrCrossVerdict v;

	if (!a->has_returned || PG_ARGISNULL(EX_CODE) || PG_ARGISNULL(EX_EXPORT_OFFICE) ||
		PG_ARGISNULL(EX_RETURN_OFFICE))
		return;
	(void) cbr_decide_cross_customs(cbr_policy(), PG_GETARG_INT16(EX_CODE),
									PG_GETARG_INT16(EX_EXPORT_OFFICE),
									PG_GETARG_INT16(EX_RETURN_OFFICE), a->returned, &v);
	cbr_report_cross_customs_input(&v, NULL, NULL, NULL);
	ea_set(a, EA_CROSS, BoolGetDatum(v.outcome == CBR_PASS));
}

/*
 * R-TX-1 ... R-TX-6: export_tax_relief's own answer, called through fmgr;
 * an ordinary return (issue 12, item 4): it says the return is taxed, and
 * why.
 */
static void
ea_relief(ExportAssess *a, AssessState *st)
{
	static const int from[9] = {EX_CODE, EX_EXPORTED, EX_RETURNED, EX_REASON, EX_IS_FOOD,
	EX_ORIGINAL_STATE, EX_LEFT_AREA, EX_REBATE, EX_ORDINARY};
	FunctionCallInfo fcinfo = a->fcinfo;
	LOCAL_FCINFO(rfc, 9);
	Datum		relief;
	int			i;

	if (!a->has_returned || !a->has_reason)
		return;
	for (i = 0; i < 9; i++)
		if (PG_ARGISNULL(from[i]) && !(from[i] == EX_LEFT_AREA && !a->is_1210))
			return;
	InitFunctionCallInfoData(*rfc, &st->relief, 9, InvalidOid, NULL, NULL);
	for (i = 0; i < 9; i++)
	{
		rfc->args[i].value = PG_GETARG_DATUM(from[i]);
		rfc->args[i].isnull = PG_ARGISNULL(from[i]);
	}
	relief = FunctionCallInvoke(rfc);
	if (rfc->isnull)
		return;
	ea_set(a, EA_RELIEF, relief);
	a->values[EA_EVIDENCE] = assess_evidence(relief, &a->nulls[EA_EVIDENCE]);
}

/*
 * assess_export_return(code, exported_on, reason, returned_on, as_of,
 * export_office, return_office, is_food, original_state,
 * left_special_area_on, rebate_claimed, due_soon_days, ordinary)
 *		-> cbreturn.export_assessment
 *
 * deadline: R-EX-1 (cbr_decide_export_window, with the order of the dates);
 * days_left and status: as return_days_left and return_status on as_of;
 * remark_code: R-EX-2; cross_customs_allowed: R-EX-5 on the return date
 * (cbr_decide_cross_customs); tax_relief: export_tax_relief itself (R-TX),
 * evidence its R-TX-5 items.  returned_on NULL means not returned yet: the
 * return date's verdicts (cross-customs, relief) are then NULL, and it is not
 * missing.  left_special_area_on is needed only for code 1210 (R-TX-2).  An
 * ordinary return (ordinary => true, issue 12 item 4) has no CBEC window nor
 * remark code: deadline, days_left and remark_code NULL, status 'ordinary';
 * ordinary NULL leaves them unknown, and is missing.
 */
PG_FUNCTION_INFO_V1(assess_export_return);
Datum
assess_export_return(PG_FUNCTION_ARGS)
{
	AssessState *st = assess_state(fcinfo, true);
	ExportAssess a;
	const char *missing[EX_NARGS];
	int			nmissing = 0;
	bool		has_ordinary = PG_NARGS() <= EX_ORDINARY || !PG_ARGISNULL(EX_ORDINARY);
	int			i;

	memset(&a, 0, sizeof(a));
	a.fcinfo = fcinfo;
	for (i = 0; i < EA_NFIELDS; i++)
		a.nulls[i] = true;
	a.has_returned = !PG_ARGISNULL(EX_RETURNED);
	a.returned = a.has_returned ? PG_GETARG_DATEADT(EX_RETURNED) : 0;
	a.has_reason = !PG_ARGISNULL(EX_REASON);
	a.reason = a.has_reason ? cbr_reason_from_oid(PG_GETARG_OID(EX_REASON)) : CBR_REASON_UNSOLD;
	a.is_1210 = !PG_ARGISNULL(EX_CODE) && PG_GETARG_INT16(EX_CODE) == CBR_CODE_1210;
	a.scope = cbr_decide_window_scope(has_ordinary, has_ordinary && PG_NARGS() > EX_ORDINARY &&
									  PG_GETARG_BOOL(EX_ORDINARY));
	for (i = 0; i < Min(EX_NARGS, PG_NARGS()); i++)
		if (PG_ARGISNULL(i) && i != EX_RETURNED && (i != EX_LEFT_AREA || a.is_1210))
			missing[nmissing++] = export_arg_names[i];

	ea_window(&a);
	/* R-EX-2: the remark code of a CBEC return */
	if (a.has_reason && a.scope == CBR_WINDOW_CBEC)
		ea_set(&a, EA_REMARK_CODE, CStringGetTextDatum(cbr_remark_code(a.reason)));
	ea_cross_customs(&a);
	ea_relief(&a, st);
	ea_set(&a, EA_MISSING, assess_text_array(missing, nmissing));
	PG_RETURN_DATUM(HeapTupleGetDatum(heap_form_tuple(st->tupdesc, a.values, a.nulls)));
}

/* Argument positions of assess_import_return. */
enum
{
	IM_RELEASED, IM_APPLIED, IM_ARRIVED, IM_AS_OF, IM_DUE_SOON, IM_ORDINARY, IM_NARGS
};

static const char *const import_arg_names[IM_NARGS] = {
	"released_on", "applied_on", "arrived_on", "as_of", "due_soon_days", "ordinary"
};

/* Fields of cbreturn.import_assessment. */
enum
{
	IA_APPLY_DEADLINE, IA_ARRIVAL_DEADLINE, IA_APPLY_DAYS_LEFT, IA_ARRIVAL_DAYS_LEFT,
	IA_APPLY_STATUS, IA_ARRIVAL_STATUS, IA_STATUS, IA_DAYS_LEFT, IA_ON_TIME, IA_MISSING,
	IA_NFIELDS
};

/*
 * Each R-IM-1 window's days and status on as_of, and the return's over
 * both (cbr_import_standing); the statuses only when due_soon_days is known.
 */
static void
ia_standing(const CbrImportVerdict *v, bool has_applied, DateADT applied, bool has_arrived,
			DateADT arrived, DateADT as_of, bool has_soon, int32 soon, Datum *values, bool *nulls)
{
	CbrStandingVerdict sa;
	CbrStandingVerdict sb;
	int64		days;
	CbrReturnStatus s;

	assess_standing(v->apply.deadline, has_applied, applied, as_of, CBR_DATE_APPLIED, &sa);
	assess_standing(v->arrive.deadline, has_arrived, arrived, as_of, CBR_DATE_ARRIVED, &sb);
	s = cbr_import_standing(&sa, &sb, soon, &days);
	values[IA_APPLY_DAYS_LEFT] = assess_days(sa.days_left);
	values[IA_ARRIVAL_DAYS_LEFT] = assess_days(sb.days_left);
	values[IA_DAYS_LEFT] = assess_days(days);
	nulls[IA_APPLY_DAYS_LEFT] = nulls[IA_ARRIVAL_DAYS_LEFT] = nulls[IA_DAYS_LEFT] = false;
	if (!has_soon)
		return;
	values[IA_APPLY_STATUS] = CStringGetTextDatum(cbr_return_status_names[cbr_standing_status(&sa, soon)]);
	values[IA_ARRIVAL_STATUS] = CStringGetTextDatum(cbr_return_status_names[cbr_standing_status(&sb, soon)]);
	values[IA_STATUS] = CStringGetTextDatum(cbr_return_status_names[s]);
	nulls[IA_APPLY_STATUS] = nulls[IA_ARRIVAL_STATUS] = nulls[IA_STATUS] = false;
}

/*
 * assess_import_return(released_on, applied_on, arrived_on, as_of,
 * due_soon_days, ordinary) -> cbreturn.import_assessment
 *
 * Both R-IM-1 windows (cbr_decide_import_return: the deadlines, the order of
 * the dates, which recorded date is late), each window's standing on as_of
 * (cbr_decide_standing), and the return's standing over both
 * (cbr_import_standing, src/rules/assess.c): an application already late
 * makes the return overdue before the goods arrive.  applied_on and
 * arrived_on NULL mean not yet, and are not missing.  on_time: false as soon
 * as a recorded date is late, true when both are recorded on time, else NULL.
 * An ordinary return (ordinary => true, issue 12 item 4) has no R-IM-1
 * window: deadlines, days and on_time NULL, every status 'ordinary'
 * (cbr_decide_window_scope); ordinary NULL leaves them unknown, and is
 * missing.  Dates out of order are bad input either way.
 */
PG_FUNCTION_INFO_V1(assess_import_return);
Datum
assess_import_return(PG_FUNCTION_ARGS)
{
	AssessState *st = assess_state(fcinfo, false);
	Datum		values[IA_NFIELDS];
	bool		nulls[IA_NFIELDS];
	const char *missing[IM_NARGS];
	int			nmissing = 0;
	bool		has_applied = !PG_ARGISNULL(IM_APPLIED);
	bool		has_arrived = !PG_ARGISNULL(IM_ARRIVED);
	DateADT		applied = has_applied ? PG_GETARG_DATEADT(IM_APPLIED) : 0;
	DateADT		arrived = has_arrived ? PG_GETARG_DATEADT(IM_ARRIVED) : 0;
	bool		has_ordinary = PG_NARGS() <= IM_ORDINARY || !PG_ARGISNULL(IM_ORDINARY);
	CbrWindowScope scope = cbr_decide_window_scope(has_ordinary, has_ordinary && PG_NARGS() > IM_ORDINARY &&
												   PG_GETARG_BOOL(IM_ORDINARY));
	int32		soon = 0;
	bool		has_soon = assess_due_soon(fcinfo, IM_DUE_SOON, &soon);
	int			i;

	for (i = 0; i < IA_NFIELDS; i++)
		nulls[i] = true;
	for (i = 0; i < Min(IM_NARGS, PG_NARGS()); i++)
		if (PG_ARGISNULL(i) && i != IM_APPLIED && i != IM_ARRIVED)
			missing[nmissing++] = import_arg_names[i];
	if (scope == CBR_WINDOW_ORDINARY)
	{
		values[IA_APPLY_STATUS] = values[IA_ARRIVAL_STATUS] = values[IA_STATUS] =
			CStringGetTextDatum(cbr_return_status_names[CBR_STATUS_ORDINARY]);
		nulls[IA_APPLY_STATUS] = nulls[IA_ARRIVAL_STATUS] = nulls[IA_STATUS] = false;
	}

	if (!PG_ARGISNULL(IM_RELEASED))
	{
		CbrImportVerdict v;

		if (cbr_decide_import_return(true, PG_GETARG_DATEADT(IM_RELEASED), has_applied, applied,
									 has_arrived, arrived, &v) != CBR_PASS)
			cbr_import_report_input(&v);
		if (scope == CBR_WINDOW_CBEC)
		{
			values[IA_APPLY_DEADLINE] = DateADTGetDatum(v.apply.deadline);
			values[IA_ARRIVAL_DEADLINE] = DateADTGetDatum(v.arrive.deadline);
			nulls[IA_APPLY_DEADLINE] = nulls[IA_ARRIVAL_DEADLINE] = false;
			values[IA_ON_TIME] = BoolGetDatum(v.outcome != CBR_FAIL_WINDOW);
			nulls[IA_ON_TIME] = v.outcome != CBR_FAIL_WINDOW && !(has_applied && has_arrived);
			if (!PG_ARGISNULL(IM_AS_OF))
				ia_standing(&v, has_applied, applied, has_arrived, arrived, PG_GETARG_DATEADT(IM_AS_OF),
							has_soon, soon, values, nulls);
		}
	}

	values[IA_MISSING] = assess_text_array(missing, nmissing);
	nulls[IA_MISSING] = false;
	PG_RETURN_DATUM(HeapTupleGetDatum(heap_form_tuple(st->tupdesc, values, nulls)));
}
