/*
 * registers.c
 *		The per-backend snapshot of the registers a DBA maintains
 *		(sql/35_registers.sql: applicants, return_sites, return_warehouses,
 *		operator_credit_ratings, import_agents), the CbrRegisters the
 *		register decisions of src/rules/registers.c read.  Built,
 *		invalidated and retired by the protocol of cache.c, like the policy
 *		snapshot (policy.c).
 *
 * Why a cache: the write-time checks ask a register for every row written
 * (and their WHEN functions for every row of a COPY); a query per row would
 * cost far more than the decision.  A register holds some hundreds or
 * thousands of rows; each is read once into sorted arrays.
 *
 * When an edit is seen: the statement triggers cbreturn.registers_changed()
 * on the five tables send a relcache invalidation of the table, which this
 * backend takes in at its next command and the others when the writer
 * commits (a rolled-back edit is never seen), as for the policy tables
 * (docs/policy.md).
 */
#include "policy/policy.h"

#include "catalog/namespace.h"
#include "executor/spi.h"
#include "storage/lmgr.h"
#include "utils/builtins.h"
#include "utils/inval.h"
#include "utils/lsyscache.h"
#include "utils/memutils.h"

static const char *const register_tables[] = {
	"applicants", "return_sites", "return_warehouses", "operator_credit_ratings", "import_agents"
};
#define REGISTER_TABLE_COUNT lengthof(register_tables)

static Oid	register_relids[REGISTER_TABLE_COUNT];
static CbrRegisters *registers = NULL;	/* in registers_cache.cxt */
static CbrCache registers_cache;
static uint64 registers_generation = 0;
static bool registers_callback_registered = false;

static void
cbr_registers_relcache_callback(Datum arg, Oid relid)
{
	if (cbr_cache_relid_matches(register_relids, (int) REGISTER_TABLE_COUNT, relid))
		cbr_cache_invalidate(&registers_cache);
}

static void
cbr_registers_lock_tables(void)
{
	int			missing = cbr_cache_lock_tables(register_tables, (int) REGISTER_TABLE_COUNT, register_relids);

	if (missing >= 0)
		ereport(ERROR,
				(errcode(ERRCODE_UNDEFINED_TABLE),
				 errmsg("register cbreturn.%s does not exist", register_tables[missing]),
				 errhint("Run ALTER EXTENSION cbreturn UPDATE, or reinstall the extension.")));
}

/* ---------------------------------------------------------------------
 * Reading the rows of the query SPI just ran
 * --------------------------------------------------------------------- */
static Datum
reg_datum(uint64 row, int col, bool *isnull)
{
	return SPI_getbinval(SPI_tuptable->vals[row], SPI_tuptable->tupdesc, col, isnull);
}

static const char *
reg_text(uint64 row, int col, MemoryContext cxt)
{
	char	   *s = SPI_getvalue(SPI_tuptable->vals[row], SPI_tuptable->tupdesc, col);

	return s ? MemoryContextStrdup(cxt, s) : NULL;
}

static CbrUscc
reg_uscc(uint64 row, int col)
{
	bool		isnull;

	return *(const CbrUscc *) DatumGetPointer(reg_datum(row, col, &isnull));
}

static DateADT
reg_date(uint64 row, int col, DateADT if_null)
{
	bool		isnull;
	Datum		d = reg_datum(row, col, &isnull);

	return isnull ? if_null : DatumGetDateADT(d);
}

static bool
reg_bool(uint64 row, int col)
{
	bool		isnull;
	Datum		d = reg_datum(row, col, &isnull);

	return !isnull && DatumGetBool(d);
}

static void
reg_query(const char *sql)
{
	int			rc = SPI_execute(sql, true, 0);

	if (rc != SPI_OK_SELECT)
		elog(ERROR, "register query failed (SPI code %d): %s", rc, sql);
}

/* Each register sorted by its key, in the order the decisions search it. */
static void
cbr_load_applicants(CbrRegisters *r, MemoryContext cxt)
{
	CbrRegApplicant *a;
	uint64		i;

	reg_query("SELECT uscc, customs_registration_code::pg_catalog.text, name, valid_from, valid_to"
			  "  FROM cbreturn.applicants ORDER BY uscc, valid_from");
	a = MemoryContextAllocZero(cxt, sizeof(*a) * (SPI_processed + 1));
	for (i = 0; i < SPI_processed; i++)
	{
		a[i].uscc = reg_uscc(i, 1);
		a[i].registration = reg_text(i, 2, cxt);
		a[i].name = reg_text(i, 3, cxt);
		a[i].from = reg_date(i, 4, 0);
		a[i].to = reg_date(i, 5, DATEVAL_NOEND);
	}
	r->napplicants = (int) SPI_processed;
	r->applicants = a;
}

static void
cbr_load_sites(CbrRegisters *r, MemoryContext cxt)
{
	CbrRegSite *s;
	uint64		i;
	bool		isnull;

	reg_query("SELECT site_code, customs_office, kind::pg_catalog.text, name, valid_from, valid_to"
			  "  FROM cbreturn.return_sites ORDER BY site_code COLLATE pg_catalog.\"C\", customs_office, valid_from");
	s = MemoryContextAllocZero(cxt, sizeof(*s) * (SPI_processed + 1));
	for (i = 0; i < SPI_processed; i++)
	{
		s[i].code = reg_text(i, 1, cxt);
		s[i].office = DatumGetInt16(reg_datum(i, 2, &isnull));
		s[i].kind = reg_text(i, 3, cxt);
		s[i].name = reg_text(i, 4, cxt);
		s[i].from = reg_date(i, 5, 0);
		s[i].to = reg_date(i, 6, DATEVAL_NOEND);
	}
	r->nsites = (int) SPI_processed;
	r->sites = s;
}

static void
cbr_load_warehouses(CbrRegisters *r, MemoryContext cxt)
{
	CbrRegWarehouse *w;
	uint64		i;
	bool		isnull;

	reg_query("SELECT warehouse_code, special_area, customs_office, operator_uscc, name,"
			  "       video_linked, wms, customs_interface, valid_from, valid_to"
			  "  FROM cbreturn.return_warehouses ORDER BY warehouse_code COLLATE pg_catalog.\"C\", valid_from");
	w = MemoryContextAllocZero(cxt, sizeof(*w) * (SPI_processed + 1));
	for (i = 0; i < SPI_processed; i++)
	{
		w[i].code = reg_text(i, 1, cxt);
		w[i].area = reg_text(i, 2, cxt);
		w[i].office = DatumGetInt16(reg_datum(i, 3, &isnull));
		w[i].operator_uscc = reg_uscc(i, 4);
		w[i].name = reg_text(i, 5, cxt);
		w[i].video_linked = reg_bool(i, 6);
		w[i].wms = reg_bool(i, 7);
		w[i].customs_interface = reg_bool(i, 8);
		w[i].from = reg_date(i, 9, 0);
		w[i].to = reg_date(i, 10, DATEVAL_NOEND);
	}
	r->nwarehouses = (int) SPI_processed;
	r->warehouses = w;
}

static void
cbr_load_ratings(CbrRegisters *r, MemoryContext cxt)
{
	CbrRegRating *g;
	uint64		i;
	bool		isnull;

	reg_query("SELECT uscc, rating, rating::pg_catalog.text, effective_from"
			  "  FROM cbreturn.operator_credit_ratings ORDER BY uscc, effective_from");
	g = MemoryContextAllocZero(cxt, sizeof(*g) * (SPI_processed + 1));
	for (i = 0; i < SPI_processed; i++)
	{
		g[i].uscc = reg_uscc(i, 1);
		g[i].value = DatumGetObjectId(reg_datum(i, 2, &isnull));
		g[i].label = reg_text(i, 3, cxt);
		g[i].discredited = strcmp(g[i].label, "discredited") == 0;
		g[i].from = reg_date(i, 4, 0);
	}
	r->nratings = (int) SPI_processed;
	r->ratings = g;
}

static void
cbr_load_agents(CbrRegisters *r, MemoryContext cxt)
{
	CbrRegAgent *a;
	uint64		i;

	reg_query("SELECT enterprise_code::pg_catalog.text, agent_uscc, role::pg_catalog.text, name,"
			  "       valid_from, valid_to"
			  "  FROM cbreturn.import_agents"
			  " ORDER BY enterprise_code::pg_catalog.text COLLATE pg_catalog.\"C\", agent_uscc, valid_from");
	a = MemoryContextAllocZero(cxt, sizeof(*a) * (SPI_processed + 1));
	for (i = 0; i < SPI_processed; i++)
	{
		a[i].enterprise = reg_text(i, 1, cxt);
		a[i].agent = reg_uscc(i, 2);
		a[i].role = reg_text(i, 3, cxt);
		a[i].name = reg_text(i, 4, cxt);
		a[i].from = reg_date(i, 5, 0);
		a[i].to = reg_date(i, 6, DATEVAL_NOEND);
	}
	r->nagents = (int) SPI_processed;
	r->agents = a;
}

static void
cbr_registers_fill(void *snap, MemoryContext cxt)
{
	CbrRegisters *r = (CbrRegisters *) snap;

	cbr_load_applicants(r, cxt);
	cbr_load_sites(r, cxt);
	cbr_load_warehouses(r, cxt);
	cbr_load_ratings(r, cxt);
	cbr_load_agents(r, cxt);
}

static void
cbr_registers_load(void)
{
	CbrRegisters *r;

	if (!registers_callback_registered)
	{
		CacheRegisterRelcacheCallback(cbr_registers_relcache_callback, (Datum) 0);
		registers_callback_registered = true;
	}
	/* a Citus worker answers from the coordinator's registers or not at all */
	r = cbr_cache_load_by_spi(&registers_cache, "cbreturn registers", cbr_registers_lock_tables,
							  sizeof(CbrRegisters), cbr_registers_fill);
	r->generation = ++registers_generation;
	registers = r;
}

const CbrRegisters *
cbr_registers(void)
{
	if (unlikely(!registers_cache.valid))
		cbr_registers_load();
	return registers;
}

/*
 * cbreturn.registers_changed(): AFTER ... FOR EACH STATEMENT trigger on
 * every register.  Queues a relcache invalidation of the table, which
 * reaches this backend at its next command and the others at commit, and
 * forgets this backend's snapshot at once, so a later call in this same
 * command reads the registers again.  Also AFTER ... FOR EACH ROW, as the
 * trigger registers_changed_replica enabled REPLICA (sql/35_registers.sql):
 * a logical replication worker fires row triggers only.
 */
PG_FUNCTION_INFO_V1(registers_changed);
Datum
registers_changed(PG_FUNCTION_ARGS)
{
	cbr_cache_changed_trigger(fcinfo, "registers_changed", &registers_cache);
	return PointerGetDatum(NULL);
}
