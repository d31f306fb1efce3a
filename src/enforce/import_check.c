/*
 * import_check.c
 *		The import-return check (R-IM-1) on an ERP's own table: a thin
 *		adapter from a row to cbr_decide_import_return (src/rules/import.c),
 *		and from its verdict to an error.  The SQL function
 *		import_return_on_time asks the same decision.
 *
 * It only reads the row, so attach creates it AFTER ROW with a WHEN clause
 * (_import_row_ok): it is only called for a row that fails.
 */
#include "enforce/trigger.h"
#include "enforce/violation.h"
#include "enforce/header.h"

#include "access/htup_details.h"
#include "catalog/pg_type.h"

/* The columns the import check reads, in the order of _import_row_ok's arguments. */
#define IM_NROLES 3

static const char *const import_roles[IM_NROLES] = {"released_on", "applied_on", "arrived_on"};

typedef struct ImportCache
{
	AttrNumber	col[IM_NROLES];	/* released, applied, arrived; 0: not attached */
	CbrHeaderUse *hdr;			/* the release date read from a declaration header (header.c) */
} ImportCache;

/* Builds the ImportCache of the import check on rel (see cbr_check_config). */
static void *
cbr_import_build(const CbrCheckMeta *meta, Relation rel, MemoryContext cxt)
{
	ImportCache *c = MemoryContextAllocZero(cxt, sizeof(ImportCache));
	int			i;

	/* the release date may be read from a declaration header */
	c->hdr = cbr_header_use(meta, rel, import_roles, IM_NROLES, cxt);
	/* R-T-1: date, timestamp or timestamptz (read as its China date) */
	for (i = 0; i < IM_NROLES; i++)
		c->col[i] = cbr_date_role_column(meta, import_roles[i], rel, i == 0 && !cbr_header_has(c->hdr, 0));
	return c;
}

static void
cbr_import_attnums(const void *config, AttrNumber *attnums)
{
	memcpy(attnums, ((const ImportCache *) config)->col, sizeof(AttrNumber) * IM_NROLES);
}

/* The verdict on the dates of a row (has[i] false: NULL or not attached). */
static CbrOutcome
cbr_import_decide(const bool *has, const DateADT *date, CbrImportVerdict *v)
{
	return cbr_decide_import_return(has[0], date[0], has[1], date[1], has[2], date[2], v);
}

/* The dates of a row (has[i] false: NULL or not attached). */
static void
cbr_import_fetch(const ImportCache *c, TupleDesc tupdesc, HeapTuple tuple, bool *has, DateADT *date)
{
	int			i;

	for (i = 0; i < IM_NROLES; i++)
	{
		date[i] = 0;
		has[i] = cbr_get_date(tuple, tupdesc, c->col[i], &date[i]);
	}
}

/* Put the release date of the header row (given, or found and locked) into has/date. */
static void
cbr_import_header_date(const ImportCache *c, TriggerData *trigdata, HeapTuple tuple,
					   bool *has, DateADT *date)
{
	Datum		v[IM_NROLES];
	bool		isnull[IM_NROLES];

	memset(isnull, true, sizeof(isnull));
	cbr_header_read(c->hdr, trigdata, tuple, v, isnull);
	if (cbr_header_has(c->hdr, 0))
	{
		has[0] = !isnull[0];
		date[0] = has[0] ? DatumGetDateADT(v[0]) : 0;
	}
}

/* The SQLSTATE of a failed R-IM-1 verdict. */
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
			cbr_report_date_out_of_range(f->bad == CBR_DATE_RELEASED ? gettext_noop("release date") : cbr_date_role_name(f->bad),
										 f->bad_value);
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
	Relation	rel;
	HeapTuple	tuple;
	const ImportCache *c;
	DateADT		released;
	const CbrImportVerdict *v;
} ImportReport;

static void
cbr_import_raise(void *arg)
{
	ImportReport *a = (ImportReport *) arg;

	/* a release date read from a declaration header: shown only to who may read it there */
	CBR_REPORT_SHOWN(cbr_columns_visible(a->rel, a->tuple, a->c->col, IM_NROLES) &&
					 (a->c->hdr == NULL || cbr_header_visible(a->c->hdr)),
					 a->rel, gettext_noop("import return"),
					 cbr_import_report(a->rel, a->tuple, a->c, a->released, a->v));
}

/*
 * A row the decision refused: raise as always (refuse mode) or record it
 * (record mode); an ordinary (taxed) return is not held to R-IM-1
 * (src/enforce/violation.c).
 */
static void
cbr_import_violation(Relation rel, HeapTuple tuple, const ImportCache *c, DateADT released,
					 const CbrImportVerdict *v)
{
	CbrViolations *s = cbr_violations_begin(rel, CBR_CHECK_IMPORT);
	ImportReport a = {rel, tuple, c, released, v};

	if (cbr_violations_ordinary(s, tuple))
		return;
	cbr_violation_report(s, tuple, "R-IM-1", cbr_import_raise, &a);
}

/*
 * cbreturn.import_return_check(): AFTER (or BEFORE) INSERT OR UPDATE FOR
 * EACH ROW, with a WHEN clause (_import_row_ok); raises what
 * cbr_decide_import_return found.
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
	bool		has[IM_NROLES];
	DateADT		date[IM_NROLES];
	CbrImportVerdict v;

	cbr_import_fetch(c, tupdesc, tuple, has, date);
	/* the release date read from a declaration header: its row, found and locked */
	if (c->hdr)
		cbr_import_header_date(c, trigdata, tuple, has, date);
	if (cbr_import_decide(has, date, &v) != CBR_PASS)
		cbr_import_violation(rel, tuple, c, date[0], &v);
	return PointerGetDatum(tuple);
}

/*
 * cbreturn._import_row_ok(checked regclass, released_on date, applied_on
 * date, arrived_on date): the WHEN clause of the import check.  True when
 * cbr_decide_import_return accepts the row (R-IM-1); the arguments are the
 * attached columns, NULL for a role not attached (verified, see
 * cbr_row_ok_config).
 */
PG_FUNCTION_INFO_V1(cbr_import_row_ok);
Datum
cbr_import_row_ok(PG_FUNCTION_ARGS)
{
	ImportCache *c = (ImportCache *) cbr_row_ok_config(fcinfo, CBR_CHECK_IMPORT, cbr_import_build,
													   cbr_import_attnums, "_import_row_ok",
													   import_roles, IM_NROLES);
	bool		has[IM_NROLES];
	DateADT		date[IM_NROLES];
	CbrImportVerdict v;
	int			i;

	/* the trigger reads a declaration header's row for every row */
	if (c->hdr)
		PG_RETURN_BOOL(false);
	for (i = 0; i < IM_NROLES; i++)
	{
		has[i] = !PG_ARGISNULL(i + 1);
		date[i] = has[i] ? PG_GETARG_DATEADT(i + 1) : 0;
	}
	PG_RETURN_BOOL(cbr_import_decide(has, date, &v) == CBR_PASS);
}

/*
 * header.c's guard asks: does this return of rel pass the import check with
 * the release date of header row htuple?
 */
bool
cbr_import_header_recheck(Relation rel, HeapTuple tuple, TupleDesc hdesc, HeapTuple htuple,
						  const char **rule, int *sqlerrcode)
{
	ImportCache *c = (ImportCache *) cbr_check_config_rel(rel, CBR_CHECK_IMPORT, cbr_import_build);
	bool		has[IM_NROLES];
	DateADT		date[IM_NROLES];
	CbrImportVerdict v;

	cbr_import_fetch(c, RelationGetDescr(rel), tuple, has, date);
	if (cbr_header_has(c->hdr, 0))
	{
		Datum		hv[IM_NROLES];
		bool		hnull[IM_NROLES];

		memset(hnull, true, sizeof(hnull));
		cbr_header_values(c->hdr, hdesc, htuple, hv, hnull);
		has[0] = !hnull[0];
		date[0] = has[0] ? DatumGetDateADT(hv[0]) : 0;
	}
	/* an ordinary (taxed) return is not held to R-IM-1 (cbreturn.set_ordinary_return_column) */
	if (cbr_import_decide(has, date, &v) == CBR_PASS ||
		cbr_violations_ordinary(cbr_violations_begin(rel, CBR_CHECK_IMPORT), tuple))
		return true;
	*rule = "R-IM-1";
	*sqlerrcode = cbr_import_code(&v);
	return false;
}
