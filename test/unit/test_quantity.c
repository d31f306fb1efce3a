/*
 * test_quantity.c
 *		Unit and property tests of the quantity decision (R-EX-3, R-IM-2;
 *		src/rules/quantity.c), outside the server.  Prints TAP; run by
 *		test/checks/unit.sh.
 *
 * The property test compares the decision with an independent model in
 * plain integers at one scale.
 */
#include "rules/quantity.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static int	test_no = 0;
static int	failures = 0;

static void
ok(bool cond, const char *name)
{
	test_no++;
	if (!cond)
		failures++;
	printf("%s %d - %s\n", cond ? "ok" : "not ok", test_no, name);
}

static CbrQty
q(const char *text)
{
	CbrQty		r;

	if (!cbr_qty_parse(text, &r))
	{
		printf("Bail out! cannot parse \"%s\"\n", text);
		exit(1);
	}
	return r;
}

static bool
round_trip(const char *text)
{
	char		buf[CBR_QTY_TEXT_LEN];

	cbr_qty_format(q(text), buf);
	return strcmp(buf, text) == 0;
}

static void
test_parse_format(void)
{
	CbrQty		r;

	ok(round_trip("0"), "format 0");
	ok(round_trip("12"), "format 12");
	ok(round_trip("-3.50"), "format -3.50 keeps its scale");
	ok(round_trip("0.05"), "format 0.05");
	ok(round_trip("-0.005"), "format -0.005");
	ok(round_trip("9223372036854775807"), "format int64 max");
	ok(round_trip("-9223372036854775808"), "format int64 min");
	ok(!cbr_qty_parse("9223372036854775808", &r), "int64 max + 1 refused");
	ok(!cbr_qty_parse("NaN", &r), "NaN refused");
	ok(!cbr_qty_parse("Infinity", &r), "Infinity refused");
	ok(!cbr_qty_parse("", &r) && !cbr_qty_parse("-", &r) && !cbr_qty_parse(".", &r), "empty refused");
	ok(!cbr_qty_parse("1.2.3", &r), "two points refused");
	ok(!cbr_qty_parse("0.0000000000000000001", &r), "19 digits after the point refused");
	ok(cbr_qty_parse("+7", &r) && r.value == 7 && r.scale == 0, "leading plus");
}

static void
test_compare(void)
{
	int			c = 9;
	CbrQty		d;

	ok(cbr_qty_cmp(q("1"), q("1.00"), &c) && c == 0, "1 = 1.00");
	ok(cbr_qty_cmp(q("2.5"), q("2"), &c) && c == 1, "2.5 > 2");
	ok(cbr_qty_cmp(q("-1"), q("0.001"), &c) && c == -1, "-1 < 0.001");
	ok(!cbr_qty_cmp(q("9223372036854775807"), q("0.1"), &c), "cannot align: refused, not wrapped");
	ok(cbr_qty_sub(q("2.5"), q("2"), &d) && d.value == 5 && d.scale == 1, "2.5 - 2 = 0.5");
	ok(!cbr_qty_sub(q("-9223372036854775808"), q("1"), &d), "subtraction overflow detected");
}

static void
test_decide(void)
{
	CbrQtyVerdict v;
	char		buf[CBR_QTY_TEXT_LEN];

	/* 10 declared, 4 before, this row 6: exactly full */
	cbr_quantity_decide(q("6"), q("6"), q("10"), true, q("10.000"), &v);
	ok(v.outcome == CBR_QTY_OK, "fills the line exactly");
	cbr_quantity_decide(q("7"), q("7"), q("11"), true, q("10.000"), &v);
	ok(v.outcome == CBR_QTY_EXCEEDED, "one more is refused");
	cbr_qty_format(v.before, buf);
	ok(strcmp(buf, "4") == 0, "verdict: 4 returned before");
	cbr_qty_format(v.room, buf);
	ok(strcmp(buf, "6.000") == 0, "verdict: 6.000 left");
	ok(!v.row_was_counted, "an INSERT: the row was not counted before");
	/* an UPDATE of a counted row from 1 to 9, the line's other returns 2, 10 declared */
	cbr_quantity_decide(q("9"), q("8"), q("11"), true, q("10"), &v);
	ok(v.outcome == CBR_QTY_EXCEEDED && v.row_was_counted, "an UPDATE past the line is refused");
	cbr_qty_format(v.before, buf);
	ok(strcmp(buf, "2") == 0, "verdict: the other returns hold 2 (not 3, this row's old 1 with them)");
	cbr_qty_format(v.room, buf);
	ok(strcmp(buf, "8") == 0, "verdict: this row may hold 8");
	/* 2 of 2.5, then 1 more */
	cbr_quantity_decide(q("1"), q("1"), q("3"), true, q("2.5"), &v);
	ok(v.outcome == CBR_QTY_EXCEEDED, "fractional declared quantity: 3 of 2.5 refused");
	cbr_quantity_decide(q("0"), q("0"), q("0"), false, q("0"), &v);
	ok(v.outcome == CBR_QTY_NO_LINE, "a zero return naming no line is refused (item 9)");
	cbr_quantity_decide(q("-1"), q("-1"), q("0"), true, q("5"), &v);
	ok(v.outcome == CBR_QTY_NEGATIVE, "a negative return is refused");
	cbr_quantity_decide((CbrQty) {PG_INT64_MIN, 0}, (CbrQty) {0, 0}, (CbrQty) {0, 0}, true, (CbrQty) {0, 0}, &v);
	ok(v.outcome == CBR_QTY_NEGATIVE, "the smallest bigint is a negative return, not an overflow");
	/* a shrinking write on an over-full line (declared lowered by hand) passes */
	cbr_quantity_decide(q("1"), q("-2"), q("12"), true, q("10"), &v);
	ok(v.outcome == CBR_QTY_OK, "a write that frees quantity passes");
	cbr_qty_format(v.room, buf);
	ok(strcmp(buf, "0") == 0, "room never negative");
	cbr_quantity_decide(q("1"), q("1"), q("9223372036854775807"), true, q("0.5"), &v);
	ok(v.outcome == CBR_QTY_OUT_OF_RANGE, "values that cannot be compared: out of range, not passed");

	cbr_quantity_decide_declared(q("7"), 2, false, q("6.99"), &v);
	ok(v.outcome == CBR_QTY_BELOW_RETURNED, "guard: below what was returned");
	cbr_quantity_decide_declared(q("7"), 2, false, q("7.0"), &v);
	ok(v.outcome == CBR_QTY_OK, "guard: down to what was returned");
	cbr_quantity_decide_declared(q("0.001"), 1, true, q("0"), &v);
	ok(v.outcome == CBR_QTY_LINE_HAS_RETURNS, "guard: a line with returns cannot go");
	cbr_quantity_decide_declared(q("0"), 1, true, q("0"), &v);
	ok(v.outcome == CBR_QTY_LINE_HAS_RETURNS, "guard: a line named by a zero return cannot go (item 9)");
	cbr_quantity_decide_declared(q("0"), 0, true, q("0"), &v);
	ok(v.outcome == CBR_QTY_OK, "guard: a line without returns may go");
}

/* Property: against an exact model over small decimals. */
static void
test_model(void)
{
	int			i;
	int			bad = 0;
	unsigned	seed = 12345;

	for (i = 0; i < 200000; i++)
	{
		int			s1,
					s2,
					s3;
		long		before,
					row,
					decl;
		CbrQty		qr,
					qd,
					qt;
		CbrQtyVerdict v;
		long		mb,
					mr,
					md;
		static const long p10[4] = {1, 10, 100, 1000};
		CbrQtyOutcome expect;

		seed = seed * 1103515245 + 12345;
		s1 = (seed >> 8) % 4;
		s2 = (seed >> 12) % 4;
		s3 = (seed >> 16) % 4;
		seed = seed * 1103515245 + 12345;
		before = (seed >> 4) % 2000;
		seed = seed * 1103515245 + 12345;
		row = (long) ((seed >> 4) % 2000) - 100;
		seed = seed * 1103515245 + 12345;
		decl = (seed >> 4) % 4000;
		qr.value = row;
		qr.scale = s2;
		qd.value = decl;
		qd.scale = s3;
		/* the model: every value at scale 3, in plain integers */
		mb = before * p10[3 - s1];
		mr = row * p10[3 - s2];
		md = decl * p10[3 - s3];
		qt.value = mb + mr;
		qt.scale = 3;
		if (mr < 0)
			expect = CBR_QTY_NEGATIVE;
		else if (mr > 0 && mb + mr > md)
			expect = CBR_QTY_EXCEEDED;
		else
			expect = CBR_QTY_OK;
		cbr_quantity_decide(qr, qr, qt, true, qd, &v);
		if (v.outcome != expect)
			bad++;
	}
	ok(bad == 0, "decision agrees with an exact model on 200000 random cases");
}

int
main(void)
{
	test_parse_format();
	test_compare();
	test_decide();
	test_model();
	printf("1..%d\n", test_no);
	return failures > 0;
}
