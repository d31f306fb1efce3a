/*
 * reason_labels.c
 *		R-V-1 (rules: reason vocabularies): the per-backend cache of
 *		cbreturn.reason_labels, which maps the labels an ERP stores in a
 *		reason column (ZXTY, 滞销, 退货退运, its own codes) to a return reason.
 *
 * The table is policy as data (sql/38_row_facts.sql): a DBA adds a label as
 * a row, or withdraws a shipped one by setting its reason to NULL.  It is
 * read whole, once per backend, into a sorted array of label keys (the
 * normalisation of src/rules/label.c), built, invalidated and retired by the
 * protocol of cache.c: the statement trigger cbreturn._reason_labels_changed()
 * sends a relcache invalidation of the table, which reaches this backend at
 * once and the others when the writer commits, as for the policy tables
 * (policy.c).  A lookup is one key computed into a stack buffer and a binary
 * search; no allocation, no catalog access.
 *
 * Before ALTER EXTENSION UPDATE has created the table (a 0.2.0 database on
 * this module), the labels are the enum's own, as 0.2.0 read them.
 */
#include "policy/facts.h"
#include "rules/label.h"

#include "catalog/namespace.h"
#include "executor/spi.h"
#include "mb/pg_wchar.h"
#include "storage/lmgr.h"
#include "utils/builtins.h"
#include "utils/inval.h"
#include "utils/lsyscache.h"
#include "utils/memutils.h"
#include "utils/syscache.h"

typedef struct LabelEntry
{
	const char *key;
	const char *label;			/* as stored, for a message */
	int			reason;			/* a CbrReason, or -1: withdrawn */
} LabelEntry;

typedef struct LabelSet
{
	int			n;
	LabelEntry *entries;		/* sorted by key (strcmp) */
} LabelSet;

static LabelSet *labels = NULL; /* in label_cache.cxt */
static CbrCache label_cache;
static Oid	labels_relid = InvalidOid;
static bool labels_utf8 = false;
static bool labels_callback_registered = false;

static void
cbr_reason_labels_relcache_callback(Datum arg, Oid relid)
{
	if (relid == InvalidOid || relid == labels_relid)
		cbr_cache_invalidate(&label_cache);
}

/*
 * Without the table (the enum's labels only), any change of pg_class may be
 * the table appearing (ALTER EXTENSION UPDATE): read again then.
 */
static void
cbr_reason_labels_syscache_callback(Datum arg, int cacheid, uint32 hashvalue)
{
	if (!OidIsValid(labels_relid))
		cbr_cache_invalidate(&label_cache);
}

static int
cbr_label_entry_cmp(const void *a, const void *b)
{
	return strcmp(((const LabelEntry *) a)->key, ((const LabelEntry *) b)->key);
}

static void
cbr_label_set_add(LabelSet *set, MemoryContext cxt, const char *label, int reason)
{
	LabelEntry *e = &set->entries[set->n++];
	int			len = (int) strlen(label);
	char	   *key = MemoryContextAlloc(cxt, len + 1);

	cbr_label_key(label, len, labels_utf8, key);
	e->key = key;
	e->label = MemoryContextStrdup(cxt, label);
	e->reason = reason;
}

/* Read cbreturn.reason_labels into a fresh build, by the protocol of cache.c. */
static void
cbr_reason_labels_load(void)
{
	CbrCacheBuild b = {0};
	LabelSet   *set;
	int			i;

	if (!labels_callback_registered)
	{
		CacheRegisterRelcacheCallback(cbr_reason_labels_relcache_callback, (Datum) 0);
		CacheRegisterSyscacheCallback(RELNAMENSP, cbr_reason_labels_syscache_callback, (Datum) 0);
		labels_callback_registered = true;
	}
	labels_utf8 = GetDatabaseEncoding() == PG_UTF8;
	do
	{
		Oid			nsp = get_namespace_oid("cbreturn", false);

		labels_relid = get_relname_relid("reason_labels", nsp);
		if (OidIsValid(labels_relid))
			LockRelationOid(labels_relid, AccessShareLock);
		cbr_cache_build_begin(&b, &label_cache, "cbreturn reason labels");
		set = MemoryContextAllocZero(b.cxt, sizeof(LabelSet));
		if (!OidIsValid(labels_relid))
		{
			set->entries = MemoryContextAllocZero(b.cxt, sizeof(LabelEntry) * CBR_REASON_COUNT);
			for (i = 0; i < CBR_REASON_COUNT; i++)
				cbr_label_set_add(set, b.cxt, cbr_reason_label((CbrReason) i), i);
		}
		else
		{
			uint64		r;
			int			ret;

			cbr_cache_build_read(&b);
			if (SPI_connect() != SPI_OK_CONNECT)
				elog(ERROR, "SPI_connect failed");
			cbr_citus_policy_check();
			ret = SPI_execute("SELECT l.label, l.reason FROM cbreturn.reason_labels l", true, 0);
			if (ret != SPI_OK_SELECT)
				elog(ERROR, "reading cbreturn.reason_labels failed: %s", SPI_result_code_string(ret));
			set->entries = MemoryContextAllocZero(b.cxt, sizeof(LabelEntry) * (SPI_processed + 1));
			for (r = 0; r < SPI_processed; r++)
			{
				bool		isnull;
				char	   *label = SPI_getvalue(SPI_tuptable->vals[r], SPI_tuptable->tupdesc, 1);
				Datum		reason = SPI_getbinval(SPI_tuptable->vals[r], SPI_tuptable->tupdesc, 2, &isnull);

				if (label == NULL)
					continue;
				cbr_label_set_add(set, b.cxt, label,
								  isnull ? -1 : (int) cbr_reason_from_oid(DatumGetObjectId(reason)));
			}
			SPI_finish();
		}
		qsort(set->entries, set->n, sizeof(LabelEntry), cbr_label_entry_cmp);
		/* the unique index on reason_label_key(label) makes this impossible */
		for (i = 1; i < set->n; i++)
			if (strcmp(set->entries[i - 1].key, set->entries[i].key) == 0)
				ereport(ERROR,
						(errcode(ERRCODE_CBRETURN_POLICY_DATA),
						 errmsg("policy table cbreturn.%s is inconsistent", "reason_labels"),
						 errdetail("The labels \"%s\" and \"%s\" are the same label once blanks and letter case are set aside.",
								   set->entries[i - 1].label, set->entries[i].label),
						 errhint("Delete one of the two rows (docs/policy.md).")));
	} while (!cbr_cache_build_end(&b));
	labels = set;
}

char *
cbr_reason_label_key(const char *s, int len)
{
	char	   *key = palloc(len + 1);

	cbr_label_key(s, len, GetDatabaseEncoding() == PG_UTF8, key);
	return key;
}

CbrLabelMatch
cbr_reason_label_lookup(const char *s, int len, CbrReason *reason)
{
	char		buf[256];
	char	   *key;
	int			lo;
	int			hi;
	CbrLabelMatch m = CBR_LABEL_UNKNOWN;

	if (unlikely(!label_cache.valid))
		cbr_reason_labels_load();
	key = len < (int) sizeof(buf) ? buf : palloc(len + 1);
	cbr_label_key(s, len, labels_utf8, key);
	lo = 0;
	hi = labels->n - 1;
	while (lo <= hi)
	{
		int			mid = lo + (hi - lo) / 2;
		int			c = strcmp(key, labels->entries[mid].key);

		if (c == 0)
		{
			if (labels->entries[mid].reason < 0)
				m = CBR_LABEL_WITHDRAWN;
			else
			{
				*reason = (CbrReason) labels->entries[mid].reason;
				m = CBR_LABEL_REASON;
			}
			break;
		}
		if (c < 0)
			hi = mid - 1;
		else
			lo = mid + 1;
	}
	if (key != buf)
		pfree(key);
	return m;
}

/*
 * cbreturn._reason_labels_changed(): AFTER ... FOR EACH STATEMENT trigger on
 * cbreturn.reason_labels.  Queues a relcache invalidation of the table
 * (every session reads the labels again: this one from its next command,
 * the others from their next transaction once the writer commits), and
 * forgets this backend's labels at once.
 */
PG_FUNCTION_INFO_V1(cbr_reason_labels_changed);
Datum
cbr_reason_labels_changed(PG_FUNCTION_ARGS)
{
	TriggerData *trigdata = (TriggerData *) fcinfo->context;

	/* also AFTER ... FOR EACH ROW, enabled REPLICA, as policy_changed() */
	if (!(CALLED_AS_TRIGGER(fcinfo) && TRIGGER_FIRED_AFTER(trigdata->tg_event) &&
		  TRIGGER_FIRED_FOR_ROW(trigdata->tg_event)))
		trigdata = cbr_statement_trigger_protocol(fcinfo, "_reason_labels_changed");

	CacheInvalidateRelcacheByRelid(RelationGetRelid(trigdata->tg_relation));
	cbr_cache_invalidate(&label_cache);
	return PointerGetDatum(NULL);
}
