/*
 * policy.c
 *		The per-backend cache of the policy tables and the rules decided
 *		from it: cross-customs returns (R-EX-5), tax policy periods (R-TX-1),
 *		holidays (R-P-2).
 *
 * Why a cache: the rule functions run once per row over millions of rows,
 * and a table lookup per row would cost far more than the rule itself.  The
 * tables are small (tens of rows), so the whole of them is read into memory
 * under CacheMemoryContext on first use.
 *
 * Why relcache invalidation: a DBA adds a row when customs publishes an
 * announcement, and every session must see it without reconnecting.  The
 * statement triggers cbreturn.policy_changed() (30_policy.sql) call
 * CacheInvalidateRelcacheByRelid() on the changed table; PostgreSQL delivers
 * that to this backend at its next command and to the others when the
 * writer commits (or drops it on rollback, after flushing this backend's
 * own cache).  DROP EXTENSION drops the tables, which invalidates them too,
 * so a dropped and re-created extension is read afresh.
 */
#include "policy/policy.h"
#include "enforce/trigger.h"
#include "rules/rules.h"

#include "access/xact.h"
#include "catalog/namespace.h"
#include "commands/trigger.h"
#include "executor/spi.h"
#include "storage/lmgr.h"
#include "utils/array.h"
#include "utils/builtins.h"
#include "utils/datetime.h"
#include "utils/datum.h"
#include "utils/inval.h"
#include "utils/lsyscache.h"
#include "utils/memutils.h"
#include "utils/snapmgr.h"

/* The tables the cache is built from, in the order they are read. */
static const char *const policy_tables[] = {
	"districts", "supervision_codes", "rule_parameters", "tax_policy_periods", "holidays"
};
#define POLICY_TABLE_COUNT lengthof(policy_tables)

static Oid	policy_relids[POLICY_TABLE_COUNT];
static CbrPolicy *policy = NULL;
static bool policy_valid = false;
static uint64 policy_generation = 0;
static uint64 policy_inval_count = 0;
static bool policy_callback_registered = false;
static MemoryContext policy_cxt = NULL;		/* holds *policy */
static MemoryContext previous_cxt = NULL;	/* the one before, freed next load */
static MemoryContext loading_cxt = NULL;	/* a load in progress (or failed) */

/* Relcache callback: forget the cache when a policy table changes. */
static void
policy_relcache_callback(Datum arg, Oid relid)
{
	int			i;

	if (relid == InvalidOid)
	{
		policy_valid = false;
		policy_inval_count++;
		return;
	}
	for (i = 0; i < (int) POLICY_TABLE_COUNT; i++)
	{
		if (policy_relids[i] == relid)
		{
			policy_valid = false;
			policy_inval_count++;
			return;
		}
	}
}

/* ISO text of a date whatever DateStyle says, for explain output and messages. */
char *
cbr_date_iso(DateADT d)
{
	int			y;
	int			m;
	int			dd;

	if (DATE_IS_NOBEGIN(d))
		return pstrdup("-infinity");
	if (DATE_IS_NOEND(d))
		return pstrdup("infinity");
	j2date(d + POSTGRES_EPOCH_JDATE, &y, &m, &dd);
	if (y <= 0)
		return psprintf("%04d-%02d-%02d BC", 1 - y, m, dd);
	return psprintf("%04d-%02d-%02d", y, m, dd);
}

static void
policy_data_error(const char *table, const char *fmt, const char *arg)
{
	ereport(ERROR,
			(errcode(ERRCODE_CBRETURN_POLICY_DATA),
			 errmsg("policy table cbreturn.%s is inconsistent", table),
			 errdetail(fmt, arg),
			 errhint("Correct the row (docs/policy.md); the shipped values are in the extension's install script.")));
}

static void
run_query(const char *sql)
{
	int			rc = SPI_execute(sql, true, 0);

	if (rc != SPI_OK_SELECT)
		elog(ERROR, "policy query failed (SPI code %d): %s", rc, sql);
}

static bool
get_bool(int row, int col, bool *isnull)
{
	Datum		d = SPI_getbinval(SPI_tuptable->vals[row], SPI_tuptable->tupdesc, col, isnull);

	return *isnull ? false : DatumGetBool(d);
}

static Datum
get_datum(int row, int col, bool *isnull)
{
	return SPI_getbinval(SPI_tuptable->vals[row], SPI_tuptable->tupdesc, col, isnull);
}

static void
load_districts(CbrPolicy *p, MemoryContext cxt)
{
	uint64		i;

	run_query("SELECT code, cross_return_pilot_from, name_en FROM cbreturn.districts");
	for (i = 0; i < SPI_processed; i++)
	{
		bool		isnull;
		char	   *code = SPI_getvalue(SPI_tuptable->vals[i], SPI_tuptable->tupdesc, 1);
		Datum		pilot = get_datum(i, 2, &isnull);
		int			n;

		if (code == NULL || strlen(code) != 2 || !isdigit((unsigned char) code[0]) ||
			!isdigit((unsigned char) code[1]))
			policy_data_error("districts", "District code \"%s\" is not two digits.",
							  code ? code : "NULL");
		n = (code[0] - '0') * 10 + (code[1] - '0');
		p->district_known[n] = true;
		p->district_pilot[n] = !isnull;
		p->district_pilot_from[n] = isnull ? DATEVAL_NOEND : DatumGetDateADT(pilot);
		p->district_name[n] = MemoryContextStrdup(cxt,
												  SPI_getvalue(SPI_tuptable->vals[i], SPI_tuptable->tupdesc, 3));
	}
}

static void
load_supervision_codes(CbrPolicy *p)
{
	uint64		i;

	run_query("SELECT code FROM cbreturn.supervision_codes");
	for (i = 0; i < SPI_processed; i++)
	{
		bool		isnull;
		int16		code = DatumGetInt16(get_datum(i, 1, &isnull));

		if (!isnull && code >= 0 && code < CBR_CODE4_COUNT)
			p->code_known[code] = true;
	}
}

/* One parameter of the expected kind: 'd' date, 'n' numeric, 'b' boolean. */
static Datum
parameter(const char *name, char kind)
{
	uint64		i;
	int			col = kind == 'd' ? 2 : kind == 'n' ? 3 : 4;

	for (i = 0; i < SPI_processed; i++)
	{
		char	   *n = SPI_getvalue(SPI_tuptable->vals[i], SPI_tuptable->tupdesc, 1);
		bool		isnull;
		Datum		v;

		if (strcmp(n, name) != 0)
			continue;
		v = get_datum(i, col, &isnull);
		if (isnull)
			policy_data_error("rule_parameters",
							  kind == 'd' ? "Rule parameter \"%s\" needs a value in column value_date." :
							  kind == 'n' ? "Rule parameter \"%s\" needs a value in column value_numeric." :
							  "Rule parameter \"%s\" needs a value in column value_boolean.", name);
		return v;
	}
	policy_data_error("rule_parameters", "Rule parameter \"%s\" is missing.", name);
	return (Datum) 0;			/* keep compiler quiet */
}

static void
load_rule_parameters(CbrPolicy *p, MemoryContext cxt)
{
	MemoryContext old;

	run_query("SELECT name, value_date, value_numeric, value_boolean FROM cbreturn.rule_parameters");
	p->nationwide_from = DatumGetDateADT(parameter("cross_customs_nationwide_from", 'd'));
	p->pilot_both_districts = DatumGetBool(parameter("cross_customs_pilot_both_districts", 'b'));
	p->weekends_rest = DatumGetBool(parameter("holiday_weekends_are_rest_days", 'b'));
	old = MemoryContextSwitchTo(cxt);
	p->limit_per_transaction = DatumGetNumeric(datumCopy(parameter("import_limit_per_transaction", 'n'), false, -1));
	p->limit_per_year = DatumGetNumeric(datumCopy(parameter("import_limit_per_year", 'n'), false, -1));
	p->import_tax_share = DatumGetNumeric(datumCopy(parameter("import_tax_share", 'n'), false, -1));
	MemoryContextSwitchTo(old);
}

static void
load_tax_periods(CbrPolicy *p, MemoryContext cxt)
{
	uint64		i;

	run_query("SELECT announcement, extends, declared_from, declared_to, months, "
			  "supervision_codes, confidence FROM cbreturn.tax_policy_periods "
			  "ORDER BY declared_from, declared_to, announcement COLLATE \"C\"");
	p->ntax_periods = (int) SPI_processed;
	p->tax_periods = MemoryContextAllocZero(cxt, sizeof(CbrTaxPeriod) * (SPI_processed + 1));
	for (i = 0; i < SPI_processed; i++)
	{
		CbrTaxPeriod *t = &p->tax_periods[i];
		bool		isnull;
		char	   *ext;
		ArrayType  *arr;
		Datum	   *elems;
		bool	   *nulls;
		int			n;
		int			j;

		t->announcement = MemoryContextStrdup(cxt, SPI_getvalue(SPI_tuptable->vals[i], SPI_tuptable->tupdesc, 1));
		ext = SPI_getvalue(SPI_tuptable->vals[i], SPI_tuptable->tupdesc, 2);
		t->extends = ext ? MemoryContextStrdup(cxt, ext) : NULL;
		t->basis = t->extends
			? MemoryContextStrdup(cxt, psprintf("%s (extends %s)", t->announcement, t->extends))
			: t->announcement;
		{
			MemoryContext old = MemoryContextSwitchTo(cxt);

			t->basis_text = cstring_to_text(t->basis);
			MemoryContextSwitchTo(old);
		}
		t->declared_from = DatumGetDateADT(get_datum(i, 3, &isnull));
		t->declared_to = DatumGetDateADT(get_datum(i, 4, &isnull));
		t->months = DatumGetInt32(get_datum(i, 5, &isnull));
		arr = DatumGetArrayTypeP(get_datum(i, 6, &isnull));
		deconstruct_array(arr, ARR_ELEMTYPE(arr), sizeof(int16), true, TYPALIGN_SHORT,
						  &elems, &nulls, &n);
		t->codes = MemoryContextAlloc(cxt, sizeof(int16) * (n + 1));
		t->ncodes = 0;
		for (j = 0; j < n; j++)
			if (!nulls[j])
				t->codes[t->ncodes++] = DatumGetInt16(elems[j]);
		t->confidence = DatumGetChar(get_datum(i, 7, &isnull));
	}
}

static void
load_holidays(CbrPolicy *p, MemoryContext cxt)
{
	uint64		i;

	run_query("SELECT day, working_day FROM cbreturn.holidays ORDER BY day");
	p->nholidays = (int) SPI_processed;
	p->holidays = MemoryContextAllocZero(cxt, sizeof(CbrHoliday) * (SPI_processed + 1));
	for (i = 0; i < SPI_processed; i++)
	{
		bool		isnull;

		p->holidays[i].day = DatumGetDateADT(get_datum(i, 1, &isnull));
		p->holidays[i].working_day = get_bool(i, 2, &isnull);
	}
}

/*
 * Read every policy table into a fresh context.  The tables are locked and
 * the invalidation counter noted before the snapshot is taken, so a change
 * committed after the snapshot always arrives as an invalidation later and a
 * change whose invalidation arrives during the read makes us read again.
 * The latest snapshot (as catalog caches use) rather than the query's lets a
 * cache built now stay right for later queries; in parallel mode no new
 * snapshot may be taken, and the query's is used.
 */
static void
policy_load(void)
{
	int			attempt;

	if (!policy_callback_registered)
	{
		CacheRegisterRelcacheCallback(policy_relcache_callback, (Datum) 0);
		policy_callback_registered = true;
	}

	for (attempt = 0;; attempt++)
	{
		Oid			nsp;
		uint64		count;
		int			i;
		CbrPolicy  *p;
		bool		pushed = false;

		if (loading_cxt != NULL)
		{
			MemoryContextDelete(loading_cxt);	/* a failed earlier attempt */
			loading_cxt = NULL;
		}
		nsp = get_namespace_oid("cbreturn", true);
		if (!OidIsValid(nsp))
			ereport(ERROR,
					(errcode(ERRCODE_UNDEFINED_SCHEMA),
					 errmsg("schema cbreturn does not exist"),
					 errhint("Run CREATE EXTENSION cbreturn.")));
		for (i = 0; i < (int) POLICY_TABLE_COUNT; i++)
		{
			policy_relids[i] = get_relname_relid(policy_tables[i], nsp);
			if (!OidIsValid(policy_relids[i]))
				ereport(ERROR,
						(errcode(ERRCODE_UNDEFINED_TABLE),
						 errmsg("policy table cbreturn.%s does not exist", policy_tables[i]),
						 errhint("Reinstall the extension cbreturn.")));
			LockRelationOid(policy_relids[i], AccessShareLock);
		}
		count = policy_inval_count;

		loading_cxt = AllocSetContextCreate(CacheMemoryContext, "cbreturn policy",
											ALLOCSET_SMALL_SIZES);
		p = MemoryContextAllocZero(loading_cxt, sizeof(CbrPolicy));

		pushed = cbr_push_latest_snapshot();
		if (SPI_connect() != SPI_OK_CONNECT)
			elog(ERROR, "SPI_connect failed");
		load_districts(p, loading_cxt);
		load_supervision_codes(p);
		load_rule_parameters(p, loading_cxt);
		load_tax_periods(p, loading_cxt);
		load_holidays(p, loading_cxt);
		SPI_finish();
		if (pushed)
			PopActiveSnapshot();

		if (count != policy_inval_count && attempt < 3)
			continue;			/* changed while we read: read again */

		if (previous_cxt != NULL)
			MemoryContextDelete(previous_cxt);
		/* keep the last one one load longer: a caller may still hold it */
		previous_cxt = policy_cxt;
		policy_cxt = loading_cxt;
		loading_cxt = NULL;
		p->generation = ++policy_generation;
		policy = p;
		policy_valid = true;
		return;
	}
}

/*
 * Push the snapshot that reading cbreturn's own tables into a backend cache
 * wants: the latest one (as catalog caches use), so that what is built now
 * stays right for later statements.  In a parallel worker the snapshot
 * cannot change; there the transaction snapshot is pushed only if none is
 * active.  Returns whether a snapshot was pushed (pop it when done).
 */
bool
cbr_push_latest_snapshot(void)
{
	if (!IsInParallelMode())
	{
		PushActiveSnapshot(GetLatestSnapshot());
		return true;
	}
	if (!ActiveSnapshotSet())
	{
		PushActiveSnapshot(GetTransactionSnapshot());
		return true;
	}
	return false;
}

const CbrPolicy *
cbr_policy(void)
{
	if (unlikely(!policy_valid))
		policy_load();
	return policy;
}

/* Append one explain step (see policy.h). */
void
cbr_step_add(List **steps, const char *rule_id, bool passed, const char *basis,
			 const char *fmt,...)
{
	CbrStep    *s;
	StringInfoData buf;

	if (steps == NULL)
		return;
	initStringInfo(&buf);
	for (;;)
	{
		va_list		args;
		int			needed;

		va_start(args, fmt);
		needed = appendStringInfoVA(&buf, fmt, args);
		va_end(args);
		if (needed == 0)
			break;
		enlargeStringInfo(&buf, needed);
	}
	s = palloc(sizeof(CbrStep));
	s->rule_id = rule_id;
	s->passed = passed;
	s->seen = buf.data;
	s->basis = basis;
	*steps = lappend(*steps, s);
}

void
cbr_check_district_known(const CbrPolicy *p, int16 office, const char *what)
{
	if (office < 0 || office >= CBR_CODE4_COUNT || !p->district_known[office / 100])
		ereport(ERROR,
				(errcode(ERRCODE_CBRETURN_UNKNOWN_CODE),
				 errmsg("customs district %02d of %s %04d is not in cbreturn.districts",
						office / 100, _(what), office),
				 errdetail("The first two digits of a customs code name its district (R-ID-2)."),
				 errhint("Correct the customs code, or add the district to cbreturn.districts (docs/policy.md).")));
}

void
cbr_check_supervision_code_known(const CbrPolicy *p, int16 code)
{
	if (code < 0 || code >= CBR_CODE4_COUNT || !p->code_known[code])
		ereport(ERROR,
				(errcode(ERRCODE_CBRETURN_UNKNOWN_CODE),
				 errmsg("supervision code %04d is not in cbreturn.supervision_codes", code),
				 errdetail("The rules know the supervision codes listed in cbreturn.supervision_codes (R-ID-3)."),
				 errhint("Correct the code, or add it to cbreturn.supervision_codes (docs/policy.md).")));
}

#define BASIS_EX5 "GACC 2024 No. 167 (pilot); GACC announcement of nationwide cross-customs returns from 2026-04-01"

/*
 * R-EX-5 (GACC 2024 No. 167 and the nationwide announcement, seeds 000-002).
 * The semantics are spelled out in policy.h and docs/rules.md.
 */
bool
cbr_cross_customs_decide(int16 supervision_code, int16 export_office,
						 int16 return_office, DateADT returned_on, List **steps)
{
	const CbrPolicy *p = cbr_policy();
	int			ed;
	int			rd;
	bool		return_pilot;
	bool		export_pilot;
	bool		ok;

	if (DATE_NOT_FINITE(returned_on))
		cbr_report_date_out_of_range("returned_on", returned_on);
	cbr_check_district_known(p, export_office, gettext_noop("export office"));
	cbr_check_district_known(p, return_office, gettext_noop("return office"));
	cbr_check_supervision_code_known(p, supervision_code);
	ed = export_office / 100;
	rd = return_office / 100;
	cbr_step(steps, "R-ID-2", true, "GACC customs code list",
			 "export office %04d is in district %02d (%s); return office %04d is in district %02d (%s)",
			 export_office, ed, p->district_name[ed], return_office, rd, p->district_name[rd]);

	/* Returning to the district that cleared the export was always allowed. */
	if (ed == rd)
	{
		cbr_step(steps, "R-EX-5", true, BASIS_EX5,
				 "same district %02d: a return within the original district is always allowed (any supervision code)",
				 ed);
		return true;
	}

	/* Only retail exports (9610) may cross districts. */
	ok = supervision_code == CBR_CODE_9610;
	cbr_step(steps, "R-EX-5", ok, BASIS_EX5,
			 "supervision code %04d, districts %02d -> %02d: cross-customs returns apply to 9610 only",
			 supervision_code, ed, rd);
	if (!ok)
		return false;

	if (returned_on >= p->nationwide_from)
	{
		cbr_step(steps, "R-EX-5", true, BASIS_EX5,
				 "returned on %s, on or after the nationwide date %s (rule parameter cross_customs_nationwide_from)",
				 cbr_date_iso(returned_on), cbr_date_iso(p->nationwide_from));
		return true;
	}
	cbr_step(steps, "R-EX-5", false, BASIS_EX5,
			 "returned on %s, before the nationwide date %s: only the pilot can allow it",
			 cbr_date_iso(returned_on), cbr_date_iso(p->nationwide_from));

	return_pilot = p->district_pilot[rd] && p->district_pilot_from[rd] <= returned_on;
	export_pilot = p->district_pilot[ed] && p->district_pilot_from[ed] <= returned_on;
	ok = return_pilot && (export_pilot || !p->pilot_both_districts);
	cbr_step(steps, "R-EX-5", ok, "GACC 2024 No. 167",
			 "pilot on %s: return district %02d %s, export district %02d %s; %s",
			 cbr_date_iso(returned_on),
			 rd, !p->district_pilot[rd] ? "is not a pilot district" :
			 psprintf("pilot from %s", cbr_date_iso(p->district_pilot_from[rd])),
			 ed, !p->district_pilot[ed] ? "is not a pilot district" :
			 psprintf("pilot from %s", cbr_date_iso(p->district_pilot_from[ed])),
			 p->pilot_both_districts ? "both must be in the pilot (cross_customs_pilot_both_districts)"
			 : "the return district must be in the pilot (cross_customs_pilot_both_districts is false)");
	return ok;
}

bool
cbr_cross_customs_allowed(int16 supervision_code, int16 export_office,
						  int16 return_office, DateADT returned_on)
{
	return cbr_cross_customs_decide(supervision_code, export_office, return_office,
									returned_on, NULL);
}

/*
 * R-TX-1: the period covering an export of code declared on d.  Periods may
 * overlap (2023 No. 34 extends 2023 No. 4); the one that starts last, then
 * ends last, is the basis named, as the most recent announcement.
 */
const CbrTaxPeriod *
cbr_tax_period_for(const CbrPolicy *p, int16 code, DateADT d)
{
	int			i;

	for (i = p->ntax_periods - 1; i >= 0; i--)
	{
		const CbrTaxPeriod *t = &p->tax_periods[i];
		int			j;

		if (d < t->declared_from || d > t->declared_to)
			continue;
		for (j = 0; j < t->ncodes; j++)
			if (t->codes[j] == code)
				return t;
	}
	return NULL;
}

/*
 * R-P-2 (Civil Code art. 203): a rest day is a listed holiday, or a Saturday
 * or Sunday not listed as a make-up working day (when the rule parameter
 * holiday_weekends_are_rest_days is true).
 */
bool
cbr_is_rest_day(const CbrPolicy *p, DateADT d)
{
	int			lo = 0;
	int			hi = p->nholidays - 1;
	int			wd;

	while (lo <= hi)
	{
		int			mid = lo + (hi - lo) / 2;

		if (p->holidays[mid].day == d)
			return !p->holidays[mid].working_day;
		if (p->holidays[mid].day < d)
			lo = mid + 1;
		else
			hi = mid - 1;
	}
	if (!p->weekends_rest)
		return false;
	wd = j2day(d + POSTGRES_EPOCH_JDATE);
	return wd == 0 || wd == 6;
}

DateADT
cbr_next_working_day(const CbrPolicy *p, DateADT d)
{
	int			steps = 0;

	while (cbr_is_rest_day(p, d))
	{
		DateADT		next;

		/* every listed day is passed at most once, and weekends come in twos */
		if (++steps > p->nholidays + 3 || !cbr_add_days(d, 1, &next))
			cbr_report_date_out_of_range("deadline", d);
		d = next;
	}
	return d;
}

/*
 * cbreturn.policy_changed(): AFTER ... FOR EACH STATEMENT trigger on every
 * policy table.  Queues a relcache invalidation of the table, which reaches
 * this backend at its next command and the others at commit, so every
 * session reloads its policy cache (see the file header).
 */
PG_FUNCTION_INFO_V1(cbr_policy_changed);
Datum
cbr_policy_changed(PG_FUNCTION_ARGS)
{
	TriggerData *trigdata = cbr_statement_trigger_protocol(fcinfo, "policy_changed");
	CacheInvalidateRelcacheByRelid(RelationGetRelid(trigdata->tg_relation));
	/* and this backend at once, so a later call in this same command reloads */
	policy_valid = false;
	return PointerGetDatum(NULL);
}
