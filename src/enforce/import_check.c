/*
 * import_check.c
 *		The import-return check (R-IM-1 windows; R-IM-5 warehouse, R-IM-1 /
 *		R-IM-6 arrival place, R-IM-7 applicant from the registers) on an
 *		ERP's own table: a thin adapter from a row to
 *		cbr_decide_import_return (src/rules/import.c) and
 *		cbr_decide_import_places (src/rules/registers.c), and from their
 *		verdicts to an error.  The SQL functions import_return_on_time and
 *		the register verdicts ask the same decisions.
 *
 * It only reads the row, so attach creates it AFTER ROW with a WHEN clause
 * (_import_row_ok): it is only called for a row that fails.
 */
#include "enforce/trigger.h"
#include "enforce/violation.h"
#include "enforce/header.h"
#include "enforce/assess.h"

#include "access/htup_details.h"
#include "catalog/pg_type.h"
#include "utils/builtins.h"

/* The columns the import check reads, in the order of _import_row_ok's arguments. */
typedef enum ImportRole
{
	IM_RELEASED,
	IM_APPLIED,
	IM_ARRIVED,
	IM_CODE,					/* added in 0.3.0: roles added later come last */
	IM_ORIGINAL,
	IM_ARRIVAL,
	IM_DECLARED_AREA,
	IM_WAREHOUSE,
	IM_ENTERPRISE,
	IM_APPLICANT,
	IM_NROLES
} ImportRole;

#define IM_NDATES 3

static const char *const import_roles[IM_NROLES] = {
	"released_on", "applied_on", "arrived_on", "supervision_code", "original_place",
	"arrival_place", "declared_area", "warehouse", "enterprise", "applicant"
};

typedef struct ImportCache
{
	AttrNumber	col[IM_NROLES];	/* 0: not attached */
	bool		is_bpchar[IM_NROLES];	/* text roles of type character */
	bool		code_is_text;
	bool		applicant_is_text;
	bool		registers;		/* a register role is attached */
	CbrHeaderUse *hdr;			/* the release date read from a declaration header (header.c) */
} ImportCache;

/* Builds the ImportCache of the import check on rel (see cbr_check_config). */
static void *
cbr_import_build(const CbrCheckMeta *meta, Relation rel, MemoryContext cxt)
{
	ImportCache *c = MemoryContextAllocZero(cxt, sizeof(ImportCache));
	TupleDesc	tupdesc = RelationGetDescr(rel);
	Oid			text_t[3] = {TEXTOID, VARCHAROID, BPCHAROID};
	Oid			code_t[4] = {cbr_type_oid("supervision_code"), TEXTOID, VARCHAROID, BPCHAROID};
	Oid			uscc_t[4] = {cbr_type_oid("uscc"), TEXTOID, VARCHAROID, BPCHAROID};
	Oid			enterprise_t[4] = {cbr_type_oid("customs_registration_code"), TEXTOID, VARCHAROID, BPCHAROID};
	int			i;

	/* the release date may be read from a declaration header */
	c->hdr = cbr_header_use(meta, rel, import_roles, IM_NROLES, cxt);
	/* the release date may be read from a declaration header */
	c->hdr = cbr_header_use(meta, rel, import_roles, IM_NROLES, cxt);
	/* R-T-1: date, timestamp or timestamptz (read as its China date) */
	for (i = 0; i < IM_NDATES; i++)
		c->col[i] = cbr_date_role_column(meta, import_roles[i], rel,
										 i == IM_RELEASED && !cbr_header_has(c->hdr, IM_RELEASED));
	c->col[IM_CODE] = cbr_role_column(meta, "supervision_code", rel, code_t, 4, false);
	for (i = IM_ORIGINAL; i <= IM_WAREHOUSE; i++)
		c->col[i] = cbr_role_column(meta, import_roles[i], rel, text_t, 3, false);
	c->col[IM_ENTERPRISE] = cbr_role_column(meta, "enterprise", rel, enterprise_t, 4, false);
	c->col[IM_APPLICANT] = cbr_role_column(meta, "applicant", rel, uscc_t, 4, false);
	for (i = IM_CODE; i < IM_NROLES; i++)
	{
		Oid			t;

		if (!c->col[i])
			continue;
		c->registers = c->registers || i != IM_CODE;
		t = TupleDescAttr(tupdesc, c->col[i] - 1)->atttypid;
		c->is_bpchar[i] = t == BPCHAROID;
		if (i == IM_CODE)
			c->code_is_text = t != code_t[0];
		if (i == IM_APPLICANT)
			c->applicant_is_text = t != uscc_t[0];
	}
	return c;
}

static int
cbr_import_attnums(const void *config, AttrNumber *attnums)
{
	memcpy(attnums, ((const ImportCache *) config)->col, sizeof(AttrNumber) * IM_NROLES);
	return 0;					/* its WHEN clause passes no header key */
}

/* A text role's value, NULL when NULL or not attached. */
static const char *
cbr_import_text(const ImportCache *c, const Datum *v, const bool *isnull, int role)
{
	return isnull[role] ? NULL : cbr_text_value(v[role], c->is_bpchar[role]);
}

/*
 * Read the values of the register roles of a row (isnull for a role not
 * attached) into *row.  Never raises for a value: unreadable text is
 * CBR_VALUE_BAD, for the verdict to report.
 */
static void
cbr_import_read(const ImportCache *c, const Datum *v, const bool *isnull, CbrImportPlaceRow *row)
{
	CbrParseError perr;
	CbrUsccError uerr;

	memset(row, 0, sizeof(*row));
	row->has_applied = !isnull[IM_APPLIED];
	row->applied_on = row->has_applied ? DatumGetDateADT(v[IM_APPLIED]) : 0;
	row->has_arrived = !isnull[IM_ARRIVED];
	row->arrived_on = row->has_arrived ? DatumGetDateADT(v[IM_ARRIVED]) : 0;
	if (isnull[IM_CODE])
		row->code_state = CBR_VALUE_NULL;
	else if (!c->code_is_text)
	{
		row->code = DatumGetInt16(v[IM_CODE]);
		row->code_state = CBR_VALUE_OK;
	}
	else
		row->code_state = cbr_parse_code4(TextDatumGetCString(v[IM_CODE]), &row->code, &perr)
			? CBR_VALUE_OK : CBR_VALUE_BAD;
	row->original_place = cbr_import_text(c, v, isnull, IM_ORIGINAL);
	row->arrival_place = cbr_import_text(c, v, isnull, IM_ARRIVAL);
	row->declared_area = cbr_import_text(c, v, isnull, IM_DECLARED_AREA);
	row->warehouse = cbr_import_text(c, v, isnull, IM_WAREHOUSE);
	row->enterprise = cbr_import_text(c, v, isnull, IM_ENTERPRISE);
	if (isnull[IM_APPLICANT])
		row->applicant_state = CBR_VALUE_NULL;
	else if (!c->applicant_is_text)
	{
		row->applicant = *(const CbrUscc *) DatumGetPointer(v[IM_APPLICANT]);
		row->applicant_state = CBR_VALUE_OK;
	}
	else
	{
		char	   *str = TextDatumGetCString(v[IM_APPLICANT]);

		row->applicant_state = cbr_parse_uscc(str, (int) strlen(str), false, &row->applicant, &uerr)
			? CBR_VALUE_OK : CBR_VALUE_BAD;
	}
}

/* The values of the checked columns of a row (isnull for a role not attached). */
static void
cbr_import_fetch(const ImportCache *c, TupleDesc tupdesc, HeapTuple tuple, Datum *v, bool *isnull)
{
	int			i;

	for (i = 0; i < IM_NROLES; i++)
	{
		v[i] = (Datum) 0;
		isnull[i] = true;
		/* a timestamp(tz) date role is read as its date (R-T-1) */
		if (c->col[i])
			v[i] = cbr_getattr_fact(tuple, tupdesc, c->col[i], &isnull[i]);
	}
}

/* The SQLSTATE of a failed R-IM-1 verdict, for the header guard. */
static int
cbr_import_code(const CbrImportVerdict *v)
{
	switch (v->failed->outcome)
	{
		case CBR_FAIL_WINDOW:
			return ERRCODE_CBRETURN_WINDOW;
		case CBR_BAD_ORDER:
			return ERRCODE_INVALID_PARAMETER_VALUE;
		default:
			return ERRCODE_DATETIME_FIELD_OVERFLOW;
	}
}

/*
 * The verdicts on a row: the R-IM-1 windows (*w), and the register rules
 * when a register role is attached (*p); the outcome of the first that
 * fails, the windows first.
 */
static CbrOutcome
cbr_import_decide(const ImportCache *c, const Datum *v, const bool *isnull, CbrImportVerdict *w,
				  CbrImportPlaceRow *row, CbrImportPlaceVerdict *p)
{
	DateADT		date[IM_NDATES];
	int			i;

	for (i = 0; i < IM_NDATES; i++)
		date[i] = isnull[i] ? 0 : DatumGetDateADT(v[i]);
	p->outcome = CBR_PASS;
	(void) cbr_decide_import_return(!isnull[0], date[0], !isnull[1], date[1], !isnull[2], date[2], w);
	if (c->registers)
	{
		cbr_import_read(c, v, isnull, row);
		(void) cbr_decide_import_places(cbr_registers(), row, p);
	}
	return w->outcome != CBR_PASS ? w->outcome : p->outcome;
}

/* The errors of the register rules (CB010, CB011, CB012) and their bad input. */
static void
cbr_import_report_places(TriggerData *trigdata, HeapTuple tuple, const ImportCache *c, const Datum *v,
						 const CbrImportPlaceRow *row, const CbrImportPlaceVerdict *p)
{
	CbrDateRole date_role = row->has_arrived ? CBR_DATE_ARRIVED : CBR_DATE_APPLIED;
	AttrNumber	who[2] = {c->col[IM_APPLICANT], c->col[IM_ENTERPRISE]};
	AttrNumber	wh[2] = {c->col[IM_WAREHOUSE], c->col[IM_ORIGINAL]};
	AttrNumber	at[3] = {c->col[IM_ARRIVAL], c->col[IM_ORIGINAL], c->col[IM_DECLARED_AREA]};

	if (p->outcome == CBR_BAD_TEXT && p->bad_text == 1)
		cbr_report_uscc_text(trigdata, tuple, c->col[IM_APPLICANT], TextDatumGetCString(v[IM_APPLICANT]));
	if (p->outcome == CBR_BAD_TEXT)
		cbr_report_code_text(trigdata, tuple, c->col[IM_CODE], TextDatumGetCString(v[IM_CODE]));
	if (strcmp(p->reg.rule_id, "R-IM-7") == 0)
		cbr_report_import_applicant(trigdata, tuple, who, row->enterprise, &row->applicant, &p->reg);
	if (p->place == row->warehouse)
		cbr_report_warehouse(trigdata, tuple, wh, row->warehouse, row->original_place, &p->reg, date_role);
	cbr_report_arrival(trigdata, tuple, at, row->original_place, row->arrival_place,
					   row->declared_area, &p->reg, date_role);
}

/* Raise the error of a verdict other than CBR_PASS. */
static void
cbr_import_report(Relation rel, HeapTuple tuple, const ImportCache *c, DateADT released,
				  const CbrImportVerdict *v)
{
	const CbrWindowVerdict *f = v->failed;
	int			which = f->bad == CBR_DATE_APPLIED ? 1 : 2;
	const char *what = which == 1 ? gettext_noop("return application") : gettext_noop("arrival");

	switch (f->outcome)
	{
		case CBR_BAD_INFINITE:
		case CBR_BAD_RANGE:
			cbr_report_row_date(rel, cbr_row_identity(rel, tuple),
								f->bad == CBR_DATE_RELEASED ? c->col[0] : c->col[which], f->bad, f->bad_value);
			break;
		case CBR_FAIL_WINDOW:
			ereport(ERROR,
					(errcode(ERRCODE_CBRETURN_WINDOW),
					 errmsg("%s on %s is after the R-IM-1 deadline %s",
							_(what), cbr_date_iso(f->bad_value), cbr_date_iso(f->deadline)),
					 errdetail("%sreleased on %s, %s on %s; the window is %d days from the release date.",
							   cbr_row_identity(rel, tuple), cbr_date_iso(released), _(what),
							   cbr_date_iso(f->bad_value), f->length),
					 errhint("The %s is accepted on or before %s.", _(what), cbr_date_iso(f->deadline)),
					 errtablecol(rel, c->col[which])));
			break;
		case CBR_BAD_ORDER:
			/* docs/rules.md, Bad input: before the release is 22023, as import_return_on_time says */
			ereport(ERROR,
					(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
					 errmsg("%s on %s is before the release date %s (R-IM-1)",
							_(what), cbr_date_iso(f->bad_value), cbr_date_iso(released)),
					 errdetail("%sreleased on %s, %s on %s.", cbr_row_identity(rel, tuple),
							   cbr_date_iso(released), _(what), cbr_date_iso(f->bad_value)),
					 errhint("The %s is accepted from %s to %s.", _(what),
							 cbr_date_iso(released), cbr_date_iso(f->deadline)),
					 errtablecol(rel, c->col[which])));
			break;
		default:
			break;
	}
	elog(ERROR, "import check verdict %d was not reported", (int) f->outcome);
}

/* The arguments of cbr_import_report, for cbr_violation_report (violation.c). */
typedef struct ImportReport
{
	TriggerData *trigdata;
	HeapTuple	tuple;
	const ImportCache *c;
	const Datum *v;
	DateADT		released;
	const CbrImportVerdict *w;
	const CbrImportPlaceRow *row;
	const CbrImportPlaceVerdict *p;
} ImportReport;

/* R-IM-1 windows: the values the report shows are the columns the check reads. */
static void
cbr_import_raise(void *arg)
{
	ImportReport *a = (ImportReport *) arg;
	Relation	rel = a->trigdata->tg_relation;

	/* a release date read from a declaration header: shown only to who may read it there */
	CBR_REPORT_SHOWN(cbr_columns_visible(rel, a->tuple, a->c->col, IM_NROLES) &&
					 (a->c->hdr == NULL || cbr_header_visible(a->c->hdr)),
					 rel, gettext_noop("import return"),
					 cbr_import_report(rel, a->tuple, a->c, a->released, a->w));
}

/* R-IM-5, R-IM-1 / R-IM-6 arrival place, R-IM-7 (CB010-CB012). */
static void
cbr_import_raise_places(void *arg)
{
	ImportReport *a = (ImportReport *) arg;
	Relation	rel = a->trigdata->tg_relation;

	CBR_REPORT_VISIBLE(rel, a->tuple, a->c->col, IM_NROLES, gettext_noop("import return"),
					   cbr_import_report_places(a->trigdata, a->tuple, a->c, a->v, a->row, a->p));
}

/*
 * A row the decisions refused: raise as always (refuse mode) or record each
 * broken rule, the windows and the register rule (record mode); an ordinary
 * (taxed) return is not held to the CBEC import rules (src/enforce/violation.c),
 * only to the order and the finiteness of its dates, as any return.
 */
static void
cbr_import_violation(TriggerData *trigdata, HeapTuple tuple, const ImportCache *c, const Datum *v,
					 DateADT released, const CbrImportVerdict *w, const CbrImportPlaceRow *row,
					 const CbrImportPlaceVerdict *p)
{
	CbrViolations *s = cbr_violations_begin(trigdata->tg_relation, CBR_CHECK_IMPORT);
	ImportReport a = {trigdata, tuple, c, v, released, w, row, p};
	bool		ordinary = cbr_violations_ordinary(s, tuple);

	if (w->outcome != CBR_PASS && !(ordinary && w->outcome == CBR_FAIL_WINDOW))
		cbr_violation_report(s, tuple, "R-IM-1", cbr_import_raise, &a);
	if (p->outcome != CBR_PASS && !ordinary)
		cbr_violation_report(s, tuple, p->outcome == CBR_BAD_TEXT ? "R-IM-1" : p->reg.rule_id,
							 cbr_import_raise_places, &a);
}

/*
 * cbreturn.import_return_check(): AFTER (or BEFORE) INSERT OR UPDATE FOR
 * EACH ROW, with a WHEN clause (_import_row_ok); raises what
 * cbr_decide_import_return and cbr_decide_import_places found.
 */
PG_FUNCTION_INFO_V1(import_return_check);
Datum
import_return_check(PG_FUNCTION_ARGS)
{
	TriggerData *trigdata = cbr_trigger_protocol(fcinfo, "import_return_check", CBR_FIRE_EITHER, false);
	Relation	rel = trigdata->tg_relation;
	TupleDesc	tupdesc = RelationGetDescr(rel);
	HeapTuple	tuple = cbr_checked_tuple(trigdata);
	ImportCache *c = (ImportCache *) cbr_check_config(fcinfo, rel, CBR_CHECK_IMPORT, cbr_import_build);
	Datum		v[IM_NROLES];
	bool		isnull[IM_NROLES];
	CbrImportVerdict w;
	CbrImportPlaceRow row;
	CbrImportPlaceVerdict p;

	cbr_import_fetch(c, tupdesc, tuple, v, isnull);
	/* the release date read from a declaration header: its row, found and locked */
	if (c->hdr && !cbr_header_read(c->hdr, trigdata, tuple, v, isnull, CBR_CHECK_IMPORT))
		return PointerGetDatum(tuple);
	if (cbr_import_decide(c, v, isnull, &w, &row, &p) != CBR_PASS)
		cbr_import_violation(trigdata, tuple, c, v, isnull[0] ? 0 : DatumGetDateADT(v[0]), &w, &row, &p);
	return PointerGetDatum(tuple);
}

/*
 * cbreturn._import_row_ok(checked regclass, released_on date, applied_on
 * date, arrived_on date[, supervision_code "any", original_place "any",
 * arrival_place "any", declared_area "any", warehouse "any", enterprise
 * "any", applicant "any"]): the WHEN clause of the import check (the
 * shorter form is the one triggers attached before 0.3.0 call).  True when
 * the row passes R-IM-1 and the register rules attached; the arguments are
 * the attached columns, NULL for a role not attached (verified, see
 * cbr_row_ok_config).
 */
PG_FUNCTION_INFO_V1(cbr_import_row_ok);
Datum
cbr_import_row_ok(PG_FUNCTION_ARGS)
{
	ImportCache *c;
	Datum		v[IM_NROLES];
	bool		isnull[IM_NROLES];
	CbrImportVerdict w;
	CbrImportPlaceRow row;
	CbrImportPlaceVerdict p;
	int			i;

	c = (ImportCache *) cbr_row_ok_config(fcinfo, CBR_CHECK_IMPORT, cbr_import_build,
										  cbr_import_attnums, "_import_row_ok", import_roles,
										  IM_NROLES);
	if (c == NULL)
		PG_RETURN_BOOL(true);	/* a row moved to another partition (cbr_row_ok_config) */
	/* the trigger reads a declaration header's row for every row */
	if (c->hdr)
		PG_RETURN_BOOL(false);
	for (i = 0; i < IM_NROLES; i++)
	{
		isnull[i] = i + 1 >= PG_NARGS() || PG_ARGISNULL(i + 1);
		v[i] = isnull[i] ? (Datum) 0 : PG_GETARG_DATUM(i + 1);
	}
	PG_RETURN_BOOL(cbr_import_decide(c, v, isnull, &w, &row, &p) == CBR_PASS);
}

/*
 * Does this return of rel pass the import check with the release date of
 * header row htuple?  The header gives R-IM-1's release date only, so the
 * windows are what it can change.
 */
static bool
cbr_import_header_passes(Relation rel, HeapTuple tuple, TupleDesc hdesc, HeapTuple htuple,
						 const char **rule, int *sqlerrcode, char **why)
{
	ImportCache *c = (ImportCache *) cbr_check_config_rel(rel, CBR_CHECK_IMPORT, cbr_import_build);
	Datum		v[IM_NROLES];
	bool		isnull[IM_NROLES];
	CbrImportVerdict w;
	CbrImportPlaceRow row;
	CbrImportPlaceVerdict p;

	cbr_import_fetch(c, RelationGetDescr(rel), tuple, v, isnull);
	if (c->hdr)
		cbr_header_values(c->hdr, hdesc, htuple, v, isnull);
	(void) cbr_import_decide(c, v, isnull, &w, &row, &p);
	/* an ordinary (taxed) return is not held to the R-IM-1 windows, only to its dates' order */
	if (w.outcome == CBR_PASS ||
		(w.outcome == CBR_FAIL_WINDOW &&
		 cbr_violations_ordinary(cbr_violations_begin(rel, CBR_CHECK_IMPORT), tuple)))
		return true;
	*rule = "R-IM-1";
	*sqlerrcode = cbr_import_code(&w);
	if (why != NULL)
	{
		/* as cbr_export_verdict_message: the stored row, shown as SELECT allows */
		ImportReport a = {cbr_stored_row_call(rel, tuple), tuple, c, v,
			isnull[0] ? 0 : DatumGetDateADT(v[0]), &w, &row, &p};

		*why = cbr_verdict_message(cbr_import_raise, &a);
	}
	return false;
}

/*
 * header.c's guard asks: does this return of rel fail, with the corrected
 * header row newh, R-IM-1 (the one rule the header's facts decide) when it
 * passed it with the row as it was (oldh)?
 */
bool
cbr_import_header_recheck(Relation rel, HeapTuple tuple, TupleDesc hdesc, HeapTuple oldh,
						  HeapTuple newh, const char **rule, int *sqlerrcode, char **why)
{
	const char *was_rule;
	int			was_code;

	return cbr_import_header_passes(rel, tuple, hdesc, newh, rule, sqlerrcode, why) ||
		!cbr_import_header_passes(rel, tuple, hdesc, oldh, &was_rule, &was_code, NULL);
}

/*
 * cbreturn.assess_import_returns (assess_scan.c) asks: the R-IM-1 dates of a
 * stored return as this check reads them (assess.h); a header row that is
 * missing raises CB014 through cbr_violation_report_input.
 */
void
cbr_import_facts(TriggerData *td, Datum *date, bool *isnull, bool *ordinary)
{
	Relation	rel = td->tg_relation;
	ImportCache *c = (ImportCache *) cbr_check_config_rel(rel, CBR_CHECK_IMPORT, cbr_import_build);
	Datum		v[IM_NROLES];
	bool		vnull[IM_NROLES];
	int			i;

	cbr_import_fetch(c, RelationGetDescr(rel), td->tg_trigtuple, v, vnull);
	/* what the assessment shows derives from the header's release date: the caller must read it */
	if (c->hdr && !cbr_header_visible(c->hdr))
		cbr_assess_header_denied(rel, cbr_header_relid(c->hdr));
	if (c->hdr && !cbr_header_read(c->hdr, td, td->tg_trigtuple, v, vnull, CBR_CHECK_IMPORT))
		cbr_header_row_missing(c->hdr);
	for (i = 0; i < IM_NDATES; i++)
	{
		date[i] = v[i];
		isnull[i] = vnull[i];
	}
	*ordinary = cbr_violations_ordinary(cbr_violations_begin(rel, CBR_CHECK_IMPORT), td->tg_trigtuple);
}
