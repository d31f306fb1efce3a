/*
 * export_check.c
 *		The export-return check (R-EX-1, R-EX-2, R-EX-5, R-EX-6, R-EX-4, and
 *		the 1210 clock of R-TX-2) on an ERP's own
 *		table: a thin adapter from a row to cbr_decide_export_return
 *		(src/rules/export.c), and from its verdict to an error.
 *
 * Attached AFTER ROW with a WHEN clause (_export_row_ok) that asks the same
 * decision, so a row that passes queues no trigger event; the trigger is
 * only called for a row that fails, and raises the detailed error.  BEFORE
 * ROW when it fills the remarks or the deadline column (see trigger.c).
 */
#include "enforce/violation.h"	/* and trigger.h */
#include "enforce/header.h"

#include "access/htup_details.h"
#include "catalog/pg_type.h"
#include "utils/builtins.h"
#include "utils/lsyscache.h"

/* The columns the export check reads, in the order of _export_row_ok's arguments. */
typedef enum ExportRole
{
	EX_EXPORTED,
	EX_REASON,
	EX_RETURNED,
	EX_REMARKS,
	EX_SUPERVISION,
	EX_EXPORT_OFFICE,
	EX_RETURN_OFFICE,
	EX_APPLICANT,				/* R-EX-4 (added in 0.3.0: roles added later come last) */
	EX_SITE,					/* R-EX-6 */
	EX_LEFT,					/* R-TX-2: departure from the special area (1210) */
	EX_NROLES
} ExportRole;

static const char *const export_roles[EX_NROLES] = {
	"exported_on", "reason", "returned_on", "remarks", "supervision_code",
	"export_office", "return_office", "applicant", "return_site", "left_special_area_on"
};

typedef struct ExportCache
{
	AttrNumber	col[EX_NROLES];	/* 0: not attached */
	AttrNumber	deadline;
	bool		reason_is_enum;
	bool		code_is_text[3];	/* supervision, export office, return office */
	bool		applicant_is_text;
	bool		site_is_bpchar;
	bool		fill_remarks;
	CbrHeaderUse *hdr;			/* roles read from a declaration header (header.c) */
	/* how to build a value of the remarks column when filling it */
	FmgrInfo	remarks_in;
	Oid			remarks_ioparam;
	int32		remarks_typmod;
} ExportCache;

/* Builds the ExportCache of the export check on rel (see cbr_check_config). */
static void *
cbr_export_build(const CbrCheckMeta *meta, Relation rel, MemoryContext cxt)
{
	ExportCache *c;
	Oid			date_t[1] = {DATEOID};
	Oid			text_t[3] = {TEXTOID, VARCHAROID, BPCHAROID};
	Oid			reason_t[4];
	Oid			sup_t[4];
	Oid			office_t[4];
	TupleDesc	tupdesc = RelationGetDescr(rel);
	int			i;

	c = MemoryContextAllocZero(cxt, sizeof(ExportCache));
	reason_t[0] = cbr_type_oid("return_reason");
	sup_t[0] = cbr_type_oid("supervision_code");
	office_t[0] = cbr_type_oid("customs_code");
	memcpy(reason_t + 1, text_t, sizeof(text_t));
	memcpy(sup_t + 1, text_t, sizeof(text_t));
	memcpy(office_t + 1, text_t, sizeof(text_t));

	/* the export date and codes may be read from a declaration header */
	c->hdr = cbr_header_use(meta, rel, export_roles, EX_NROLES, cxt);
	/* R-T-1: the date roles may be date, timestamp or timestamptz columns */
	c->col[EX_EXPORTED] = cbr_date_role_column(meta, "exported_on", rel, !cbr_header_has(c->hdr, EX_EXPORTED));
	c->col[EX_REASON] = cbr_role_column(meta, "reason", rel, reason_t, 4, false);
	c->col[EX_RETURNED] = cbr_date_role_column(meta, "returned_on", rel, false);
	c->col[EX_REMARKS] = cbr_role_column(meta, "remarks", rel, text_t, 3, false);
	c->col[EX_SUPERVISION] = cbr_role_column(meta, "supervision_code", rel, sup_t, 4, false);
	c->col[EX_EXPORT_OFFICE] = cbr_role_column(meta, "export_office", rel, office_t, 4, false);
	c->col[EX_RETURN_OFFICE] = cbr_role_column(meta, "return_office", rel, office_t, 4, false);
	c->deadline = cbr_role_column(meta, "deadline", rel, date_t, 1, false);
	{
		Oid			uscc_t[4] = {cbr_type_oid("uscc"), TEXTOID, VARCHAROID, BPCHAROID};

		c->col[EX_APPLICANT] = cbr_role_column(meta, "applicant", rel, uscc_t, 4, false);
		c->col[EX_SITE] = cbr_role_column(meta, "return_site", rel, text_t, 3, false);
		c->col[EX_LEFT] = cbr_date_role_column(meta, "left_special_area_on", rel, false);
		if (c->col[EX_APPLICANT])
			c->applicant_is_text = TupleDescAttr(tupdesc, c->col[EX_APPLICANT] - 1)->atttypid != uscc_t[0];
		if (c->col[EX_SITE])
			c->site_is_bpchar = TupleDescAttr(tupdesc, c->col[EX_SITE] - 1)->atttypid == BPCHAROID;
	}
	c->fill_remarks = meta->fill_remarks && c->col[EX_REMARKS] != InvalidAttrNumber;
	if (c->col[EX_REASON])
		c->reason_is_enum = TupleDescAttr(tupdesc, c->col[EX_REASON] - 1)->atttypid == reason_t[0];
	for (i = 0; i < 3; i++)
	{
		AttrNumber	a = c->col[EX_SUPERVISION + i];

		if (a)
			c->code_is_text[i] = TupleDescAttr(tupdesc, a - 1)->atttypid != (i == 0 ? sup_t[0] : office_t[0]);
		else if (cbr_header_has(c->hdr, EX_SUPERVISION + i))
			c->code_is_text[i] = cbr_header_type(c->hdr, EX_SUPERVISION + i) != (i == 0 ? sup_t[0] : office_t[0]);
	}
	if (c->fill_remarks)
	{
		Form_pg_attribute att = TupleDescAttr(tupdesc, c->col[EX_REMARKS] - 1);
		Oid			typinput;

		getTypeInputInfo(att->atttypid, &typinput, &c->remarks_ioparam);
		fmgr_info_cxt(typinput, &c->remarks_in, cxt);
		c->remarks_typmod = att->atttypmod;
	}
	return c;
}

static int
cbr_export_attnums(const void *config, AttrNumber *attnums)
{
	const ExportCache *c = (const ExportCache *) config;

	memcpy(attnums, c->col, sizeof(AttrNumber) * EX_NROLES);
	/* the key columns of a declaration header follow the roles */
	return c->hdr ? cbr_header_keys(c->hdr, attnums + EX_NROLES) : 0;
}

/*
 * The reason held by a text value: a label of cbreturn.reason_labels (R-V-1;
 * src/policy/reason_labels.c), compared without the blanks around it (bpchar
 * padding included) and without letter case.
 */
static bool
cbr_reason_from_label(const char *s, int len, CbrReason *reason)
{
	return cbr_reason_label_lookup(s, len, reason) == CBR_LABEL_REASON;
}

/*
 * A code held as text (R-ID-2, R-ID-3), parsed from a copy on the stack: a
 * COPY reads two or three such codes a row (from a declaration header too),
 * and a palloc'd string for each was a measurable part of the check.
 */
static bool
cbr_export_code_text(Datum d, int16 *code, CbrParseError *err)
{
	text	   *t = (text *) pg_detoast_datum_packed((struct varlena *) DatumGetPointer(d));
	int			len = (int) VARSIZE_ANY_EXHDR(t);
	char		buf[32];

	if (len >= (int) sizeof(buf))
		return cbr_parse_code4(TextDatumGetCString(d), code, err);
	memcpy(buf, VARDATA_ANY(t), len);
	buf[len] = '\0';
	return cbr_parse_code4(buf, code, err);
}

/*
 * Read the values of the checked columns (in ExportRole order; isnull for a
 * role not attached) into *row.  Never raises for a value: unreadable text
 * is CBR_VALUE_BAD, for the verdict to report in its turn.
 */
static void
cbr_export_read(const ExportCache *c, const Datum *v, const bool *isnull, CbrExportRow *row)
{
	int			i;

	row->reason_attached = c->col[EX_REASON] != InvalidAttrNumber;
	row->remarks_attached = c->col[EX_REMARKS] != InvalidAttrNumber;
	row->codes_attached = c->col[EX_SUPERVISION] != InvalidAttrNumber || cbr_header_has(c->hdr, EX_SUPERVISION);
	row->fill_remarks = c->fill_remarks;
	row->need_deadline = true;	/* the WHEN function clears it */
	row->cross_set_aside = false;

	row->has_exported = !isnull[EX_EXPORTED];
	row->exported = row->has_exported ? DatumGetDateADT(v[EX_EXPORTED]) : 0;
	row->has_returned = !isnull[EX_RETURNED];
	row->returned = row->has_returned ? DatumGetDateADT(v[EX_RETURNED]) : 0;

	row->reason = CBR_REASON_UNSOLD;
	if (isnull[EX_REASON])
		row->reason_state = CBR_VALUE_NULL;
	else if (c->reason_is_enum)
	{
		row->reason = cbr_reason_from_oid(DatumGetObjectId(v[EX_REASON]));
		row->reason_state = CBR_VALUE_OK;
	}
	else
	{
		text	   *t = (text *) pg_detoast_datum_packed((struct varlena *) DatumGetPointer(v[EX_REASON]));

		row->reason_state = cbr_reason_from_label(VARDATA_ANY(t), (int) VARSIZE_ANY_EXHDR(t), &row->reason)
			? CBR_VALUE_OK : CBR_VALUE_BAD;
	}

	row->remarks = NULL;
	row->remarks_len = 0;
	if (!isnull[EX_REMARKS])
	{
		text	   *t = (text *) pg_detoast_datum_packed((struct varlena *) DatumGetPointer(v[EX_REMARKS]));

		row->remarks = VARDATA_ANY(t);
		row->remarks_len = (int) VARSIZE_ANY_EXHDR(t);
	}

	for (i = 0; i < 3; i++)
	{
		Datum		d = v[EX_SUPERVISION + i];
		CbrParseError err;

		row->code[i] = 0;
		if (isnull[EX_SUPERVISION + i])
			row->code_state[i] = CBR_VALUE_NULL;
		else if (!c->code_is_text[i])
		{
			row->code[i] = DatumGetInt16(d);
			row->code_state[i] = CBR_VALUE_OK;
		}
		else
			row->code_state[i] = cbr_export_code_text(d, &row->code[i], &err) ? CBR_VALUE_OK : CBR_VALUE_BAD;
	}

	/* R-TX-2: the departure from the special area (1210) */
	row->left_attached = c->col[EX_LEFT] != InvalidAttrNumber || cbr_header_has(c->hdr, EX_LEFT);
	row->has_left = !isnull[EX_LEFT];
	row->left = row->has_left ? DatumGetDateADT(v[EX_LEFT]) : 0;

	/* R-EX-4, R-EX-6: the applicant and the return site, read from registers */
	row->applicant_attached = c->col[EX_APPLICANT] != InvalidAttrNumber;
	row->site_attached = c->col[EX_SITE] != InvalidAttrNumber;
	row->registers = (row->applicant_attached || row->site_attached) ? cbr_registers() : NULL;
	memset(&row->applicant, 0, sizeof(row->applicant));
	if (isnull[EX_APPLICANT])
		row->applicant_state = CBR_VALUE_NULL;
	else if (!c->applicant_is_text)
	{
		row->applicant = *(const CbrUscc *) DatumGetPointer(v[EX_APPLICANT]);
		row->applicant_state = CBR_VALUE_OK;
	}
	else
	{
		char	   *str = TextDatumGetCString(v[EX_APPLICANT]);
		CbrUsccError err;

		row->applicant_state = cbr_parse_uscc(str, (int) strlen(str), false, &row->applicant, &err)
			? CBR_VALUE_OK : CBR_VALUE_BAD;
	}
	row->site = isnull[EX_SITE] ? NULL : cbr_text_value(v[EX_SITE], c->site_is_bpchar);
}

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
	Relation	rel = trigdata->tg_relation;
	TupleDesc	tupdesc = RelationGetDescr(rel);
	AttrNumber	attnum;
	char	   *str;
	int16		code;
	CbrParseError err;

	if (bad_text == 3)
		cbr_report_uscc_text(trigdata, c->col[EX_APPLICANT], TextDatumGetCString(v[EX_APPLICANT]));
	if (bad_text < 0)
		cbr_export_report_label(trigdata, tuple, c, v[EX_REASON]);
	attnum = c->col[EX_SUPERVISION + bad_text];
	str = TextDatumGetCString(v[EX_SUPERVISION + bad_text]);
	if (attnum == InvalidAttrNumber)
		cbr_header_report_code(c->hdr, EX_SUPERVISION + bad_text, str);
	if (cbr_parse_code4(str, &code, &err))
		elog(ERROR, "code \"%s\" was unreadable and is now read", str);
	ereport(ERROR,
			(errcode(ERRCODE_INVALID_TEXT_REPRESENTATION),
			 errmsg("invalid 4-digit code \"%s\" in column \"%s\": %s", str,
					NameStr(TupleDescAttr(tupdesc, attnum - 1)->attname),
					cbr_parse_error_text(&err, str)),
			 errhint("Customs office and supervision codes have 4 digits, e.g. 2924 or 9610 (R-ID-2, R-ID-3)."),
			 errtablecol(rel, attnum)));
}

/* CB002: R-EX-2, the remarks do not start with the code of the reason. */
static void
cbr_export_report_remarks(Relation rel, HeapTuple tuple, const ExportCache *c,
						  const CbrExportRow *row, const CbrExportVerdict *v)
{
	char	   *remarks = row->remarks ? pnstrdup(row->remarks, row->remarks_len) : NULL;
	const char *label = v->has_reason ? cbr_reason_label(v->reason) : NULL;

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
			cbr_report_date_out_of_range(w->bad == CBR_DATE_EXPORTED ? gettext_noop("export date")
										 : w->bad == CBR_DATE_LEFT_AREA ? "left_special_area_on" : "returned_on",
										 w->bad_value);
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
			if (v->bonded)
				ereport(ERROR,
						(errcode(ERRCODE_CBRETURN_WINDOW),
						 errmsg("return of %s is after the R-EX-1 deadline %s",
								cbr_date_iso(row->returned), cbr_date_iso(w->deadline)),
						 errdetail("%sexported under 1210 on %s, left the special area on %s, reason %s, returned on %s; the window is %d months from the departure from the special area (R-TX-2).",
								   cbr_row_identity(rel, tuple), cbr_date_iso(row->exported),
								   cbr_date_iso(row->left), _(cbr_reason_label(v->reason)),
								   cbr_date_iso(row->returned), w->length),
						 errhint("A return of these goods is accepted on or before %s.",
								 cbr_date_iso(w->deadline)),
						 errtablecol(rel, c->col[EX_RETURNED])));
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

	cbr_report_cross_customs_input(x);
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
			 p->earliest_pilot_from < p->nationwide_from
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
static bool
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

/* The values of the checked columns of a row (isnull for a role not attached). */
static void
cbr_export_fetch(const ExportCache *c, TupleDesc tupdesc, HeapTuple tuple, Datum *v, bool *isnull)
{
	int			i;

	for (i = 0; i < EX_NROLES; i++)
	{
		v[i] = (Datum) 0;
		isnull[i] = true;
		/* a timestamp(tz) date role is read as its date (R-T-1) */
		if (c->col[i])
			v[i] = cbr_getattr_fact(tuple, tupdesc, c->col[i], &isnull[i]);
	}
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
 * A row the decision refused, or any row of a check that fills a column:
 * raise as always (refuse mode), or record each broken rule and let the row
 * be stored (record mode), after setting R-EX-1 and R-EX-2 aside for an
 * ordinary (taxed) return (src/enforce/violation.c).  *d is left with what
 * the row is filled with: no remark code nor deadline for an ordinary
 * return; the R-EX-1 deadline for a recorded one.
 */
static void
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

/*
 * cbreturn.export_return_check(): AFTER (or BEFORE) INSERT OR UPDATE FOR
 * EACH ROW; BEFORE when it fills the remarks or the deadline column.
 *
 * The rules are cbr_decide_export_return's (R-EX-2, R-EX-1 with the 1210
 * clock of R-TX-2, R-EX-5, R-EX-6, R-EX-4, in that order); this raises what it found, fills empty remarks when the DBA asked
 * for that, and fills the optional deadline column.
 */
PG_FUNCTION_INFO_V1(export_return_check);
Datum
export_return_check(PG_FUNCTION_ARGS)
{
	TriggerData *trigdata = cbr_trigger_protocol(fcinfo, "export_return_check", CBR_FIRE_EITHER, false);
	Relation	rel = trigdata->tg_relation;
	TupleDesc	tupdesc = RelationGetDescr(rel);
	HeapTuple	tuple = cbr_checked_tuple(trigdata);
	ExportCache *c = (ExportCache *) cbr_check_config(fcinfo, rel, CBR_CHECK_EXPORT, cbr_export_build);
	Datum		v[EX_NROLES];
	bool		isnull[EX_NROLES];
	CbrExportRow row;
	CbrExportVerdict d;
	int			cols[2];
	Datum		vals[2];
	bool		nulls[2] = {false, false};
	int			n = 0;

	/*
	 * Filling a column changes the row, which only a BEFORE trigger can do;
	 * attach_export_return_checks creates the trigger BEFORE in that case.
	 */
	if ((c->fill_remarks || c->deadline) && !TRIGGER_FIRED_BEFORE(trigdata->tg_event))
		ereport(ERROR,
				(errcode(ERRCODE_E_R_I_E_TRIGGER_PROTOCOL_VIOLATED),
				 errmsg("function \"%s\" must be fired BEFORE the row is written", "export_return_check"),
				 c->fill_remarks
				 ? errdetail("The export check on table \"%s\" fills empty remarks.", RelationGetRelationName(rel))
				 : errdetail("The export check on table \"%s\" fills the deadline column.", RelationGetRelationName(rel)),
				 errhint("Create the trigger with cbreturn.attach_export_return_checks, not by hand.")));

	cbr_export_fetch(c, tupdesc, tuple, v, isnull);
	/* roles read from a declaration header: its row, found and locked */
	if (c->hdr && !cbr_header_read(c->hdr, trigdata, tuple, v, isnull, CBR_CHECK_EXPORT))
		return PointerGetDatum(tuple);
	cbr_export_read(c, v, isnull, &row);
	if (cbr_decide_export_return(cbr_policy(), &row, &d) != CBR_PASS || c->fill_remarks || c->deadline)
		cbr_export_violation(trigdata, tuple, c, v, &row, &d);

	if (d.fill_remarks)
	{
		cols[n] = c->col[EX_REMARKS];
		vals[n++] = InputFunctionCall(&c->remarks_in, (char *) cbr_remark_code(d.reason),
									  c->remarks_ioparam, c->remarks_typmod);
	}
	/* The deadline column, when attached, always holds the R-EX-1 deadline. */
	if (c->deadline)
	{
		cols[n] = c->deadline;
		vals[n] = d.window.has_deadline ? DateADTGetDatum(d.window.deadline) : (Datum) 0;
		nulls[n++] = !d.window.has_deadline;
	}
	if (n > 0)
		tuple = heap_modify_tuple_by_cols(tuple, tupdesc, n, cols, vals, nulls);
	return PointerGetDatum(tuple);
}

/*
 * cbreturn._export_row_ok(checked regclass, exported_on date, reason "any",
 * returned_on date, remarks "any", supervision_code "any",
 * export_office "any", return_office "any"[, applicant "any", return_site
 * "any", left_special_area_on date]): the WHEN clause of the reading export
 * check (the shorter form is the one triggers attached before 0.3.0 call).
 * True when cbr_decide_export_return accepts the row (R-EX-1, R-EX-2,
 * R-EX-5, R-EX-6, R-EX-4); false when it rejects it, cannot read a value,
 * or the check fills a column (then the trigger must see every row).  The
 * arguments are the attached columns in role order, NULL for a role not
 * attached (verified, see cbr_row_ok_config); for a check that reads a
 * declaration header, the header key columns follow (the VARIADIC form),
 * and the roles the header holds are read from its row, found and locked
 * here (cbr_export_row_header).
 */
/*
 * The roles a WHEN clause's row reads from its declaration header: its
 * header row found and locked FOR KEY SHARE, as the trigger would (header.c;
 * the trigger finds it again in the transaction's cache), so that a row that
 * passes queues no event.  False (the trigger decides) when the clause
 * passes no key (a form without them) or the key names no header row (the
 * trigger raises CB014).
 */
static bool
cbr_export_row_header(FunctionCallInfo fcinfo, const ExportCache *c, Datum *v, bool *isnull)
{
	AttrNumber	key[CBR_MAX_ROLES];
	Datum		keys[CBR_HEADER_MAX_KEYS];
	bool		knull[CBR_HEADER_MAX_KEYS];
	int			nkeys = cbr_header_keys(c->hdr, key);
	int			i;

	if (PG_NARGS() != 1 + EX_NROLES + nkeys)
		return false;
	for (i = 0; i < nkeys; i++)
	{
		knull[i] = PG_ARGISNULL(1 + EX_NROLES + i);
		keys[i] = knull[i] ? (Datum) 0 : PG_GETARG_DATUM(1 + EX_NROLES + i);
	}
	return cbr_header_lookup(c->hdr, keys, knull, v, isnull);
}

PG_FUNCTION_INFO_V1(cbr_export_row_ok);
Datum
cbr_export_row_ok(PG_FUNCTION_ARGS)
{
	ExportCache *c = (ExportCache *) cbr_row_ok_config(fcinfo, CBR_CHECK_EXPORT, cbr_export_build,
													   cbr_export_attnums, "_export_row_ok",
													   export_roles, EX_NROLES);
	Datum		v[EX_NROLES];
	bool		isnull[EX_NROLES];
	CbrExportRow row;
	CbrExportVerdict d;
	int			i;

	if (c == NULL)
		PG_RETURN_BOOL(true);	/* a row moved to another partition (cbr_row_ok_config) */
	if (c->fill_remarks || c->deadline)
		PG_RETURN_BOOL(false);
	/* a WHEN clause of 0.2.0 passes the first seven roles only */
	for (i = 0; i < EX_NROLES; i++)
	{
		isnull[i] = i + 1 >= PG_NARGS() || PG_ARGISNULL(i + 1);
		v[i] = isnull[i] ? (Datum) 0 : PG_GETARG_DATUM(i + 1);
	}
	if (c->hdr && !cbr_export_row_header(fcinfo, c, v, isnull))
		PG_RETURN_BOOL(false);
	cbr_export_read(c, v, isnull, &row);
	row.need_deadline = false;	/* a passing row is all it asks */
	PG_RETURN_BOOL(cbr_decide_export_return(cbr_policy(), &row, &d) == CBR_PASS && !d.fill_remarks);
}

/*
 * header.c's guard asks: does this return of rel pass the export check with
 * the facts of header row htuple (the row as it was, or as corrected)?
 */
bool
cbr_export_header_recheck(Relation rel, HeapTuple tuple, TupleDesc hdesc, HeapTuple htuple,
						  const char **rule, int *sqlerrcode)
{
	ExportCache *c = (ExportCache *) cbr_check_config_rel(rel, CBR_CHECK_EXPORT, cbr_export_build);
	Datum		v[EX_NROLES];
	bool		isnull[EX_NROLES];
	CbrExportRow row;
	CbrExportVerdict d;

	cbr_export_fetch(c, RelationGetDescr(rel), tuple, v, isnull);
	if (c->hdr)
		cbr_header_values(c->hdr, hdesc, htuple, v, isnull);
	cbr_export_read(c, v, isnull, &row);
	row.need_deadline = false;
	/* an ordinary (taxed) return is not held to R-EX-1, R-EX-2 (cbreturn.set_ordinary_return_column) */
	if (cbr_violations_ordinary(cbr_violations_begin(rel, CBR_CHECK_EXPORT), tuple))
		cbr_export_skip_cbec(&row);
	if (cbr_decide_export_return(cbr_policy(), &row, &d) == CBR_PASS)
		return true;
	(void) cbr_export_rule(&d, rule, sqlerrcode);
	return false;
}
