/*
 * quantity_citus_guard.c
 *		cbreturn._quantity_guard_citus(): R-EX-3 and R-IM-2 seen from the
 *		declared lines of a Citus table, on every shard (the design is in
 *		quantity_citus.c).
 *
 * BEFORE INSERT OR UPDATE OR DELETE FOR EACH ROW on a distributed
 * declared-lines table, carried to its shards.  A declared quantity may not drop below
 * what the line's returns hold, and a line that any return names may not
 * be deleted or re-keyed (a key rewritten to an equal value of other bytes
 * counts as re-keyed, as on one server).  The guard locks the line's row
 * first (as the UPDATE or DELETE itself would, FOR UPDATE when the line
 * goes), so a return of the line being written waits for it, or it for the
 * return, and only then counts the returns in the co-located returns shard
 * under a snapshot taken after the lock: a return committed meanwhile is
 * counted at every isolation level.
 */
#include "enforce/quantity_citus.h"

#include "access/table.h"
#include "access/tableam.h"
#include "access/xact.h"
#include "miscadmin.h"
#include "utils/datum.h"
#include "utils/lsyscache.h"
#include "utils/rel.h"
#include "utils/snapmgr.h"

/* The key values of a declared row; false when one is NULL. */
static bool
declared_keys(const CitusQty *c, Relation rel, HeapTuple tuple, Datum *keys)
{
	int			i;

	for (i = 0; i < c->nkeys; i++)
	{
		bool		isnull;

		keys[i] = heap_getattr(tuple, c->dkey[i], RelationGetDescr(rel), &isnull);
		if (isnull)
			return false;
	}
	return true;
}

static CbrQty
declared_qty(const CitusQty *c, Relation rel, HeapTuple tuple)
{
	bool		isnull;
	Datum		q = heap_getattr(tuple, c->dqty, RelationGetDescr(rel), &isnull);

	return isnull ? (CbrQty) {0, 0} : cbr_qty_of_datum(q, c->dqty_type, rel, c->dqty);
}

/* A verdict on a declared line as its error: the texts of quantity_guard.c. */
static void
report_declared(const CitusQty *c, Relation rel, HeapTuple oldtup, const Datum *keys, bool is_delete,
				const CbrQtyVerdict *v)
{
	CbrQtyErrorCtx e = {rel, oldtup, NULL, InvalidOid, c->dqty, InvalidAttrNumber, false};

	if (v->outcome == CBR_QTY_OK)
		return;
	e.line = cbr_key_text(c->nkeys, keys, c->keytype);
	e.values_visible = cbr_qty_values_visible(c->columns, c->ncolumns);
	cbr_qty_raise_declared(&e, is_delete, v);
}

/*
 * Lock the declared row being changed (a DELETE reaches its BEFORE trigger
 * before it locks the row); a row another transaction changed since is
 * refused as PostgreSQL refuses it in REPEATABLE READ (never decided on a
 * version that is no longer the row).
 */
static void
lock_declared_row(Relation rel, HeapTuple oldtup, bool gone)
{
	TupleTableSlot *slot = table_slot_create(rel, NULL);
	Snapshot	snap = RegisterSnapshot(GetLatestSnapshot());
	TM_FailureData tmfd;
	TM_Result	r;

	r = table_tuple_lock(rel, &oldtup->t_self, snap, slot, GetCurrentCommandId(false),
						 gone ? LockTupleExclusive : LockTupleNoKeyExclusive, LockWaitBlock, 0, &tmfd);
	UnregisterSnapshot(snap);
	ExecDropSingleTupleTableSlot(slot);
	if (r != TM_Ok)
		ereport(ERROR,
				(errcode(ERRCODE_T_R_SERIALIZATION_FAILURE),
				 errmsg("could not serialize access due to concurrent update"),
				 errdetail("The declared line changed while the quantity check waited for it (R-EX-3, R-IM-2)."),
				 errhint("Retry the transaction.")));
}

/*
 * A declared line inserted: returns may name it already, when its shard was
 * truncated (Citus fires no TRUNCATE trigger on the shards, so TRUNCATE of a
 * declared table is not refused there): it may not come back below what
 * they hold.  No lock: while the line is missing no return of it is
 * accepted, so what its returns hold cannot grow meanwhile.
 */
static HeapTuple
inserted_line(const CitusQty *c, Relation rel, HeapTuple newtup)
{
	Datum		keys[CBR_MAX_KEYS];
	CbrQty		returned;
	int64		rows;
	Relation	rrel;
	Snapshot	snap;
	CbrQtyVerdict v;

	if (!declared_keys(c, rel, newtup, keys))
		return newtup;
	CommandCounterIncrement();
	snap = RegisterSnapshot(GetLatestSnapshot());
	rrel = table_open(c->returns, AccessShareLock);
	cbr_citus_qty_count(c, rrel, keys, snap, &returned, &rows);
	table_close(rrel, AccessShareLock);
	UnregisterSnapshot(snap);
	if (rows == 0)
		return newtup;
	cbr_quantity_decide_declared(returned, rows, false, declared_qty(c, rel, newtup), &v);
	if (v.outcome != CBR_QTY_OK)
		CBR_REPORT_SHOWN(cbr_columns_visible(rel, newtup, c->dkey, c->nkeys) &&
						 cbr_column_visible(rel, newtup, c->dqty), rel, gettext_noop("quantity"),
						 report_declared(c, rel, newtup, keys, false, &v));
	return newtup;
}

PG_FUNCTION_INFO_V1(cbr_quantity_guard_citus);
Datum
cbr_quantity_guard_citus(PG_FUNCTION_ARGS)
{
	TriggerData *td = cbr_trigger_protocol(fcinfo, "_quantity_guard_citus", CBR_FIRE_BEFORE, true);
	Relation	rel = td->tg_relation;
	bool		is_delete = TRIGGER_FIRED_BY_DELETE(td->tg_event);
	HeapTuple	oldtup = td->tg_trigtuple;
	HeapTuple	newtup = is_delete ? NULL : td->tg_newtuple;
	CitusQty   *c;
	Datum		okeys[CBR_MAX_KEYS];
	Datum		nkeys[CBR_MAX_KEYS];
	bool		gone = is_delete;
	CbrQty		newq = {0, 0};
	CbrQty		returned;
	int64		rows;
	Relation	rrel;
	Snapshot	snap;
	CbrQtyVerdict v;
	int			i;
	int			cmp;

	c = cbr_citus_qty_config(fcinfo, rel, true);
	if (TRIGGER_FIRED_BY_INSERT(td->tg_event))
		return PointerGetDatum(inserted_line(c, rel, oldtup));
	if (!declared_keys(c, rel, oldtup, okeys))
		return PointerGetDatum(is_delete ? oldtup : newtup);
	if (!is_delete)
	{
		gone = !declared_keys(c, rel, newtup, nkeys);
		for (i = 0; i < c->nkeys && !gone; i++)
			gone = !datumIsEqual(okeys[i], nkeys[i], get_typbyval(c->keytype[i]), get_typlen(c->keytype[i]));
		newq = declared_qty(c, rel, newtup);
		if (!gone && cbr_qty_cmp(newq, declared_qty(c, rel, oldtup), &cmp) && cmp >= 0)
			return PointerGetDatum(newtup);		/* raising a declared quantity is always safe */
	}
	lock_declared_row(rel, oldtup, gone);
	CommandCounterIncrement();
	snap = RegisterSnapshot(GetLatestSnapshot());
	rrel = table_open(c->returns, AccessShareLock);
	cbr_citus_qty_count(c, rrel, okeys, snap, &returned, &rows);
	table_close(rrel, AccessShareLock);
	UnregisterSnapshot(snap);
	cbr_quantity_decide_declared(returned, rows, gone, newq, &v);
	if (v.outcome != CBR_QTY_OK)
	{
		bool		shown = cbr_columns_visible(rel, oldtup, c->dkey, c->nkeys) &&
			(is_delete || cbr_column_visible(rel, newtup, c->dqty));

		CBR_REPORT_SHOWN(shown, rel, gettext_noop("quantity"),
						 report_declared(c, rel, oldtup, okeys, is_delete, &v));
	}
	return PointerGetDatum(is_delete ? oldtup : newtup);
}
