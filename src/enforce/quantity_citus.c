/*
 * quantity_citus.c
 *		R-EX-3 and R-IM-2 on Citus tables: the quantity check on every shard
 *		of a distributed returns table (docs/scale-out.md, "The quantity
 *		check on Citus tables").
 *
 * Design.  The returns and their declared lines are distributed on the
 * declaration number and co-located (attach requires it, and that the
 * distribution column is one of the line's key columns), so the returns of
 * a line are in the returns shard of the declared line's shard group, on
 * the same node.  There is no ledger on Citus: a ledger row per line would
 * have to move with the shards, and a move, a split or a rebalance would
 * leave it behind.  Instead each write that makes a line's returns grow
 *
 *	 1. locks the declared line's row in the co-located declared shard
 *		(FOR NO KEY UPDATE, following its latest version), so that two
 *		writers of one line, and a writer and the guard on the declared side
 *		(which locks the same row, quantity_citus_guard.c), take turns;
 *	 2. then, under a snapshot taken after the lock was granted, sums the
 *		line's returns in the returns shard through an index whose leading
 *		columns are line keys, and reads the declared quantity from the
 *		locked version;
 *	 3. hands the values to cbr_quantity_decide (src/rules/quantity.c).
 *
 * The sum is read with the latest snapshot at every isolation level: a
 * return committed by the writer this one waited for is counted even in
 * REPEATABLE READ or SERIALIZABLE, where the transaction's own snapshot would
 * miss it (a lock that does not modify a row raises no serialization error
 * there).  The check therefore never lets two writers of one line both pass
 * against the same total.  A delete, or an update that neither grows a
 * return nor moves it to another line, frees quantity and takes no lock.
 *
 * Nothing is read by OID from another node: the trigger's arguments name
 * the declared distributed table and the columns, Citus carries them to
 * every shard by the trigger's text, and each shard finds its co-located
 * declared shard in Citus's metadata (pg_dist_shard, which Citus 13 keeps
 * on every node), once per statement (fn_extra: a COPY resolves it once).
 * A shard moved or split is a new relation with the same trigger, resolved
 * afresh; a shard whose partner is not on its node, or that cannot be
 * resolved, refuses the write (fail closed).
 */
#include "enforce/quantity_citus.h"

#include "access/genam.h"
#include "access/htup_details.h"
#include "access/nbtree.h"
#include "access/relscan.h"
#include "access/table.h"
#include "access/tableam.h"
#include "access/xact.h"
#include "catalog/index.h"
#include "catalog/pg_am.h"
#include "catalog/pg_index.h"
#include "catalog/pg_type.h"
#include "miscadmin.h"
#include "storage/lmgr.h"
#include "utils/builtins.h"
#include "utils/datum.h"
#include "utils/lsyscache.h"
#include "utils/memutils.h"
#include "utils/rel.h"
#include "utils/snapmgr.h"
#include "utils/typcache.h"

/* Lines a statement locks one by one before it locks the declared shard. */
#define CITUS_QTY_BULK 1000

bool
cbr_citus_keys_match(const CitusLineIndex *ix, int nkeys, const AttrNumber *attnums,
					 TupleTableSlot *slot, const Datum *keys)
{
	int			k;

	for (k = 0; k < nkeys; k++)
	{
		bool		isnull;
		Datum		v = slot_getattr(slot, attnums[k], &isnull);

		if (isnull || !DatumGetBool(FunctionCall2Coll((FmgrInfo *) &ix->eq[k], ix->eq_coll[k], v, keys[k])))
			return false;
	}
	return true;
}

/* Begin a scan of rel for the rows of the line keys, through ix. */
static IndexScanDesc
line_scan(const CitusLineIndex *ix, Relation rel, Relation irel, const Datum *keys, Snapshot snap)
{
	ScanKeyData sk[CBR_MAX_KEYS];
	IndexScanDesc scan;
	int			i;

	for (i = 0; i < ix->nscan; i++)
		ScanKeyEntryInitializeWithInfo(&sk[i], 0, i + 1, BTEqualStrategyNumber, InvalidOid,
									   ix->scan_coll[i], (FmgrInfo *) &ix->scan_fn[i], keys[ix->scan_key[i]]);
	scan = cbr_index_beginscan(rel, irel, snap, ix->nscan, 0);
	index_rescan(scan, sk, ix->nscan, NULL, 0);
	return scan;
}

void
cbr_citus_qty_count(const CitusQty *c, Relation rrel, const Datum *keys, Snapshot snap,
					CbrQty *sum, int64 *rows)
{
	Relation	irel = index_open(c->rindex.index, AccessShareLock);
	TupleTableSlot *slot = c->rslot;
	IndexScanDesc scan = line_scan(&c->rindex, rrel, irel, keys, snap);
	CbrQty		zero = {0, 0};

	*sum = zero;
	*rows = 0;
	while (index_getnext_slot(scan, ForwardScanDirection, slot))
	{
		bool		isnull;
		Datum		q;
		CbrQty		minus;

		if (!cbr_citus_keys_match(&c->rindex, c->nkeys, c->rkey, slot, keys))
			continue;
		(*rows)++;
		q = slot_getattr(slot, c->rqty, &isnull);
		if (isnull)
			continue;
		/* sum += q, exactly; a sum out of range cannot be decided */
		if (!cbr_qty_sub(zero, cbr_qty_of_datum(q, c->rqty_type, rrel, c->rqty), &minus) ||
			!cbr_qty_sub(*sum, minus, sum))
			ereport(ERROR,
					(errcode(ERRCODE_NUMERIC_VALUE_OUT_OF_RANGE),
					 errmsg("the quantities of declared line %s cannot be compared exactly (R-EX-3, R-IM-2)",
							cbr_key_text(c->nkeys, keys, c->keytype))));
	}
	index_endscan(scan);
	ExecClearTuple(slot);
	index_close(irel, NoLock);	/* held to the end of the transaction, as the executor holds it */
}

/*
 * Find the declared line of keys and lock its row (FOR NO KEY UPDATE, its
 * latest version); false when there is none.  A row deleted or re-keyed
 * while we waited is looked up again.
 */
static bool
lock_line(const CitusQty *c, Relation drel, const Datum *keys, TupleTableSlot *locked)
{
	Relation	irel = index_open(c->dindex.index, AccessShareLock);
	TupleTableSlot *slot = c->dslot;
	int			attempt;
	bool		found = false;

	for (attempt = 0; attempt < 8 && !found; attempt++)
	{
		Snapshot	snap = RegisterSnapshot(GetLatestSnapshot());
		IndexScanDesc scan = line_scan(&c->dindex, drel, irel, keys, snap);
		bool		any = false;

		while (!found && index_getnext_slot(scan, ForwardScanDirection, slot))
		{
			TM_FailureData tmfd;
			TM_Result	r;

			if (!cbr_citus_keys_match(&c->dindex, c->nkeys, c->dkey, slot, keys))
				continue;
			any = true;
			if (c->bulk)
			{
				/* the shard is ours: no other writer can change the row */
				ExecCopySlot(locked, slot);
				found = true;
				break;
			}
			r = table_tuple_lock(drel, &slot->tts_tid, snap, locked, GetCurrentCommandId(false),
								 LockTupleNoKeyExclusive, LockWaitBlock,
								 TUPLE_LOCK_FLAG_FIND_LAST_VERSION, &tmfd);
			found = r == TM_Ok && cbr_citus_keys_match(&c->dindex, c->nkeys, c->dkey, locked, keys);
		}
		index_endscan(scan);
		UnregisterSnapshot(snap);
		if (!any)
			break;				/* no such line */
	}
	ExecClearTuple(slot);
	index_close(irel, NoLock);
	if (!found && attempt == 8)
		ereport(ERROR,
				(errcode(ERRCODE_T_R_SERIALIZATION_FAILURE),
				 errmsg("could not serialize access due to concurrent update"),
				 errdetail("The declared line of a return kept changing while the quantity check waited for it (R-EX-3, R-IM-2)."),
				 errhint("Retry the transaction.")));
	return found;
}

/* "(a, b)=(1, 2)": the line as the writer named it in its own row. */
static char *
line_text(const CitusQty *c, Relation rel, const Datum *keys)
{
	StringInfoData s;
	int			i;

	initStringInfo(&s);
	appendStringInfoChar(&s, '(');
	for (i = 0; i < c->nkeys; i++)
		appendStringInfo(&s, "%s%s", i ? ", " : "",
						 quote_identifier(NameStr(TupleDescAttr(RelationGetDescr(rel), c->rkey[i] - 1)->attname)));
	appendStringInfo(&s, ")=%s", cbr_key_text(c->nkeys, keys, c->keytype));
	return s.data;
}

/* A verdict on a return as its error: the texts of the check of one server (quantity_report.c). */
static void
report_return(const CitusQty *c, Relation rel, HeapTuple tuple, const Datum *keys, const CbrQtyVerdict *v)
{
	CbrQtyErrorCtx e = {rel, tuple, NULL, c->declared, c->rqty, c->rkey[0], false};

	if (v->outcome == CBR_QTY_OK)
		return;
	e.line = line_text(c, rel, keys);
	e.values_visible = v->outcome == CBR_QTY_EXCEEDED && cbr_qty_values_visible(c->columns, c->ncolumns);
	cbr_qty_raise_return(&e, v);
}

/* The quantity of a row (NULL counts as 0) and its keys; false when a key is NULL. */
static bool
row_line(const CitusQty *c, Relation rel, HeapTuple tuple, Datum *keys, CbrQty *qty)
{
	bool		isnull;
	Datum		d = heap_getattr(tuple, c->rqty, RelationGetDescr(rel), &isnull);
	int			i;

	*qty = isnull ? (CbrQty) {0, 0} : cbr_qty_of_datum(d, c->rqty_type, rel, c->rqty);
	for (i = 0; i < c->nkeys; i++)
	{
		keys[i] = heap_getattr(tuple, c->rkey[i], RelationGetDescr(rel), &isnull);
		if (isnull)
			return false;		/* not counted, as a foreign key MATCH SIMPLE */
	}
	return true;
}

/*
 * Lock the line, count its returns and decide: the steps of the design
 * above, for a write that adds delta to the line of keys.
 */
static void
decide_line(CitusQty *c, Relation rel, HeapTuple tuple, const Datum *keys, CbrQty qty, CbrQty delta)
{
	/*
	 * RowExclusiveLock, as the guard's writes take it: so that a statement
	 * writing many returns to this shard group may lock the whole declared
	 * shard instead of each line (SHARE ROW EXCLUSIVE conflicts with it),
	 * after CITUS_QTY_BULK lines.  Every writer of a return of the shard
	 * group, and every writer of the declared shard, then waits for it, so
	 * its counts stay right without a row lock (and its WAL) per line.
	 */
	Relation	drel = table_open(c->declared, RowExclusiveLock);
	TupleTableSlot *locked = c->locked;
	bool		has_line;
	CbrQty		declared = {0, 0};
	CbrQty		total = {0, 0};
	int64		rows = 0;
	CbrQtyVerdict v;

	if (!c->bulk && ++c->lines_locked > CITUS_QTY_BULK)
	{
		LockRelationOid(c->declared, ShareRowExclusiveLock);
		c->bulk = true;
	}
	/* the rows this statement wrote before this one are counted too */
	CommandCounterIncrement();
	has_line = lock_line(c, drel, keys, locked);
	if (has_line)
	{
		Snapshot	snap = RegisterSnapshot(GetLatestSnapshot());
		bool		isnull;
		Datum		d = slot_getattr(locked, c->dqty, &isnull);

		declared = isnull ? declared : cbr_qty_of_datum(d, c->dqty_type, drel, c->dqty);
		cbr_citus_qty_count(c, rel, keys, snap, &total, &rows);
		UnregisterSnapshot(snap);
	}
	ExecClearTuple(locked);
	cbr_quantity_decide(qty, delta, total, has_line, declared, &v);
	if (v.outcome != CBR_QTY_OK)
	{
		AttrNumber	cols[CBR_MAX_KEYS + 1];

		memcpy(cols, c->rkey, sizeof(AttrNumber) * c->nkeys);
		cols[c->nkeys] = c->rqty;
		CBR_REPORT_VISIBLE(rel, tuple, cols, c->nkeys + 1, gettext_noop("quantity"),
						   report_return(c, rel, tuple, keys, &v));
	}
	table_close(drel, NoLock);	/* the row lock stays to the end of the transaction */
}

/*
 * cbreturn._quantity_check_citus(): AFTER INSERT OR UPDATE OR DELETE FOR
 * EACH ROW on a distributed returns table, carried to its shards.  R-EX-3
 * (GACC 2020 No. 44) and R-IM-2: the quantity returned over all returns of
 * one declared line never exceeds the quantity declared on it.
 */
PG_FUNCTION_INFO_V1(cbr_quantity_check_citus);
Datum
cbr_quantity_check_citus(PG_FUNCTION_ARGS)
{
	TriggerData *td = cbr_trigger_protocol(fcinfo, "_quantity_check_citus", CBR_FIRE_AFTER, true);
	Relation	rel = td->tg_relation;
	CitusQty   *c = cbr_citus_qty_config(fcinfo, rel, false);
	HeapTuple	newtup = TRIGGER_FIRED_BY_INSERT(td->tg_event) ? td->tg_trigtuple
		: TRIGGER_FIRED_BY_UPDATE(td->tg_event) ? td->tg_newtuple : NULL;
	Datum		nkeys[CBR_MAX_KEYS];
	Datum		okeys[CBR_MAX_KEYS];
	CbrQty		nq;
	CbrQty		oq;
	CbrQty		delta;
	CbrQtyVerdict v;
	int			i;
	int			cmp;

	if (newtup == NULL)
		return PointerGetDatum(NULL);	/* a delete frees quantity */
	if (!row_line(c, rel, newtup, nkeys, &nq))
	{
		/* named no line: only a negative quantity is refused */
		cbr_quantity_decide(nq, (CbrQty) {0, 0}, (CbrQty) {0, 0}, true, (CbrQty) {0, 0}, &v);
		if (v.outcome == CBR_QTY_NEGATIVE)
			CBR_REPORT_VISIBLE(rel, newtup, &c->rqty, 1, gettext_noop("quantity"),
							   report_return(c, rel, newtup, nkeys, &v));
		return PointerGetDatum(NULL);
	}
	delta = nq;
	if (TRIGGER_FIRED_BY_UPDATE(td->tg_event) && row_line(c, rel, td->tg_trigtuple, okeys, &oq))
	{
		/* the same line, bit for bit: only what the update adds counts */
		for (i = 0; i < c->nkeys; i++)
			if (!datumIsEqual(okeys[i], nkeys[i], get_typbyval(c->keytype[i]), get_typlen(c->keytype[i])))
				break;
		if (i == c->nkeys)
		{
			if (!cbr_qty_sub(nq, oq, &delta))
				delta = nq;
			if (cbr_qty_cmp(delta, (CbrQty) {0, 0}, &cmp) && cmp <= 0 &&
				cbr_qty_cmp(nq, (CbrQty) {0, 0}, &cmp) && cmp >= 0)
				return PointerGetDatum(NULL);	/* frees, or changes nothing counted */
		}
	}
	decide_line(c, rel, newtup, nkeys, nq, delta);
	return PointerGetDatum(NULL);
}
