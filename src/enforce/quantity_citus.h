/*
 * quantity_citus.h
 *		The quantity check on Citus tables (quantity_citus.c and
 *		quantity_citus_guard.c): R-EX-3, R-IM-2 on every shard, with no
 *		ledger (docs/scale-out.md, "The quantity check on Citus tables").
 */
#ifndef CBRETURN_ENFORCE_QUANTITY_CITUS_H
#define CBRETURN_ENFORCE_QUANTITY_CITUS_H

#include "enforce/quantity.h"

#include "access/skey.h"

/* How to find rows of one line in one shard through one of its indexes. */
typedef struct CitusLineIndex
{
	Oid			index;
	int			nscan;			/* leading index columns that are line keys */
	int			scan_key[CBR_MAX_KEYS]; /* line key of index column i */
	FmgrInfo	scan_fn[CBR_MAX_KEYS];	/* the index's equality (looked up once) */
	Oid			scan_coll[CBR_MAX_KEYS];
	FmgrInfo	eq[CBR_MAX_KEYS];	/* by line key: the equality of its type */
	Oid			eq_coll[CBR_MAX_KEYS];
} CitusLineIndex;

/*
 * What the check on a returns shard, or the guard on a declared shard,
 * resolved for one statement (fn_extra): the two co-located shards of one
 * shard group, their key and quantity columns, and the indexes a line is
 * found through.
 */
typedef struct CitusQty
{
	Oid			returns;		/* the returns shard */
	Oid			declared;		/* the declared-lines shard */
	int			nkeys;
	AttrNumber	rkey[CBR_MAX_KEYS];
	AttrNumber	dkey[CBR_MAX_KEYS];
	Oid			keytype[CBR_MAX_KEYS];
	AttrNumber	rqty;
	Oid			rqty_type;
	AttrNumber	dqty;
	Oid			dqty_type;
	CitusLineIndex rindex;		/* returns: leading columns among the keys */
	CitusLineIndex dindex;		/* declared: unique on exactly the keys */
	QtyColumn	columns[2 * CBR_MAX_KEYS + 2];	/* what a message may show */
	int			ncolumns;
	/* made once per statement: slots of the two shards, cleared after use */
	TupleTableSlot *rslot;		/* a return being counted */
	TupleTableSlot *dslot;		/* a declared row being found */
	TupleTableSlot *locked;		/* the declared row locked */
	int64		lines_locked;	/* lines this statement locked one by one */
	bool		bulk;			/* the declared shard is locked instead */
} CitusQty;

/* Resolve the config of the trigger now firing on rel (the check or the guard). */
extern CitusQty *cbr_citus_qty_config(FunctionCallInfo fcinfo, Relation rel, bool guard);

/* Sum and count the returns of the line keys in the returns shard, under snap. */
extern void cbr_citus_qty_count(const CitusQty *c, Relation rrel, const Datum *keys, Snapshot snap,
								CbrQty *sum, int64 *rows);

/* Do the key values of a declared or returns tuple equal keys? */
extern bool cbr_citus_keys_match(const CitusLineIndex *ix, int nkeys, const AttrNumber *attnums,
								 TupleTableSlot *slot, const Datum *keys);

#endif							/* CBRETURN_ENFORCE_QUANTITY_CITUS_H */
