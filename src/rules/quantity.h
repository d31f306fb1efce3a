/*
 * quantity.h
 *		R-EX-3 and R-IM-2 as plain C: over all returns of one declared line,
 *		the returned quantity never exceeds the declared quantity.
 *
 * The one place where the quantity rule is decided.  The functions take
 * plain values, raise nothing and allocate nothing; the quantity check and
 * the declared-line guard (src/enforce/quantity.c) turn a verdict into an
 * error, and test/unit/test_quantity.c tests them outside the server.
 *
 * A quantity is an exact decimal: value * 10^-scale (smallint, integer,
 * bigint and numeric columns all fit, up to 18 significant digits).
 */
#ifndef CBRETURN_RULES_QUANTITY_H
#define CBRETURN_RULES_QUANTITY_H

#include "c.h"

#define CBR_QTY_MAX_SCALE	18
/* room for "-9223372036854775808" with a decimal point and a NUL */
#define CBR_QTY_TEXT_LEN	24

typedef struct CbrQty
{
	int64		value;
	int16		scale;			/* digits after the decimal point, 0..18 */
} CbrQty;

typedef enum CbrQtyOutcome
{
	CBR_QTY_OK = 0,
	CBR_QTY_NEGATIVE,			/* a return of less than zero */
	CBR_QTY_NO_LINE,			/* the return names no declared line (R-EX-3) */
	CBR_QTY_EXCEEDED,			/* returned would exceed declared (R-EX-3, R-IM-2) */
	CBR_QTY_BELOW_RETURNED,		/* declared lowered below what was returned */
	CBR_QTY_LINE_HAS_RETURNS,	/* a line with returns deleted or re-keyed */
	CBR_QTY_OUT_OF_RANGE		/* the values do not fit: cannot decide */
} CbrQtyOutcome;

/* A verdict and the values it was reached with (for the message). */
typedef struct CbrQtyVerdict
{
	CbrQtyOutcome outcome;
	CbrQty		row;			/* the quantity of the row being written */
	CbrQty		before;			/* returned on the line by its other returns */
	CbrQty		total;			/* returned on the line with this row */
	CbrQty		declared;		/* declared quantity of the line */
	CbrQty		room;			/* what this row may return (never < 0) */
	bool		row_was_counted;	/* an UPDATE of a row the line already counted */
} CbrQtyVerdict;

/*
 * Parse the text of an exact decimal ("12", "-3.50"), as numeric_out and
 * the integer output functions write it.  False for NaN, infinities, more
 * than 18 digits after the point, or a value outside int64 once scaled.
 */
extern bool cbr_qty_parse(const char *text, CbrQty *result);

/* Write q into buf (CBR_QTY_TEXT_LEN bytes), with its scale's digits. */
extern void cbr_qty_format(CbrQty q, char *buf);

/* -1, 0, 1 as a < b, a = b, a > b; false when they cannot be aligned. */
extern bool cbr_qty_cmp(CbrQty a, CbrQty b, int *result);

/* *result = a - b; false on overflow. */
extern bool cbr_qty_sub(CbrQty a, CbrQty b, CbrQty *result);

/*
 * A return being written (R-EX-3, R-IM-2).  row: its quantity; total: what
 * the line's counter holds with it counted (the ledger, after adding
 * delta = what this write adds to the line); has_line: whether the
 * declared line exists; declared: its quantity.  Checks, in order: the row
 * is not negative, the line exists (whatever the quantity, zero included),
 * the total does not exceed the declared quantity when this write makes it
 * grow.
 */
extern void cbr_quantity_decide(CbrQty row, CbrQty delta, CbrQty total, bool has_line,
								CbrQty declared, CbrQtyVerdict *verdict);

/*
 * A declared line being changed (the guard).  returned, return_rows: what
 * the counter of the line holds (quantity, and how many return rows name
 * the line, zero-quantity ones included); gone: the line is deleted or its
 * key changes, which is refused while any return names it (as a foreign
 * key would); new_declared: its new quantity otherwise, which may not drop
 * below what was returned.
 */
extern void cbr_quantity_decide_declared(CbrQty returned, int64 return_rows, bool gone,
										 CbrQty new_declared, CbrQtyVerdict *verdict);

#endif							/* CBRETURN_RULES_QUANTITY_H */
