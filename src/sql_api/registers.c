/*
 * registers.c (sql_api)
 *		The SQL functions of the registers (R-EX-4, R-EX-6, R-IM-5, R-IM-7,
 *		and the arrival place of R-IM-1 / R-IM-6), and of the 1210 clock
 *		(R-EX-1 for 1210, with the departure from the special area, R-TX-2):
 *		fmgr wrappers over the decisions of src/rules/registers.c and
 *		src/rules/export.c, which the write-time checks ask too.
 *
 * Each verdict function returns cbreturn.register_verdict (ok, rule_id,
 * reason, basis), the reason and basis from src/policy/registers_report.c.
 * The C symbol of each function is its SQL name.
 */
#include "policy/policy.h"
#include "sql_api/sql_api.h"

#include "access/htup_details.h"
#include "funcapi.h"
#include "utils/builtins.h"

#define PG_GETARG_USCC_P(n)		((const CbrUscc *) DatumGetPointer(PG_GETARG_DATUM(n)))

/* 22008: a register answers for a calendar day, never for infinity. */
static void
cbr_register_check_date(DateADT d, const char *fn)
{
	if (DATE_NOT_FINITE(d))
		ereport(ERROR,
				(errcode(ERRCODE_DATETIME_FIELD_OVERFLOW),
				 errmsg("date %s is not a day on which a return can happen", cbr_date_iso(d)),
				 errdetail("%s looks registers up as of a calendar day.", fn),
				 errhint("Pass the China date of the return (R-T-1).")));
}

/* The register_verdict row of a verdict and its reason. */
static Datum
cbr_register_result(FunctionCallInfo fcinfo, const CbrRegisterVerdict *v, const char *reason)
{
	TupleDesc	desc = cbr_result_tupdesc(fcinfo);
	Datum		values[4];
	bool		nulls[4] = {false, false, false, false};

	values[0] = BoolGetDatum(v->outcome == CBR_PASS);
	values[1] = CStringGetTextDatum(v->rule_id);
	values[2] = CStringGetTextDatum(reason);
	values[3] = CStringGetTextDatum(cbr_register_basis(v));
	return HeapTupleGetDatum(heap_form_tuple(desc, values, nulls));
}

/*
 * applicant_verdict(applicant uscc, on_date date) -> register_verdict
 * R-EX-4 (seed 002 export I).  STRICT.
 */
PG_FUNCTION_INFO_V1(applicant_verdict);
Datum
applicant_verdict(PG_FUNCTION_ARGS)
{
	const CbrUscc *u = PG_GETARG_USCC_P(0);
	DateADT		d = PG_GETARG_DATEADT(1);
	CbrRegisterVerdict v;

	cbr_register_check_date(d, "applicant_verdict");
	(void) cbr_decide_applicant(cbr_registers(), u, d, &v);
	return cbr_register_result(fcinfo, &v, cbr_applicant_reason(u, &v));
}

/*
 * return_site_verdict(site text, office customs_code, on_date date)
 * -> register_verdict.  R-EX-6 (seeds 000, 001).  STRICT.
 */
PG_FUNCTION_INFO_V1(return_site_verdict);
Datum
return_site_verdict(PG_FUNCTION_ARGS)
{
	char	   *site = text_to_cstring(PG_GETARG_TEXT_PP(0));
	int16		office = PG_GETARG_INT16(1);
	DateADT		d = PG_GETARG_DATEADT(2);
	CbrRegisterVerdict v;

	cbr_register_check_date(d, "return_site_verdict");
	(void) cbr_decide_return_site(cbr_registers(), site, office, d, &v);
	return cbr_register_result(fcinfo, &v, cbr_site_reason(site, office, &v));
}

/*
 * credit_rating(enterprise uscc, on_date date) -> customs_credit_rating
 * The rating in effect on the date, NULL when none is recorded.  STRICT.
 */
PG_FUNCTION_INFO_V1(credit_rating);
Datum
credit_rating(PG_FUNCTION_ARGS)
{
	const CbrRegRating *g;

	cbr_register_check_date(PG_GETARG_DATEADT(1), "credit_rating");
	g = cbr_register_rating(cbr_registers(), PG_GETARG_USCC_P(0), PG_GETARG_DATEADT(1));
	if (g == NULL)
		PG_RETURN_NULL();
	PG_RETURN_OID((Oid) g->value);
}

/*
 * return_warehouse_verdict(warehouse text, on_date date, special_area text
 * DEFAULT NULL) -> register_verdict.  R-IM-5 (seed 002 import II-IV, GACC
 * 2021 No. 70).  NULL when the warehouse or the date is NULL.
 */
PG_FUNCTION_INFO_V1(return_warehouse_verdict);
Datum
return_warehouse_verdict(PG_FUNCTION_ARGS)
{
	char	   *warehouse;
	char	   *area;
	DateADT		d;
	CbrRegisterVerdict v;

	if (PG_ARGISNULL(0) || PG_ARGISNULL(1))
		PG_RETURN_NULL();
	warehouse = text_to_cstring(PG_GETARG_TEXT_PP(0));
	d = PG_GETARG_DATEADT(1);
	area = PG_ARGISNULL(2) ? NULL : text_to_cstring(PG_GETARG_TEXT_PP(2));
	cbr_register_check_date(d, "return_warehouse_verdict");
	(void) cbr_decide_return_warehouse(cbr_registers(), warehouse, area, d, &v);
	return cbr_register_result(fcinfo, &v, cbr_warehouse_reason(warehouse, area, &v));
}

/*
 * import_applicant_verdict(enterprise customs_registration_code, applicant
 * uscc, on_date date) -> register_verdict.  R-IM-7 (seed 002 import I).
 * STRICT.
 */
PG_FUNCTION_INFO_V1(import_applicant_verdict);
Datum
import_applicant_verdict(PG_FUNCTION_ARGS)
{
	char	   *enterprise = text_to_cstring(PG_GETARG_TEXT_PP(0));
	const CbrUscc *u = PG_GETARG_USCC_P(1);
	DateADT		d = PG_GETARG_DATEADT(2);
	CbrRegisterVerdict v;

	cbr_register_check_date(d, "import_applicant_verdict");
	(void) cbr_decide_import_applicant(cbr_registers(), enterprise, u, d, &v);
	return cbr_register_result(fcinfo, &v, cbr_import_applicant_reason(enterprise, u, &v));
}

/*
 * import_arrival_place_verdict(code supervision_code, original_place text,
 * arrival_place text, returned_on date, declared_area text DEFAULT NULL)
 * -> register_verdict.  R-IM-1, R-IM-5, R-IM-6.  NULL when one of the first
 * four arguments is NULL.
 */
PG_FUNCTION_INFO_V1(import_arrival_place_verdict);
Datum
import_arrival_place_verdict(PG_FUNCTION_ARGS)
{
	int16		code;
	char	   *original;
	char	   *arrival;
	char	   *declared;
	DateADT		d;
	CbrRegisterVerdict v;

	if (PG_ARGISNULL(0) || PG_ARGISNULL(1) || PG_ARGISNULL(2) || PG_ARGISNULL(3))
		PG_RETURN_NULL();
	code = PG_GETARG_INT16(0);
	original = text_to_cstring(PG_GETARG_TEXT_PP(1));
	arrival = text_to_cstring(PG_GETARG_TEXT_PP(2));
	d = PG_GETARG_DATEADT(3);
	declared = PG_ARGISNULL(4) ? NULL : text_to_cstring(PG_GETARG_TEXT_PP(4));
	cbr_register_check_date(d, "import_arrival_place_verdict");
	if (cbr_decide_arrival_place(cbr_registers(), code, original, arrival, declared, d, &v) == CBR_BAD_ARGUMENT)
		cbr_report_not_retail_import(code);
	return cbr_register_result(fcinfo, &v, cbr_arrival_reason(original, arrival, declared, &v));
}

/*
 * bonded_export_return_deadline(exported_on date, left_special_area_on date,
 * reason return_reason) -> date
 * R-EX-1 for a 1210 export from a special customs supervision area or a
 * bonded logistics centre (type B) whose departure is known: the deadline
 * counts from the export date, as for every code (R-EX-1), 6 months or 1
 * year by reason, counted by R-P-1; the departure starts only the R-TX-2
 * relief period (export_tax_relief) and must not precede the export
 * (22023).  The decision the export check asks for a 1210 row with a
 * departure date.  IMMUTABLE STRICT.
 */
PG_FUNCTION_INFO_V1(bonded_export_return_deadline);
Datum
bonded_export_return_deadline(PG_FUNCTION_ARGS)
{
	CbrWindowVerdict v;

	if (cbr_decide_bonded_export_window(PG_GETARG_DATEADT(0), PG_GETARG_DATEADT(1),
										cbr_reason_from_oid(PG_GETARG_OID(2)), false, 0, &v) != CBR_PASS)
		cbr_report_bad_date(v.outcome, cbr_date_role_name(v.bad), v.bad_value,
							cbr_date_role_name(v.other), v.other_value);
	PG_RETURN_DATEADT(v.deadline);
}
