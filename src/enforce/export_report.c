/*
 * export_report.c
 *		The export-return check's errors: from a verdict of
 *		cbr_decide_export_return (src/rules/export.c) to the error a client
 *		sees (R-EX-1, R-EX-2, R-EX-5, R-EX-6, R-EX-4, bad input), shown only
 *		as far as the writer may read the values (row_values.c); and the path
 *		of a refused row through record mode and ordinary returns
 *		(violation.c).  Apart from export_check.c so that the adapter from a
 *		row to the decision stays short.
 */
#include "enforce/export_int.h"

#include "utils/builtins.h"

/*
 * CB013: the reason column holds a label that names no reason (R-V-1): not
 * in cbreturn.reason_labels, or withdrawn there.  The label and the row are
 * shown only as far as the writing role may see them.
 */
pg_noreturn static void cbr_export_report_label(TriggerData *trigdata, HeapTuple tuple,
												const ExportCache *c, Datum value);
static void
cbr_export_report_label(TriggerData *trigdata, HeapTuple tuple, const ExportCache *c, Datum value)
{
	Relation	rel = trigdata->tg_relation;
	const char *colname = NameStr(TupleDescAttr(RelationGetDescr(rel), c->col[EX_REASON] - 1)->attname);
	text	   *t = (text *) pg_detoast_datum_packed((struct varlena *) DatumGetPointer(value));
	const char *s = VARDATA_ANY(t);
	int			len = (int) VARSIZE_ANY_EXHDR(t);
	CbrReason	reason;
	bool		withdrawn = cbr_reason_label_lookup(s, len, &reason) == CBR_LABEL_WITHDRAWN;
	char	   *label;

	while (len > 0 && s[len - 1] == ' ')	/* bpchar padding */
		len--;
	label = pnstrdup(s, len);
	if (!cbr_writer_may_see(trigdata, c->col[EX_REASON]))
		ereport(ERROR,
				(errcode(ERRCODE_CBRETURN_REASON_LABEL),
				 errmsg("the return reason in column \"%s\" is a label that names no reason (R-V-1)", colname),
				 errdetail("%sthe label is not shown: you may not read column \"%s\".",
						   cbr_row_identity_seen(trigdata, tuple), colname),
				 errhint("Use a label of cbreturn.reason_labels, or ask its owner to add this one."),
				 errtablecol(rel, c->col[EX_REASON])));
	/* blanks only (ASCII or U+3000): say so, not 'unknown label ""' */
	if (cbr_remarks_blank(s, len))
		ereport(ERROR,
				(errcode(ERRCODE_CBRETURN_REASON_LABEL),
				 errmsg("the return reason in column \"%s\" is blank (R-V-1)", colname),
				 errdetail("%sthe reason holds blanks only.", cbr_row_identity_seen(trigdata, tuple)),
				 errhint("Write a label of cbreturn.reason_labels, or NULL to let the remark code name the reason."),
				 errtablecol(rel, c->col[EX_REASON])));
	if (withdrawn)
		ereport(ERROR,
				(errcode(ERRCODE_CBRETURN_REASON_LABEL),
				 errmsg("return reason label \"%s\" in column \"%s\" is withdrawn (R-V-1)", label, colname),
				 errdetail("%sthe reason is \"%s\", whose row in cbreturn.reason_labels has no reason.",
						   cbr_row_identity_seen(trigdata, tuple), label),
				 errhint("Use a label that names a reason, or set the reason of this label in cbreturn.reason_labels."),
				 errtablecol(rel, c->col[EX_REASON])));
	ereport(ERROR,
			(errcode(ERRCODE_CBRETURN_REASON_LABEL),
			 errmsg("unknown return reason label \"%s\" in column \"%s\" (R-V-1)", label, colname),
			 errdetail("%sthe reason is \"%s\", which is not a label of cbreturn.reason_labels.",
					   cbr_row_identity_seen(trigdata, tuple), label),
			 errhint("Add the label to cbreturn.reason_labels with its reason, or use a remark code: %s, %s or %s.",
					 cbr_remark_code(CBR_REASON_UNSOLD), cbr_remark_code(CBR_REASON_CONSUMER_RETURN),
					 cbr_remark_code(CBR_REASON_QUALITY_OR_SPEC)),
			 errtablecol(rel, c->col[EX_REASON])));
}

/* 22P02: a code column holds text that reads as no value (CB013 for the reason). */
static void
cbr_export_report_text(TriggerData *trigdata, HeapTuple tuple, const ExportCache *c,
					   const Datum *v, int bad_text)
{
	AttrNumber	attnum;
	char	   *str;

	if (bad_text == 3)
		cbr_report_uscc_text(trigdata, tuple, c->col[EX_APPLICANT], TextDatumGetCString(v[EX_APPLICANT]));
	if (bad_text < 0)
		cbr_export_report_label(trigdata, tuple, c, v[EX_REASON]);
	attnum = c->col[EX_SUPERVISION + bad_text];
	str = TextDatumGetCString(v[EX_SUPERVISION + bad_text]);
	if (attnum == InvalidAttrNumber)
		cbr_header_report_code(c->hdr, EX_SUPERVISION + bad_text, str, cbr_row_identity_seen(trigdata, tuple));
	cbr_report_code_text(trigdata, tuple, attnum, str);
}

/* CB002: R-EX-2, the remarks do not start with the code of the reason. */
static void
cbr_export_report_remarks(Relation rel, HeapTuple tuple, const ExportCache *c,
						  const CbrExportRow *row, const CbrExportVerdict *v)
{
	char	   *remarks = row->remarks ? pnstrdup(row->remarks, row->remarks_len) : NULL;
	const char *label = v->has_reason ? cbr_reason_label(v->reason) : NULL;
	CbrReason	wide;

	/* a code in full-width letters (ＺＸＴＹ) reads as no code: say so */
	if (v->outcome == CBR_FAIL_REMARK_NO_CODE && remarks != NULL &&
		cbr_remarks_fullwidth_code(row->remarks, row->remarks_len, &wide))
		ereport(ERROR,
				(errcode(ERRCODE_CBRETURN_REMARK),
				 errmsg("remarks of an export return must start with the R-EX-2 code of its reason"),
				 label ? errdetail("%sthe remarks are \"%s\" and the reason is %s.",
								   cbr_row_identity(rel, tuple), remarks, _(label))
				 : errdetail("%sthe remarks are \"%s\".", cbr_row_identity(rel, tuple), remarks),
				 errhint("The remarks start with %s in full-width letters, which customs does not read as a code; start them with %s in half-width (ASCII) letters.",
						 cbr_remark_code(wide), cbr_remark_code(label ? v->reason : wide)),
				 errtablecol(rel, c->col[EX_REMARKS])));

	if (v->outcome == CBR_FAIL_REMARK_MISMATCH)
		ereport(ERROR,
				(errcode(ERRCODE_CBRETURN_REMARK),
				 errmsg("remark code %s does not match the return reason %s (R-EX-2)",
						cbr_remark_code(v->coded), _(label)),
				 errdetail("%sthe remarks are \"%s\" and the reason is %s.",
						   cbr_row_identity(rel, tuple), remarks, _(label)),
				 errhint("Start the remarks with %s, or set the reason to %s.",
						 cbr_remark_code(v->reason), _(cbr_reason_label(v->coded))),
				 errtablecol(rel, c->col[EX_REMARKS])));
	ereport(ERROR,
			(errcode(ERRCODE_CBRETURN_REMARK),
			 errmsg("remarks of an export return must start with the R-EX-2 code of its reason"),
			 v->outcome == CBR_FAIL_REMARK_EMPTY
			 ? (label ? errdetail("%sthe remarks are empty and the reason is %s.",
								  cbr_row_identity(rel, tuple), _(label))
				: errdetail("%sthe remarks are empty.", cbr_row_identity(rel, tuple)))
			 : (label ? errdetail("%sthe remarks are \"%s\" and the reason is %s.",
								  cbr_row_identity(rel, tuple), remarks, _(label))
				: errdetail("%sthe remarks are \"%s\".", cbr_row_identity(rel, tuple), remarks)),
			 label
			 ? errhint("Start the remarks with %s.", cbr_remark_code(v->reason))
			 : errhint("Start the remarks with %s (unsold), %s (consumer return) or %s (quality or specification).",
					   cbr_remark_code(CBR_REASON_UNSOLD), cbr_remark_code(CBR_REASON_CONSUMER_RETURN),
					   cbr_remark_code(CBR_REASON_QUALITY_OR_SPEC)),
			 errtablecol(rel, c->col[EX_REMARKS])));
}

/* R-EX-1: bad dates (22008, 22023) and a late return (CB001). */
static void
cbr_export_report_window(Relation rel, HeapTuple tuple, const ExportCache *c,
						 const CbrExportRow *row, const CbrExportVerdict *v)
{
	const CbrWindowVerdict *w = &v->window;

	switch (w->outcome)
	{
		case CBR_BAD_INFINITE:
		case CBR_BAD_RANGE:
			cbr_report_row_date(rel, cbr_row_identity(rel, tuple),
								c->col[w->bad == CBR_DATE_EXPORTED ? EX_EXPORTED
									   : w->bad == CBR_DATE_LEFT_AREA ? EX_LEFT : EX_RETURNED],
								w->bad, w->bad_value);
			break;
		case CBR_BAD_ORDER:
			/* R-TX-2: the goods leave the special area after their export declaration */
			if (w->bad == CBR_DATE_LEFT_AREA)
				ereport(ERROR,
						(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
						 errmsg("departure from the special area on %s is before the export date %s (R-TX-2)",
								cbr_date_iso(row->left), cbr_date_iso(row->exported)),
						 errdetail("%sexported on %s, left the special area on %s.", cbr_row_identity(rel, tuple),
								   cbr_date_iso(row->exported), cbr_date_iso(row->left)),
						 errhint("A departure on or after %s is accepted.", cbr_date_iso(row->exported)),
						 /* the departure may be a declaration header's (no column here) */
						 c->col[EX_LEFT] ? errtablecol(rel, c->col[EX_LEFT]) : errtable(rel)));
			if (w->other == CBR_DATE_LEFT_AREA)
				ereport(ERROR,
						(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
						 errmsg("return of %s is before the departure from the special area on %s (R-EX-1)",
								cbr_date_iso(row->returned), cbr_date_iso(row->left)),
						 errdetail("%sleft the special area on %s, returned on %s.", cbr_row_identity(rel, tuple),
								   cbr_date_iso(row->left), cbr_date_iso(row->returned)),
						 errhint("A return date on or after %s is accepted.", cbr_date_iso(row->left)),
						 errtablecol(rel, c->col[EX_RETURNED])));
			/* docs/rules.md, Bad input: a return before the export is 22023 */
			ereport(ERROR,
					(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
					 errmsg("return of %s is before the export date %s (R-EX-1)",
							cbr_date_iso(row->returned), cbr_date_iso(row->exported)),
					 errdetail("%sexported on %s, returned on %s.", cbr_row_identity(rel, tuple),
							   cbr_date_iso(row->exported), cbr_date_iso(row->returned)),
					 errhint("A return date on or after %s is accepted.", cbr_date_iso(row->exported)),
					 errtablecol(rel, c->col[EX_RETURNED])));
			break;
		case CBR_FAIL_WINDOW:
			ereport(ERROR,
					(errcode(ERRCODE_CBRETURN_WINDOW),
					 errmsg("return of %s is after the R-EX-1 deadline %s",
							cbr_date_iso(row->returned), cbr_date_iso(w->deadline)),
					 errdetail("%sexported on %s, reason %s, returned on %s; the window is %d months from the export date.",
							   cbr_row_identity(rel, tuple), cbr_date_iso(row->exported),
							   _(cbr_reason_label(v->reason)), cbr_date_iso(row->returned), w->length),
					 v->reason == CBR_REASON_QUALITY_OR_SPEC
					 ? errhint("A return of these goods is accepted on or before %s.",
							   cbr_date_iso(w->deadline))
					 : errhint("A return of these goods is accepted on or before %s; only quality or specification returns (%s) have %d months.",
							   cbr_date_iso(w->deadline), cbr_remark_code(CBR_REASON_QUALITY_OR_SPEC),
							   CBR_EXPORT_MONTHS_QUALITY),
					 errtablecol(rel, c->col[EX_RETURNED])));
			break;
		default:
			break;
	}
}

/* R-EX-5: bad input (22008, CB007) or a refused return (CB005). */
static void
cbr_export_report_cross(Relation rel, HeapTuple tuple, const ExportCache *c,
						const CbrCrossVerdict *x)
{
	const CbrPolicy *p = cbr_policy();
	char		sup[5];
	char		expo[5];
	char		reto[5];

	AttrNumber	cols[4] = {c->col[EX_SUPERVISION], c->col[EX_EXPORT_OFFICE], c->col[EX_RETURN_OFFICE],
	c->col[EX_RETURNED]};

	cbr_report_cross_customs_input(x, rel, cbr_row_identity(rel, tuple), cols);
	cbr_format_code4(x->code, sup);
	cbr_format_code4(x->export_office, expo);
	cbr_format_code4(x->return_office, reto);
	ereport(ERROR,
			(errcode(ERRCODE_CBRETURN_CROSS_CUSTOMS),
			 errmsg("cross-customs return through office %s of goods exported through office %s is not allowed by R-EX-5",
					reto, expo),
			 errdetail("%ssupervision code %s, exported through %s, returned through %s on %s.%s",
					   cbr_row_identity(rel, tuple), sup, expo, reto,
					   cbr_date_iso(x->returned_on), cbr_steps_failed_text(cbr_steps_cross_customs(p, x))),
			 /* the pilot date of this return's district, as the policy tables hold it */
			 p->district_pilot[x->return_district] &&
			 p->district_pilot_from[x->return_district] < p->nationwide_from &&
			 (!p->pilot_both_districts || p->district_pilot[x->export_district])
			 ? errhint("Return the goods through a customs office of district %02d; a return through another district is allowed only for %04d retail exports, through district %02d from %s (pilot) or anywhere from %s.",
					   x->export_district, CBR_CODE_9610, x->return_district,
					   cbr_date_iso(p->district_pilot_from[x->return_district]),
					   cbr_date_iso(p->nationwide_from))
			 : p->earliest_pilot_from < p->nationwide_from
			 ? errhint("Return the goods through a customs office of district %02d; a return through another district is allowed only for %04d retail exports, in a pilot district from %s or anywhere from %s.",
					   x->export_district, CBR_CODE_9610, cbr_date_iso(p->earliest_pilot_from),
					   cbr_date_iso(p->nationwide_from))
			 : errhint("Return the goods through a customs office of district %02d; a return through another district is allowed only for %04d retail exports, from %s.",
					   x->export_district, CBR_CODE_9610, cbr_date_iso(p->nationwide_from)),
			 errtablecol(rel, c->col[EX_RETURN_OFFICE])));
}

/* CB009: R-EX-6, the return site (at the office of the return). */
static void
cbr_export_report_site(TriggerData *trigdata, HeapTuple tuple, const ExportCache *c,
					   const CbrExportRow *row, const CbrExportVerdict *d)
{
	AttrNumber	shown[2] = {c->col[EX_SITE], c->col[EX_RETURN_OFFICE]};

	cbr_report_site(trigdata, tuple, shown, row->site, row->code[2], &d->reg);
}

/*
 * The rule a failed verdict names and its SQLSTATE; true when the error
 * shows values the check may have read from a declaration header (the
 * R-EX-1 dates, the R-EX-5 codes).
 */
bool
cbr_export_rule(const CbrExportVerdict *d, const char **rule, int *code)
{
	switch (d->outcome)
	{
		case CBR_FAIL_REMARK_EMPTY:
		case CBR_FAIL_REMARK_NO_CODE:
		case CBR_FAIL_REMARK_MISMATCH:
			*rule = "R-EX-2";
			*code = ERRCODE_CBRETURN_REMARK;
			return false;
		case CBR_BAD_TEXT:
			if (d->bad_text == 3)
			{
				/* an applicant column that holds no unified social credit code */
				*rule = "R-EX-4";
				*code = ERRCODE_INVALID_TEXT_REPRESENTATION;
				return false;
			}
			*rule = d->bad_text < 0 ? "R-V-1" : "R-ID-2";
			*code = d->bad_text < 0 ? ERRCODE_CBRETURN_REASON_LABEL : ERRCODE_INVALID_TEXT_REPRESENTATION;
			return d->bad_text >= 0;
		case CBR_FAIL_SITE:
			/* the site and the return office: never a header's */
			*rule = "R-EX-6";
			*code = ERRCODE_CBRETURN_SITE;
			return false;
		case CBR_FAIL_APPLICANT:
			*rule = "R-EX-4";
			*code = ERRCODE_CBRETURN_APPLICANT;
			return false;
		default:
			break;
	}
	if (d->reg.rule_id != NULL && d->reg.outcome != CBR_PASS)
	{
		/* bad input asked of a register: an infinite return date */
		*rule = d->reg.rule_id;
		*code = ERRCODE_DATETIME_FIELD_OVERFLOW;
		return false;
	}
	if (d->window.outcome != CBR_PASS)
	{
		*rule = "R-EX-1";
		*code = d->window.outcome == CBR_FAIL_WINDOW ? ERRCODE_CBRETURN_WINDOW
			: d->window.outcome == CBR_BAD_ORDER ? ERRCODE_INVALID_PARAMETER_VALUE
			: ERRCODE_DATETIME_FIELD_OVERFLOW;
		return true;
	}
	*rule = "R-EX-5";
	*code = d->cross.outcome == CBR_BAD_DISTRICT || d->cross.outcome == CBR_BAD_CODE
		? ERRCODE_CBRETURN_UNKNOWN_CODE
		: d->cross.outcome == CBR_BAD_INFINITE || d->cross.outcome == CBR_BAD_RANGE
		? ERRCODE_DATETIME_FIELD_OVERFLOW : ERRCODE_CBRETURN_CROSS_CUSTOMS;
	return true;
}

/* Raise the error of a verdict other than CBR_PASS, as a client sees it. */
static void
cbr_export_report(TriggerData *trigdata, HeapTuple tuple, const ExportCache *c, const Datum *v,
				  const CbrExportRow *row, const CbrExportVerdict *d)
{
	Relation	rel = trigdata->tg_relation;

	switch (d->outcome)
	{
		case CBR_PASS:
			return;
		case CBR_BAD_TEXT:
			cbr_export_report_text(trigdata, tuple, c, v, d->bad_text);
			break;
		case CBR_FAIL_REMARK_EMPTY:
		case CBR_FAIL_REMARK_NO_CODE:
		case CBR_FAIL_REMARK_MISMATCH:
			cbr_export_report_remarks(rel, tuple, c, row, d);
			break;
		case CBR_FAIL_SITE:
			cbr_export_report_site(trigdata, tuple, c, row, d);
			break;
		case CBR_FAIL_APPLICANT:
			cbr_report_applicant(trigdata, tuple, c->col[EX_APPLICANT], &row->applicant, &d->reg);
			break;
		default:
			if (d->reg.rule_id != NULL)
			{
				/* bad input asked of a register (an infinite return date) */
				if (strcmp(d->reg.rule_id, "R-EX-4") == 0)
					cbr_report_applicant(trigdata, tuple, c->col[EX_APPLICANT], &row->applicant, &d->reg);
				cbr_export_report_site(trigdata, tuple, c, row, d);
			}
			if (d->window.outcome != CBR_PASS)
				cbr_export_report_window(rel, tuple, c, row, d);
			cbr_export_report_cross(rel, tuple, c, &d->cross);
			break;
	}
	elog(ERROR, "export check verdict %d was not reported", (int) d->outcome);
}

/* The arguments of cbr_export_report, for cbr_violation_report (violation.c). */
typedef struct ExportReport
{
	TriggerData *trigdata;
	HeapTuple	tuple;
	const ExportCache *c;
	const Datum *v;
	const CbrExportRow *row;
	const CbrExportVerdict *d;
} ExportReport;

static void
cbr_export_raise(void *arg)
{
	ExportReport *a = (ExportReport *) arg;

	/*
	 * The values the report shows (row_values.c): an unreadable code its own
	 * column; a label that names no reason hides itself (cbr_writer_may_see);
	 * any other verdict the columns it was read from.
	 */
	const AttrNumber *shows = a->c->col;
	int			nshows = EX_NROLES;
	const char *rule;
	int			code;

	if (a->d->outcome == CBR_BAD_TEXT)
	{
		nshows = a->d->bad_text < 0 ? 0 : 1;
		shows = &a->c->col[EX_SUPERVISION + Max(a->d->bad_text, 0)];
	}
	/* and a declaration header's columns, when the verdict shows a fact read there */
	CBR_REPORT_SHOWN(cbr_columns_visible(a->trigdata->tg_relation, a->tuple, shows, nshows) &&
					 (a->c->hdr == NULL || !cbr_export_rule(a->d, &rule, &code) ||
					  cbr_header_visible(a->c->hdr)),
					 a->trigdata->tg_relation, gettext_noop("export return"),
					 cbr_export_report(a->trigdata, a->tuple, a->c, a->v, a->row, a->d));
}

/*
 * The message cbr_export_raise would raise for a stored return tuple (a
 * header correction quotes it): its values are shown as SELECT allows, the
 * row being no row this statement writes.
 */
char *
cbr_export_verdict_message(Relation rel, HeapTuple tuple, const ExportCache *c, const Datum *v,
						   const CbrExportRow *row, const CbrExportVerdict *d)
{
	ExportReport a = {cbr_stored_row_call(rel, tuple), tuple, c, v, row, d};

	return cbr_verdict_message(cbr_export_raise, &a);
}

/*
 * A row the decision refused, or any row of a check that fills a column:
 * raise as always (refuse mode), or record each broken rule and let the row
 * be stored (record mode), after setting R-EX-1 and R-EX-2 aside for an
 * ordinary (taxed) return (src/enforce/violation.c).  *d is left with what
 * the row is filled with: no remark code nor deadline for an ordinary
 * return; the R-EX-1 deadline for a recorded one.
 */
void
cbr_export_violation(TriggerData *trigdata, HeapTuple tuple, const ExportCache *c, const Datum *v,
					 const CbrExportRow *row, CbrExportVerdict *d)
{
	CbrViolations *s = cbr_violations_begin(trigdata->tg_relation, CBR_CHECK_EXPORT);
	CbrExportRow r = *row;
	CbrExportVerdict dv = *d;
	ExportReport a = {trigdata, tuple, c, v, &r, &dv};

	if (s == NULL)
	{
		if (d->outcome != CBR_PASS)
			cbr_export_raise(&a);
		return;
	}
	if (cbr_violations_ordinary(s, tuple))
	{
		cbr_export_skip_cbec(&r);
		(void) cbr_decide_export_return(cbr_policy(), &r, &dv);
		*d = dv;
	}
	if (dv.outcome == CBR_PASS)
		return;
	do
	{
		cbr_violation_report(s, tuple, cbr_export_rule_of(&dv), cbr_export_raise, &a);
		if (dv.window.has_deadline && !d->window.has_deadline)
			d->window = dv.window;
	} while (cbr_export_next_failure(cbr_policy(), &r, &dv));
}

/* An unreadable value of a row, raised as the check raises it (assessments over a table). */
void
cbr_export_raise_text(TriggerData *trigdata, const ExportCache *c, const Datum *v,
					  const CbrExportRow *row, int bad_text)
{
	CbrExportVerdict d;
	ExportReport a = {trigdata, trigdata->tg_trigtuple, c, v, row, &d};

	memset(&d, 0, sizeof(d));
	d.outcome = CBR_BAD_TEXT;
	d.bad_text = bad_text;
	cbr_export_raise(&a);
}
