/*
 * rules.c
 *		SQL entry points of the return rules: deadlines (R-P-1, R-EX-1,
 *		R-IM-1), remark codes (R-EX-2), cross-customs returns (R-EX-5), the
 *		holiday-extended deadline variants (R-P-2) and the status of a return.
 *
 * The wrappers are thin on purpose: the arithmetic is in period.c, the
 * policy in policy.c.  The IMMUTABLE functions read no table, so they can
 * back generated columns, index expressions and CHECK constraints; the
 * table-backed ones are STABLE and read the per-backend policy cache.
 */
#include "policy/policy.h"
#include "rules/rules.h"

#include "access/htup_details.h"
#include "catalog/pg_type.h"
#include "funcapi.h"
#include "utils/array.h"
#include "utils/builtins.h"
#include "utils/fmgrprotos.h"
#include "utils/numeric.h"

/* R-EX-1 window end, or the 22008 error (infinite or out-of-range start). */
static DateADT
export_deadline(DateADT exported_on, CbrReason reason)
{
	DateADT		result;

	if (!cbr_add_months(exported_on, cbr_export_window_months(reason), &result))
		cbr_report_date_out_of_range("exported_on", exported_on);
	return result;
}

static DateADT
import_deadline(DateADT released_on, int days)
{
	DateADT		result;

	if (!cbr_add_days(released_on, days, &result))
		cbr_report_date_out_of_range("released_on", released_on);
	return result;
}

/*
 * export_return_deadline(exported_on date, reason return_reason) -> date
 * R-EX-1 (seed 002): last day on which the goods may re-enter, 1 year after
 * the export clearance for quality/specification, 6 months otherwise,
 * counted by R-P-1 (Civil Code arts. 201-202).
 */
PG_FUNCTION_INFO_V1(cbr_export_return_deadline);
Datum
cbr_export_return_deadline(PG_FUNCTION_ARGS)
{
	DateADT		exported_on = PG_GETARG_DATEADT(0);
	CbrReason	reason = cbr_reason_from_oid(PG_GETARG_OID(1));

	PG_RETURN_DATEADT(export_deadline(exported_on, reason));
}

/*
 * import_apply_deadline(released_on date) -> date
 * R-IM-1 (GACC 2020 No. 45): last day to file the return application, 30
 * days after the release of the import list (R-P-1).
 */
PG_FUNCTION_INFO_V1(cbr_import_apply_deadline);
Datum
cbr_import_apply_deadline(PG_FUNCTION_ARGS)
{
	PG_RETURN_DATEADT(import_deadline(PG_GETARG_DATEADT(0), CBR_IMPORT_APPLY_DAYS));
}

/*
 * import_arrival_deadline(released_on date) -> date
 * R-IM-1 (GACC 2020 No. 45): last day for the goods to arrive at the
 * original site, 45 days after the release of the import list (R-P-1).
 */
PG_FUNCTION_INFO_V1(cbr_import_arrival_deadline);
Datum
cbr_import_arrival_deadline(PG_FUNCTION_ARGS)
{
	PG_RETURN_DATEADT(import_deadline(PG_GETARG_DATEADT(0), CBR_IMPORT_ARRIVAL_DAYS));
}

/*
 * export_return_deadline_holiday_adjusted(exported_on, reason) -> date
 * R-EX-1 with R-P-2 (Civil Code art. 203): a deadline on a rest day moves to
 * the next working day of cbreturn.holidays.  STABLE: reads the policy cache.
 */
PG_FUNCTION_INFO_V1(cbr_export_return_deadline_holiday);
Datum
cbr_export_return_deadline_holiday(PG_FUNCTION_ARGS)
{
	DateADT		exported_on = PG_GETARG_DATEADT(0);
	CbrReason	reason = cbr_reason_from_oid(PG_GETARG_OID(1));
	DateADT		d = export_deadline(exported_on, reason);

	PG_RETURN_DATEADT(cbr_next_working_day(cbr_policy(), d));
}

/* import_apply_deadline_holiday_adjusted(released_on): R-IM-1 with R-P-2. */
PG_FUNCTION_INFO_V1(cbr_import_apply_deadline_holiday);
Datum
cbr_import_apply_deadline_holiday(PG_FUNCTION_ARGS)
{
	DateADT		d = import_deadline(PG_GETARG_DATEADT(0), CBR_IMPORT_APPLY_DAYS);

	PG_RETURN_DATEADT(cbr_next_working_day(cbr_policy(), d));
}

/* import_arrival_deadline_holiday_adjusted(released_on): R-IM-1 with R-P-2. */
PG_FUNCTION_INFO_V1(cbr_import_arrival_deadline_holiday);
Datum
cbr_import_arrival_deadline_holiday(PG_FUNCTION_ARGS)
{
	DateADT		d = import_deadline(PG_GETARG_DATEADT(0), CBR_IMPORT_ARRIVAL_DAYS);

	PG_RETURN_DATEADT(cbr_next_working_day(cbr_policy(), d));
}

/* is_rest_day(day date) -> boolean: R-P-2 by cbreturn.holidays. */
PG_FUNCTION_INFO_V1(cbr_is_rest_day_sql);
Datum
cbr_is_rest_day_sql(PG_FUNCTION_ARGS)
{
	DateADT		d = PG_GETARG_DATEADT(0);

	if (DATE_NOT_FINITE(d))
		cbr_report_date_out_of_range("day", d);
	PG_RETURN_BOOL(cbr_is_rest_day(cbr_policy(), d));
}

/* next_working_day(day date) -> date: day itself, or the next working day (R-P-2). */
PG_FUNCTION_INFO_V1(cbr_next_working_day_sql);
Datum
cbr_next_working_day_sql(PG_FUNCTION_ARGS)
{
	DateADT		d = PG_GETARG_DATEADT(0);

	if (DATE_NOT_FINITE(d))
		cbr_report_date_out_of_range("day", d);
	PG_RETURN_DATEADT(cbr_next_working_day(cbr_policy(), d));
}

/* remark_code(reason return_reason) -> text: ZXTY, THTY or PGTY (R-EX-2, seed 002). */
PG_FUNCTION_INFO_V1(cbr_remark_code_sql);
Datum
cbr_remark_code_sql(PG_FUNCTION_ARGS)
{
	CbrReason	reason = cbr_reason_from_oid(PG_GETARG_OID(0));

	PG_RETURN_TEXT_P(cstring_to_text(cbr_remark_code(reason)));
}

/*
 * reason_from_remarks(remarks text) -> return_reason
 * R-EX-2 (seed 002): the reason named by the code in the first position of
 * the remarks column, NULL when there is none.  Accepted: leading ASCII
 * white space and ideographic spaces (U+3000), any letter case, and the code
 * followed by the end of the text or by any character other than an ASCII
 * letter or digit ("ZXTY", "zxty;lot 7", "THTY-2", "PGTY 品质").
 */
PG_FUNCTION_INFO_V1(cbr_reason_from_remarks_sql);
Datum
cbr_reason_from_remarks_sql(PG_FUNCTION_ARGS)
{
	text	   *remarks = PG_GETARG_TEXT_PP(0);
	CbrReason	reason;

	if (!cbr_reason_from_remarks(VARDATA_ANY(remarks), VARSIZE_ANY_EXHDR(remarks), &reason))
		PG_RETURN_NULL();
	PG_RETURN_OID(cbr_reason_to_oid(reason));
}

/*
 * cross_customs_return_allowed(code supervision_code, export_office
 * customs_code, return_office customs_code, returned_on date) -> boolean
 * R-EX-5 (GACC 2024 No. 167; nationwide from 2026-04-01), decided from the
 * policy cache: see cbr_cross_customs_decide() in policy.c.
 */
PG_FUNCTION_INFO_V1(cbr_cross_customs_return_allowed);
Datum
cbr_cross_customs_return_allowed(PG_FUNCTION_ARGS)
{
	PG_RETURN_BOOL(cbr_cross_customs_allowed(PG_GETARG_INT16(0), PG_GETARG_INT16(1),
											 PG_GETARG_INT16(2), PG_GETARG_DATEADT(3)));
}

/* ---------------------------------------------------------------------
 * Decision cores shared by the per-row functions and the explain functions
 * (explain.c).  steps == NULL on the per-row path.
 * --------------------------------------------------------------------- */

#define BASIS_EX1 "GACC 2020 No. 44 (return windows of CBEC retail exports)"
#define BASIS_P1 "Civil Code arts. 201-202"
#define BASIS_IM1 "GACC 2020 No. 45"
#define BASIS_TX6 "Tariff Law of the PRC (formerly Regulations on Import and Export Duties art. 43)"

static void
check_finite(const char *what, DateADT d)
{
	if (DATE_NOT_FINITE(d))
		cbr_report_date_out_of_range(what, d);
}

/* A date that must not come before another: 22023 (docs/rules.md, Bad input). */
static void
check_not_before(const char *what, DateADT d, const char *other, DateADT o)
{
	if (d < o)
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
				 errmsg("%s %s is before %s %s", what, cbr_date_iso(d), other, cbr_date_iso(o)),
				 errhint("Pass the dates in the order the goods moved: %s cannot precede %s.",
						 what, other)));
}

DateADT
cbr_export_deadline_decide(DateADT exported_on, CbrReason reason,
						   bool has_returned, DateADT returned_on, List **steps)
{
	int			months = cbr_export_window_months(reason);
	DateADT		deadline = export_deadline(exported_on, reason);

	cbr_step(steps, "R-EX-2", true, "GACC CBEC retail export return procedure (remarks column)",
			 "reason %s: remark code %s", reason == CBR_REASON_UNSOLD ? "unsold" :
			 reason == CBR_REASON_CONSUMER_RETURN ? "consumer_return" : "quality_or_spec",
			 cbr_remark_code(reason));
	cbr_step(steps, "R-P-1", true, BASIS_P1,
			 "exported on %s + %d months = %s (start day not counted; last day inside the window; clamped to the month end)",
			 cbr_date_iso(exported_on), months, cbr_date_iso(deadline));
	if (has_returned)
	{
		check_finite("returned_on", returned_on);
		check_not_before("returned_on", returned_on, "exported_on", exported_on);
		cbr_step(steps, "R-EX-1", returned_on <= deadline, BASIS_EX1,
				 "returned on %s, deadline %s (%s)", cbr_date_iso(returned_on),
				 cbr_date_iso(deadline), months == 12 ? "1 year: quality or specification"
				 : "6 months: unsold or consumer return");
	}
	else
		cbr_step(steps, "R-EX-1", true, BASIS_EX1, "deadline %s (%s); not returned yet",
				 cbr_date_iso(deadline), months == 12 ? "1 year: quality or specification"
				 : "6 months: unsold or consumer return");
	return deadline;
}

bool
cbr_import_return_decide(DateADT released_on, bool has_applied, DateADT applied_on,
						 bool has_arrived, DateADT arrived_on, List **steps)
{
	DateADT		apply_by = import_deadline(released_on, CBR_IMPORT_APPLY_DAYS);
	DateADT		arrive_by = import_deadline(released_on, CBR_IMPORT_ARRIVAL_DAYS);
	bool		ok = true;

	if (has_applied)
	{
		check_finite("applied_on", applied_on);
		check_not_before("applied_on", applied_on, "released_on", released_on);
		ok &= applied_on <= apply_by;
		cbr_step(steps, "R-IM-1", applied_on <= apply_by, BASIS_IM1,
				 "application filed %s, deadline %s (release %s + 30 days)",
				 cbr_date_iso(applied_on), cbr_date_iso(apply_by), cbr_date_iso(released_on));
	}
	else
		cbr_step(steps, "R-IM-1", true, BASIS_IM1,
				 "no application yet; deadline %s (release %s + 30 days)",
				 cbr_date_iso(apply_by), cbr_date_iso(released_on));
	if (has_arrived)
	{
		check_finite("arrived_on", arrived_on);
		check_not_before("arrived_on", arrived_on, "released_on", released_on);
		ok &= arrived_on <= arrive_by;
		cbr_step(steps, "R-IM-1", arrived_on <= arrive_by, BASIS_IM1,
				 "goods arrived %s, deadline %s (release %s + 45 days)",
				 cbr_date_iso(arrived_on), cbr_date_iso(arrive_by), cbr_date_iso(released_on));
	}
	else
		cbr_step(steps, "R-IM-1", true, BASIS_IM1,
				 "goods not arrived yet; deadline %s (release %s + 45 days)",
				 cbr_date_iso(arrive_by), cbr_date_iso(released_on));
	return ok;
}

/*
 * R-TX-5 evidence by reason and by whether an export rebate was claimed
 * (R-TX-3): compile-time strings, so the per-row path copies nothing.
 */
#define EVIDENCE_BASE "export declaration list or export declaration form"
#define EVIDENCE_REBATE "; Certificate of Supplementary Tax Payment / Non-refund of Export Goods (出口货物已补税/未退税证明) from the tax authority"
#define EVIDENCE_UNSOLD "; the enterprise's self-declaration (自我声明) that the goods are returned unsold"
#define EVIDENCE_RETURNED "; platform return or rejection records, or a return agreement"
#define EVIDENCE_QUALITY "; proof of the quality or specification reason for the return"

static const char *const evidence_texts[CBR_REASON_COUNT][2] = {
	{EVIDENCE_BASE EVIDENCE_UNSOLD, EVIDENCE_BASE EVIDENCE_UNSOLD EVIDENCE_REBATE},
	{EVIDENCE_BASE EVIDENCE_RETURNED, EVIDENCE_BASE EVIDENCE_RETURNED EVIDENCE_REBATE},
	{EVIDENCE_BASE EVIDENCE_QUALITY, EVIDENCE_BASE EVIDENCE_QUALITY EVIDENCE_REBATE},
};
static text *evidence_text_cache[CBR_REASON_COUNT][2];
static text *basis_tx6_text;

/* A text datum of a compile-time string, built once per backend. */
static text *
constant_text(text **slot, const char *str)
{
	if (*slot == NULL)
	{
		MemoryContext old = MemoryContextSwitchTo(TopMemoryContext);

		*slot = cstring_to_text(str);
		MemoryContextSwitchTo(old);
	}
	return *slot;
}

const char *const cbr_failed_rule_ids[CBR_FAILED_COUNT] = {"R-TX-1", "R-TX-2", "R-TX-4", "R-TX-6"};

/*
 * R-TX-1 ... R-TX-6.  Unsold and consumer returns take the announcement
 * route (R-TX-1, R-TX-2, R-TX-4); quality/specification returns take the
 * statutory one (R-TX-6, R-TX-4).  R-TX-3 and R-TX-5 say what customs will
 * ask for when relief is granted.
 */
void
cbr_export_tax_relief_decide(int16 code, DateADT exported_on, DateADT returned_on,
							 CbrReason reason, bool is_food, bool original_state,
							 bool has_left_on, DateADT left_on,
							 bool rebate_claimed, CbrRelief *out, List **steps)
{
	const CbrPolicy *p = cbr_policy();

	memset(out, 0, sizeof(*out));
	check_finite("exported_on", exported_on);
	check_finite("returned_on", returned_on);
	cbr_check_supervision_code_known(p, code);
	check_not_before("returned_on", returned_on, "exported_on", exported_on);
	if (has_left_on && code == CBR_CODE_1210)
	{
		check_finite("left_special_area_on", left_on);
		check_not_before("left_special_area_on", left_on, "exported_on", exported_on);
		check_not_before("returned_on", returned_on, "left_special_area_on", left_on);
	}

	/* R-TX-4 (seed 003 art. 3): original state, asked on both routes. */
	if (reason == CBR_REASON_QUALITY_OR_SPEC)
	{
		DateADT		year_end;
		bool		in_year;

		if (!cbr_add_months(exported_on, CBR_EXPORT_MONTHS_QUALITY, &year_end))
			cbr_report_date_out_of_range("exported_on", exported_on);
		in_year = returned_on <= year_end;
		cbr_step(steps, "R-TX-6", in_year, BASIS_TX6,
				 "quality_or_spec return on %s; must be back within 1 year of export %s, i.e. by %s",
				 cbr_date_iso(returned_on), cbr_date_iso(exported_on), cbr_date_iso(year_end));
		if (!in_year)
			out->failed |= CBR_FAILED_TX6;
		cbr_step(steps, "R-TX-4", original_state, "MoF/GACC/STA 2026 No. 16 art. 3; " BASIS_TX6,
				 "original_state = %s", original_state ? "true" : "false");
		if (!original_state)
			out->failed |= CBR_FAILED_TX4;
		out->relieved = in_year && original_state;
		if (out->relieved)
		{
			/* R-TX-6 grants no import duty and an export duty refund only. */
			out->import_duty_exempt = true;
			out->export_duty_refund = true;
			out->basis = BASIS_TX6;
			out->basis_text = constant_text(&basis_tx6_text, BASIS_TX6);
		}
	}
	else
	{
		const CbrTaxPeriod *t = NULL;
		const CbrTaxPeriod *any = NULL;
		int			i;
		bool		window_ok;
		int			months;

		/* R-TX-1: a policy period covering the export declaration date. */
		for (i = p->ntax_periods - 1; i >= 0 && any == NULL; i--)
			if (exported_on >= p->tax_periods[i].declared_from &&
				exported_on <= p->tax_periods[i].declared_to)
				any = &p->tax_periods[i];
		if (any == NULL)
		{
			cbr_step(steps, "R-TX-1", false, "cbreturn.tax_policy_periods",
					 "no policy period covers exports declared on %s", cbr_date_iso(exported_on));
			out->failed |= CBR_FAILED_TX1;
		}
		else
		{
			cbr_step(steps, "R-TX-1", true, any->announcement,
					 "exports declared %s to %s are covered; declared on %s",
					 cbr_date_iso(any->declared_from), cbr_date_iso(any->declared_to),
					 cbr_date_iso(exported_on));
			/* R-TX-2: the supervision code is one the period lists. */
			t = cbr_tax_period_for(p, code, exported_on);
			cbr_step(steps, "R-TX-2", t != NULL, any->announcement,
					 "supervision code %04d %s", code,
					 t ? "is covered" : "is not covered (1210, 9610, 9710, 9810 are)");
			if (t == NULL)
				out->failed |= CBR_FAILED_TX2;
		}

		/* R-TX-2: food is never relieved. */
		cbr_step(steps, "R-TX-2", !is_food, t ? t->announcement : "MoF/GACC/STA 2026 No. 16 art. 1",
				 "is_food = %s (food is excluded)", is_food ? "true" : "false");
		if (is_food)
			out->failed |= CBR_FAILED_TX2;

		/* R-TX-2: back within the period's months; 1210 counts from leaving the area. */
		months = t ? t->months : CBR_TAX_RELIEF_MONTHS;
		if (code == CBR_CODE_1210 && !has_left_on)
		{
			cbr_step(steps, "R-TX-2", false, "MoF/GACC/STA 2026 No. 16 art. 1",
					 "1210: the %d months run from leaving the special area, and left_special_area_on is missing",
					 months);
			window_ok = false;
		}
		else
		{
			DateADT		start = code == CBR_CODE_1210 ? left_on : exported_on;
			DateADT		end;

			if (!cbr_add_months(start, months, &end))
				cbr_report_date_out_of_range(code == CBR_CODE_1210 ? "left_special_area_on" : "exported_on", start);
			window_ok = returned_on <= end;
			cbr_step(steps, "R-TX-2", window_ok, t ? t->announcement : "MoF/GACC/STA 2026 No. 16 art. 1",
					 "returned on %s; must be back within %d months of %s %s, i.e. by %s",
					 cbr_date_iso(returned_on), months,
					 code == CBR_CODE_1210 ? "leaving the special area on" : "export on",
					 cbr_date_iso(start), cbr_date_iso(end));
		}
		if (!window_ok)
			out->failed |= CBR_FAILED_TX2;

		cbr_step(steps, "R-TX-4", original_state, t ? t->announcement : "MoF/GACC/STA 2026 No. 16 art. 3",
				 "original_state = %s", original_state ? "true" : "false");
		if (!original_state)
			out->failed |= CBR_FAILED_TX4;

		out->relieved = out->failed == 0;
		if (out->relieved)
		{
			out->import_duty_exempt = true;
			out->import_vat_exempt = true;
			out->consumption_tax_exempt = true;
			out->export_duty_refund = true;
			out->basis = t->basis;
			out->basis_text = t->basis_text;
		}
	}

	if (!out->relieved)
		return;

	/*
	 * R-TX-5 (seed 003 art. 4): what customs will ask for.  R-TX-3 (seed 003
	 * art. 2; seed 002 for all CBEC export returns): a claimed export rebate
	 * is repaid first, and the tax authority's certificate is then part of
	 * the evidence.
	 */
	out->rebate_repayment_required = rebate_claimed;
	out->evidence_required = evidence_texts[reason][rebate_claimed ? 1 : 0];
	out->evidence_text = constant_text(&evidence_text_cache[reason][rebate_claimed ? 1 : 0],
									   out->evidence_required);
	cbr_step(steps, "R-TX-3", true, reason == CBR_REASON_QUALITY_OR_SPEC ? "GACC CBEC retail export return procedure" : out->basis,
			 rebate_claimed ? "export rebate claimed: repay it first, then present the tax authority's certificate"
			 : "no export rebate claimed: nothing to repay");
	cbr_step(steps, "R-TX-5", true, reason == CBR_REASON_QUALITY_OR_SPEC ? BASIS_TX6 : out->basis,
			 "%s", out->evidence_required);
}

/* ---------------------------------------------------------------------
 * SQL entry points
 * --------------------------------------------------------------------- */

/*
 * The blessed row descriptor of a composite-returning function, built once
 * per call site and kept in fn_extra: get_call_result_type() per row would
 * cost more than the rule itself.
 */
static TupleDesc
result_tupdesc(FunctionCallInfo fcinfo)
{
	TupleDesc	tupdesc;
	MemoryContext old;

	if (fcinfo->flinfo->fn_extra != NULL)
		return (TupleDesc) fcinfo->flinfo->fn_extra;
	if (get_call_result_type(fcinfo, NULL, &tupdesc) != TYPEFUNC_COMPOSITE)
		elog(ERROR, "return type must be a row type");
	old = MemoryContextSwitchTo(fcinfo->flinfo->fn_mcxt);
	tupdesc = BlessTupleDesc(CreateTupleDescCopy(tupdesc));
	MemoryContextSwitchTo(old);
	fcinfo->flinfo->fn_extra = tupdesc;
	return tupdesc;
}

/* The empty text[] of a relieved row, built once per backend. */
static ArrayType *
constant_empty_text_array(void)
{
	static ArrayType *empty = NULL;

	if (empty == NULL)
	{
		MemoryContext old = MemoryContextSwitchTo(TopMemoryContext);

		empty = construct_empty_array(TEXTOID);
		MemoryContextSwitchTo(old);
	}
	return empty;
}

/*
 * Finished export_tax_relief rows, by what decides them.
 *
 * A result row is fully determined by: relieved or not; the route
 * (announcement, or R-TX-6 for quality/specification returns); when relieved,
 * the policy period named as basis, the reason (evidence, R-TX-5) and whether
 * a rebate was claimed (R-TX-3); when not, the set of failed rule ids.  So a
 * backend builds each distinct row once and copies it afterwards, instead of
 * forming a 9-column row with two texts and an array per input row.  The
 * cache follows the policy generation (a policy period's index is part of
 * the key).
 */
typedef struct ReliefCache
{
	uint64		generation;
	int			nslots;
	HeapTupleHeader *slots;
	MemoryContext cxt;
} ReliefCache;

static ReliefCache relief_cache;

static int
relief_key(const CbrPolicy *p, const CbrRelief *r, CbrReason reason, bool rebate_claimed)
{
	int			variant = (int) reason * 2 + (rebate_claimed ? 1 : 0);	/* 0..5 */
	int			route_tx6 = reason == CBR_REASON_QUALITY_OR_SPEC ? 1 : 0;
	int			i;

	if (r->relieved)
	{
		if (route_tx6)
			return variant;
		for (i = 0; i < p->ntax_periods; i++)
			if (r->basis_text == p->tax_periods[i].basis_text)
				return 6 + i * 6 + variant;
		return -1;
	}
	else
		return 6 + p->ntax_periods * 6 + route_tx6 * 16 + (int) (r->failed & 0x0f);
}

static HeapTupleHeader *
relief_cache_slot(const CbrPolicy *p, int key)
{
	if (relief_cache.cxt == NULL || relief_cache.generation != p->generation)
	{
		if (relief_cache.cxt == NULL)
			relief_cache.cxt = AllocSetContextCreate(CacheMemoryContext, "cbreturn tax relief rows",
													 ALLOCSET_SMALL_SIZES);
		else
			MemoryContextReset(relief_cache.cxt);
		relief_cache.generation = p->generation;
		relief_cache.nslots = 6 + p->ntax_periods * 6 + 32;
		relief_cache.slots = MemoryContextAllocZero(relief_cache.cxt,
													sizeof(HeapTupleHeader) * relief_cache.nslots);
	}
	if (key < 0 || key >= relief_cache.nslots)
		return NULL;
	return &relief_cache.slots[key];
}

/* A palloc'd copy of a composite datum (the cache's rows are never handed out). */
static Datum
copy_row(HeapTupleHeader row)
{
	Size		len = HeapTupleHeaderGetDatumLength(row);
	HeapTupleHeader copy = (HeapTupleHeader) palloc(len);

	memcpy(copy, row, len);
	return HeapTupleHeaderGetDatum(copy);
}

/*
 * export_tax_relief(code, exported_on, returned_on, reason, is_food,
 * original_state, left_special_area_on DEFAULT NULL, rebate_claimed DEFAULT
 * false) -> cbreturn.tax_relief
 * R-TX-1 ... R-TX-6.  Not STRICT because left_special_area_on may be NULL;
 * a NULL in any other argument gives NULL, as STRICT would.
 */
PG_FUNCTION_INFO_V1(cbr_export_tax_relief);
Datum
cbr_export_tax_relief(PG_FUNCTION_ARGS)
{
	TupleDesc	tupdesc;
	CbrRelief	r;
	Datum		values[9];
	bool		nulls[9] = {false};
	Datum		failed[CBR_FAILED_COUNT];
	int			n = 0;
	int			i;
	CbrReason	reason;
	bool		rebate_claimed;
	const CbrPolicy *p;
	HeapTupleHeader *slot;
	HeapTuple	tuple;

	for (i = 0; i < 8; i++)
		if (i != 6 && PG_ARGISNULL(i))
			PG_RETURN_NULL();
	tupdesc = result_tupdesc(fcinfo);
	reason = cbr_reason_from_oid(PG_GETARG_OID(3));
	rebate_claimed = PG_GETARG_BOOL(7);
	cbr_export_tax_relief_decide(PG_GETARG_INT16(0), PG_GETARG_DATEADT(1), PG_GETARG_DATEADT(2),
								 reason, PG_GETARG_BOOL(4),
								 PG_GETARG_BOOL(5), !PG_ARGISNULL(6),
								 PG_ARGISNULL(6) ? 0 : PG_GETARG_DATEADT(6),
								 rebate_claimed, &r, NULL);

	p = cbr_policy();
	slot = relief_cache_slot(p, relief_key(p, &r, reason, rebate_claimed));
	if (slot != NULL && *slot != NULL)
		return copy_row(*slot);

	values[0] = BoolGetDatum(r.relieved);
	values[1] = BoolGetDatum(r.import_duty_exempt);
	values[2] = BoolGetDatum(r.import_vat_exempt);
	values[3] = BoolGetDatum(r.consumption_tax_exempt);
	values[4] = BoolGetDatum(r.export_duty_refund);
	values[5] = BoolGetDatum(r.rebate_repayment_required);
	if (r.evidence_text)
		values[6] = PointerGetDatum(r.evidence_text);
	else
		nulls[6] = true;
	if (r.basis_text)
		values[7] = PointerGetDatum(r.basis_text);
	else
		nulls[7] = true;
	if (r.failed == 0)
		values[8] = PointerGetDatum(constant_empty_text_array());
	else
	{
		for (i = 0; i < CBR_FAILED_COUNT; i++)
			if (r.failed & (1u << i))
				failed[n++] = CStringGetTextDatum(cbr_failed_rule_ids[i]);
		values[8] = PointerGetDatum(construct_array(failed, n, TEXTOID, -1, false, TYPALIGN_INT));
	}
	tuple = heap_form_tuple(tupdesc, values, nulls);
	if (slot != NULL)
	{
		Size		len = HeapTupleHeaderGetDatumLength(tuple->t_data);

		*slot = (HeapTupleHeader) MemoryContextAlloc(relief_cache.cxt, len);
		memcpy(*slot, tuple->t_data, len);
	}
	PG_RETURN_DATUM(HeapTupleGetDatum(tuple));
}

/*
 * import_return_on_time(released_on date, applied_on date, arrived_on date)
 * -> boolean.  R-IM-1 (GACC 2020 No. 45): application within 30 days and
 * arrival within 45 days of the release of the import list.
 */
PG_FUNCTION_INFO_V1(cbr_import_return_on_time);
Datum
cbr_import_return_on_time(PG_FUNCTION_ARGS)
{
	PG_RETURN_BOOL(cbr_import_return_decide(PG_GETARG_DATEADT(0), true, PG_GETARG_DATEADT(1),
											true, PG_GETARG_DATEADT(2), NULL));
}

/* Numeric helpers for the R-IM-4 arithmetic. */
static Numeric
num_round2(Numeric x)
{
	return DatumGetNumeric(DirectFunctionCall2(numeric_round, NumericGetDatum(x), Int32GetDatum(2)));
}

static int
num_cmp(Numeric a, Numeric b)
{
	return DatumGetInt32(DirectFunctionCall2(numeric_cmp, NumericGetDatum(a), NumericGetDatum(b)));
}

static void
check_amount(const char *what, Numeric x, bool rate)
{
	Numeric		zero = int64_to_numeric(0);

	if (numeric_is_nan(x) || numeric_is_inf(x) || num_cmp(x, zero) < 0 ||
		(rate && num_cmp(x, int64_to_numeric(1)) >= 0))
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
				 errmsg("%s must be %s", what, rate ? _("a rate from 0 up to but excluding 1") : _("a finite amount of 0 or more")),
				 errdetail("The value given is %s.",
						   DatumGetCString(DirectFunctionCall1(numeric_out, NumericGetDatum(x))))));
}

/*
 * import_retail_tax(customs_value numeric, vat_rate numeric,
 * consumption_tax_rate numeric DEFAULT 0, annual_used numeric DEFAULT 0)
 * -> cbreturn.import_tax
 * R-IM-4 (MoF/GACC/STA 2018 No. 49): within the limits a CBEC retail import
 * pays tariff 0 and the import VAT and consumption tax at import_tax_share
 * (70 %) of the statutory amounts; consumption tax is computed on the
 * composite price value / (1 - rate), VAT on value + consumption tax.  Each
 * tax is rounded to the fen.  Above a limit the import is not taxed as a
 * retail import: within_limits is false and the amounts are NULL.  A return
 * released under R-IM-3 refunds this tax for the returned value.
 */
PG_FUNCTION_INFO_V1(cbr_import_retail_tax);
Datum
cbr_import_retail_tax(PG_FUNCTION_ARGS)
{
	const CbrPolicy *p = cbr_policy();
	Numeric		value = PG_GETARG_NUMERIC(0);
	Numeric		vat_rate = PG_GETARG_NUMERIC(1);
	Numeric		ct_rate = PG_GETARG_NUMERIC(2);
	Numeric		used = PG_GETARG_NUMERIC(3);
	TupleDesc	tupdesc;
	Datum		values[6];
	bool		nulls[6] = {false};
	bool		within;

	check_amount("customs_value", value, false);
	check_amount("vat_rate", vat_rate, true);
	check_amount("consumption_tax_rate", ct_rate, true);
	check_amount("annual_used", used, false);
	tupdesc = result_tupdesc(fcinfo);

	within = num_cmp(value, p->limit_per_transaction) <= 0 &&
		num_cmp(numeric_add_opt_error(used, value, NULL), p->limit_per_year) <= 0;
	values[0] = BoolGetDatum(within);
	if (within)
	{
		Numeric		one = int64_to_numeric(1);
		Numeric		ct_full;
		Numeric		vat_full;
		Numeric		ct;
		Numeric		vat;

		/* statutory consumption tax on the composite price, then VAT */
		ct_full = numeric_div_opt_error(numeric_mul_opt_error(value, ct_rate, NULL),
										numeric_sub_opt_error(one, ct_rate, NULL), NULL);
		vat_full = numeric_mul_opt_error(numeric_add_opt_error(value, ct_full, NULL), vat_rate, NULL);
		ct = num_round2(numeric_mul_opt_error(ct_full, p->import_tax_share, NULL));
		vat = num_round2(numeric_mul_opt_error(vat_full, p->import_tax_share, NULL));
		values[1] = NumericGetDatum(num_round2(int64_to_numeric(0)));
		values[2] = NumericGetDatum(ct);
		values[3] = NumericGetDatum(vat);
		values[4] = NumericGetDatum(numeric_add_opt_error(ct, vat, NULL));
	}
	else
		nulls[1] = nulls[2] = nulls[3] = nulls[4] = true;
	values[5] = CStringGetTextDatum(within
									? "MoF/GACC/STA 2018 No. 49: tariff 0, import VAT and consumption tax at the import_tax_share of the statutory amount"
									: "MoF/GACC/STA 2018 No. 49: above the per-transaction or annual limit, not taxed as a CBEC retail import");
	PG_RETURN_DATUM(HeapTupleGetDatum(heap_form_tuple(tupdesc, values, nulls)));
}

/*
 * import_annual_amount_after_return(annual_used numeric, returned_value
 * numeric) -> numeric.  R-IM-3 (seed 004): a released return reduces the
 * consumer's annual cumulative amount by the returned value.
 */
PG_FUNCTION_INFO_V1(cbr_import_annual_amount_after_return);
Datum
cbr_import_annual_amount_after_return(PG_FUNCTION_ARGS)
{
	Numeric		used = PG_GETARG_NUMERIC(0);
	Numeric		returned = PG_GETARG_NUMERIC(1);

	check_amount("annual_used", used, false);
	check_amount("returned_value", returned, false);
	if (num_cmp(returned, used) > 0)
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
				 errmsg("returned_value is larger than annual_used"),
				 errdetail("A return restores at most what the consumer's purchases added to the annual amount (R-IM-3).")));
	PG_RETURN_NUMERIC(numeric_sub_opt_error(used, returned, NULL));
}

/*
 * import_annual_quota_remaining(annual_used numeric) -> numeric
 * R-IM-4 (MoF/GACC/STA 2018 No. 49): what is left of the annual limit
 * (rule parameter import_limit_per_year), never below 0.
 */
PG_FUNCTION_INFO_V1(cbr_import_annual_quota_remaining);
Datum
cbr_import_annual_quota_remaining(PG_FUNCTION_ARGS)
{
	const CbrPolicy *p = cbr_policy();
	Numeric		used = PG_GETARG_NUMERIC(0);
	Numeric		left;

	check_amount("annual_used", used, false);
	left = numeric_sub_opt_error(p->limit_per_year, used, NULL);
	if (num_cmp(left, int64_to_numeric(0)) < 0)
		left = int64_to_numeric(0);
	PG_RETURN_NUMERIC(left);
}

/* ---------------------------------------------------------------------
 * Status of a return for reporting (section 6)
 * --------------------------------------------------------------------- */

/*
 * The reference day: the return date if the goods were returned on or
 * before as_of, else as_of (a return dated after as_of had not happened yet
 * on that day).
 */
static inline bool
status_args(FunctionCallInfo fcinfo, DateADT *deadline, DateADT *ref, bool *closed)
{
	DateADT		as_of;

	if (PG_ARGISNULL(0) || PG_ARGISNULL(2))
		return false;
	*deadline = PG_GETARG_DATEADT(0);
	as_of = PG_GETARG_DATEADT(2);
	if (unlikely(DATE_NOT_FINITE(*deadline)))
		cbr_report_date_out_of_range("deadline", *deadline);
	if (unlikely(DATE_NOT_FINITE(as_of)))
		cbr_report_date_out_of_range("as_of", as_of);
	*closed = false;
	*ref = as_of;
	if (!PG_ARGISNULL(1))
	{
		DateADT		returned_on = PG_GETARG_DATEADT(1);

		if (unlikely(DATE_NOT_FINITE(returned_on)))
			cbr_report_date_out_of_range("returned_on", returned_on);
		if (returned_on <= as_of)
		{
			*closed = true;
			*ref = returned_on;
		}
	}
	return true;
}

/*
 * return_status(deadline date, returned_on date, as_of date, due_soon_days
 * integer DEFAULT 7) -> text: 'open', 'due_soon', 'overdue',
 * 'closed_on_time' or 'closed_late'.  returned_on NULL: not returned.
 * NULL deadline, as_of or due_soon_days give NULL.
 */
PG_FUNCTION_INFO_V1(cbr_return_status);
Datum
cbr_return_status(PG_FUNCTION_ARGS)
{
	DateADT		deadline;
	DateADT		ref;
	bool		closed;
	int32		soon;
	const char *s;

	if (PG_ARGISNULL(3) || !status_args(fcinfo, &deadline, &ref, &closed))
		PG_RETURN_NULL();
	soon = PG_GETARG_INT32(3);
	if (unlikely(soon < 0))
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
				 errmsg("due_soon_days must be 0 or more"),
				 errdetail("The value given is %d.", soon)));
	if (closed)
		s = ref <= deadline ? "closed_on_time" : "closed_late";
	else if (ref > deadline)
		s = "overdue";
	else if ((int64) deadline - ref <= soon)
		s = "due_soon";
	else
		s = "open";
	PG_RETURN_TEXT_P(cstring_to_text(s));
}

/*
 * return_days_left(deadline date, returned_on date, as_of date) -> integer
 * deadline minus the reference day (see status_args): days still left for an
 * open return, negative when overdue; for a closed return the margin it was
 * returned with (negative: days late).
 */
PG_FUNCTION_INFO_V1(cbr_return_days_left);
Datum
cbr_return_days_left(PG_FUNCTION_ARGS)
{
	DateADT		deadline;
	DateADT		ref;
	bool		closed;

	if (!status_args(fcinfo, &deadline, &ref, &closed))
		PG_RETURN_NULL();
	PG_RETURN_INT32((int32) (deadline - ref));
}
