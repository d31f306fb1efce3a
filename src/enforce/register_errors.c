/*
 * register_errors.c
 *		The errors of the register rules in the write-time checks: a verdict
 *		of src/rules/registers.c on a row turned into its SQLSTATE (CB008
 *		R-EX-4, CB009 R-EX-6, CB010 R-IM-5, CB011 R-IM-1 / R-IM-6, CB012
 *		R-IM-7), with the value and what the register holds in DETAIL.
 *		Shared by export_check.c and import_check.c.
 */
#include "enforce/trigger.h"

#include "utils/builtins.h"

char *
cbr_text_value(Datum d, bool bpchar)
{
	char	   *s = TextDatumGetCString(d);
	int			len = (int) strlen(s);

	while (bpchar && len > 0 && s[len - 1] == ' ')	/* padding */
		s[--len] = '\0';
	return s;
}

/* 22008: a row whose date is infinite, asked of a register. */
static void
cbr_register_bad_input(TriggerData *td, HeapTuple tuple, const CbrRegisterVerdict *v, CbrDateRole role)
{
	if (v->outcome == CBR_BAD_INFINITE)
		cbr_report_row_date(td->tg_relation, cbr_row_identity_seen(td, tuple), 0, role, v->on_date);
	if (v->outcome == CBR_BAD_ARGUMENT)
		cbr_report_not_retail_import(v->code);
}

/* 22P02: a text column holding no unified social credit code. */
void
cbr_report_uscc_text(TriggerData *td, HeapTuple tuple, AttrNumber col, const char *str)
{
	Relation	rel = td->tg_relation;

	ereport(ERROR,
			(errcode(ERRCODE_INVALID_TEXT_REPRESENTATION),
			 errmsg("invalid unified social credit code \"%s\" in column \"%s\"", str,
					NameStr(TupleDescAttr(RelationGetDescr(rel), col - 1)->attname)),
			 errdetail("%sa unified social credit code has 18 characters from 0-9 and A-Z without I, O, S, V and Z; "
					   "characters 3 to 8 are digits, and the 18th is the check character of GB 32100-2015.",
					   cbr_row_identity_seen(td, tuple)),
			 errhint("For example '914403001922038216'."),
			 errtablecol(rel, col)));
}

/* 22P02: a code column holding text that reads as no 4-digit code (export and import checks). */
void
cbr_report_code_text(TriggerData *td, HeapTuple tuple, AttrNumber col, const char *str)
{
	Relation	rel = td->tg_relation;
	const char *colname = NameStr(TupleDescAttr(RelationGetDescr(rel), col - 1)->attname);
	int16		code;
	CbrParseError err;
	/* (the reason the text is no code; the caller found it unreadable) */
	bool		read = cbr_parse_code4(str, &code, &err);

	ereport(ERROR,
			(errcode(ERRCODE_INVALID_TEXT_REPRESENTATION),
			 read ? errmsg("invalid 4-digit code \"%s\" in column \"%s\"", str, colname)
			 : errmsg("invalid 4-digit code \"%s\" in column \"%s\": %s", str, colname,
					  cbr_parse_error_text(&err, str)),
			 errdetail("%scolumn \"%s\" holds \"%s\".", cbr_row_identity_seen(td, tuple), colname, str),
			 errhint("Customs office and supervision codes have 4 digits, e.g. 2924 or 9610 (R-ID-2, R-ID-3)."),
			 errtablecol(rel, col)));
}

/* CB008: R-EX-4, the applicant holds no CBEC export registration that day. */
void
cbr_report_applicant(TriggerData *td, HeapTuple tuple, AttrNumber col, const CbrUscc *u,
					 const CbrRegisterVerdict *v)
{
	const CbrRegApplicant *a = v->applicant;
	char	   *code = cbr_uscc_text(u);
	Relation	rel = td->tg_relation;
	char	   *row;

	cbr_register_bad_input(td, tuple, v, CBR_DATE_RETURNED);
	row = cbr_row_identity_seen(td, tuple);
	ereport(ERROR,
			(errcode(ERRCODE_CBRETURN_APPLICANT),
			 errmsg("applicant %s has no CBEC export registration valid on %s (R-EX-4)",
					code, cbr_date_iso(v->on_date)),
			 v->finding == CBR_REG_NOT_YET
			 ? errdetail("%sthe CBEC export registration of applicant %s (%s) starts on %s, after the return date %s.",
						 row, code, a->name, cbr_date_iso(a->from), cbr_date_iso(v->on_date))
			 : v->finding == CBR_REG_ENDED
			 ? errdetail("%sthe CBEC export registration of applicant %s (%s) ended on %s, before the return date %s.",
						 row, code, a->name, cbr_date_iso(a->to), cbr_date_iso(v->on_date))
			 : errdetail("%sapplicant %s is not in the register of applicants (cbreturn.applicants).",
						 row, code),
			 errhint("A CBEC export return is applied for by an enterprise holding a CBEC export registration with customs on the return date; record registrations in cbreturn.applicants."),
			 errtablecol(rel, col)));
}

/* CB009: R-EX-6, the site is not authorised at the office of the return that day. */
void
cbr_report_site(TriggerData *td, HeapTuple tuple, const AttrNumber *shown, const char *site,
				int16 office, const CbrRegisterVerdict *v)
{
	const CbrRegSite *s = v->site;
	Relation	rel = td->tg_relation;
	AttrNumber	col = shown[0];
	char	   *row;

	cbr_register_bad_input(td, tuple, v, CBR_DATE_RETURNED);
	row = cbr_row_identity_seen(td, tuple);
	ereport(ERROR,
			(errcode(ERRCODE_CBRETURN_SITE),
			 errmsg("return site %s is not authorised for CBEC retail export returns at customs office %04d on %s (R-EX-6)",
					site, office, cbr_date_iso(v->on_date)),
			 v->finding == CBR_REG_NOT_YET
			 ? errdetail("%ssite %s at customs office %04d is authorised only from %s, after the return date %s.",
						 row, site, office, cbr_date_iso(s->from), cbr_date_iso(v->on_date))
			 : v->finding == CBR_REG_ENDED
			 ? errdetail("%sthe authorisation of site %s at customs office %04d ended on %s, before the return date %s.",
						 row, site, office, cbr_date_iso(s->to), cbr_date_iso(v->on_date))
			 : v->finding == CBR_REG_OTHER_OFFICE
			 ? errdetail("%ssite %s is registered under customs office %s only, not under %04d.",
						 row, site, cbr_site_offices(v), office)
			 : errdetail("%ssite %s at customs office %04d is not in the register of return sites (cbreturn.return_sites).",
						 row, site, office),
			 errhint("A return through another customs district goes to a customs-supervised site authorised for CBEC retail export at the office of the return; authorised sites are recorded in cbreturn.return_sites."),
			 errtablecol(rel, col)));
}

/* CB010: R-IM-5, the return-centre warehouse may not take the return. */
void
cbr_report_warehouse(TriggerData *td, HeapTuple tuple, const AttrNumber *shown, const char *warehouse,
					 const char *special_area, const CbrRegisterVerdict *v, CbrDateRole date_role)
{
	const CbrRegWarehouse *w = v->warehouse;
	Relation	rel = td->tg_relation;
	AttrNumber	col = shown[0];
	char	   *row;

	cbr_register_bad_input(td, tuple, v, date_role);
	row = cbr_row_identity_seen(td, tuple);
	if (v->finding == CBR_REG_NOT_BONDED)
		ereport(ERROR,
				(errcode(ERRCODE_CBRETURN_WAREHOUSE),
				 errmsg("a %04d return cannot go to return-centre warehouse %s (R-IM-5)", v->code, warehouse),
				 errdetail("%sonly bonded (1210) retail import returns go to a return-centre warehouse.", row),
				 errhint("Send the goods back to the original customs supervision site (R-IM-1)."),
				 errtablecol(rel, col)));
	ereport(ERROR,
			(errcode(ERRCODE_CBRETURN_WAREHOUSE),
			 errmsg("return-centre warehouse %s may not take this 1210 return on %s (R-IM-5)",
					warehouse, cbr_date_iso(v->on_date)),
			 v->finding == CBR_REG_NOT_YET
			 ? errdetail("%sthe registration of warehouse %s starts on %s, after %s.",
						 row, warehouse, cbr_date_iso(w->from), cbr_date_iso(v->on_date))
			 : v->finding == CBR_REG_ENDED
			 ? errdetail("%sthe registration of warehouse %s ended on %s, before %s.",
						 row, warehouse, cbr_date_iso(w->to), cbr_date_iso(v->on_date))
			 : v->finding == CBR_REG_OTHER_AREA
			 ? errdetail("%swarehouse %s is in %s, not in the original special area %s.",
						 row, warehouse, w->area, special_area)
			 : v->finding == CBR_REG_DISCREDITED
			 ? errdetail("%sthe operator %s of warehouse %s is rated discredited (失信) since %s.",
						 row, cbr_uscc_text(&w->operator_uscc), warehouse, cbr_date_iso(v->rating->from))
			 : v->finding == CBR_REG_FACILITIES
			 ? errdetail("%swarehouse %s lacks: %s.", row, warehouse, cbr_facilities_text(v->missing))
			 : errdetail("%swarehouse %s is not in the register of return-centre warehouses (cbreturn.return_warehouses).",
						 row, warehouse),
			 errhint("Route the return to a return-centre warehouse registered in the original special area, whose operator is not discredited and which has video linked to customs, a WMS and a customs data interface."),
			 errtablecol(rel, col)));
}

/* CB011 (or CB010 through a warehouse): R-IM-1, R-IM-6, where the goods arrive. */
void
cbr_report_arrival(TriggerData *td, HeapTuple tuple, const AttrNumber *shown,
				   const char *original_place, const char *arrival_place, const char *declared_area,
				   const CbrRegisterVerdict *v, CbrDateRole date_role)
{
	Relation	rel = td->tg_relation;
	AttrNumber	col = shown[0];
	char	   *row;

	cbr_register_bad_input(td, tuple, v, date_role);
	if (v->outcome == CBR_FAIL_WAREHOUSE)
		cbr_report_warehouse(td, tuple, shown, arrival_place, original_place, v, date_role);
	row = cbr_row_identity_seen(td, tuple);
	if (v->finding == CBR_REG_NOT_ORIGINAL)
		ereport(ERROR,
				(errcode(ERRCODE_CBRETURN_ARRIVAL),
				 errmsg("the goods of this return may not arrive at %s (R-IM-1)", arrival_place),
				 errdetail("%sa %04d return arrives back at the original site %s, not at %s.",
						   row, v->code, original_place, arrival_place),
				 errhint("A direct-purchase (9610) return arrives at the customs supervision site that released it, a 1239 return at the special area or bonded logistics centre that released it."),
				 errtablecol(rel, col)));
	ereport(ERROR,
			(errcode(ERRCODE_CBRETURN_ARRIVAL),
			 errmsg("the goods of this return may not arrive at %s (R-IM-1)", arrival_place),
			 declared_area
			 ? errdetail("%s%s is neither the original special area %s, a return-centre warehouse registered in cbreturn.return_warehouses, nor the special area of declaration %s.",
						 row, arrival_place, original_place, declared_area)
			 : errdetail("%s%s is neither the original special area %s nor a return-centre warehouse registered in cbreturn.return_warehouses, and no special area of declaration is given.",
						 row, arrival_place, original_place),
			 errhint("A 1210 return arrives in the original special area, at a return-centre warehouse of that area, or, declared at another customs office, in the special area at the place of declaration (R-IM-6)."),
			 errtablecol(rel, col)));
}

/* CB012: R-IM-7, the applicant does not act for the enterprise that day. */
void
cbr_report_import_applicant(TriggerData *td, HeapTuple tuple, const AttrNumber *shown,
							const char *enterprise, const CbrUscc *u, const CbrRegisterVerdict *v)
{
	const CbrRegAgent *g = v->agent;
	char	   *code = cbr_uscc_text(u);
	Relation	rel = td->tg_relation;
	AttrNumber	col = shown[0];
	char	   *row;

	cbr_register_bad_input(td, tuple, v, CBR_DATE_APPLIED);
	row = cbr_row_identity_seen(td, tuple);
	ereport(ERROR,
			(errcode(ERRCODE_CBRETURN_IMPORT_APPLICANT),
			 errmsg("%s may not apply for a return of enterprise %s on %s (R-IM-7)",
					code, enterprise, cbr_date_iso(v->on_date)),
			 v->finding == CBR_REG_NOT_YET
			 ? errdetail("%s%s acts for enterprise %s only from %s, after the application date %s.",
						 row, code, enterprise, cbr_date_iso(g->from), cbr_date_iso(v->on_date))
			 : v->finding == CBR_REG_ENDED
			 ? errdetail("%s%s stopped acting for enterprise %s on %s, before the application date %s.",
						 row, code, enterprise, cbr_date_iso(g->to), cbr_date_iso(v->on_date))
			 : errdetail("%s%s is neither the domestic agent of enterprise %s nor a customs broker it authorised (cbreturn.import_agents).",
						 row, code, enterprise),
			 errhint("A retail import return is applied for by the e-commerce enterprise's domestic agent or a customs broker it authorised, recorded in cbreturn.import_agents."),
			 errtablecol(rel, col)));
}
