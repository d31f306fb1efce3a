/*
 * header_int.h
 *		What header.c and header_guard.c share: the resolved link of a
 *		returns table to its declaration header.  Not for the checks, which
 *		use header.h.
 */
#ifndef CBRETURN_ENFORCE_HEADER_INT_H
#define CBRETURN_ENFORCE_HEADER_INT_H

#include "enforce/header.h"
#include "enforce/header_cache.h"

#include "access/tupconvert.h"
#include "nodes/parsenodes.h"
#include "executor/tuptable.h"
#include "utils/snapshot.h"

struct CbrHeaderUse
{
	Oid			relid;			/* the header table */
	Oid			owner;			/* its owner, whose rights read it */
	Oid			index_oid;		/* unique btree index on exactly the header key */
	int			nkeys;
	AttrNumber	key[CBR_HEADER_MAX_KEYS];	/* the returns table's key columns */
	AttrNumber	hkey[CBR_HEADER_MAX_KEYS];	/* the header's, in the same order */
	Oid			keytype[CBR_HEADER_MAX_KEYS];
	int			by_index[CBR_HEADER_MAX_KEYS];	/* key of index column i + 1 */
	Oid			eqop[CBR_HEADER_MAX_KEYS];	/* by key: the type's equality */
	Oid			eqproc[CBR_HEADER_MAX_KEYS];
	Oid			subtype[CBR_HEADER_MAX_KEYS];
	Oid			collation[CBR_HEADER_MAX_KEYS];
	FmgrInfo	eqfn[CBR_HEADER_MAX_KEYS];
	/*
	 * A slot for the header's rows, over a copy of its row type that is not
	 * reference-counted: made once with the config, so that a lookup does
	 * not pin and release a tuple descriptor (resource owner bookkeeping was
	 * the largest cost of a lookup).  Cleared after every use, so it never
	 * keeps a buffer pinned between rows.
	 */
	TupleTableSlot *slot;
	int			nroles;			/* the check's roles */
	AttrNumber	hcol[CBR_MAX_ROLES];	/* header column of role r, 0: not from the header */
	Oid			htype[CBR_MAX_ROLES];
	CbrHeaderCacheShape shape;	/* for the transaction's cache of locked rows (header_cache.c) */
	struct CbrHeaderParts *parts;	/* a partitioned header (header_parts.c), or NULL */
};

/* A partitioned header's leaves, as lookups read them (header_parts.c). */
typedef struct CbrHeaderParts CbrHeaderParts;

/*
 * Where a header row is looked for: the header itself, or one leaf
 * partition of a partitioned header, with its own index, slot and column
 * numbers (map: its rows to the header's row type; NULL when the same).
 */
typedef struct CbrHeaderTarget
{
	Relation	rel;			/* open, RowShareLock */
	Oid			index_oid;		/* its unique index on the header key */
	TupleTableSlot *slot;
	TupleConversionMap *map;
} CbrHeaderTarget;

/*
 * Find the header row whose key equals keys[] in t, lock it FOR KEY SHARE
 * and read the roles into v/isnull (header.c); false when there is none.
 */
extern bool cbr_header_fetch_in(const CbrHeaderUse *u, const CbrHeaderTarget *t, Snapshot snap,
								bool xact_snapshot, const Datum *keys, Datum *v, bool *isnull,
								bool *locked);

/* The leaves of the partitioned header hrel (open), for lookups; in cxt. */
extern CbrHeaderParts *cbr_header_parts_new(Relation hrel, Oid index_oid, MemoryContext cxt);

/* The same as cbr_header_fetch_in, in whichever leaf of hrel holds the row. */
extern bool cbr_header_parts_fetch(const CbrHeaderUse *u, Relation hrel, Snapshot snap,
								   bool xact_snapshot, const Datum *keys, Datum *v, bool *isnull,
								   bool *locked);

/* A relation's schema-qualified, quoted name for messages. */
extern char *cbr_header_rel_text(Oid relid);

/*
 * Resolve the link of the returns table rel to its header (hrel, open) from
 * the metadata hm of its header kind: key columns, unique index, equality.
 */
extern void cbr_header_resolve_link(CbrHeaderUse *u, const CbrCheckMeta *hm, Relation rel,
									Relation hrel, MemoryContext cxt);

/*
 * header_retype.c: the metadata read as the extension's owner, restricted
 * (a role without rights on the schema cbreturn runs its own DDL all the
 * same), and the refusal of an ALTER COLUMN ... TYPE of a header link's
 * column that may change a stored value (at the start of ALTER TABLE).
 */
typedef struct CbrAsOwner
{
	Oid			userid;
	int			sec;
} CbrAsOwner;

extern void cbr_as_metadata_owner(CbrAsOwner *saved);
extern void cbr_as_metadata_owner_end(const CbrAsOwner *saved);
extern void cbr_header_retype(AlterTableStmt *stmt);

/* 55000: the metadata of the header links could not be read (header.c); what: the step, for DETAIL. */
pg_noreturn extern void cbr_header_metadata_unreadable(const char *what);

#endif							/* CBRETURN_ENFORCE_HEADER_INT_H */
