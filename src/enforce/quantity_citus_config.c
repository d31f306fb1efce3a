/*
 * quantity_citus_config.c
 *		The quantity check on Citus tables (quantity_citus.c): what the
 *		trigger on one shard resolves at the first row of a statement, from
 *		its arguments and Citus's metadata on this node.
 *
 * The check's trigger names the declared distributed table, the guard's
 * the returns table; Citus appends the shard id to the trigger's name on
 * each shard.  The co-located shard of the other table is the one with the
 * same hash range in pg_dist_shard (Citus 13 keeps it on every node), and
 * must be on this node.  Columns and indexes are found by name on the two
 * shards, so a shard made by a move or a split resolves them afresh.
 * Anything that does not resolve refuses the write (55000).
 */
#include "enforce/quantity_citus.h"

#include "access/genam.h"
#include "access/htup_details.h"
#include "access/nbtree.h"
#include "access/table.h"
#include "access/tableam.h"
#include "catalog/pg_am.h"
#include "catalog/pg_index.h"
#include "catalog/pg_type.h"
#include "utils/builtins.h"
#include "utils/lsyscache.h"
#include "utils/memutils.h"
#include "utils/rel.h"
#include "utils/typcache.h"

/* 55000: the check cannot be resolved on this shard; the write is refused. */
pg_noreturn static void
citus_qty_broken(Relation rel, const char *why)
{
	ereport(ERROR,
			(errcode(ERRCODE_OBJECT_NOT_IN_PREREQUISITE_STATE),
			 errmsg("the quantity check on Citus shard \"%s\" cannot be enforced: %s (R-EX-3, R-IM-2)",
					RelationGetRelationName(rel), why),
			 errdetail("The write is refused so that no over-return slips through."),
			 errhint("On the coordinator, detach the quantity check with cbreturn.detach() and attach it again (docs/scale-out.md).")));
}

/* The shard id Citus appended to the trigger's name ("..._102008"), or 0. */
static int64
trigger_shard_id(const char *tgname, const char *base)
{
	size_t		len = strlen(base);
	const char *digits;

	if (strncmp(tgname, base, len) != 0 || tgname[len] != '_')
		return 0;
	digits = tgname + len + 1;
	if (*digits == '\0' || strspn(digits, "0123456789") != strlen(digits))
		return 0;
	return strtoi64(digits, NULL, 10);
}

/*
 * The shard of the distributed table named other that is co-located with
 * rel, this trigger's shard (same hash range), as a relation on this node.
 */
static Oid
colocated_shard(Relation rel, int64 shardid, const char *other)
{
	Oid			argtypes[2] = {INT8OID, TEXTOID};
	Datum		args[2];
	bool		isnull;
	Datum		d;
	Oid			result;

	args[0] = Int64GetDatum(shardid);
	args[1] = CStringGetTextDatum(other);
	if (SPI_connect() != SPI_OK_CONNECT)
		elog(ERROR, "SPI_connect failed");
	if (SPI_execute_with_args(
			"SELECT pg_catalog.to_regclass(pg_catalog.shard_name(s.logicalrelid, s.shardid, false))::pg_catalog.oid,"
			"       pg_catalog.to_regclass(pg_catalog.shard_name(o.logicalrelid, o.shardid, false))::pg_catalog.oid"
			"  FROM pg_catalog.pg_dist_shard s"
			"  JOIN pg_catalog.pg_dist_shard o"
			"    ON o.logicalrelid OPERATOR(pg_catalog.=) pg_catalog.to_regclass($2)"
			"   AND o.shardminvalue OPERATOR(pg_catalog.=) s.shardminvalue"
			"   AND o.shardmaxvalue OPERATOR(pg_catalog.=) s.shardmaxvalue"
			" WHERE s.shardid OPERATOR(pg_catalog.=) $1",
			2, argtypes, args, NULL, true, 2) != SPI_OK_SELECT || SPI_processed != 1)
		citus_qty_broken(rel, _("its co-located shard is not in the Citus metadata of this node"));
	d = SPI_getbinval(SPI_tuptable->vals[0], SPI_tuptable->tupdesc, 1, &isnull);
	if (isnull || DatumGetObjectId(d) != RelationGetRelid(rel))
		citus_qty_broken(rel, _("its trigger is not the one Citus made for this shard"));
	d = SPI_getbinval(SPI_tuptable->vals[0], SPI_tuptable->tupdesc, 2, &isnull);
	if (isnull)
		citus_qty_broken(rel, _("its co-located shard is not on this node"));
	result = DatumGetObjectId(d);
	SPI_finish();
	return result;
}

/* The attnum of a column named in the trigger, of one of the allowed types. */
static AttrNumber
named_column(Relation rel, const char *name, Oid *type)
{
	AttrNumber	a = get_attnum(RelationGetRelid(rel), name);

	if (a == InvalidAttrNumber || TupleDescAttr(RelationGetDescr(rel), a - 1)->attisdropped)
		citus_qty_broken(rel, psprintf(_("table \"%s\" has no column %s"),
									   RelationGetRelationName(rel), quote_identifier(name)));
	*type = TupleDescAttr(RelationGetDescr(rel), a - 1)->atttypid;
	return a;
}

/*
 * An index of rel to find the rows of a line by: unique on exactly the key
 * columns (the declared lines: as a foreign key finds them), or, for the
 * returns, any valid btree index whose leading columns are key columns
 * (the most of them wins; the other keys are compared row by row).  Each
 * key column under coll[k], the collation of the declared key: the line of
 * a return is the declared row its key finds, and an index under another
 * collation would find other rows (single server: _quantity_counts_sql).
 */
static bool
find_line_index(Relation rel, int nkeys, const AttrNumber *keys, const Oid *coll, bool unique,
				CitusLineIndex *out, MemoryContext mcxt)
{
	List	   *indexes = RelationGetIndexList(rel);
	ListCell   *lc;
	int			best = 0;

	foreach(lc, indexes)
	{
		Relation	irel = index_open(lfirst_oid(lc), AccessShareLock);
		Form_pg_index ix = irel->rd_index;
		CitusLineIndex cand;
		int			i;

		memset(&cand, 0, sizeof(cand));
		cand.index = RelationGetRelid(irel);
		if (ix->indisvalid && irel->rd_rel->relam == BTREE_AM_OID && heap_attisnull(irel->rd_indextuple, Anum_pg_index_indpred, NULL) &&
			(!unique || (ix->indisunique && ix->indnkeyatts == nkeys)))
		{
			for (i = 0; i < ix->indnkeyatts && i < nkeys; i++)
			{
				int			k;
				Oid			op;

				for (k = 0; k < nkeys && keys[k] != ix->indkey.values[i]; k++)
					;
				if (k == nkeys || irel->rd_indcollation[i] != coll[k])
					break;
				op = get_opfamily_member(irel->rd_opfamily[i], irel->rd_opcintype[i], irel->rd_opcintype[i],
										 BTEqualStrategyNumber);
				if (!OidIsValid(op))
					break;
				cand.scan_key[i] = k;
				fmgr_info_cxt(get_opcode(op), &cand.scan_fn[i], mcxt);
				cand.scan_coll[i] = irel->rd_indcollation[i];
			}
			cand.nscan = i;
		}
		index_close(irel, AccessShareLock);
		if ((unique && cand.nscan == nkeys) || (!unique && cand.nscan > best))
		{
			best = cand.nscan;
			*out = cand;
			if (unique || best == nkeys)
				break;
		}
	}
	list_free(indexes);
	return best > 0;
}

/* The equality of each key's type, to compare the keys no index compared. */
static void
key_equalities(CitusLineIndex *ix, Relation rel, int nkeys, const AttrNumber *keys, const Oid *coll,
			   MemoryContext mcxt)
{
	int			k;

	for (k = 0; k < nkeys; k++)
	{
		Form_pg_attribute att = TupleDescAttr(RelationGetDescr(rel), keys[k] - 1);
		TypeCacheEntry *tc = lookup_type_cache(att->atttypid, TYPECACHE_EQ_OPR);

		if (!OidIsValid(tc->eq_opr))
			citus_qty_broken(rel, psprintf(_("column %s has no equality"), quote_identifier(NameStr(att->attname))));
		fmgr_info_cxt(get_opcode(tc->eq_opr), &ix->eq[k], mcxt);
		ix->eq_coll[k] = coll[k];
	}
}

/*
 * The arguments attach writes ('cbreturn:1', the other distributed table,
 * the returns' quantity column, the declared quantity column, then a pair
 * per line key: its column in the returns, in the declared table), resolved
 * on the two shards.
 */
static void
resolve_columns(CitusQty *c, Trigger *tg, Relation rrel, Relation drel)
{
	int			i;
	Oid			t;

	c->nkeys = (tg->tgnargs - 4) / 2;
	for (i = 0; i < c->nkeys; i++)
	{
		c->rkey[i] = named_column(rrel, tg->tgargs[4 + 2 * i], &c->keytype[i]);
		c->dkey[i] = named_column(drel, tg->tgargs[5 + 2 * i], &t);
		if (t != c->keytype[i])
			citus_qty_broken(rrel, _("a line key has other types in the two tables"));
		c->columns[c->ncolumns++] = (QtyColumn) {RelationGetRelid(rrel), c->rkey[i]};
		c->columns[c->ncolumns++] = (QtyColumn) {RelationGetRelid(drel), c->dkey[i]};
	}
	c->rqty = named_column(rrel, tg->tgargs[2], &c->rqty_type);
	c->dqty = named_column(drel, tg->tgargs[3], &c->dqty_type);
	c->columns[c->ncolumns++] = (QtyColumn) {RelationGetRelid(rrel), c->rqty};
	c->columns[c->ncolumns++] = (QtyColumn) {RelationGetRelid(drel), c->dqty};
	for (i = 0; i < 4; i++)
		if (c->rqty_type == cbr_qty_types[i])
			break;
	if (i == 4)
		citus_qty_broken(rrel, _("the quantity column is not of a quantity type"));
	for (i = 0; i < 4; i++)
		if (c->dqty_type == cbr_qty_types[i])
			break;
	if (i == 4)
		citus_qty_broken(rrel, _("the declared quantity column is not of a quantity type"));
}

/*
 * The config of the trigger now firing on rel, the returns shard (the
 * check) or the declared shard (the guard): resolved at the first row of a
 * statement, kept in fn_extra for its other rows.
 */
CitusQty *
cbr_citus_qty_config(FunctionCallInfo fcinfo, Relation rel, bool guard)
{
	TriggerData *td = (TriggerData *) fcinfo->context;
	Trigger    *tg = td->tg_trigger;
	MemoryContext oldcxt;
	CitusQty   *c;
	Oid			partner;
	int64		shardid;
	Relation	rrel;
	Relation	drel;
	Oid			coll[CBR_MAX_KEYS];
	int			i;

	if (fcinfo->flinfo->fn_extra != NULL)
		return (CitusQty *) fcinfo->flinfo->fn_extra;
	if (tg->tgnargs < 6 || tg->tgnargs % 2 != 0 || strcmp(tg->tgargs[0], "cbreturn:1") != 0 ||
		(tg->tgnargs - 4) / 2 > CBR_MAX_KEYS)
		citus_qty_broken(rel, _("its trigger's arguments are not a check's configuration"));
	shardid = trigger_shard_id(tg->tgname, guard ? "cbreturn_quantity_guard" : "cbreturn_quantity_check");
	if (shardid == 0)
		citus_qty_broken(rel, _("its trigger is not on a Citus shard"));
	partner = colocated_shard(rel, shardid, tg->tgargs[1]);
	oldcxt = MemoryContextSwitchTo(fcinfo->flinfo->fn_mcxt);
	c = palloc0(sizeof(CitusQty));
	c->returns = guard ? partner : RelationGetRelid(rel);
	c->declared = guard ? RelationGetRelid(rel) : partner;
	rrel = guard ? table_open(partner, AccessShareLock) : rel;
	drel = guard ? rel : table_open(partner, AccessShareLock);
	resolve_columns(c, tg, rrel, drel);
	for (i = 0; i < c->nkeys; i++)
		coll[i] = TupleDescAttr(RelationGetDescr(drel), c->dkey[i] - 1)->attcollation;
	if (!find_line_index(drel, c->nkeys, c->dkey, coll, true, &c->dindex, fcinfo->flinfo->fn_mcxt))
		citus_qty_broken(rel, psprintf(_("shard \"%s\" has no unique index on the declared line key"),
									   RelationGetRelationName(drel)));
	if (!find_line_index(rrel, c->nkeys, c->rkey, coll, false, &c->rindex, fcinfo->flinfo->fn_mcxt))
		citus_qty_broken(rel, psprintf(_("shard \"%s\" has no index that begins with a line key column under the declared key's collation"),
									   RelationGetRelationName(rrel)));
	key_equalities(&c->dindex, drel, c->nkeys, c->dkey, coll, fcinfo->flinfo->fn_mcxt);
	key_equalities(&c->rindex, rrel, c->nkeys, c->rkey, coll, fcinfo->flinfo->fn_mcxt);
	/* copies of the descriptors: a slot kept for the statement pins nothing */
	c->rslot = MakeSingleTupleTableSlot(CreateTupleDescCopy(RelationGetDescr(rrel)), table_slot_callbacks(rrel));
	c->dslot = MakeSingleTupleTableSlot(CreateTupleDescCopy(RelationGetDescr(drel)), table_slot_callbacks(drel));
	c->locked = MakeSingleTupleTableSlot(CreateTupleDescCopy(RelationGetDescr(drel)), table_slot_callbacks(drel));
	if (rrel != rel)
		table_close(rrel, AccessShareLock);
	if (drel != rel)
		table_close(drel, AccessShareLock);
	MemoryContextSwitchTo(oldcxt);
	fcinfo->flinfo->fn_extra = c;
	return c;
}

