/*
 * quantity_request.c
 *		Rules section 6 with the status on a return request (issue 12,
 *		item 6): the quantity check reads a line's freeing status from the
 *		request row on the declaration header the line names, and the guard
 *		on the header (header_guard.c) moves the request's lines in the
 *		ledger when the status crosses the freeing labels.  The write itself
 *		is quantity.c's (cbr_qty_apply_delta and the decision it calls).
 */
#include "enforce/quantity_int.h"

#include "access/htup_details.h"
#include "access/table.h"
#include "access/tableam.h"
#include "access/xact.h"
#include "executor/tuptable.h"
#include "utils/memutils.h"
#include "utils/rel.h"
#include "utils/snapmgr.h"

/*
 * Rules section 6: the status may be the return request's, on the
 * declaration header attached to the table (attach_header's status): then
 * the check reads it from the request row the return names, as the export
 * check reads its facts (header.c: found through the header key's unique
 * index, locked FOR KEY SHARE; the header guard raises its lock to FOR
 * UPDATE before a status change, so the two cannot miss each other).
 */
bool
cbr_qty_load_request(QuantityCache *c, const CbrCheckMeta *meta, Relation rel, Oid registered,
			 MemoryContext mcxt, Oid *request)
{
	static const char *const roles[1] = {"status"};
	CbrCheckMeta one;
	int			i;

	for (i = 0; i < meta->ncols; i++)
		if (strcmp(meta->role[i], "status") == 0 && meta->colrel[i] != registered)
			break;
	if (i == meta->ncols)
		return false;
	memset(&one, 0, sizeof(one));
	one.registered_relid = meta->registered_relid;
	one.ncols = 1;
	one.role[0] = meta->role[i];
	one.colname[0] = meta->colname[i];
	one.colrel[0] = meta->colrel[i];
	one.attnum[0] = meta->attnum[i];
	c->request = cbr_header_use(&one, rel, roles, 1, mcxt);
	if (c->request == NULL || !cbr_header_has(c->request, 0))
		cbr_qty_metadata_broken(registered, "its request status column cannot be read");
	*request = meta->colrel[i];
	c->request_relid = meta->colrel[i];
	return true;
}

/*
 * CB003 from the guard on a request header: a status change back from
 * rejected or withdrawn (rules section 6) would make the request's returns
 * exceed what was declared.  The request row is named as the role changing
 * it may see it; the returns and the declared line are not shown (that
 * role may read neither).
 */
void
cbr_qty_report_request(QuantityCache *c, Relation rel, const CbrQtyVerdict *v)
{
	TriggerData *htd = c->request_change;

	ereport(ERROR,
			(errcode(v->outcome == CBR_QTY_EXCEEDED ? ERRCODE_CBRETURN_QUANTITY : ERRCODE_NUMERIC_VALUE_OUT_OF_RANGE),
			 errmsg("changing the status of a row of return request table %s would return more than was declared (R-EX-3, R-IM-2)",
					cbr_qty_rel_text(RelationGetRelid(htd->tg_relation))),
			 errdetail("%sits returns in %s would hold their quantity again, and a declared line they name would then be returned beyond its declared quantity.",
					   cbr_row_identity_seen(htd, htd->tg_trigtuple), cbr_qty_rel_text(RelationGetRelid(rel))),
			 errhint("Keep the status, or correct the other returns of the line first."),
			 errtable(htd->tg_relation)));
}


/* One return of the guard's recount (cbr_qty_request_changed). */
static void
recount_return(QuantityCache *c, Relation rel, ItemPointer tid, bool freed)
{
	TupleTableSlot *slot = table_slot_create(rel, NULL);
	Snapshot	snap = RegisterSnapshot(GetLatestSnapshot());
	QtyWrite	w = {c, rel, false, NULL};
	QtySide		s;
	CbrQty		zero = {0, 0};
	CbrQty		delta;

	if (!table_tuple_fetch_row_version(rel, tid, snap, slot))
	{
		UnregisterSnapshot(snap);
		ExecDropSingleTupleTableSlot(slot);
		return;
	}
	cbr_qty_side_of(c, rel, ExecFetchSlotHeapTuple(slot, false, NULL), &s);
	delta = s.stored;
	if (freed && !cbr_qty_sub(zero, s.stored, &delta))
		cbr_qty_report_return(c, rel, &s, &(CbrQtyVerdict) {.outcome = CBR_QTY_OUT_OF_RANGE});
	/* a return naming no line (a NULL key) is not counted: nothing moves */
	if (s.counted)
	{
		cbr_qty_write_begin(&w);
		/* the request's line has returns, so it cannot have gone (the guard) */
		cbr_qty_name_line(&w, &s, false);
		cbr_qty_apply_delta(&w, &s, delta, 0);
		cbr_qty_write_end(&w);
	}
	UnregisterSnapshot(snap);
	ExecDropSingleTupleTableSlot(slot);
}

/*
 * The guard on a request header (header_guard.c), for the returns of one
 * table rel that name the header row being changed (tids, read under the
 * latest snapshot after the guard raised its lock on the row to FOR UPDATE):
 * rules section 6, a status change into a freeing label frees their
 * quantity, and one out of it takes it again, decided as an insert (CB003
 * when a line would exceed its declared quantity).  Nothing when the table
 * has no quantity check reading this header's status, or when the change
 * keeps the returns freed, or held.
 */
void
cbr_qty_request_changed(TriggerData *htd, Relation rel, List *tids)
{
	LOCAL_FCINFO(fcinfo, 0);
	FmgrInfo	flinfo;
	QuantityCache *c;
	TupleDesc	hdesc = RelationGetDescr(htd->tg_relation);
	Datum		v;
	bool		isnull;
	bool		was;
	bool		now;
	ListCell   *lc;

	memset(&flinfo, 0, sizeof(flinfo));
	fcinfo->flinfo = &flinfo;
	c = (QuantityCache *) cbr_qty_cached_config(fcinfo, rel, QTY_CACHE_CHECK);
	if (c->request == NULL || c->request_relid != RelationGetRelid(htd->tg_relation))
		return;
	cbr_header_values(c->request, hdesc, htd->tg_trigtuple, &v, &isnull);
	was = cbr_qty_label_freeing(c, v, isnull);
	cbr_header_values(c->request, hdesc, htd->tg_newtuple, &v, &isnull);
	now = cbr_qty_label_freeing(c, v, isnull);
	if (was == now)
		return;
	PG_TRY();
	{
		c->request_change = htd;
		c->status_override = now ? 1 : 2;
		foreach(lc, tids)
			recount_return(c, rel, (ItemPointer) lfirst(lc), now);
	}
	PG_FINALLY();
	{
		c->request_change = NULL;
		c->status_override = 0;
	}
	PG_END_TRY();
}
