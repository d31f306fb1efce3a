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
 *
 * The errors a verdict raises, and the path of a refused row through record
 * mode and ordinary returns, are export_report.c; the roles and the cached
 * configuration both files read are export_int.h.
 */
#include "enforce/export_int.h"
#include "enforce/assess.h"

#include "access/htup_details.h"
#include "catalog/pg_type.h"
#include "utils/builtins.h"
#include "utils/lsyscache.h"

static const char *const export_roles[EX_NROLES] = {
	"exported_on", "reason", "returned_on", "remarks", "supervision_code",
	"export_office", "return_office", "applicant", "return_site", "left_special_area_on"
};

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

/* The reason of a row: an enum value, or a label read as R-V-1 reads it. */
static void
cbr_export_read_reason(const ExportCache *c, Datum v, bool isnull, CbrExportRow *row)
{
	row->reason = CBR_REASON_UNSOLD;
	if (isnull)
		row->reason_state = CBR_VALUE_NULL;
	else if (c->reason_is_enum)
	{
		row->reason = cbr_reason_from_oid(DatumGetObjectId(v));
		row->reason_state = CBR_VALUE_OK;
	}
	else
	{
		text	   *t = (text *) pg_detoast_datum_packed((struct varlena *) DatumGetPointer(v));

		row->reason_state = cbr_reason_from_label(VARDATA_ANY(t), (int) VARSIZE_ANY_EXHDR(t), &row->reason)
			? CBR_VALUE_OK : CBR_VALUE_BAD;
	}
}

/* R-EX-4, R-EX-6: the applicant and the return site, read from registers */
static void
cbr_export_read_registers(const ExportCache *c, const Datum *v, const bool *isnull, CbrExportRow *row)
{
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

	cbr_export_read_reason(c, v[EX_REASON], isnull[EX_REASON], row);

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

	cbr_export_read_registers(c, v, isnull, row);
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

/* The row of return tuple as the check reads it with the facts of header row htuple. */
static void
cbr_export_header_row(ExportCache *c, Relation rel, HeapTuple tuple, TupleDesc hdesc,
					  HeapTuple htuple, Datum *v, bool *isnull, CbrExportRow *row)
{
	cbr_export_fetch(c, RelationGetDescr(rel), tuple, v, isnull);
	if (c->hdr)
		cbr_header_values(c->hdr, hdesc, htuple, v, isnull);
	cbr_export_read(c, v, isnull, row);
	row->need_deadline = false;
	/* an ordinary (taxed) return is not held to R-EX-1, R-EX-2 (cbreturn.set_ordinary_return_column) */
	if (cbr_violations_ordinary(cbr_violations_begin(rel, CBR_CHECK_EXPORT), tuple))
		cbr_export_skip_cbec(row);
}

/*
 * header.c's guard asks: does this return of rel fail, with the facts of the
 * corrected header row newh, a rule it did not fail with the row as it was
 * (oldh)?  A return stored in record mode, or before its check, may fail a
 * rule already; a correction may not add another.  The rules are taken one
 * at a time (cbr_export_next_failure), as record mode logs them.
 */
bool
cbr_export_header_recheck(Relation rel, HeapTuple tuple, TupleDesc hdesc, HeapTuple oldh,
						  HeapTuple newh, const char **rule, int *sqlerrcode, char **why)
{
	ExportCache *c = (ExportCache *) cbr_check_config_rel(rel, CBR_CHECK_EXPORT, cbr_export_build);
	const CbrPolicy *p = cbr_policy();
	Datum		v[EX_NROLES];
	bool		isnull[EX_NROLES];
	Datum		was_v[EX_NROLES];
	bool		was_null[EX_NROLES];
	CbrExportRow row;
	CbrExportRow was_row;
	CbrExportVerdict d;
	CbrExportVerdict was_d;
	const char *was[16];
	int			nwas = 0;
	int			i;

	/* the common case first: the return passes with the corrected row */
	cbr_export_header_row(c, rel, tuple, hdesc, newh, v, isnull, &row);
	if (cbr_decide_export_return(p, &row, &d) == CBR_PASS)
		return true;
	cbr_export_header_row(c, rel, tuple, hdesc, oldh, was_v, was_null, &was_row);
	if (cbr_decide_export_return(p, &was_row, &was_d) != CBR_PASS)
		do
			if (nwas < (int) lengthof(was))
				was[nwas++] = cbr_export_rule_of(&was_d);
		while (cbr_export_next_failure(p, &was_row, &was_d));
	do
	{
		const char *r = cbr_export_rule_of(&d);

		for (i = 0; i < nwas && strcmp(was[i], r) != 0; i++)
			;
		if (i < nwas)
			continue;			/* failed before the correction too */
		(void) cbr_export_rule(&d, rule, sqlerrcode);
		if (why != NULL)
			*why = cbr_export_verdict_message(rel, tuple, c, v, &row, &d);
		return false;
	} while (cbr_export_next_failure(p, &row, &d));
	return true;
}

/*
 * cbreturn.assess_export_returns (assess_scan.c) asks: the facts of a stored
 * return as this check reads them (assess.h).  A header row that is missing
 * raises CB014 through cbr_violation_report_input (the scan collects
 * nothing); an unreadable value raises the check's own error.
 */
void
cbr_export_facts(TriggerData *td, CbrExportRow *row, bool *ordinary)
{
	Relation	rel = td->tg_relation;
	ExportCache *c = (ExportCache *) cbr_check_config_rel(rel, CBR_CHECK_EXPORT, cbr_export_build);
	Datum		v[EX_NROLES];
	bool		isnull[EX_NROLES];
	int			i;

	cbr_export_fetch(c, RelationGetDescr(rel), td->tg_trigtuple, v, isnull);
	/* what the assessment shows derives from the header's facts: the caller must read them */
	if (c->hdr && !cbr_header_visible(c->hdr))
		cbr_assess_header_denied(rel, cbr_header_relid(c->hdr));
	if (c->hdr && !cbr_header_read(c->hdr, td, td->tg_trigtuple, v, isnull, CBR_CHECK_EXPORT))
		cbr_header_row_missing(c->hdr);
	cbr_export_read(c, v, isnull, row);
	/* an ordinary return's reason is not read, as the check does not read it */
	*ordinary = cbr_violations_ordinary(cbr_violations_begin(rel, CBR_CHECK_EXPORT), td->tg_trigtuple);
	if (*ordinary)
		cbr_export_skip_cbec(row);
	if (row->reason_state == CBR_VALUE_BAD)
		cbr_export_raise_text(td, c, v, row, -1);
	for (i = 0; i < 3; i++)
		if (row->code_state[i] == CBR_VALUE_BAD)
			cbr_export_raise_text(td, c, v, row, i);
}
