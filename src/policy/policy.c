/*
 * policy.c
 *		The per-backend snapshot of the policy tables (CbrPolicy, the read-only
 *		struct the decision layer of src/rules/ decides from): districts and
 *		pilot dates (R-ID-2, R-EX-5), supervision codes (R-ID-3), rule
 *		parameters, tax policy periods (R-TX-1) and holidays (R-P-2).  It is
 *		built, invalidated and retired by the protocol of cache.c.
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
static CbrPolicy *policy = NULL;	/* in policy_cache.cxt */
static CbrCache policy_cache;
static uint64 policy_generation = 0;
static bool policy_callback_registered = false;

/* Relcache callback: forget the cache when a policy table changes. */
static void
cbr_policy_relcache_callback(Datum arg, Oid relid)
{
	if (cbr_cache_relid_matches(policy_relids, (int) POLICY_TABLE_COUNT, relid))
		cbr_cache_invalidate(&policy_cache);
}

/* What is wrong with a policy row (each a literal DETAIL below). */
typedef enum PolicyDataFault
{
	FAULT_DISTRICT_CODE,
	FAULT_PARAMETER_MISSING,
	FAULT_PARAMETER_DATE,
	FAULT_PARAMETER_NUMERIC,
	FAULT_PARAMETER_BOOLEAN,
	FAULT_PARAMETER_AMOUNT
} PolicyDataFault;

static void
cbr_policy_data_error(const char *table, PolicyDataFault fault, const char *arg)
{
	ereport(ERROR,
			(errcode(ERRCODE_CBRETURN_POLICY_DATA),
			 errmsg("policy table cbreturn.%s is inconsistent", table),
			 fault == FAULT_DISTRICT_CODE ? errdetail("District code \"%s\" is not two digits.", arg) :
			 fault == FAULT_PARAMETER_MISSING ? errdetail("Rule parameter \"%s\" is missing.", arg) :
			 fault == FAULT_PARAMETER_DATE ? errdetail("Rule parameter \"%s\" needs a value in column value_date.", arg) :
			 fault == FAULT_PARAMETER_NUMERIC ? errdetail("Rule parameter \"%s\" needs a value in column value_numeric.", arg) :
			 fault == FAULT_PARAMETER_AMOUNT ? errdetail("Rule parameter \"%s\" needs a finite value of 0 or more with at most 18 digits after the decimal point in column value_numeric.", arg) :
			 errdetail("Rule parameter \"%s\" needs a value in column value_boolean.", arg),
			 errhint("Correct the row (docs/policy.md); the shipped values are in the extension's install script.")));
}

static void
cbr_run_query(const char *sql)
{
	int			rc = SPI_execute(sql, true, 0);

	if (rc != SPI_OK_SELECT)
		elog(ERROR, "policy query failed (SPI code %d): %s", rc, sql);
}

static bool
cbr_get_bool(int row, int col, bool *isnull)
{
	Datum		d = SPI_getbinval(SPI_tuptable->vals[row], SPI_tuptable->tupdesc, col, isnull);

	return *isnull ? false : DatumGetBool(d);
}

static Datum
cbr_get_datum(int row, int col, bool *isnull)
{
	return SPI_getbinval(SPI_tuptable->vals[row], SPI_tuptable->tupdesc, col, isnull);
}

static void
cbr_load_districts(CbrPolicy *p, MemoryContext cxt)
{
	uint64		i;

	cbr_run_query("SELECT code, cross_return_pilot_from, name_en, name_zh FROM cbreturn.districts");
	p->earliest_pilot_from = DATEVAL_NOEND;
	for (i = 0; i < SPI_processed; i++)
	{
		bool		isnull;
		char	   *code = SPI_getvalue(SPI_tuptable->vals[i], SPI_tuptable->tupdesc, 1);
		Datum		pilot = cbr_get_datum(i, 2, &isnull);
		int			n;

		if (code == NULL || strlen(code) != 2 || !isdigit((unsigned char) code[0]) ||
			!isdigit((unsigned char) code[1]))
			cbr_policy_data_error("districts", FAULT_DISTRICT_CODE, code ? code : "NULL");
		n = (code[0] - '0') * 10 + (code[1] - '0');
		p->district_known[n] = true;
		p->district_pilot[n] = !isnull;
		p->district_pilot_from[n] = isnull ? DATEVAL_NOEND : DatumGetDateADT(pilot);
		if (!isnull && p->district_pilot_from[n] < p->earliest_pilot_from)
			p->earliest_pilot_from = p->district_pilot_from[n];
		p->district_name[n] = MemoryContextStrdup(cxt,
												  SPI_getvalue(SPI_tuptable->vals[i], SPI_tuptable->tupdesc, 3));
		p->district_name_zh[n] = MemoryContextStrdup(cxt,
													 SPI_getvalue(SPI_tuptable->vals[i], SPI_tuptable->tupdesc, 4));
	}
}

static void
cbr_load_supervision_codes(CbrPolicy *p)
{
	uint64		i;

	cbr_run_query("SELECT code FROM cbreturn.supervision_codes");
	for (i = 0; i < SPI_processed; i++)
	{
		bool		isnull;
		int16		code = DatumGetInt16(cbr_get_datum(i, 1, &isnull));

		if (!isnull && code >= 0 && code < CBR_CODE4_COUNT)
			p->code_known[code] = true;
	}
}

/* One parameter of the expected kind: 'd' date, 'n' numeric, 'b' boolean. */
static Datum
cbr_parameter(const char *name, char kind)
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
		v = cbr_get_datum(i, col, &isnull);
		if (isnull)
			cbr_policy_data_error("rule_parameters",
							  kind == 'd' ? FAULT_PARAMETER_DATE :
							  kind == 'n' ? FAULT_PARAMETER_NUMERIC : FAULT_PARAMETER_BOOLEAN, name);
		return v;
	}
	cbr_policy_data_error("rule_parameters", FAULT_PARAMETER_MISSING, name);
	return (Datum) 0;			/* keep compiler quiet */
}

CbrValueState
cbr_qty_from_numeric(Numeric n, CbrQty *q)
{
	char	   *text;
	char	   *point;
	char	   *end;

	if (numeric_is_nan(n) || numeric_is_inf(n))
		return CBR_VALUE_BAD;
	text = DatumGetCString(DirectFunctionCall1(numeric_out, NumericGetDatum(n)));
	if (cbr_qty_parse(text, q))
		return CBR_VALUE_OK;	/* with the numeric's own scale */
	point = strchr(text, '.');
	if (point != NULL)
	{
		end = point + strlen(point) - 1;
		while (end > point && *end == '0')
			*end-- = '\0';
		if (end == point)
			*point = '\0';
	}
	return cbr_qty_parse(text, q) ? CBR_VALUE_OK : CBR_VALUE_NULL;
}

/* An R-IM-4 amount or share: finite, 0 or more, exact (CB000 otherwise). */
static CbrQty
cbr_parameter_amount(const char *name)
{
	CbrQty		q;

	if (cbr_qty_from_numeric(DatumGetNumeric(cbr_parameter(name, 'n')), &q) != CBR_VALUE_OK ||
		q.value < 0)
		cbr_policy_data_error("rule_parameters", FAULT_PARAMETER_AMOUNT, name);
	return q;
}

static void
cbr_load_rule_parameters(CbrPolicy *p)
{
	cbr_run_query("SELECT name, value_date, value_numeric, value_boolean FROM cbreturn.rule_parameters");
	p->nationwide_from = DatumGetDateADT(cbr_parameter("cross_customs_nationwide_from", 'd'));
	p->pilot_both_districts = DatumGetBool(cbr_parameter("cross_customs_pilot_both_districts", 'b'));
	p->weekends_rest = DatumGetBool(cbr_parameter("holiday_weekends_are_rest_days", 'b'));
	p->limit_per_transaction = cbr_parameter_amount("import_limit_per_transaction");
	p->limit_per_year = cbr_parameter_amount("import_limit_per_year");
	p->import_tax_share = cbr_parameter_amount("import_tax_share");
}

static void
cbr_load_tax_periods(CbrPolicy *p, MemoryContext cxt)
{
	uint64		i;

	/*
	 * title_zh came with 0.3.0: a 0.2.0 schema served by this module (before
	 * ALTER EXTENSION cbreturn UPDATE) has none, and its periods are named by
	 * their announcement in every language.
	 */
	Oid			relid = get_relname_relid("tax_policy_periods", get_namespace_oid("cbreturn", false));
	bool		has_title_zh = get_attnum(relid, "title_zh") != InvalidAttrNumber;

	cbr_run_query(has_title_zh
				  ? "SELECT announcement, extends, declared_from, declared_to, months, "
				  "supervision_codes, title_zh FROM cbreturn.tax_policy_periods "
				  "ORDER BY declared_from, declared_to, announcement COLLATE \"C\""
				  : "SELECT announcement, extends, declared_from, declared_to, months, "
				  "supervision_codes, NULL::text FROM cbreturn.tax_policy_periods "
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
		ext = SPI_getvalue(SPI_tuptable->vals[i], SPI_tuptable->tupdesc, 7);
		t->title_zh = ext ? MemoryContextStrdup(cxt, ext) : NULL;
		t->declared_from = DatumGetDateADT(cbr_get_datum(i, 3, &isnull));
		t->declared_to = DatumGetDateADT(cbr_get_datum(i, 4, &isnull));
		t->months = DatumGetInt32(cbr_get_datum(i, 5, &isnull));
		arr = DatumGetArrayTypeP(cbr_get_datum(i, 6, &isnull));
		deconstruct_array(arr, ARR_ELEMTYPE(arr), sizeof(int16), true, TYPALIGN_SHORT,
						  &elems, &nulls, &n);
		t->codes = MemoryContextAlloc(cxt, sizeof(int16) * (n + 1));
		t->ncodes = 0;
		for (j = 0; j < n; j++)
			if (!nulls[j])
				t->codes[t->ncodes++] = DatumGetInt16(elems[j]);
	}
	/* the row each one extends, for its Chinese title (report.c) */
	for (i = 0; i < SPI_processed; i++)
	{
		CbrTaxPeriod *t = &p->tax_periods[i];
		int			j;

		for (j = 0; t->extends != NULL && j < p->ntax_periods; j++)
			if (strcmp(p->tax_periods[j].announcement, t->extends) == 0)
				t->extended = &p->tax_periods[j];
	}
}

static void
cbr_load_holidays(CbrPolicy *p, MemoryContext cxt)
{
	uint64		i;

	cbr_run_query("SELECT day, working_day FROM cbreturn.holidays ORDER BY day");
	p->nholidays = (int) SPI_processed;
	p->holidays = MemoryContextAllocZero(cxt, sizeof(CbrHoliday) * (SPI_processed + 1));
	for (i = 0; i < SPI_processed; i++)
	{
		bool		isnull;

		p->holidays[i].day = DatumGetDateADT(cbr_get_datum(i, 1, &isnull));
		p->holidays[i].working_day = cbr_get_bool(i, 2, &isnull);
	}
}

/* Lock the policy tables (which takes in pending invalidations), noting their OIDs. */
static void
cbr_policy_lock_tables(void)
{
	int			missing = cbr_cache_lock_tables(policy_tables, (int) POLICY_TABLE_COUNT, policy_relids);

	if (missing >= 0)
		ereport(ERROR,
				(errcode(ERRCODE_UNDEFINED_TABLE),
				 errmsg("policy table cbreturn.%s does not exist", policy_tables[missing]),
				 errhint("Reinstall the extension cbreturn.")));
}

/*
 * Read every policy table into a fresh build, by the protocol of cache.c;
 * in parallel mode no new snapshot may be taken, and the query's is used.
 */
static void
cbr_policy_fill(void *snap, MemoryContext cxt)
{
	CbrPolicy  *p = (CbrPolicy *) snap;

	cbr_load_districts(p, cxt);
	cbr_load_supervision_codes(p);
	cbr_load_rule_parameters(p);
	cbr_load_tax_periods(p, cxt);
	cbr_load_holidays(p, cxt);
}

static void
cbr_policy_load(void)
{
	CbrPolicy  *p;

	if (!policy_callback_registered)
	{
		CacheRegisterRelcacheCallback(cbr_policy_relcache_callback, (Datum) 0);
		policy_callback_registered = true;
	}
	p = cbr_cache_load_by_spi(&policy_cache, "cbreturn policy", cbr_policy_lock_tables,
							  sizeof(CbrPolicy), cbr_policy_fill);
	p->generation = ++policy_generation;
	policy = p;
}

const CbrPolicy *
cbr_policy(void)
{
	if (unlikely(!policy_cache.valid))
		cbr_policy_load();
	return policy;
}

/*
 * cbreturn.policy_changed(): AFTER ... FOR EACH STATEMENT trigger on every
 * policy table.  Queues a relcache invalidation of the table, which reaches
 * this backend at its next command and the others at commit, so every
 * session reloads its policy cache (see the file header).
 *
 * Also AFTER ... FOR EACH ROW, as the trigger policy_changed_replica that
 * is enabled REPLICA (sql/65_scale_out.sql): a logical replication worker
 * (and any session with session_replication_role = replica) fires row
 * triggers only, so a policy edit that arrives by replication invalidates
 * through it (docs/scale-out.md).
 */
PG_FUNCTION_INFO_V1(policy_changed);
Datum
policy_changed(PG_FUNCTION_ARGS)
{
	cbr_cache_changed_trigger(fcinfo, "policy_changed", &policy_cache);
	return PointerGetDatum(NULL);
}
