/*
 * replication.c
 *		What stays local to one node under logical replication
 *		(docs/scale-out.md, "Logical replication").
 *
 * cbreturn.attached_check, cbreturn.attached_column and
 * cbreturn.quantity_ledger describe this node's tables: the checks attached
 * here and the returns counted here.  A publication FOR ALL TABLES publishes
 * them too, and a publisher's rows would either collide with the
 * subscriber's own (the same check, attached on both nodes) or count the
 * publisher's returns into the subscriber's ledger.  The trigger below,
 * enabled REPLICA on those tables (so it costs nothing in ordinary
 * sessions), drops every row change that a logical replication worker
 * applies to them directly, including the initial copy; what a trigger
 * writes there while the worker applies a change to an ERP table (the
 * quantity check enabled ALWAYS, docs/scale-out.md) is the subscriber's own
 * bookkeeping and goes through.
 */
#include "policy/policy.h"

#include "commands/trigger.h"
#include "replication/logicalworker.h"
#include "utils/fmgrprotos.h"
#include "utils/rel.h"

/*
 * cbreturn._node_local(): BEFORE INSERT OR UPDATE OR DELETE FOR EACH ROW on
 * the per-node tables; skips the row when a logical replication worker
 * applies it (trigger depth 1: the change itself, not a trigger's write).
 */
PG_FUNCTION_INFO_V1(_node_local);
Datum
_node_local(PG_FUNCTION_ARGS)
{
	TriggerData *trigdata = (TriggerData *) fcinfo->context;

	if (!CALLED_AS_TRIGGER(fcinfo))
		ereport(ERROR,
				(errcode(ERRCODE_E_R_I_E_TRIGGER_PROTOCOL_VIOLATED),
				 errmsg("function \"%s\" was not called by trigger manager", "_node_local")));
	if (!TRIGGER_FIRED_BEFORE(trigdata->tg_event))
		ereport(ERROR,
				(errcode(ERRCODE_E_R_I_E_TRIGGER_PROTOCOL_VIOLATED),
				 errmsg("function \"%s\" must be fired BEFORE the row is written", "_node_local")));
	if (!TRIGGER_FIRED_FOR_ROW(trigdata->tg_event))
		ereport(ERROR,
				(errcode(ERRCODE_E_R_I_E_TRIGGER_PROTOCOL_VIOLATED),
				 errmsg("function \"%s\" must be fired for each row", "_node_local")));

	if (IsLogicalWorker() && DatumGetInt32(DirectFunctionCall1(pg_trigger_depth, (Datum) 0)) == 1)
		return PointerGetDatum(NULL);
	if (TRIGGER_FIRED_BY_UPDATE(trigdata->tg_event))
		return PointerGetDatum(trigdata->tg_newtuple);
	return PointerGetDatum(trigdata->tg_trigtuple);
}
