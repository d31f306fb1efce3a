/*
 * quantity.c
 *		R-EX-3 and R-IM-2 decided in one place, over exact decimals
 *		(see quantity.h).  Raises nothing, allocates nothing.
 *
 * R-EX-3 (GACC Announcement 2020 No. 44): goods of one export declaration
 * may be returned in several batches, but never more than was declared on
 * the line; R-IM-2 applies the same limit to import returns.
 */
#include "rules/quantity.h"

#include "common/int.h"

static const int64 pow10_tab[CBR_QTY_MAX_SCALE + 1] = {
	INT64CONST(1), INT64CONST(10), INT64CONST(100), INT64CONST(1000),
	INT64CONST(10000), INT64CONST(100000), INT64CONST(1000000),
	INT64CONST(10000000), INT64CONST(100000000), INT64CONST(1000000000),
	INT64CONST(10000000000), INT64CONST(100000000000),
	INT64CONST(1000000000000), INT64CONST(10000000000000),
	INT64CONST(100000000000000), INT64CONST(1000000000000000),
	INT64CONST(10000000000000000), INT64CONST(100000000000000000),
	INT64CONST(1000000000000000000)
};

bool
cbr_qty_parse(const char *text, CbrQty *result)
{
	const char *p = text;
	bool		neg = false;
	bool		digits = false;
	bool		point = false;
	int64		v = 0;
	int			scale = 0;

	if (text == NULL)
		return false;
	if (*p == '-' || *p == '+')
		neg = (*p++ == '-');
	for (; *p; p++)
	{
		if (*p == '.' && !point)
		{
			point = true;
			continue;
		}
		if (*p < '0' || *p > '9')
			return false;
		/* accumulate negatively so that INT64_MIN parses */
		if (pg_mul_s64_overflow(v, 10, &v) || pg_sub_s64_overflow(v, *p - '0', &v))
			return false;
		digits = true;
		if (point && ++scale > CBR_QTY_MAX_SCALE)
			return false;
	}
	if (!digits)
		return false;
	if (!neg)
	{
		if (v == PG_INT64_MIN)
			return false;
		v = -v;
	}
	result->value = v;
	result->scale = (int16) scale;
	return true;
}

void
cbr_qty_format(CbrQty q, char *buf)
{
	char		digits[CBR_QTY_TEXT_LEN];
	uint64		u = q.value < 0 ? (uint64) 0 - (uint64) q.value : (uint64) q.value;
	int			n = 0;
	int			o = 0;
	int			i;

	do
	{
		digits[n++] = (char) ('0' + u % 10);
		u /= 10;
	} while (u > 0);
	while (n <= q.scale)
		digits[n++] = '0';		/* 0.05: leading zeros */
	if (q.value < 0)
		buf[o++] = '-';
	for (i = n - 1; i >= 0; i--)
	{
		buf[o++] = digits[i];
		if (i == q.scale && i > 0)
			buf[o++] = '.';
	}
	buf[o] = '\0';
}

/* a and b at one scale (the larger); false when that overflows */
static bool
align(CbrQty *a, CbrQty *b)
{
	CbrQty	   *lo = a->scale < b->scale ? a : b;
	CbrQty	   *hi = a->scale < b->scale ? b : a;

	if (lo->scale == hi->scale)
		return true;
	if (pg_mul_s64_overflow(lo->value, pow10_tab[hi->scale - lo->scale], &lo->value))
		return false;
	lo->scale = hi->scale;
	return true;
}

bool
cbr_qty_cmp(CbrQty a, CbrQty b, int *result)
{
	if (!align(&a, &b))
		return false;
	*result = a.value < b.value ? -1 : (a.value > b.value ? 1 : 0);
	return true;
}

bool
cbr_qty_sub(CbrQty a, CbrQty b, CbrQty *result)
{
	if (!align(&a, &b) || pg_sub_s64_overflow(a.value, b.value, &result->value))
		return false;
	result->scale = a.scale;
	return true;
}

static const CbrQty qty_zero = {0, 0};

void
cbr_quantity_decide(CbrQty row, CbrQty delta, CbrQty total, bool has_line,
					CbrQty declared, CbrQtyVerdict *verdict)
{
	int			c;

	memset(verdict, 0, sizeof(*verdict));
	verdict->row = row;
	verdict->total = total;
	verdict->declared = declared;
	/* a negative return first: no arithmetic on it can overflow before it is refused */
	if (row.value < 0)
	{
		verdict->outcome = CBR_QTY_NEGATIVE;
		return;
	}
	/*
	 * What the line's other returns hold: the total less this row's new
	 * quantity (for an INSERT that is the total before it; for an UPDATE of
	 * a row the line counted, its old quantity is not among them).
	 */
	if (!cbr_qty_sub(total, row, &verdict->before) || !cbr_qty_cmp(delta, row, &c))
	{
		verdict->outcome = CBR_QTY_OUT_OF_RANGE;
		return;
	}
	verdict->row_was_counted = c != 0;
	/* R-EX-3: a return names a declared line, whatever its quantity */
	if (!has_line)
	{
		verdict->outcome = CBR_QTY_NO_LINE;
		return;
	}
	if (!cbr_qty_sub(declared, verdict->before, &verdict->room) ||
		!cbr_qty_cmp(verdict->room, qty_zero, &c))
	{
		verdict->outcome = CBR_QTY_OUT_OF_RANGE;
		return;
	}
	if (c < 0)
		verdict->room = qty_zero;
	/* a write that does not make the line grow cannot break the limit */
	if (!cbr_qty_cmp(delta, qty_zero, &c))
	{
		verdict->outcome = CBR_QTY_OUT_OF_RANGE;
		return;
	}
	if (c <= 0)
	{
		verdict->outcome = CBR_QTY_OK;
		return;
	}
	if (!cbr_qty_cmp(total, declared, &c))
	{
		verdict->outcome = CBR_QTY_OUT_OF_RANGE;
		return;
	}
	verdict->outcome = c > 0 ? CBR_QTY_EXCEEDED : CBR_QTY_OK;
}

void
cbr_quantity_decide_declared(CbrQty returned, int64 return_rows, bool gone,
							 CbrQty new_declared, CbrQtyVerdict *verdict)
{
	int			c;

	memset(verdict, 0, sizeof(*verdict));
	verdict->total = returned;
	verdict->before = returned;
	verdict->declared = new_declared;
	if (!cbr_qty_cmp(returned, qty_zero, &c))
	{
		verdict->outcome = CBR_QTY_OUT_OF_RANGE;
		return;
	}
	if (gone)
	{
		verdict->outcome = (c != 0 || return_rows != 0) ? CBR_QTY_LINE_HAS_RETURNS : CBR_QTY_OK;
		return;
	}
	if (!cbr_qty_cmp(new_declared, returned, &c))
	{
		verdict->outcome = CBR_QTY_OUT_OF_RANGE;
		return;
	}
	verdict->outcome = c < 0 ? CBR_QTY_BELOW_RETURNED : CBR_QTY_OK;
}
