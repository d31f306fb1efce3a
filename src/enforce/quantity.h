/*
 * quantity.h
 *		What the quantity check and the declared-line guard (quantity.c)
 *		share with the line lookup (quantity_line.c): R-EX-3, R-IM-2.
 *
 * A declared line is found with the equality of its key types, through the
 * unique index attach required on the declared key columns (as a foreign
 * key does), and named in cbreturn.quantity_ledger by the declared table and
 * a canonical image of the declared row's stored key values: never by text,
 * so no session setting (DateStyle, TimeZone, extra_float_digits,
 * client_encoding, ...) can make one line two.
 */
#ifndef CBRETURN_ENFORCE_QUANTITY_H
#define CBRETURN_ENFORCE_QUANTITY_H

#include "enforce/trigger.h"
#include "rules/quantity.h"

#include "executor/spi.h"

#define CBR_MAX_KEYS 8

/* How to find the lines of one declared table (part of a cached config). */
typedef struct CbrDeclared
{
	Oid			relid;
	Oid			owner;
	Oid			index_oid;		/* unique btree index on the key columns */
	int			nkeys;
	AttrNumber	key[CBR_MAX_KEYS];	/* declared table attnums, in line order */
	int16		typlen[CBR_MAX_KEYS];
	bool		typbyval[CBR_MAX_KEYS];
	/* scan keys, in index column order */
	int			by_index[CBR_MAX_KEYS]; /* line key of index column i + 1 */
	Oid			eqop[CBR_MAX_KEYS];	/* by line key: the type's equality */
	Oid			eqproc[CBR_MAX_KEYS];
	Oid			subtype[CBR_MAX_KEYS];
	Oid			collation[CBR_MAX_KEYS];
	FmgrInfo	eqfn[CBR_MAX_KEYS];
	AttrNumber	quantity;
	Oid			quantity_type;
	/*
	 * Every key type's equality is equality of the stored bytes (integers,
	 * dates, text under a deterministic collation...): the image of a
	 * return's own key values is then its line's name, and the line need not
	 * be looked up before its ledger row is locked.
	 */
	bool		canonical;
	/* row security applies to the owner: read through SPI as the owner */
	SPIPlanPtr	rls_plan;
} CbrDeclared;

/* A declared line once found: its ledger key and its quantity. */
typedef struct CbrLine
{
	bytea	   *image;
	CbrQty		declared;
	bool		found;			/* read from the declared table (else only named) */
} CbrLine;

/* Resolve d for the declared table drel (open), keys named in line order. */
extern void cbr_declared_resolve(CbrDeclared *d, Relation drel, const AttrNumber *keys, int nkeys,
								 AttrNumber quantity, MemoryContext mcxt);

/*
 * Find the declared line whose key equals keys (values of the key types),
 * as of snap (NULL: the latest snapshot); false when there is none.  Under
 * row security (d->rls_plan) it reads through SPI, as of the latest
 * snapshot, and needs an SPI connection.
 */
extern bool cbr_declared_find(const CbrDeclared *d, const Datum *keys, CbrLine *line, Snapshot snap);

/* The ledger row of a line, changed in place (quantity_ledger_row.c). */
typedef struct CbrLedgerRow
{
	Oid			relid;			/* InvalidOid: the direct path is off */
	Oid			index;			/* its primary key (declared_relation, line) */
} CbrLedgerRow;

/* A ledger row found and locked, its counters as found. */
typedef struct CbrLedgerLock
{
	Relation	lrel;
	Relation	irel;
	TupleTableSlot *slot;
	bool		moved;			/* changed by another transaction since the snapshot */
	bool		untouched;		/* found, not locked: the row's latest version */
	Datum		returned;		/* numeric */
	int64		rows;
} CbrLedgerLock;

/* Refuse a write of rel made by a policy while the check reads a declared line. */
extern void cbr_qty_refuse_nested(Relation rel);

extern void cbr_ledger_resolve(CbrLedgerRow *l, Oid relid);
extern bool cbr_ledger_find(const CbrLedgerRow *l, Oid declared, const bytea *image, Snapshot snap,
							CbrLedgerLock *lk);
extern bool cbr_ledger_lock_found(CbrLedgerLock *lk, Oid declared, const bytea *image, Snapshot snap);
extern void cbr_ledger_write(CbrLedgerLock *lk, Datum returned, int64 rows);
extern bool cbr_ledger_try_write(CbrLedgerLock *lk, Datum returned, int64 rows);
extern void cbr_ledger_release(CbrLedgerLock *lk);

/* The ledger key of stored key values (the declared row's). */
extern bytea *cbr_line_image(int n, const Datum *values, const int16 *typlen, const bool *typbyval);

/* Key values equal under the key types' equality. */
extern bool cbr_keys_equal(const CbrDeclared *d, const Datum *a, const Datum *b);

/* A quantity column's value as an exact decimal; raises 22003 when it cannot be counted. */
extern CbrQty cbr_qty_of_datum(Datum d, Oid type, Relation rel, AttrNumber attnum);

/* The numeric Datum of q (for the ledger). */
extern Datum cbr_qty_numeric(CbrQty q);

/* "(a, b)" as the writer sees its own key values. */
extern char *cbr_key_text(int n, const Datum *values, const Oid *types);


/* ---------------------------------------------------------------------
 * Shared by quantity.c (the check), quantity_guard.c (the guard),
 * quantity_cache.c and quantity_meta.c
 * --------------------------------------------------------------------- */
/* A (table, column) the check reads: who may see the values it compares. */
typedef struct QtyColumn
{
	Oid			relid;
	AttrNumber	attnum;
} QtyColumn;

typedef enum QtyCacheKind
{
	QTY_CACHE_CHECK,			/* a returns table: QuantityCache */
	QTY_CACHE_GUARD				/* a declared table: GuardCache */
} QtyCacheKind;

/* The config of the check or guard on rel, from the backend-lifetime cache. */
extern void *cbr_qty_cached_config(FunctionCallInfo fcinfo, Relation rel, QtyCacheKind kind);

/*
 * The guard on a return request header (header_guard.c): a status change
 * of the header row frees or takes again the quantity of its returns tids
 * in rel, when rel's quantity check reads its status there (rules section 6).
 */
extern void cbr_qty_request_changed(TriggerData *htd, Relation rel, List *tids);

/* Resolve a config within the caller's SPI connection (plans not kept yet). */
extern void *cbr_qty_check_build(Relation rel, MemoryContext mcxt, SPIPlanPtr *plans, Oid *depends_on);
extern void *cbr_qty_guard_build(Relation rel, MemoryContext mcxt, SPIPlanPtr *plans, Oid *depends_on);

extern const Oid cbr_qty_types[4];		/* the accepted quantity types */
extern Oid	cbr_qty_ledger_owner(void);
extern Oid	cbr_qty_ledger_relid(void);
extern char *cbr_qty_rel_text(Oid relid);
pg_noreturn extern void cbr_qty_metadata_broken(Oid relid, const char *what);
extern AttrNumber cbr_qty_role_column(const CbrCheckMeta *meta, Oid checked, const char *role,
									  Relation rel, const Oid *typids, int ntypids);
extern QtyColumn *cbr_qty_check_columns(Oid declared, MemoryContext mcxt, int *n);
extern bool cbr_qty_values_visible(const QtyColumn *cols, int n);

/*
 * What the error of a verdict names (quantity_report.c), for the check and
 * the guard of one server and of a Citus shard alike.
 */
typedef struct CbrQtyErrorCtx
{
	Relation	rel;			/* the table written */
	HeapTuple	tuple;			/* its row */
	const char *line;			/* the line: "(a, b)=(1, 2)" of a return, "(1, 2)" of a declared row */
	Oid			declared;		/* a return's declared table */
	AttrNumber	quantity;		/* the quantity column of rel */
	AttrNumber	key;			/* a return's first key column */
	bool		values_visible; /* the role may read the declared and returned quantities */
} CbrQtyErrorCtx;

/* A verdict on a return, on a declared line, as its error (nothing for CBR_QTY_OK). */
extern void cbr_qty_raise_return(const CbrQtyErrorCtx *e, const CbrQtyVerdict *v);
extern void cbr_qty_raise_declared(const CbrQtyErrorCtx *e, bool is_delete, const CbrQtyVerdict *v);
extern SPIPlanPtr cbr_qty_prepare_as(Oid role, const char *sql, int nargs, Oid *argtypes);
extern Relation cbr_qty_open_declared(Oid declared, Oid checked);
extern void cbr_qty_declared_columns(const CbrCheckMeta *meta, Oid checked, Relation drel,
									 const Oid *keytypes, int nkeys, AttrNumber *keys,
									 AttrNumber *quantity);
extern int	cbr_qty_image_cmp(const bytea *a, const bytea *b);

#endif							/* CBRETURN_ENFORCE_QUANTITY_H */
