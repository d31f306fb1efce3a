/*
 * status_check.c
 *		The status check (rules section 6, seed 000) on an ERP's own table: a
 *		thin adapter from the old and new row to cbr_decide_status
 *		(src/rules/status.c), and from its verdict to an error.
 *
 * A return is registered, declared, shipped, arrives, is inspected and is
 * released or rejected; a table may also map a label for a withdrawn
 * return.  A status never goes backwards (released, rejected and withdrawn
 * are final), a recorded stage time is never cleared, a stage's time is not
 * set before the stage is reached, a later stage never has an earlier time,
 * and a status is reached only through the stages whose time columns the
 * DBA mapped.  BEFORE ROW: it compares the old and the new row.
 *
 * The labels are also what the quantity check on the same table reads as
 * rejected and withdrawn (attach_quantity_check takes them from here), so
 * the two checks agree on which returns still hold their quantity.
 */
#include "enforce/trigger.h"
#include "enforce/violation.h"

#include "access/htup_details.h"
#include "catalog/pg_type.h"
#include "utils/builtins.h"
#include "utils/lsyscache.h"
#include "utils/timestamp.h"

typedef struct StatusCache
{
	AttrNumber	status;
	FmgrInfo	status_out;
	char	   *labels[CBR_STAGES];
	char	   *withdrawn;		/* the label of a withdrawn return, or NULL */
	AttrNumber	stamp[CBR_STAGES];
	Oid			stamp_type;		/* DATEOID, TIMESTAMPOID or TIMESTAMPTZOID */
} StatusCache;

/* Builds the StatusCache of the status check on rel (see cbr_check_config). */
static void *
cbr_status_build(const CbrCheckMeta *meta, Relation rel, MemoryContext cxt)
{
	StatusCache *c;
	Oid			stamp_t[3] = {DATEOID, TIMESTAMPOID, TIMESTAMPTZOID};
	Oid			typout;
	bool		varlena;
	int			i;

	c = MemoryContextAllocZero(cxt, sizeof(StatusCache));
	/* text, varchar, bpchar, name or an enum: any type is read by its output */
	c->status = cbr_role_column(meta, "status", rel, NULL, 0, true);
	getTypeOutputInfo(TupleDescAttr(RelationGetDescr(rel), c->status - 1)->atttypid,
					  &typout, &varlena);
	fmgr_info_cxt(typout, &c->status_out, cxt);
	if (meta->nlabels != CBR_STAGES && meta->nlabels != CBR_STAGES + 1)
		ereport(ERROR,
				(errcode(ERRCODE_OBJECT_NOT_IN_PREREQUISITE_STATE),
				 errmsg("the status check on table \"%s\" has %d status labels, not %d or %d",
						RelationGetRelationName(rel), meta->nlabels, CBR_STAGES, CBR_STAGES + 1),
				 errhint("Detach the check with cbreturn.detach() and attach it again with cbreturn.attach_status_check().")));
	if (meta->nlabels == CBR_STAGES + 1)
		c->withdrawn = meta->labels[CBR_STAGES];
	for (i = 0; i < CBR_STAGES; i++)
	{
		char		role[32];

		c->labels[i] = meta->labels[i];
		snprintf(role, sizeof(role), "%s_at", cbr_stage_names[i]);
		c->stamp[i] = cbr_role_column(meta, role, rel, stamp_t, 3, false);
		if (c->stamp[i])
		{
			Oid			t = TupleDescAttr(RelationGetDescr(rel), c->stamp[i] - 1)->atttypid;

			if (OidIsValid(c->stamp_type) && t != c->stamp_type)
				ereport(ERROR,
						(errcode(ERRCODE_DATATYPE_MISMATCH),
						 errmsg("stage time columns of table \"%s\" have different types",
								RelationGetRelationName(rel))));
			c->stamp_type = t;
		}
	}
	return c;
}

/* The label of a status (a stage, withdrawn), "NULL" for none. */
static const char *
cbr_status_label(StatusCache *c, int stage)
{
	if (stage < 0)
		return "NULL";
	return stage == CBR_STATUS_WITHDRAWN ? c->withdrawn : c->labels[stage];
}

/*
 * A status (a stage, withdrawn) for a message: the table's label, then the
 * name of the stage in the session's language, "SB (declared)", so a clerk
 * who does not know the ERP's codes can read it; the label alone when it is
 * that name (a status column holding 'arrived').
 */
static const char *
cbr_status_shown(StatusCache *c, int stage)
{
	const char *code = cbr_status_label(c, stage);
	const char *name;
	char	   *shown;

	if (stage < 0)
		return code;
	name = stage == CBR_STATUS_WITHDRAWN ? cbr_label_cstring("status", "withdrawn")
		: cbr_label_cstring("stage", cbr_stage_names[stage]);
	if (strcmp(code, name) == 0)
		return code;
	cbr_language_begin();
	/* translator: a status label of the ERP's table, then the name of its stage (rules section 6): "SB (declared)" */
	shown = psprintf(_("%s (%s)"), code, name);
	cbr_language_end();
	return shown;
}

/* A label that names no stage (cbr_row_stage). */
#define CBR_STAGE_UNKNOWN (-2)

/* The text of a row's status, without bpchar padding; NULL for NULL. */
static char *
cbr_status_text(StatusCache *c, Relation rel, HeapTuple tuple)
{
	bool		isnull;
	Datum		d = heap_getattr(tuple, c->status, RelationGetDescr(rel), &isnull);
	char	   *s;
	int			len;

	if (isnull)
		return NULL;
	s = OutputFunctionCall(&c->status_out, d);
	len = (int) strlen(s);
	while (len > 0 && s[len - 1] == ' ')	/* bpchar padding */
		s[--len] = '\0';
	return s;
}

/* The stage of a row: -1 for NULL, CBR_STAGE_UNKNOWN for a label that names none. */
static int
cbr_row_stage(StatusCache *c, Relation rel, HeapTuple tuple)
{
	char	   *s = cbr_status_text(c, rel, tuple);
	int			i;

	if (s == NULL)
		return -1;
	for (i = 0; i < CBR_STAGES; i++)
		if (strcmp(s, c->labels[i]) == 0)
			return i;
	if (c->withdrawn != NULL && strcmp(s, c->withdrawn) == 0)
		return CBR_STATUS_WITHDRAWN;
	return CBR_STAGE_UNKNOWN;
}

/* CB006: the status column of tuple holds a label that names no stage. */
static void
cbr_status_report_unknown(StatusCache *c, Relation rel, HeapTuple tuple)
{
	char	   *s = cbr_status_text(c, rel, tuple);

	if (c->withdrawn != NULL)
		ereport(ERROR,
				(errcode(ERRCODE_CBRETURN_STATUS),
				 errmsg("unknown return status \"%s\" (rules section 6)", s),
				 errdetail("%sthe status column holds \"%s\".", cbr_row_identity(rel, tuple), s),
				 errhint("The statuses are, in order: %s, %s, %s, %s, %s, then %s or %s; %s before either of those two.",
						 cbr_status_shown(c, 0), cbr_status_shown(c, 1), cbr_status_shown(c, 2),
						 cbr_status_shown(c, 3), cbr_status_shown(c, 4), cbr_status_shown(c, 5),
						 cbr_status_shown(c, 6), cbr_status_shown(c, CBR_STATUS_WITHDRAWN)),
				 errtablecol(rel, c->status)));
	ereport(ERROR,
			(errcode(ERRCODE_CBRETURN_STATUS),
			 errmsg("unknown return status \"%s\" (rules section 6)", s),
			 errdetail("%sthe status column holds \"%s\".", cbr_row_identity(rel, tuple), s),
			 errhint("The statuses are, in order: %s, %s, %s, %s, %s, then %s or %s.",
					 cbr_status_shown(c, 0), cbr_status_shown(c, 1), cbr_status_shown(c, 2),
					 cbr_status_shown(c, 3), cbr_status_shown(c, 4), cbr_status_shown(c, 5),
					 cbr_status_shown(c, 6)),
			 errtablecol(rel, c->status)));
}

static char *
cbr_stamp_text(StatusCache *c, Datum d)
{
	switch (c->stamp_type)
	{
		case DATEOID:
			return cbr_date_iso(DatumGetDateADT(d));
		case TIMESTAMPOID:
			return cbr_timestamp_iso(DatumGetTimestamp(d), false);
		default:
			return cbr_timestamp_iso(DatumGetTimestampTz(d), true);
	}
}

/* Stage times compare as int64: days for date, microseconds otherwise. */
static inline int64
cbr_stamp_value(StatusCache *c, Datum d)
{
	return c->stamp_type == DATEOID ? (int64) DatumGetDateADT(d) : DatumGetInt64(d);
}

/* The stage and stage times of a row, as the decision reads them. */
static void
cbr_status_read(StatusCache *c, Relation rel, HeapTuple tuple, CbrStatusRow *row)
{
	int			i;

	row->stage = cbr_row_stage(c, rel, tuple);
	for (i = 0; i < CBR_STAGES; i++)
	{
		bool		isnull = true;
		Datum		d = (Datum) 0;

		if (c->stamp[i] != InvalidAttrNumber)
			d = heap_getattr(tuple, c->stamp[i], RelationGetDescr(rel), &isnull);
		row->has_stamp[i] = !isnull;
		row->stamp[i] = isnull ? 0 : cbr_stamp_value(c, d);
		row->infinite[i] = !isnull && (c->stamp_type == DATEOID ? DATE_NOT_FINITE(DatumGetDateADT(d))
									   : TIMESTAMP_NOT_FINITE(DatumGetTimestamp(d)));
		row->mapped[i] = c->stamp[i] != InvalidAttrNumber;
	}
}

/* The text of the time of stage i of a row, for a message. */
static char *
cbr_stamp_of(StatusCache *c, Relation rel, HeapTuple tuple, int i)
{
	bool		isnull;
	Datum		d = heap_getattr(tuple, c->stamp[i], RelationGetDescr(rel), &isnull);

	return isnull ? "NULL" : cbr_stamp_text(c, d);
}

/* The status moved back, or a final one changed. */
static void
cbr_status_report_move(StatusCache *c, Relation rel, HeapTuple oldtup, const CbrStatusVerdict *v)
{
	const char *to = cbr_status_shown(c, v->stage);
	const char *from = cbr_status_shown(c, v->old_stage);

	if (v->outcome == CBR_FAIL_STATUS_FINAL)
		ereport(ERROR,
				(errcode(ERRCODE_CBRETURN_STATUS),
				 errmsg("return status %s is final and cannot change to %s (rules section 6)", from, to),
				 errdetail("%sthe status was %s and the update sets %s.",
						   cbr_row_identity(rel, oldtup), from, to),
				 errhint("%s is final; the status can no longer change.", from),
				 errtablecol(rel, c->status)));
	ereport(ERROR,
			(errcode(ERRCODE_CBRETURN_STATUS),
			 errmsg("return status cannot move back from %s to %s (rules section 6)", from, to),
			 errdetail("%sthe status was %s and the update sets %s.",
					   cbr_row_identity(rel, oldtup), from, to),
			 errhint("Accepted: %s or a later status.", from),
			 errtablecol(rel, c->status)));
}

/* A stage time that is at fault. */
static void
cbr_status_report_stamp(StatusCache *c, Relation rel, HeapTuple oldtup, HeapTuple tuple,
						const CbrStatusVerdict *v)
{
	const char *label = cbr_status_shown(c, v->which);
	const char *status = cbr_status_shown(c, v->stage);

	if (v->outcome == CBR_BAD_INFINITE)
		ereport(ERROR,
				(errcode(ERRCODE_DATETIME_VALUE_OUT_OF_RANGE),
				 errmsg("the time of stage %s must be finite (rules section 6)", label),
				 errdetail("%sthe %s time is %s.", cbr_row_identity(rel, tuple),
						   label, cbr_stamp_of(c, rel, tuple, v->which)),
				 errhint("Record the time the return reached the stage, or leave it empty."),
				 errtablecol(rel, c->stamp[v->which])));
	if (v->outcome == CBR_FAIL_STAMP_CLEARED)
		ereport(ERROR,
				(errcode(ERRCODE_CBRETURN_STATUS),
				 errmsg("the recorded time of stage %s cannot be cleared (rules section 6)", label),
				 errdetail("%sthe %s time was %s and the update sets it to NULL.",
						   cbr_row_identity(rel, oldtup), label, cbr_stamp_of(c, rel, oldtup, v->which)),
				 errhint("Set the %s time to the corrected time instead of NULL.", label),
				 errtablecol(rel, c->stamp[v->which])));
	if (v->outcome == CBR_FAIL_STAGE_SKIPPED)
		ereport(ERROR,
				(errcode(ERRCODE_CBRETURN_STATUS),
				 errmsg("return reaches status %s without a time for stage %s (rules section 6)",
						status, label),
				 errdetail("%sthe status becomes %s and the %s time is empty.",
						   cbr_row_identity(rel, tuple), status, label),
				 errhint("A status is reached only through the stages whose times the table records: set the %s time with the status.",
						 label),
				 errtablecol(rel, c->stamp[v->which])));
	if (v->outcome == CBR_FAIL_STAMP_AHEAD)
		ereport(ERROR,
				(errcode(ERRCODE_CBRETURN_STATUS),
				 errmsg("return has a time for stage %s but its status is %s (rules section 6)",
						label, status),
				 errdetail("%sthe %s time is %s.", cbr_row_identity(rel, tuple),
						   label, cbr_stamp_of(c, rel, tuple, v->which)),
				 errhint("Set the status to %s together with its time, or leave the time empty.", label),
				 errtablecol(rel, c->stamp[v->which])));
	ereport(ERROR,
			(errcode(ERRCODE_CBRETURN_STATUS),
			 errmsg("time of stage %s is earlier than the time of stage %s (rules section 6)",
					label, cbr_status_shown(c, v->previous)),
			 errdetail("%s%s at %s, %s at %s.", cbr_row_identity(rel, tuple),
					   cbr_status_shown(c, v->previous), cbr_stamp_of(c, rel, tuple, v->previous),
					   label, cbr_stamp_of(c, rel, tuple, v->which)),
			 errhint("A %s time on or after %s is accepted.", label,
					 cbr_stamp_of(c, rel, tuple, v->previous)),
			 errtablecol(rel, c->stamp[v->which])));
}

/* Raise the error of a verdict of cbr_decide_status. */
static void
cbr_status_report(StatusCache *c, Relation rel, HeapTuple oldtup, HeapTuple tuple,
				  const CbrStatusVerdict *v)
{
	if (v->outcome == CBR_FAIL_STATUS_BACK || v->outcome == CBR_FAIL_STATUS_FINAL)
		cbr_status_report_move(c, rel, oldtup, v);
	cbr_status_report_stamp(c, rel, oldtup, tuple, v);
}

/* A verdict of cbr_decide_status, for cbr_violation_report (violation.c). */
typedef struct StatusReport
{
	StatusCache *c;
	Relation	rel;
	HeapTuple	oldtup;
	HeapTuple	tuple;
	const CbrStatusVerdict *v;
	bool		shown;			/* the role may read the values the report shows */
} StatusReport;

static void
cbr_status_raise(void *arg)
{
	StatusReport *a = (StatusReport *) arg;

	CBR_REPORT_SHOWN(a->shown, a->rel, gettext_noop("status"),
					 cbr_status_report(a->c, a->rel, a->oldtup, a->tuple, a->v));
}

static void
cbr_status_raise_unknown(void *arg)
{
	StatusReport *a = (StatusReport *) arg;

	CBR_REPORT_SHOWN(a->shown, a->rel, gettext_noop("status"),
					 cbr_status_report_unknown(a->c, a->rel, a->tuple));
}

/*
 * Read the row (and the old one), decide, and refuse what is wrong as
 * always, or record it (src/enforce/violation.c).  A label that names no
 * stage is bad input: refused in either mode, listed by violations().
 */
static void
cbr_status_run(StatusCache *c, Relation rel, HeapTuple oldtup, HeapTuple tuple, bool shown)
{
	CbrStatusRow row;
	CbrStatusRow old;
	CbrStatusVerdict v;

	cbr_status_read(c, rel, tuple, &row);
	if (oldtup != NULL)
		cbr_status_read(c, rel, oldtup, &old);
	if (row.stage == CBR_STAGE_UNKNOWN || (oldtup != NULL && old.stage == CBR_STAGE_UNKNOWN))
	{
		HeapTuple	bad = row.stage == CBR_STAGE_UNKNOWN ? tuple : oldtup;
		StatusReport a = {c, rel, oldtup, bad, NULL, shown};

		cbr_violation_report_input(cbr_violations_begin(rel, CBR_CHECK_STATUS), tuple, "section 6",
								   cbr_status_raise_unknown, &a);
		return;
	}
	if (cbr_decide_status(oldtup != NULL ? &old : NULL, &row, &v) != CBR_PASS)
	{
		StatusReport a = {c, rel, oldtup, tuple, &v, shown};

		/* an infinite time is bad input: refused in either mode */
		if (v.outcome == CBR_BAD_INFINITE)
			cbr_violation_report_input(cbr_violations_begin(rel, CBR_CHECK_STATUS), tuple, "section 6",
									   cbr_status_raise, &a);
		else
			cbr_violation_report(cbr_violations_begin(rel, CBR_CHECK_STATUS), tuple, "section 6",
								 cbr_status_raise, &a);
	}
}

/*
 * cbreturn.status_check(): BEFORE INSERT OR UPDATE FOR EACH ROW; raises
 * what cbr_decide_status found, without the row's values when the current
 * role may not read them (row_values.c).
 */
PG_FUNCTION_INFO_V1(status_check);
Datum
status_check(PG_FUNCTION_ARGS)
{
	TriggerData *trigdata = cbr_trigger_protocol(fcinfo, "status_check", CBR_FIRE_BEFORE, false);
	Relation	rel = trigdata->tg_relation;
	HeapTuple	oldtup = TRIGGER_FIRED_BY_UPDATE(trigdata->tg_event) ? trigdata->tg_trigtuple : NULL;
	HeapTuple	tuple = cbr_checked_tuple(trigdata);
	StatusCache *c = (StatusCache *) cbr_check_config(fcinfo, rel, CBR_CHECK_STATUS, cbr_status_build);
	AttrNumber	cols[CBR_STAGES + 1];
	bool		shown;

	cols[0] = c->status;
	memcpy(&cols[1], c->stamp, sizeof(AttrNumber) * CBR_STAGES);
	shown = cbr_columns_visible(rel, tuple, cols, CBR_STAGES + 1) &&
		(oldtup == NULL || cbr_columns_visible(rel, oldtup, cols, CBR_STAGES + 1));
	/* the outer report hides what reading the row raises (an unknown status) */
	CBR_REPORT_SHOWN(shown, rel, gettext_noop("status"), cbr_status_run(c, rel, oldtup, tuple, shown));
	return PointerGetDatum(tuple);
}
