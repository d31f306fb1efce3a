/*
 * quantity_ledger_row.c
 *		The ledger row of one declared line, moved in place as an UPDATE
 *		would move it (R-EX-3, R-IM-2; see quantity.c).
 *
 * Why not a prepared UPDATE through SPI: every return written paid the
 * executor's start-up of that statement (the plan's nodes, the RETURNING
 * projection, the result relation), a quarter of a backend's time in
 * one-return transactions (docs/performance.md, "quantity rule").  The row
 * is found through the ledger's primary key and changed through the heap,
 * with what UPDATE does to stay correct under concurrency:
 *
 *   - the row is found under the snapshot the caller took (after a command
 *     counter increment, so the returns written earlier in the same
 *     statement are seen), and locked as UPDATE locks it
 *     (LockTupleNoKeyExclusive, waiting for a concurrent writer);
 *   - READ COMMITTED: the lock follows the row to its latest version (as
 *     UPDATE's re-check does), and tells the caller that it did, so that
 *     the caller reads the declared line again with a fresh snapshot;
 *   - REPEATABLE READ and SERIALIZABLE: a row changed since the
 *     transaction's snapshot is a serialization failure (40001), as UPDATE
 *     raises it; heap_update takes the predicate locks of SERIALIZABLE;
 *   - the counters never go negative (the CHECK of their domains, which
 *     this path does not run through the executor, is checked here);
 *   - a new row version that is not heap-only gets its index entries.
 *
 * Anything unusual (no row yet, a row deleted by a concurrent recount, a
 * ledger whose layout, access method, triggers or indexes are not what the
 * extension made) is left to the SPI statements of quantity.c: false.
 */
#include "enforce/quantity.h"

#include "access/genam.h"
#include "access/heapam.h"
#include "access/htup_details.h"
#include "access/relation.h"
#include "access/table.h"
#include "access/tableam.h"
#include "access/xact.h"
#include "catalog/index.h"
#include "catalog/pg_am.h"
#include "common/int.h"
#include "catalog/pg_type.h"
#include "executor/tuptable.h"
#include "miscadmin.h"
#include "nodes/execnodes.h"
#include "storage/lmgr.h"
#include "utils/builtins.h"
#include "utils/fmgroids.h"
#include "utils/lsyscache.h"
#include "utils/numeric.h"
#include "utils/rel.h"
#include "utils/snapmgr.h"

/* The ledger's columns (sql/55_enforce_quantity.sql), checked by cbr_ledger_resolve. */
#define LEDGER_DECLARED		1
#define LEDGER_LINE			2
#define LEDGER_RETURNED		3
#define LEDGER_ROWS			4
#define LEDGER_NATTS		4

/*
 * Resolve the direct path for the ledger relid: its primary key index on
 * (declared_relation, line), a heap, the columns in the order the
 * extension created them, no trigger, no index with expressions or a
 * predicate.  Otherwise the direct path is off (InvalidOid) and the SPI
 * statements do the work.  Relcache invalidations of the ledger rebuild
 * the cached config that holds this (quantity_cache.c).
 */
void
cbr_ledger_resolve(CbrLedgerRow *l, Oid relid)
{
	Relation	lrel = table_open(relid, AccessShareLock);
	TupleDesc	desc = RelationGetDescr(lrel);
	List	   *indexes;
	ListCell   *lc;
	Oid			pk = InvalidOid;
	bool		usable;

	memset(l, 0, sizeof(*l));
	usable = lrel->rd_rel->relkind == RELKIND_RELATION &&
		lrel->rd_tableam == GetHeapamTableAmRoutine() &&
		!lrel->rd_rel->relhastriggers &&
		desc->natts == LEDGER_NATTS &&
		TupleDescAttr(desc, LEDGER_DECLARED - 1)->atttypid == REGCLASSOID &&
		TupleDescAttr(desc, LEDGER_LINE - 1)->atttypid == BYTEAOID &&
		getBaseType(TupleDescAttr(desc, LEDGER_RETURNED - 1)->atttypid) == NUMERICOID &&
		getBaseType(TupleDescAttr(desc, LEDGER_ROWS - 1)->atttypid) == INT8OID;
	indexes = RelationGetIndexList(lrel);
	foreach(lc, indexes)
	{
		Relation	irel = index_open(lfirst_oid(lc), AccessShareLock);
		Form_pg_index ix = irel->rd_index;

		if (!heap_attisnull(irel->rd_indextuple, Anum_pg_index_indexprs, NULL) ||
			!heap_attisnull(irel->rd_indextuple, Anum_pg_index_indpred, NULL) ||
			!ix->indisvalid || !ix->indisready)
			usable = false;
		if (ix->indisprimary && ix->indnkeyatts == 2 &&
			ix->indkey.values[0] == LEDGER_DECLARED && ix->indkey.values[1] == LEDGER_LINE &&
			irel->rd_rel->relam == BTREE_AM_OID)
			pk = RelationGetRelid(irel);
		index_close(irel, AccessShareLock);
	}
	list_free(indexes);
	table_close(lrel, AccessShareLock);
	if (usable && OidIsValid(pk))
	{
		l->relid = relid;
		l->index = pk;
	}
}

/* Index entries of a new row version that is not heap-only (as CatalogIndexInsert). */
static void
insert_index_entries(Relation lrel, HeapTuple tuple)
{
	List	   *indexes = RelationGetIndexList(lrel);
	ListCell   *lc;
	TupleTableSlot *slot = MakeSingleTupleTableSlot(RelationGetDescr(lrel), &TTSOpsHeapTuple);

	ExecStoreHeapTuple(tuple, slot, false);
	foreach(lc, indexes)
	{
		Relation	irel = index_open(lfirst_oid(lc), RowExclusiveLock);
		IndexInfo  *ii = BuildIndexInfo(irel);
		Datum		values[INDEX_MAX_KEYS];
		bool		isnull[INDEX_MAX_KEYS];

		/* cbr_ledger_resolve allowed none; an index made since is refused, not skipped */
		if (ii->ii_Expressions != NIL || ii->ii_Predicate != NIL)
			elog(ERROR, "an index of cbreturn.quantity_ledger has expressions or a predicate");
		FormIndexDatum(ii, slot, NULL, values, isnull);
		index_insert(irel, values, isnull, &tuple->t_self, lrel,
					 irel->rd_index->indisunique ? UNIQUE_CHECK_YES : UNIQUE_CHECK_NO,
					 false, ii);
		index_close(irel, RowExclusiveLock);
	}
	ExecDropSingleTupleTableSlot(slot);
	list_free(indexes);
}

/*
 * Add (delta, rows) to the ledger row of (declared, image), found under
 * snap and locked as UPDATE would lock it.  Returns false, having changed
 * nothing, when there is no such row (or the direct path is off); then
 * the caller runs the SPI statements.  *moved is set when the row was
 * changed by another transaction after snap was taken (READ COMMITTED
 * followed it): what the caller read under snap may be stale.  *total and
 * *total_rows are the counters after the change; false is also returned,
 * with *negative set, when they would go below zero (the ledger is wrong:
 * the caller refuses the write).
 */
bool
cbr_ledger_add(const CbrLedgerRow *l, Oid declared, const bytea *image, Datum delta, int64 rows,
			   Snapshot snap, Datum *total, int64 *total_rows, bool *moved, bool *negative)
{
	Relation	lrel;
	Relation	irel;
	ScanKeyData sk[2];
	IndexScanDesc scan;
	TupleTableSlot *slot;
	bool		found;
	TM_Result	res;
	TM_FailureData tmfd;
	bool		xact_snapshot = IsolationUsesXactSnapshot();
	Datum		values[LEDGER_NATTS];
	bool		nulls[LEDGER_NATTS];
	HeapTuple	newtup;
	int64		newrows;
	Datum		newreturned;

	*moved = false;
	*negative = false;
	if (!OidIsValid(l->relid))
		return false;
	lrel = table_open(l->relid, RowExclusiveLock);
	if (lrel->trigdesc != NULL || RelationGetDescr(lrel)->natts != LEDGER_NATTS)
	{
		table_close(lrel, RowExclusiveLock);
		return false;
	}
	irel = index_open(l->index, RowExclusiveLock);
	ScanKeyInit(&sk[0], LEDGER_DECLARED, BTEqualStrategyNumber, F_OIDEQ, ObjectIdGetDatum(declared));
	ScanKeyInit(&sk[1], LEDGER_LINE, BTEqualStrategyNumber, F_BYTEAEQ, PointerGetDatum(image));
	slot = table_slot_create(lrel, NULL);
	scan = index_beginscan(lrel, irel, snap, 2, 0);
	index_rescan(scan, sk, 2, NULL, 0);
	found = index_getnext_slot(scan, ForwardScanDirection, slot);
	index_endscan(scan);
	if (!found)
		goto not_here;

	res = table_tuple_lock(lrel, &slot->tts_tid, snap, slot, GetCurrentCommandId(true),
						   LockTupleNoKeyExclusive, LockWaitBlock,
						   xact_snapshot ? 0 : TUPLE_LOCK_FLAG_FIND_LAST_VERSION, &tmfd);
	switch (res)
	{
		case TM_Ok:
			break;
		case TM_Updated:
		case TM_Deleted:
			if (xact_snapshot)
				ereport(ERROR,
						(errcode(ERRCODE_T_R_SERIALIZATION_FAILURE),
						 errmsg("could not serialize access due to concurrent update")));
			/* READ COMMITTED: the row went (a recount); the SPI statements decide */
			goto not_here;
		default:
			/* changed by this very command, invisible: not a case the direct path knows */
			goto not_here;
	}
	*moved = tmfd.traversed;

	slot_getallattrs(slot);
	memcpy(values, slot->tts_values, sizeof(values));
	memcpy(nulls, slot->tts_isnull, sizeof(nulls));
	/* the row locked is the line's: its key is never updated, only deleted */
	if (nulls[LEDGER_RETURNED - 1] || nulls[LEDGER_ROWS - 1] ||
		DatumGetObjectId(values[LEDGER_DECLARED - 1]) != declared ||
		cbr_qty_image_cmp(DatumGetByteaPP(values[LEDGER_LINE - 1]), image) != 0)
		goto not_here;
	newreturned = DirectFunctionCall2(numeric_add, values[LEDGER_RETURNED - 1], delta);
	if (DatumGetBool(DirectFunctionCall2(numeric_lt, newreturned, NumericGetDatum(int64_to_numeric(0)))) ||
		pg_add_s64_overflow(DatumGetInt64(values[LEDGER_ROWS - 1]), rows, &newrows) || newrows < 0)
	{
		*negative = true;
		ExecDropSingleTupleTableSlot(slot);
		index_close(irel, RowExclusiveLock);
		table_close(lrel, RowExclusiveLock);
		return false;
	}
	values[LEDGER_RETURNED - 1] = newreturned;
	values[LEDGER_ROWS - 1] = Int64GetDatum(newrows);
	newtup = heap_form_tuple(RelationGetDescr(lrel), values, nulls);
	{
		ItemPointerData otid = slot->tts_tid;

#if PG_VERSION_NUM >= 160000
		TU_UpdateIndexes update_indexes;

		simple_heap_update(lrel, &otid, newtup, &update_indexes);
		if (update_indexes != TU_None)
			insert_index_entries(lrel, newtup);
#else
		simple_heap_update(lrel, &otid, newtup);
		if (!HeapTupleIsHeapOnly(newtup))
			insert_index_entries(lrel, newtup);
#endif
	}
	*total = newreturned;
	*total_rows = newrows;
	heap_freetuple(newtup);
	ExecDropSingleTupleTableSlot(slot);
	index_close(irel, RowExclusiveLock);
	table_close(lrel, RowExclusiveLock);
	return true;

not_here:
	ExecDropSingleTupleTableSlot(slot);
	index_close(irel, RowExclusiveLock);
	table_close(lrel, RowExclusiveLock);
	return false;
}
