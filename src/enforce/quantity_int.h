/*
 * quantity_int.h
 *		What quantity.c and quantity_request.c share: the cached config of
 *		a quantity check, one side of a write, and the steps of a write
 *		(the request header's status, rules section 6, is quantity_request.c).
 */
#ifndef CBRETURN_ENFORCE_QUANTITY_INT_H
#define CBRETURN_ENFORCE_QUANTITY_INT_H

#include "enforce/quantity.h"
#include "enforce/header.h"

/* What the quantity trigger of one returns table (or partition) needs. */
typedef struct QuantityCache
{
	int			nkeys;
	AttrNumber	key[CBR_MAX_KEYS];		/* in the table the trigger fires on */
	Oid			keytype[CBR_MAX_KEYS];
	char	   *keyname[CBR_MAX_KEYS];
	AttrNumber	quantity;
	Oid			quantity_type;
	CbrDeclared declared;
	Oid			ledger_owner;
	CbrLedgerRow ledger;		/* the ledger row changed in place (quantity_ledger_row.c) */
	int			ncolumns;
	QtyColumn  *columns;		/* every column of every check on the declared table */
	AttrNumber	status;			/* rules section 6: the status column, or 0 */
	CbrHeaderUse *request;		/* or the request header's status, or NULL */
	TriggerData *trigdata;		/* the current call's (request lookups) */
	Oid			request_relid;	/* the request header table, or InvalidOid */
	int			status_override;	/* the guard's recount: 1 freed, 2 held, 0 read */
	TriggerData *request_change;	/* the guard's recount: its call on the header */
	FmgrInfo	status_out;
	int			nfreeing;
	char	  **freeing;		/* labels of rejected and withdrawn returns */
	SPIPlanPtr	update_plan;	/* ledger += delta, returning the total */
	SPIPlanPtr	upsert_plan;	/* the same, for a line's first return */
} QuantityCache;

/* One side of a write: the row before (old) or after (new). */
typedef struct QtySide
{
	HeapTuple	tuple;
	bool		counted;		/* every key column is set */
	Datum		keys[CBR_MAX_KEYS];
	CbrQty		stored;			/* the quantity column; NULL counts as 0 */
	CbrQty		qty;			/* what it holds: 0 when rejected or withdrawn */
	CbrLine		line;			/* the declared line, once found */
} QtySide;

/* One write of a return being counted: what its sides share. */
typedef struct QtyWrite
{
	QuantityCache *c;
	Relation	rel;
	bool		connected;		/* SPI_connect done */
	Snapshot	snap;			/* the lines and the ledger are read under it */
} QtyWrite;

extern void cbr_qty_side_of(QuantityCache *c, Relation rel, HeapTuple tuple, QtySide *s);
extern bool cbr_qty_write_find(QtyWrite *w, const Datum *keys, CbrLine *line, bool latest);
extern void cbr_qty_apply_delta(QtyWrite *w, QtySide *s, CbrQty delta, int64 rows);
extern void cbr_qty_write_begin(QtyWrite *w);
extern void cbr_qty_write_end(QtyWrite *w);
extern void cbr_qty_name_line(QtyWrite *w, QtySide *s, bool is_new);
pg_noreturn extern void cbr_qty_ledger_broken(QuantityCache *c, Relation rel, const QtySide *s);
extern bool cbr_qty_label_freeing(QuantityCache *c, Datum d, bool isnull);
extern void cbr_qty_report_return(QuantityCache *c, Relation rel, const QtySide *s, const CbrQtyVerdict *v);

/* quantity_request.c */
extern bool cbr_qty_load_request(QuantityCache *c, const CbrCheckMeta *meta, Relation rel, Oid registered,
								 MemoryContext mcxt, Oid *request);
pg_noreturn extern void cbr_qty_report_request(QuantityCache *c, Relation rel, const CbrQtyVerdict *v);

#endif							/* CBRETURN_ENFORCE_QUANTITY_INT_H */
