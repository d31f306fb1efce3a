/*
 * quantity_guard.c
 *		cbreturn.declared_quantity_guard(): R-EX-3 and R-IM-2 seen from the
 *		declared lines (see quantity.c for the design).
 */
#include "enforce/quantity.h"
#include "policy/policy.h"

#include "access/htup_details.h"
#include "access/table.h"
#include "access/xact.h"
#include "catalog/namespace.h"
#include "catalog/partition.h"
#include "catalog/pg_class.h"
#include "catalog/pg_type.h"
#include "miscadmin.h"
#include "nodes/pg_list.h"
#include "storage/lmgr.h"
#include "utils/acl.h"
#include "utils/builtins.h"
#include "utils/datum.h"
#include "utils/hsearch.h"
#include "utils/inval.h"
#include "utils/lsyscache.h"
#include "utils/memutils.h"
#include "utils/numeric.h"
#include "utils/rel.h"
#include "utils/rls.h"
#include "utils/snapmgr.h"
#include "utils/syscache.h"

/* The guard on one declared table. */
typedef struct GuardCache
{
	int			nchecks;
	CbrDeclared declared;
	Oid			ledger_owner;
	int			ncolumns;
	QtyColumn  *columns;
	SPIPlanPtr	lock_plan;
} GuardCache;

/* ---------------------------------------------------------------------
 * The guard on a declared-lines table
 * --------------------------------------------------------------------- */

/*
 * Resolve the guard on the declared table rel for every quantity check that
 * counts against it (they share its declared key and quantity: attach
 * refuses another), within the caller's SPI connection (build_entry).
 */
void *
cbr_qty_guard_build(Relation rel, MemoryContext mcxt, SPIPlanPtr *plans, Oid *depends_on)
{
	GuardCache *c;
	Oid			argtypes[1] = {OIDOID};
	Datum		args[1];
	Oid			lock_types[2] = {REGCLASSOID, BYTEAOID};
	Oid		   *checks;
	AttrNumber	keys[CBR_MAX_KEYS];
	AttrNumber	quantity = InvalidAttrNumber;
	int			nkeys = 0;
	int			n;
	int			i;
	int			ret;

	c = MemoryContextAllocZero(mcxt, sizeof(GuardCache));
	depends_on[0] = InvalidOid;
	args[0] = ObjectIdGetDatum(RelationGetRelid(rel));
	ret = SPI_execute_with_args(
		"SELECT k.relation::pg_catalog.oid FROM cbreturn.attached_check k"
		" WHERE k.declared_relation::pg_catalog.oid OPERATOR(pg_catalog.=) $1"
		"   AND k.check_kind OPERATOR(pg_catalog.=) 'quantity'",
		1, argtypes, args, NULL, true, 0);
	if (ret != SPI_OK_SELECT)
		cbr_qty_metadata_broken(RelationGetRelid(rel), "its metadata cannot be read");
	n = (int) SPI_processed;
	checks = palloc(sizeof(Oid) * (n + 1));
	for (i = 0; i < n; i++)
	{
		bool		isnull;

		checks[i] = DatumGetObjectId(SPI_getbinval(SPI_tuptable->vals[i], SPI_tuptable->tupdesc, 1, &isnull));
	}
	c->nchecks = n;
	if (n == 0)
		return c;
	for (i = 0; i < n; i++)
	{
		CbrCheckMeta meta;
		AttrNumber	k[CBR_MAX_KEYS];
		AttrNumber	q;
		int			nk;

		cbr_load_check(checks[i], "quantity", &meta, mcxt);
		for (nk = 0; nk < CBR_MAX_KEYS; nk++)
		{
			char		role[32];

			snprintf(role, sizeof(role), "declared_line_%d", nk + 1);
			if (cbr_role_column(&meta, role, rel, NULL, 0, false) == InvalidAttrNumber)
				break;
		}
		cbr_qty_declared_columns(&meta, checks[i], rel, NULL, nk, k, &q);
		if (i == 0)
		{
			nkeys = nk;
			memcpy(keys, k, sizeof(k));
			quantity = q;
		}
		else if (nk != nkeys || memcmp(keys, k, sizeof(AttrNumber) * nk) != 0 || q != quantity)
			cbr_qty_metadata_broken(checks[i], "the quantity checks on its declared table name different declared columns");
	}
	if (nkeys == 0)
		cbr_qty_metadata_broken(checks[0], "no declared line key column is attached");
	cbr_declared_resolve(&c->declared, rel, keys, nkeys, quantity, mcxt);
	c->columns = cbr_qty_check_columns(RelationGetRelid(rel), mcxt, &c->ncolumns);
	c->ledger_owner = cbr_qty_ledger_owner();

	/*
	 * Lock the line's ledger row, creating it (at 0) when the line has no
	 * returns yet: a return being written concurrently must meet this lock
	 * too, or it could count against the old declared quantity.
	 */
	c->lock_plan = cbr_qty_prepare_as(c->ledger_owner,
							  "INSERT INTO cbreturn.quantity_ledger AS l (declared_relation, line, returned, return_rows)"
							  " VALUES ($1, $2, 0, 0)"
							  " ON CONFLICT (declared_relation, line) DO UPDATE SET returned = l.returned"
							  " RETURNING l.returned, l.return_rows",
							  2, lock_types);
	plans[0] = c->lock_plan;
	plans[1] = c->declared.rls_plan;
	return c;
}

/* The key values of a declared row; false when one is NULL. */
static bool
declared_keys(const CbrDeclared *d, TupleDesc desc, HeapTuple tuple, Datum *keys)
{
	int			i;

	for (i = 0; i < d->nkeys; i++)
	{
		bool		isnull;

		keys[i] = heap_getattr(tuple, d->key[i], desc, &isnull);
		if (isnull)
			return false;
	}
	return true;
}

static CbrQty
declared_qty(const CbrDeclared *d, Relation rel, HeapTuple tuple)
{
	bool		isnull;
	Datum		q = heap_getattr(tuple, d->quantity, RelationGetDescr(rel), &isnull);

	return isnull ? (CbrQty) {0, 0} : cbr_qty_of_datum(q, d->quantity_type, rel, d->quantity);
}

/* A verdict on a declared line as its error (nothing for CBR_QTY_OK). */
static void
report_declared(GuardCache *c, Relation rel, HeapTuple oldtup, const Datum *keys, bool is_delete,
				const CbrQtyVerdict *v)
{
	Oid			types[CBR_MAX_KEYS];
	CbrQtyErrorCtx e = {rel, oldtup, NULL, InvalidOid, c->declared.quantity, InvalidAttrNumber, false};
	int			i;

	if (v->outcome == CBR_QTY_OK)
		return;
	for (i = 0; i < c->declared.nkeys; i++)
		types[i] = TupleDescAttr(RelationGetDescr(rel), c->declared.key[i] - 1)->atttypid;
	e.line = cbr_key_text(c->declared.nkeys, keys, types);
	e.values_visible = cbr_qty_values_visible(c->columns, c->ncolumns);
	cbr_qty_raise_declared(&e, is_delete, v);
}

/*
 * cbreturn.declared_quantity_guard(): BEFORE UPDATE OR DELETE FOR EACH ROW on
 * a declared-lines table.  R-EX-3, R-IM-2 seen from the other side: a
 * declared quantity may not drop below what was already returned of the
 * line, and a line named by any return may not be deleted or re-keyed (a
 * key rewritten to an equal value of other bytes, numeric 1 to 1.0,
 * counts as re-keyed: the ledger names the line by its stored bytes).  It
 * locks the line's ledger row first, so it serialises with concurrent
 * returns.
 */
PG_FUNCTION_INFO_V1(cbr_declared_quantity_guard);
Datum
cbr_declared_quantity_guard(PG_FUNCTION_ARGS)
{
	TriggerData *trigdata = cbr_trigger_protocol(fcinfo, "declared_quantity_guard", CBR_FIRE_BEFORE, true);
	Relation	rel = trigdata->tg_relation;
	TupleDesc	desc = RelationGetDescr(rel);
	bool		is_delete = TRIGGER_FIRED_BY_DELETE(trigdata->tg_event);
	HeapTuple	oldtup = trigdata->tg_trigtuple;
	HeapTuple	newtup = is_delete ? NULL : trigdata->tg_newtuple;
	GuardCache *c;
	Datum		okeys[CBR_MAX_KEYS];
	Datum		nkeys[CBR_MAX_KEYS];
	bytea	   *oimage;
	bool		gone;
	CbrQty		newq = {0, 0};
	CbrQty		returned;
	Datum		args[2];
	Oid			save_userid;
	int			save_sec;
	int			ret;
	bool		isnull;
	CbrQtyVerdict v;

	if (TRIGGER_FIRED_BY_INSERT(trigdata->tg_event))
		ereport(ERROR,
				(errcode(ERRCODE_E_R_I_E_TRIGGER_PROTOCOL_VIOLATED),
				 errmsg("function \"declared_quantity_guard\" must be fired for UPDATE or DELETE")));
	c = (GuardCache *) cbr_qty_cached_config(fcinfo, rel, QTY_CACHE_GUARD);
	if (c->nchecks == 0)
		cbr_refuse_citus_relation(RelationGetRelid(rel));	/* a shard: never fail open */
	if (c->nchecks == 0 || !declared_keys(&c->declared, desc, oldtup, okeys))
		return PointerGetDatum(is_delete ? oldtup : newtup);
	oimage = cbr_line_image(c->declared.nkeys, okeys, c->declared.typlen, c->declared.typbyval);
	gone = is_delete || !declared_keys(&c->declared, desc, newtup, nkeys) ||
		!cbr_keys_equal(&c->declared, okeys, nkeys);
	if (!gone)
	{
		bytea	   *nimage = cbr_line_image(c->declared.nkeys, nkeys, c->declared.typlen, c->declared.typbyval);
		int			cmp;

		gone = cbr_qty_image_cmp(oimage, nimage) != 0;
		newq = declared_qty(&c->declared, rel, newtup);
		if (!gone && cbr_qty_cmp(newq, declared_qty(&c->declared, rel, oldtup), &cmp) && cmp >= 0)
			return PointerGetDatum(newtup);		/* raising a declared quantity is always safe */
	}
	cbr_qty_refuse_nested(rel);
	if (SPI_connect() != SPI_OK_CONNECT)
		elog(ERROR, "SPI_connect failed");
	args[0] = ObjectIdGetDatum(RelationGetRelid(rel));
	args[1] = PointerGetDatum(oimage);
	GetUserIdAndSecContext(&save_userid, &save_sec);
	SetUserIdAndSecContext(c->ledger_owner,
						   save_sec | SECURITY_LOCAL_USERID_CHANGE | SECURITY_NOFORCE_RLS);
	ret = SPI_execute_plan(c->lock_plan, args, NULL, false, 1);
	SetUserIdAndSecContext(save_userid, save_sec);
	if (ret != SPI_OK_INSERT_RETURNING || SPI_processed != 1)
		cbr_qty_metadata_broken(RelationGetRelid(rel), "its ledger cannot be locked");
	returned = cbr_qty_of_datum(SPI_getbinval(SPI_tuptable->vals[0], SPI_tuptable->tupdesc, 1, &isnull),
								NUMERICOID, NULL, 0);
	cbr_quantity_decide_declared(returned,
								 DatumGetInt64(SPI_getbinval(SPI_tuptable->vals[0], SPI_tuptable->tupdesc, 2, &isnull)),
								 gone, newq, &v);
	if (v.outcome != CBR_QTY_OK)
	{
		/* the old row's key, the new quantity: shown to a role that may read them */
		bool		shown = cbr_columns_visible(rel, oldtup, c->declared.key, c->declared.nkeys) &&
			(is_delete || cbr_column_visible(rel, newtup, c->declared.quantity));

		CBR_REPORT_SHOWN(shown, rel, gettext_noop("quantity"),
						 report_declared(c, rel, oldtup, okeys, is_delete, &v));
	}
	SPI_finish();
	return PointerGetDatum(is_delete ? oldtup : newtup);
}
