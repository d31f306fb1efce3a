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
 * most, and found through that leaf's part of the index.  The leaves are
 * read from the partition descriptors at every lookup (the relcache keeps
 * them, and they change with ATTACH, DETACH and CREATE TABLE ... PARTITION
 * OF), so a partition created or attached later is found from its first
 * return on, and a detached one is no longer read.  What a leaf needs (its
 * index, a slot over its row type, the map from its row type to the
 * header's: a partition may number its columns otherwise) is made the first
 * time it is read and kept with the check's config.  The leaf of the last
 * hit is read first: the returns of a load mostly come month by month.
 */
#include "enforce/header_int.h"

#include "access/table.h"
#include "access/tableam.h"
#include "access/tupconvert.h"
#include "catalog/partition.h"
#include "partitioning/partdesc.h"
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
			 errmsg("partition %s of declaration header %s has no part of its unique key index",
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
 * The leaf partitions of rel (open), in the order of their bounds, from
 * the partition descriptors: those a query would read (a partition being
 * detached concurrently is left out, as the planner leaves it out).
 * Partitioned partitions are opened to read their own.
 */
static List *
header_leaves(Relation rel, List *leaves)
{
	PartitionDesc pd = RelationGetPartitionDesc(rel, true);
	int			i;

	for (i = 0; i < pd->nparts; i++)
	{
		Relation	sub;

		if (pd->is_leaf[i])
		{
			leaves = lappend_oid(leaves, pd->oids[i]);
			continue;
		}
		sub = table_open(pd->oids[i], RowShareLock);
		leaves = header_leaves(sub, leaves);
		table_close(sub, NoLock);
	}
	return leaves;
}

bool
cbr_header_parts_fetch(const CbrHeaderUse *u, Relation hrel, Snapshot snap, bool xact_snapshot,
					   const Datum *keys, Datum *v, bool *isnull, bool *locked)
{
	CbrHeaderParts *p = u->parts;
	List	   *leaves = header_leaves(hrel, NIL);
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
