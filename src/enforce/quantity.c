/*
 * quantity.c
 *		R-EX-3 and R-IM-2 at write time: over all returns of one declared
 *		line, wherever they are stored, the returned quantity never exceeds
 *		the declared quantity, whatever the concurrency.
 *
 * Design (docs/enforcement.md, "The quantity check").  cbreturn.quantity_ledger
 * holds one row per declared line: the declared table, the line's canonical
 * key image (quantity_line.c) and what was returned of it, in quantity and
 * in return rows.  Every returns table attached to one declared table, and
 * every partition of an attached partitioned table, counts in that one row.
 * A write of a return finds its declared line (the key types' equality,
 * through the unique index attach required), moves the line's counter with
 * one UPDATE (an upsert for the line's first return), reads the declared
 * quantity again under the ledger row lock with the latest snapshot, and
 * hands the values to the decision, cbr_quantity_decide (src/rules/quantity.c).
 * This file turns a row into its line and quantity and the old and new rows
 * into moves of their lines' counters; quantity_write.c moves one counter and
 * decides, quantity_report.c turns a verdict into an error.  Two writers of one line
 * meet on one ledger row:
 *
 *   READ COMMITTED: the second waits for the first to commit, then adds to
 *   the committed total, and reads the declared line as then committed.
 *   REPEATABLE READ / SERIALIZABLE: the second gets 40001, never an
 *   over-return.
 *
 * An UPDATE that moves a return to another line takes from the old line and
 * adds to the new one, locking the two ledger rows in the byte order of
 * their images so that two such updates cannot deadlock each other.  The
 * declared table carries cbreturn.declared_quantity_guard(), which locks
 * the same ledger row before a declared quantity is lowered or a line is
 * deleted or re-keyed (decided by cbr_quantity_decide_declared).
 *
 * The ledger is written as its owner; the declared table is read as its
 * owner may read it (quantity_line.c).  No message shows a value the
 * writing role could not SELECT: the declared quantity and the quantity
 * returned so far are shown only to a role that may read every column the
 * check reads, with no row security applying to it.
 *
 * Rules section 6: a return that customs rejects, or that is withdrawn,
 * frees its quantity for another return of the line.  When the check knows
 * the table's status column and the labels that mean so (its own, or those
 * of the status check on the same table, copied at attach so that the two
 * checks agree), such a row counts as a return of quantity 0: it still
 * names its line (which therefore cannot go), its status change to rejected
 * or withdrawn gives its quantity back, and a change back (reinstated) is
 * charged and decided like an insert.  The recounts read the same column
 * and labels (cbreturn._quantity_counts_sql).
 *
 * The status may instead be a return request's, on the declaration header
 * the lines name (attach_header's status, issue 12 item 6): the check reads
 * it from the request row, locked FOR KEY SHARE (header.c), and the guard
 * on the header (header_guard.c), which raises its lock on the row to FOR
 * UPDATE first, moves the request's lines in the ledger when the status
 * crosses the freeing labels (cbr_qty_request_changed).
 *
 * Missing or inconsistent metadata or ledger refuses the write (55000),
 * never lets it through; cbreturn.verify_quantity_ledger() compares the
 * ledger with the tables.
 */
#include "enforce/quantity_int.h"
#include "policy/policy.h"

#include "access/htup_details.h"
#include "common/int.h"
#include "access/table.h"
#include "access/tableam.h"
#include "executor/tuptable.h"
#include "access/xact.h"
#include "catalog/namespace.h"
#include "catalog/partition.h"
#include "catalog/pg_class.h"
#include "catalog/pg_type.h"
#include "miscadmin.h"
#include "nodes/pg_list.h"
#include "storage/lmgr.h"
#include "utils/acl.h"
#include "utils/array.h"
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


/* ---------------------------------------------------------------------
 * The quantity check on a returns table
 * --------------------------------------------------------------------- */

/*
 * The table the check is registered on: relid itself or, for a partition,
 * the partitioned ancestor it was attached to (the row trigger is cloned to
 * every partition, those created later included).
 */
static Oid
registered_relation(Oid relid)
{
	List	   *ancestors = get_partition_ancestors(relid);
	Oid			argtypes[1] = {OIDARRAYOID};
	Datum		args[1];
	Datum	   *elems;
	ListCell   *lc;
	int			n = 0;
	int			ret;
	bool		isnull;

	elems = palloc(sizeof(Datum) * (list_length(ancestors) + 1));
	elems[n++] = ObjectIdGetDatum(relid);
	foreach(lc, ancestors)
		elems[n++] = ObjectIdGetDatum(lfirst_oid(lc));
	args[0] = PointerGetDatum(construct_array(elems, n, OIDOID, sizeof(Oid), true, TYPALIGN_INT));
	ret = SPI_execute_with_args(
		"SELECT k.relation::pg_catalog.oid FROM cbreturn.attached_check k"
		" WHERE k.check_kind OPERATOR(pg_catalog.=) 'quantity'"
		"   AND k.relation::pg_catalog.oid OPERATOR(pg_catalog.=) ANY ($1)",
		1, argtypes, args, NULL, true, 2);
	if (ret != SPI_OK_SELECT)
		cbr_qty_metadata_broken(relid, "its metadata cannot be read");
	if (SPI_processed != 1)
		ereport(ERROR,
				(errcode(ERRCODE_OBJECT_NOT_IN_PREREQUISITE_STATE),
				 errmsg("%s quantity check is attached to table %s or its partitioned ancestors",
						SPI_processed == 0 ? _("no") : _("more than one"), cbr_qty_rel_text(relid)),
				 errhint("Create the trigger with cbreturn.attach_quantity_check, not by hand.")));
	return DatumGetObjectId(SPI_getbinval(SPI_tuptable->vals[0], SPI_tuptable->tupdesc, 1, &isnull));
}

/* attnum in rel of the column named as attnum a of regrel (a partition's own numbers) */
static AttrNumber
column_in(Relation rel, Relation regrel, AttrNumber a, Oid checked)
{
	AttrNumber	r;
	char	   *name;

	if (rel == regrel)
		return a;
	name = NameStr(TupleDescAttr(RelationGetDescr(regrel), a - 1)->attname);
	r = get_attnum(RelationGetRelid(rel), name);
	if (r == InvalidAttrNumber)
		cbr_qty_metadata_broken(checked, psprintf("partition %s has no column %s",
										  cbr_qty_rel_text(RelationGetRelid(rel)), quote_identifier(name)));
	return r;
}

/*
 * Rules section 6: the status column of the check (role "status") and the
 * labels of the returns that hold no quantity (attached_check.freeing_labels);
 * both or neither, else the metadata is broken (fail closed).
 */
static void
load_freeing(QuantityCache *c, const CbrCheckMeta *meta, Relation rel, Oid registered,
			 MemoryContext mcxt, Oid *request)
{
	Relation	regrel = registered == RelationGetRelid(rel) ? rel : table_open(registered, AccessShareLock);
	AttrNumber	a = cbr_role_column(meta, "status", regrel, NULL, 0, false);
	bool		from_request = cbr_qty_load_request(c, meta, rel, registered, mcxt, request);
	Oid			argtypes[1] = {OIDOID};
	Datum		args[1];
	bool		isnull = true;
	int			ret;

	args[0] = ObjectIdGetDatum(registered);
	ret = SPI_execute_with_args(
		"SELECT k.freeing_labels FROM cbreturn.attached_check k"
		" WHERE k.relation::pg_catalog.oid OPERATOR(pg_catalog.=) $1"
		"   AND k.check_kind OPERATOR(pg_catalog.=) 'quantity'",
		1, argtypes, args, NULL, true, 1);
	if (ret != SPI_OK_SELECT || SPI_processed != 1)
		cbr_qty_metadata_broken(registered, "its metadata cannot be read");
	{
		Datum		d = SPI_getbinval(SPI_tuptable->vals[0], SPI_tuptable->tupdesc, 1, &isnull);

		if (!isnull)
		{
			Datum	   *elems;
			bool	   *nulls;
			int			n;
			int			i;

			deconstruct_array(DatumGetArrayTypeP(d), TEXTOID, -1, false, TYPALIGN_INT, &elems, &nulls, &n);
			c->freeing = MemoryContextAlloc(mcxt, sizeof(char *) * (n + 1));
			for (i = 0; i < n; i++)
			{
				if (nulls[i])
					cbr_qty_metadata_broken(registered, "a freeing status label is NULL");
				c->freeing[i] = MemoryContextStrdup(mcxt, TextDatumGetCString(elems[i]));
			}
			c->nfreeing = n;
		}
	}
	if ((a != InvalidAttrNumber || from_request) != (!isnull && c->nfreeing > 0))
		cbr_qty_metadata_broken(registered, "its status column and its freeing labels are not recorded together");
	if (a != InvalidAttrNumber)
	{
		Oid			typout;
		bool		varlena;

		c->status = column_in(rel, regrel, a, registered);
		getTypeOutputInfo(TupleDescAttr(RelationGetDescr(rel), c->status - 1)->atttypid, &typout, &varlena);
		fmgr_info_cxt(typout, &c->status_out, mcxt);
	}
	else if (from_request)
	{
		Oid			typout;
		bool		varlena;

		getTypeOutputInfo(cbr_header_type(c->request, 0), &typout, &varlena);
		fmgr_info_cxt(typout, &c->status_out, mcxt);
	}
	if (regrel != rel)
		table_close(regrel, AccessShareLock);
}

/*
 * Does the row hold no quantity (rules section 6: rejected or withdrawn)?
 * The status is read as the status check reads it: its output, without
 * trailing blanks (char(n) padding), compared with each label exactly.
 */
static bool
row_freed(QuantityCache *c, Relation rel, HeapTuple tuple)
{
	bool		isnull;
	Datum		d;

	if (c->status_override != 0)
		return c->status_override == 1;
	if (c->request != NULL)
		/* its request's status, read locked (header.c; the guard recounts) */
		(void) cbr_header_read(c->request, c->trigdata, tuple, &d, &isnull, CBR_CHECK_KINDS);
	else if (c->status == InvalidAttrNumber)
		return false;
	else
		d = heap_getattr(tuple, c->status, RelationGetDescr(rel), &isnull);
	return cbr_qty_label_freeing(c, d, isnull);
}

/* Is the status d one of the freeing labels (rules section 6)? */
bool
cbr_qty_label_freeing(QuantityCache *c, Datum d, bool isnull)
{
	char	   *s;
	int			len;
	int			i;

	if (isnull)
		return false;			/* not known yet: the return holds its quantity */
	s = OutputFunctionCall(&c->status_out, d);
	len = (int) strlen(s);
	while (len > 0 && s[len - 1] == ' ')
		s[--len] = '\0';
	for (i = 0; i < c->nfreeing; i++)
		if (strcmp(s, c->freeing[i]) == 0)
			return true;
	return false;
}

static const char *ledger_update_sql =
	"UPDATE cbreturn.quantity_ledger l"
	"   SET returned = l.returned OPERATOR(pg_catalog.+) $3,"
	"       return_rows = l.return_rows OPERATOR(pg_catalog.+) $4"
	" WHERE l.declared_relation OPERATOR(pg_catalog.=) $1 AND l.line OPERATOR(pg_catalog.=) $2"
	" RETURNING l.returned, l.return_rows";
static const char *ledger_upsert_sql =
	"INSERT INTO cbreturn.quantity_ledger AS l (declared_relation, line, returned, return_rows)"
	" VALUES ($1, $2, $3, $4)"
	" ON CONFLICT (declared_relation, line) DO UPDATE"
	" SET returned = l.returned OPERATOR(pg_catalog.+) excluded.returned,"
	"     return_rows = l.return_rows OPERATOR(pg_catalog.+) excluded.return_rows"
	" RETURNING l.returned, l.return_rows";

/*
 * Resolve the quantity check on rel and prepare its statements, within the
 * caller's SPI connection (build_entry); the plans are not kept yet.
 * *depends_on is set to the declared table, whose changes invalidate this.
 */
void *
cbr_qty_check_build(Relation rel, MemoryContext mcxt, SPIPlanPtr *plans, Oid *depends_on)
{
	QuantityCache *c;
	Oid			relid = RelationGetRelid(rel);
	Oid			registered = registered_relation(relid);
	CbrCheckMeta meta;
	Relation	regrel;
	Relation	drel;
	AttrNumber	dkeys[CBR_MAX_KEYS];
	AttrNumber	dquantity;
	Oid			ledger_types[4] = {REGCLASSOID, BYTEAOID, NUMERICOID, INT8OID};
	int			i;

	cbr_load_check(registered, "quantity", &meta, mcxt);
	c = MemoryContextAllocZero(mcxt, sizeof(QuantityCache));
	depends_on[0] = meta.declared_relid;
	regrel = registered == relid ? rel : table_open(registered, AccessShareLock);
	for (i = 0; i < CBR_MAX_KEYS; i++)
	{
		char		role[32];
		AttrNumber	a;
		Form_pg_attribute att;

		snprintf(role, sizeof(role), "line_%d", i + 1);
		a = cbr_role_column(&meta, role, regrel, NULL, 0, false);
		if (a == InvalidAttrNumber)
			break;
		c->key[i] = column_in(rel, regrel, a, registered);
		att = TupleDescAttr(RelationGetDescr(rel), c->key[i] - 1);
		c->keyname[i] = MemoryContextStrdup(mcxt, NameStr(att->attname));
		c->keytype[i] = att->atttypid;
	}
	c->nkeys = i;
	if (c->nkeys == 0)
		cbr_qty_metadata_broken(registered, "no line key column is attached");
	c->quantity = column_in(rel, regrel,
							cbr_qty_role_column(&meta, registered, "quantity", regrel, cbr_qty_types, 4), registered);
	c->quantity_type = TupleDescAttr(RelationGetDescr(rel), c->quantity - 1)->atttypid;
	if (regrel != rel)
		table_close(regrel, AccessShareLock);

	drel = cbr_qty_open_declared(meta.declared_relid, registered);
	cbr_qty_declared_columns(&meta, registered, drel, c->keytype, c->nkeys, dkeys, &dquantity);
	cbr_declared_resolve(&c->declared, drel, dkeys, c->nkeys, dquantity, mcxt);
	table_close(drel, AccessShareLock);
	c->columns = cbr_qty_check_columns(meta.declared_relid, mcxt, &c->ncolumns);
	load_freeing(c, &meta, rel, registered, mcxt, &depends_on[1]);

	c->ledger_owner = cbr_qty_ledger_owner();
	cbr_ledger_resolve(&c->ledger, cbr_qty_ledger_relid());
	c->update_plan = cbr_qty_prepare_as(c->ledger_owner, ledger_update_sql, 4, ledger_types);
	c->upsert_plan = cbr_qty_prepare_as(c->ledger_owner, ledger_upsert_sql, 4, ledger_types);
	plans[0] = c->update_plan;
	plans[1] = c->upsert_plan;
	plans[2] = c->declared.rls_plan;
	return c;
}


void
cbr_qty_side_of(QuantityCache *c, Relation rel, HeapTuple tuple, QtySide *s)
{
	TupleDesc	desc = RelationGetDescr(rel);
	bool		isnull;
	Datum		d;
	int			i;

	memset(s, 0, sizeof(*s));
	s->tuple = tuple;
	if (tuple == NULL)
		return;
	d = heap_getattr(tuple, c->quantity, desc, &isnull);
	if (!isnull)
		s->stored = cbr_qty_of_datum(d, c->quantity_type, rel, c->quantity);
	if (!row_freed(c, rel, tuple))
		s->qty = s->stored;
	for (i = 0; i < c->nkeys; i++)
	{
		s->keys[i] = heap_getattr(tuple, c->key[i], desc, &isnull);
		if (isnull)
			return;				/* not counted, as a foreign key MATCH SIMPLE */
	}
	s->counted = true;
}


/* Nothing the check counts changed: same key values bit for bit, same quantity. */
static bool
side_unchanged(QuantityCache *c, const QtySide *o, const QtySide *n)
{
	int			i;
	int			cmp;

	if (!o->counted || !n->counted || !cbr_qty_cmp(o->qty, n->qty, &cmp) || cmp != 0)
		return false;
	for (i = 0; i < c->nkeys; i++)
		if (!datumIsEqual(o->keys[i], n->keys[i], c->declared.typbyval[i], c->declared.typlen[i]))
			return false;
	return true;
}

/*
 * Take the old row (o) from its line and give the new one (n) to its line;
 * one move when both are on one line, and with two lines their ledger rows
 * locked in image order (two such updates cannot deadlock each other).
 */
static void
move_counters(QtyWrite *w, QtySide *o, QtySide *n)
{
	CbrQty		zero = {0, 0};
	CbrQty		minus_old;
	CbrQty		delta;

	if (!cbr_qty_sub(zero, o->qty, &minus_old))
		cbr_qty_report_return(w->c, w->rel, o, &(CbrQtyVerdict) {.outcome = CBR_QTY_OUT_OF_RANGE, .row = o->qty});
	if (o->counted && n->counted && cbr_qty_image_cmp(o->line.image, n->line.image) == 0)
	{
		if (!cbr_qty_sub(n->qty, o->qty, &delta))
			cbr_qty_report_return(w->c, w->rel, n, &(CbrQtyVerdict) {.outcome = CBR_QTY_OUT_OF_RANGE, .row = n->qty});
		cbr_qty_apply_delta(w, n, delta, 0);
	}
	else if (o->counted && n->counted && cbr_qty_image_cmp(o->line.image, n->line.image) > 0)
	{
		cbr_qty_apply_delta(w, n, n->qty, 1);
		cbr_qty_apply_delta(w, o, minus_old, -1);
	}
	else
	{
		if (o->counted)
			cbr_qty_apply_delta(w, o, minus_old, -1);
		if (n->counted)
			cbr_qty_apply_delta(w, n, n->qty, 1);
	}
}

/*
 * cbreturn.quantity_check(): AFTER INSERT OR UPDATE OR DELETE FOR EACH ROW on
 * a returns table (cloned to every partition of a partitioned one).  AFTER,
 * so that it counts the row as finally written.  R-EX-3 (GACC 2020 No. 44)
 * and R-IM-2: the quantity returned over all batches of one line never
 * exceeds the quantity declared on it.
 */
PG_FUNCTION_INFO_V1(cbr_quantity_check);
Datum
cbr_quantity_check(PG_FUNCTION_ARGS)
{
	TriggerData *trigdata = cbr_trigger_protocol(fcinfo, "quantity_check", CBR_FIRE_AFTER, true);
	Relation	rel = trigdata->tg_relation;
	QuantityCache *c = (QuantityCache *) cbr_qty_cached_config(fcinfo, rel, QTY_CACHE_CHECK);
	QtySide		o;
	QtySide		n;
	CbrQtyVerdict v;
	CbrQty		zero = {0, 0};
	QtyWrite	w = {c, rel, false, NULL};

	c->trigdata = trigdata;

	cbr_qty_side_of(c, rel, TRIGGER_FIRED_BY_INSERT(trigdata->tg_event) ? NULL : trigdata->tg_trigtuple, &o);
	cbr_qty_side_of(c, rel, TRIGGER_FIRED_BY_INSERT(trigdata->tg_event) ? trigdata->tg_trigtuple
			: TRIGGER_FIRED_BY_UPDATE(trigdata->tg_event) ? trigdata->tg_newtuple : NULL, &n);
	if (n.tuple != NULL)
	{
		/*
		 * A negative quantity is refused even on a row that names no line,
		 * or that is rejected or withdrawn.
		 */
		cbr_quantity_decide(n.stored, zero, zero, true, zero, &v);
		if (v.outcome == CBR_QTY_NEGATIVE)
			cbr_qty_report_return(c, rel, &n, &v);
	}
	/* An UPDATE that touches neither line nor quantity costs nothing here. */
	if ((!o.counted && !n.counted) || side_unchanged(c, &o, &n))
		return PointerGetDatum(NULL);

	cbr_qty_write_begin(&w);
	cbr_qty_name_line(&w, &n, true);
	cbr_qty_name_line(&w, &o, false);
	move_counters(&w, &o, &n);
	cbr_qty_write_end(&w);
	return PointerGetDatum(NULL);
}

