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
#include "catalog/pg_trigger.h"
#include "commands/trigger.h"
#include "common/int.h"
#include "catalog/pg_type.h"
#include "executor/tuptable.h"
#include "miscadmin.h"
#include "nodes/execnodes.h"
#include "storage/bufmgr.h"
#include "storage/lmgr.h"
#include "utils/builtins.h"
#include "utils/fmgroids.h"
#include "utils/lsyscache.h"
#include "utils/memutils.h"
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
 * extension created them, no index with expressions or a predicate, and
 * no constraint this path would not check (a table CHECK, an exclusion
 * constraint, a deferrable unique one: a DBA's, which an UPDATE honours).
 * Triggers are looked at per write (ledger_update_triggers_fire): the
 * extension's own node_local trigger is enabled REPLICA only, so it fires
 * in no ordinary session, and session_replication_role can change at any
 * time without an invalidation.  Otherwise the direct path is off (InvalidOid) and the SPI
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
		desc->natts == LEDGER_NATTS &&
		/* a CHECK a DBA added is checked by an UPDATE, not by this path */
		(desc->constr == NULL || desc->constr->num_check == 0) &&
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
			!ix->indisvalid || !ix->indisready ||
			ix->indisexclusion || !ix->indimmediate)
			usable = false;		/* checks insert_index_entries does not make */
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

/*
 * Would an UPDATE of the ledger fire a trigger in this session?  Decided as
 * the trigger manager decides it (TriggerEnabled in commands/trigger.c):
 * a trigger enabled ORIGIN fires unless the session's
 * session_replication_role is replica, one enabled REPLICA only when it is,
 * ALWAYS always, DISABLED never.  The extension's node_local trigger
 * (sql/65_scale_out.sql, enabled REPLICA) thus leaves the direct path on in
 * every ordinary session; any trigger that fires (a foreign key's, one a
 * DBA added, node_local under replica) sends the write through the SPI
 * statements, which fire it.
 */
static bool
ledger_update_triggers_fire(const TriggerDesc *td)
{
	int			i;

	if (td == NULL)
		return false;
	for (i = 0; i < td->numtriggers; i++)
	{
		const Trigger *t = &td->triggers[i];

		if (!TRIGGER_FOR_UPDATE(t->tgtype) || t->tgenabled == TRIGGER_DISABLED)
			continue;
		if (SessionReplicationRole == SESSION_REPLICATION_ROLE_REPLICA
			? t->tgenabled != TRIGGER_FIRES_ON_ORIGIN
			: t->tgenabled != TRIGGER_FIRES_ON_REPLICA)
			return true;
	}
	return false;
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
			ereport(ERROR,
					(errcode(ERRCODE_OBJECT_NOT_IN_PREREQUISITE_STATE),
					 errmsg("an index of cbreturn.quantity_ledger has expressions or a predicate"),
					 errhint("Drop that index: the quantity check keeps the ledger and its indexes itself.")));
		FormIndexDatum(ii, slot, NULL, values, isnull);
		index_insert(irel, values, isnull, &tuple->t_self, lrel,
					 irel->rd_index->indisunique ? UNIQUE_CHECK_YES : UNIQUE_CHECK_NO,
					 false, ii);
		index_close(irel, RowExclusiveLock);
	}
	ExecDropSingleTupleTableSlot(slot);
	list_free(indexes);
}

/* The counters of the row in lk->slot, if it is the row of (declared, image). */
static bool
read_counters(CbrLedgerLock *lk, Oid declared, const bytea *image)
{
	bool		isnull[4];
	Datum		declared_d = slot_getattr(lk->slot, LEDGER_DECLARED, &isnull[0]);
	Datum		line_d = slot_getattr(lk->slot, LEDGER_LINE, &isnull[1]);

	lk->returned = slot_getattr(lk->slot, LEDGER_RETURNED, &isnull[2]);
	lk->rows = DatumGetInt64(slot_getattr(lk->slot, LEDGER_ROWS, &isnull[3]));
	return !isnull[0] && !isnull[1] && !isnull[2] && !isnull[3] &&
		DatumGetObjectId(declared_d) == declared &&
		cbr_qty_image_cmp(DatumGetByteaPP(line_d), image) == 0;
}

/*
 * Find the ledger row of (declared, image) under snap, without locking it;
 * its counters as of that version into lk.  Returns false, holding nothing,
 * when there is no such row (or the direct path is off, or the row is not
 * one it knows); then the caller runs the SPI statements.  lk->untouched is
 * set when no transaction has locked, updated or deleted the version found
 * (its xmax is invalid, read under the buffer's lock): it is then the
 * row's latest version, and a decision on its counters is the one a lock
 * taken now would give.
 */
bool
cbr_ledger_find(const CbrLedgerRow *l, Oid declared, const bytea *image, Snapshot snap,
				CbrLedgerLock *lk)
{
	ScanKeyData sk[2];
	IndexScanDesc scan;
	bool		found;

	memset(lk, 0, sizeof(*lk));
	if (!OidIsValid(l->relid))
		return false;
	lk->lrel = table_open(l->relid, RowExclusiveLock);
	if (ledger_update_triggers_fire(lk->lrel->trigdesc) || RelationGetDescr(lk->lrel)->natts != LEDGER_NATTS)
	{
		table_close(lk->lrel, RowExclusiveLock);
		lk->lrel = NULL;
		return false;
	}
	lk->irel = index_open(l->index, RowExclusiveLock);
	ScanKeyInit(&sk[0], LEDGER_DECLARED, BTEqualStrategyNumber, F_OIDEQ, ObjectIdGetDatum(declared));
	ScanKeyInit(&sk[1], LEDGER_LINE, BTEqualStrategyNumber, F_BYTEAEQ, PointerGetDatum(image));
	lk->slot = table_slot_create(lk->lrel, NULL);
	scan = cbr_index_beginscan(lk->lrel, lk->irel, snap, 2, 0);
	index_rescan(scan, sk, 2, NULL, 0);
	found = index_getnext_slot(scan, ForwardScanDirection, lk->slot);
	index_endscan(scan);
	if (!found || !read_counters(lk, declared, image))
	{
		cbr_ledger_release(lk);
		return false;
	}
	{
		BufferHeapTupleTableSlot *bslot = (BufferHeapTupleTableSlot *) lk->slot;

		LockBuffer(bslot->buffer, BUFFER_LOCK_SHARE);
		lk->untouched = (bslot->base.tuple->t_data->t_infomask & HEAP_XMAX_INVALID) != 0;
		LockBuffer(bslot->buffer, BUFFER_LOCK_UNLOCK);
	}
	return true;
}

/*
 * Lock the row cbr_ledger_find found as UPDATE would lock it; its counters
 * into lk again.  Returns false, holding nothing, when the row went (then
 * the caller runs the SPI statements).  lk->moved is set when another
 * transaction changed the row after snap was taken (READ COMMITTED followed
 * it to its latest version): what the caller read under snap may be stale.
 * Once the caller has decided, cbr_ledger_write() writes the new counters,
 * or cbr_ledger_release() lets the row be (its lock is kept to the end of
 * the transaction, as UPDATE keeps it).
 */
bool
cbr_ledger_lock_found(CbrLedgerLock *lk, Oid declared, const bytea *image, Snapshot snap)
{
	TM_Result	res;
	TM_FailureData tmfd;
	bool		xact_snapshot = IsolationUsesXactSnapshot();

	res = table_tuple_lock(lk->lrel, &lk->slot->tts_tid, snap, lk->slot, GetCurrentCommandId(true),
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
	lk->moved = tmfd.traversed;
	lk->untouched = false;
	/* the row locked is the line's: its key is never updated, only deleted */
	if (!read_counters(lk, declared, image))
		goto not_here;
	return true;

not_here:
	cbr_ledger_release(lk);
	return false;
}

void
cbr_ledger_release(CbrLedgerLock *lk)
{
	if (lk->slot != NULL)
		ExecDropSingleTupleTableSlot(lk->slot);
	if (lk->irel != NULL)
		index_close(lk->irel, RowExclusiveLock);
	if (lk->lrel != NULL)
		table_close(lk->lrel, RowExclusiveLock);
	memset(lk, 0, sizeof(*lk));
}

/*
 * The counters' domains say they are never negative: checked here, as the
 * executor would (23514), since this path does not go through it.  Any
 * other constraint of the counters' domains (one a DBA added) is checked
 * as an UPDATE checks it, through domain_check (its state cached per
 * backend, refreshed when the domain changes).
 */
static void
check_counters(Relation lrel, Datum returned, int64 rows)
{
	static void *domain_state[2];
	TupleDesc	desc = RelationGetDescr(lrel);
	Oid			qtype = TupleDescAttr(desc, LEDGER_RETURNED - 1)->atttypid;
	Oid			ctype = TupleDescAttr(desc, LEDGER_ROWS - 1)->atttypid;

	if (rows < 0 ||
		DatumGetBool(DirectFunctionCall2(numeric_lt, returned, NumericGetDatum(int64_to_numeric(0)))))
		ereport(ERROR,
				(errcode(ERRCODE_CHECK_VIOLATION),
				 errmsg("a counter of the quantity ledger would be negative (R-EX-3, R-IM-2)"),
				 errhint("Compare the ledger with the returns: SELECT * FROM cbreturn.verify_quantity_ledger(...);")));
	if (get_typtype(qtype) == TYPTYPE_DOMAIN)
		domain_check(returned, false, qtype, &domain_state[0], TopMemoryContext);
	if (get_typtype(ctype) == TYPTYPE_DOMAIN)
		domain_check(Int64GetDatum(rows), false, ctype, &domain_state[1], TopMemoryContext);
}

/* The new version of the row in lk->slot with the counters (returned, rows). */
static HeapTuple
new_version(CbrLedgerLock *lk, Datum returned, int64 rows)
{
	Datum		values[LEDGER_NATTS];
	bool		nulls[LEDGER_NATTS];

	slot_getallattrs(lk->slot);
	memcpy(values, lk->slot->tts_values, sizeof(values));
	memcpy(nulls, lk->slot->tts_isnull, sizeof(nulls));
	values[LEDGER_RETURNED - 1] = returned;
	values[LEDGER_ROWS - 1] = Int64GetDatum(rows);
	return heap_form_tuple(RelationGetDescr(lk->lrel), values, nulls);
}

/*
 * Write the counters (returned, rows) into the row lk holds (locked by
 * cbr_ledger_lock_found), and release it.
 */
void
cbr_ledger_write(CbrLedgerLock *lk, Datum returned, int64 rows)
{
	HeapTuple	newtup;
	ItemPointerData otid = lk->slot->tts_tid;

	check_counters(lk->lrel, returned, rows);
	newtup = new_version(lk, returned, rows);
	{
#if PG_VERSION_NUM >= 160000
		TU_UpdateIndexes update_indexes;

		simple_heap_update(lk->lrel, &otid, newtup, &update_indexes);
		if (update_indexes != TU_None)
			insert_index_entries(lk->lrel, newtup);
#else
		simple_heap_update(lk->lrel, &otid, newtup);
		if (!HeapTupleIsHeapOnly(newtup))
			insert_index_entries(lk->lrel, newtup);
#endif
	}
	heap_freetuple(newtup);
	cbr_ledger_release(lk);
}

/*
 * READ COMMITTED, on the version cbr_ledger_find found untouched and the
 * caller decided on: replace exactly that version with the counters
 * (returned, rows), as UPDATE replaces the row it locked, in one step
 * instead of a lock and then an update (one WAL record and one buffer
 * lock per return instead of two; docs/performance.md, "quantity rule").
 * heap_update changes the version only if it is still the row's latest:
 * then the decision was taken on the counters that are replaced, and
 * true is returned with lk released.  If another transaction changed the
 * row meanwhile (heap_update waits for it to end), nothing is written and
 * false is returned with lk still held: the caller locks the row's latest
 * version (cbr_ledger_lock_found) and decides again.
 */
bool
cbr_ledger_try_write(CbrLedgerLock *lk, Datum returned, int64 rows)
{
	HeapTuple	newtup;
	ItemPointerData otid = lk->slot->tts_tid;
	TM_Result	res;
	TM_FailureData tmfd;
	LockTupleMode lockmode;
	bool		need_index;

	Assert(!IsolationUsesXactSnapshot());
	check_counters(lk->lrel, returned, rows);
	newtup = new_version(lk, returned, rows);
	{
#if PG_VERSION_NUM >= 160000
		TU_UpdateIndexes update_indexes = TU_None;

		res = heap_update(lk->lrel, &otid, newtup, GetCurrentCommandId(true), InvalidSnapshot,
						  true, &tmfd, &lockmode, &update_indexes);
		need_index = update_indexes != TU_None;
#else
		res = heap_update(lk->lrel, &otid, newtup, GetCurrentCommandId(true), InvalidSnapshot,
						  true, &tmfd, &lockmode);
		need_index = !HeapTupleIsHeapOnly(newtup);
#endif
	}
	if (res != TM_Ok)
	{
		heap_freetuple(newtup);
		return false;
	}
	if (need_index)
		insert_index_entries(lk->lrel, newtup);
	heap_freetuple(newtup);
	cbr_ledger_release(lk);
	return true;
}
