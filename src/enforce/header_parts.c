/*
 * header_parts.c
 *		A partitioned declaration header or return request table (issue
 *		12): finding a return's header row in whichever leaf partition
 *		holds it (see header.h; the row itself is found and locked by
 *		header.c, in one leaf at a time).
 *
 * The header key must carry a unique constraint on exactly its columns
 * (header_link.c); on a partitioned table PostgreSQL makes that a
 * partitioned index with one unique index per leaf partition, and requires
 * the partition key to be part of it.  A row is therefore in one leaf at
 * most, and found through that leaf's part of the index.  The leaf is
 * found as PostgreSQL routes a row, from the partition descriptors at every
 * lookup (the relcache keeps them, and they change with ATTACH, DETACH and
 * CREATE TABLE ... PARTITION OF), so a partition created or attached later
 * is found from its first return on, and a detached one is no longer read;
 * below a level partitioned by an expression, every leaf is a candidate.  What a leaf needs (its
 * index, a slot over its row type, the map from its row type to the
 * header's: a partition may number its columns otherwise) is made the first
 * time it is read and kept with the check's config.  Of several candidates
 * the leaf of the last hit is read first: the returns of a load mostly come
 * month by month.
 */
#include "enforce/header_int.h"

#include "access/genam.h"
#include "access/htup_details.h"
#include "access/table.h"
#include "access/tableam.h"
#include "access/tupconvert.h"
#include "catalog/partition.h"
#include "catalog/pg_inherits.h"
#include "partitioning/partbounds.h"
#include "partitioning/partdesc.h"
#include "utils/fmgroids.h"
#include "utils/lsyscache.h"
#include "utils/partcache.h"
#include "utils/memutils.h"
#include "utils/rel.h"

/* A leaf partition, as a lookup reads it. */
typedef struct HeaderPart
{
	Oid			relid;
	Oid			index_oid;		/* its part of the header key's unique index */
	TupleTableSlot *slot;		/* over a copy of its row type */
	TupleConversionMap *map;	/* its rows to the header's row type; NULL: the same */
} HeaderPart;

struct CbrHeaderParts
{
	MemoryContext cxt;			/* the check's config's */
	Oid			index_oid;		/* the header's partitioned unique index */
	TupleDesc	hdesc;			/* a copy of the header's row type */
	int			nparts;
	int			maxparts;
	HeaderPart *parts;
	Oid			last;			/* the leaf of the last hit */
};

CbrHeaderParts *
cbr_header_parts_new(Relation hrel, Oid index_oid, MemoryContext cxt)
{
	CbrHeaderParts *p = MemoryContextAllocZero(cxt, sizeof(CbrHeaderParts));
	MemoryContext old = MemoryContextSwitchTo(cxt);

	p->cxt = cxt;
	p->index_oid = index_oid;
	p->hdesc = CreateTupleDescCopy(RelationGetDescr(hrel));
	p->maxparts = 16;
	p->parts = palloc0(sizeof(HeaderPart) * p->maxparts);
	MemoryContextSwitchTo(old);
	return p;
}

/* The leaf's part of the header's unique index; 55000 when it has none. */
static Oid
header_part_index(const CbrHeaderParts *p, Relation leaf, Oid header)
{
	List	   *indexes = RelationGetIndexList(leaf);
	ListCell   *lc;

	foreach(lc, indexes)
		if (list_member_oid(get_partition_ancestors(lfirst_oid(lc)), p->index_oid))
			return lfirst_oid(lc);
	ereport(ERROR,
			(errcode(ERRCODE_OBJECT_NOT_IN_PREREQUISITE_STATE),
			 errmsg("partition %s of header %s has no part of its unique key index",
					cbr_header_rel_text(RelationGetRelid(leaf)), cbr_header_rel_text(header)),
			 errhint("Attach the partition with ATTACH PARTITION, which builds or attaches the index.")));
	return InvalidOid;
}

/* What a lookup needs of the leaf partition leaf (open): made the first time. */
static HeaderPart *
header_part(CbrHeaderParts *p, Relation leaf, Oid header)
{
	Oid			relid = RelationGetRelid(leaf);
	HeaderPart *e;
	MemoryContext old;
	TupleDesc	ldesc;
	int			i;

	for (i = 0; i < p->nparts; i++)
		if (p->parts[i].relid == relid)
			return &p->parts[i];
	if (p->nparts == p->maxparts)
	{
		p->parts = repalloc(p->parts, sizeof(HeaderPart) * p->maxparts * 2);
		p->maxparts *= 2;
	}
	e = &p->parts[p->nparts];
	e->index_oid = header_part_index(p, leaf, header);
	old = MemoryContextSwitchTo(p->cxt);
	ldesc = CreateTupleDescCopy(RelationGetDescr(leaf));
	e->slot = MakeSingleTupleTableSlot(ldesc, table_slot_callbacks(leaf));
	e->map = convert_tuples_by_name(ldesc, p->hdesc);
	MemoryContextSwitchTo(old);
	e->relid = relid;
	p->nparts++;
	return e;
}

/*
 * The partition of rel (open) that holds the header row of keys[] (the
 * header key, in the link's order), found as PostgreSQL routes a row
 * (get_partition_for_tuple, execPartition.c): an index into pd; -1 when no
 * partition accepts it; -2 when rel's partition key is not made of header
 * key columns (an expression): then every partition is a candidate.  The
 * header key holds the partition key of a partitioned header's top level
 * (PostgreSQL's unique constraints require it); a lower level may be
 * partitioned by other columns.
 */
static int
header_route(const CbrHeaderUse *u, Relation rel, PartitionKey key, PartitionDesc pd, const Datum *keys)
{
	PartitionBoundInfo bi = pd->boundinfo;
	Datum		values[PARTITION_MAX_KEYS];
	bool		isnull[PARTITION_MAX_KEYS];
	bool		equal = false;
	int			part = -1;
	int			i;

	for (i = 0; i < key->partnatts; i++)
	{
		AttrNumber	a = key->partattrs[i];
		int			k;

		/* the partition's column numbers may not be the header's: by name */
		if (a != InvalidAttrNumber && RelationGetRelid(rel) != u->relid)
			a = get_attnum(u->relid, get_attname(RelationGetRelid(rel), a, false));
		for (k = 0; k < u->nkeys && (a == InvalidAttrNumber || u->hkey[k] != a); k++)
			;
		if (k == u->nkeys)
			return -2;
		values[i] = keys[k];
		isnull[i] = false;		/* a NULL key is never looked up */
	}
	if (pd->nparts == 0 || bi == NULL)
		return -1;
	if (key->strategy == PARTITION_STRATEGY_HASH)
		part = bi->indexes[compute_partition_hash_value(key->partnatts, key->partsupfunc, key->partcollation,
														values, isnull) % bi->nindexes];
	else if (key->strategy == PARTITION_STRATEGY_LIST)
	{
		int			off = partition_list_bsearch(key->partsupfunc, key->partcollation, bi, values[0], &equal);

		if (off >= 0 && equal)
			part = bi->indexes[off];
	}
	else
		part = bi->indexes[partition_range_datum_bsearch(key->partsupfunc, key->partcollation, bi,
														 key->partnatts, values, &equal) + 1];
	return part >= 0 ? part : bi->default_index;
}

/*
 * The parent of partition relid, and whether it is being detached
 * concurrently (pg_inherits as committed now: header.h).  A transaction
 * whose snapshot is older than the first step of ALTER TABLE ... DETACH
 * PARTITION ... CONCURRENTLY still finds the partition in the descriptors,
 * and the detach waits for it and then takes the partition out: a return
 * naming a row there would be left naming none (its guard ran in that
 * first step).  Also the DDL guard's (header_ddl.c), where
 * get_partition_parent would raise an internal error for a partition
 * detached or dropped meanwhile.
 */
Oid
cbr_partition_parent(Oid relid, bool *detach_pending)
{
	Relation	inh = table_open(InheritsRelationId, AccessShareLock);
	ScanKeyData key;
	SysScanDesc scan;
	HeapTuple	tup;
	Oid			parent = InvalidOid;

	if (detach_pending)
		*detach_pending = false;
	ScanKeyInit(&key, Anum_pg_inherits_inhrelid, BTEqualStrategyNumber, F_OIDEQ, ObjectIdGetDatum(relid));
	scan = systable_beginscan(inh, InheritsRelidSeqnoIndexId, true, NULL, 1, &key);
	if (HeapTupleIsValid(tup = systable_getnext(scan)))
	{
		parent = ((Form_pg_inherits) GETSTRUCT(tup))->inhparent;
		if (detach_pending)
			*detach_pending = ((Form_pg_inherits) GETSTRUCT(tup))->inhdetachpending;
	}
	systable_endscan(scan);
	table_close(inh, AccessShareLock);
	return parent;
}


/*
 * The leaf partitions of rel (open) that may hold the header row of keys[]:
 * the one PostgreSQL would route it to, or every one below a level not
 * partitioned by header key columns; in the order of their bounds.  The
 * partition descriptors are those a query reads, and a partition being
 * detached concurrently is left out even where the snapshot still shows
 * it (cbr_partition_parent: looked at only when the descriptor says one is).
 * Partitioned partitions are opened to read their own.
 */
static List *
header_leaves(const CbrHeaderUse *u, Relation rel, const Datum *keys, List *leaves)
{
	PartitionDesc pd = RelationGetPartitionDesc(rel, true);
	int			part = header_route(u, rel, RelationGetPartitionKey(rel), pd, keys);
	int			i;

	for (i = 0; i < pd->nparts; i++)
	{
		Relation	sub;

		if (part != -2 && i != part)
			continue;
		if (pd->detached_exist)
		{
			bool		pending;

			(void) cbr_partition_parent(pd->oids[i], &pending);
			if (pending)
				continue;
		}
		if (pd->is_leaf[i])
		{
			leaves = lappend_oid(leaves, pd->oids[i]);
			continue;
		}
		sub = table_open(pd->oids[i], RowShareLock);
		leaves = header_leaves(u, sub, keys, leaves);
		table_close(sub, NoLock);
	}
	return leaves;
}

bool
cbr_header_parts_fetch(const CbrHeaderUse *u, Relation hrel, Snapshot snap, bool xact_snapshot,
					   const Datum *keys, Datum *v, bool *isnull, bool *locked)
{
	CbrHeaderParts *p = u->parts;
	List	   *leaves = header_leaves(u, hrel, keys, NIL);
	ListCell   *lc;

	/* the leaf of the last hit first */
	if (OidIsValid(p->last) && list_member_oid(leaves, p->last))
		leaves = lcons_oid(p->last, list_delete_oid(leaves, p->last));
	foreach(lc, leaves)
	{
		/* RowShareLock, kept to the end of the transaction, as for the header */
		Relation	leaf = table_open(lfirst_oid(lc), RowShareLock);
		HeaderPart *e = header_part(p, leaf, u->relid);
		CbrHeaderTarget t = {leaf, e->index_oid, e->slot, e->map};
		bool		found = cbr_header_fetch_in(u, &t, snap, xact_snapshot, keys, v, isnull, locked);

		table_close(leaf, NoLock);
		if (found)
		{
			p->last = e->relid;
			list_free(leaves);
			return true;
		}
	}
	list_free(leaves);
	return false;
}
