/*
 * test_pure.c
 *		Unit and property tests of the plain-C core, outside the server:
 *		identifier parsing and packing (R-ID-1..3), R-P-1 period arithmetic,
 *		remark codes (R-EX-2).  Prints TAP; run by test/checks/unit.sh.
 *
 * The period tests compare cbr_add_months against an independent calendar
 * built by stepping one day at a time, so the two share no formula.
 */
#include "rules/rules.h"

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

/* ---------------------------------------------------------------------
 * Independent calendar: day number (0 = 2000-01-01) <-> (y, m, d) for
 * 1900-01-01 .. 2300-12-31, built by counting days.
 * --------------------------------------------------------------------- */
#define CAL_FIRST_YEAR 1900
#define CAL_LAST_YEAR 2300
#define CAL_MAX_DAYS ((CAL_LAST_YEAR - CAL_FIRST_YEAR + 1) * 366)

typedef struct
{
	int			y, m, d;
} Ymd;

static Ymd	cal[CAL_MAX_DAYS];
static int	cal_days;
static int	cal_offset;			/* index of 2000-01-01 */

static int
naive_month_len(int y, int m)
{
	if (m == 2)
		return ((y % 4 == 0 && y % 100 != 0) || y % 400 == 0) ? 29 : 28;
	if (m == 4 || m == 6 || m == 9 || m == 11)
		return 30;
	return 31;
}

static void
build_calendar(void)
{
	Ymd			c = {CAL_FIRST_YEAR, 1, 1};

	cal_days = 0;
	while (c.y <= CAL_LAST_YEAR)
	{
		if (c.y == 2000 && c.m == 1 && c.d == 1)
			cal_offset = cal_days;
		cal[cal_days++] = c;
		if (++c.d > naive_month_len(c.y, c.m))
		{
			c.d = 1;
			if (++c.m > 12)
			{
				c.m = 1;
				c.y++;
			}
		}
	}
}

static int
cal_index(int y, int m, int d)
{
	/* binary search: cal is sorted */
	int			lo = 0,
				hi = cal_days - 1;

	while (lo <= hi)
	{
		int			mid = (lo + hi) / 2;
		Ymd			c = cal[mid];
		int			cmp = c.y != y ? c.y - y : c.m != m ? c.m - m : c.d - d;

		if (cmp == 0)
			return mid;
		if (cmp < 0)
			lo = mid + 1;
		else
			hi = mid - 1;
	}
	return -1;
}

static DateADT
ymd(int y, int m, int d)
{
	return (DateADT) (cal_index(y, m, d) - cal_offset);
}

static void
test_periods(void)
{
	static const int month_steps[] = {1, 6, 12, 24, -1, -6};
	long		mismatches = 0;
	long		checked = 0;
	int			i,
				k;
	DateADT		r;

	build_calendar();

	/* R-P-1 over every day 1900-2299 and several month counts */
	for (i = 0; i < cal_days; i++)
	{
		Ymd			c = cal[i];

		if (c.y >= CAL_LAST_YEAR - 2)
			break;
		for (k = 0; k < (int) lengthof(month_steps); k++)
		{
			int			mi = c.y * 12 + (c.m - 1) + month_steps[k];
			int			ty = mi / 12,
						tm = mi % 12 + 1;
			int			td = c.d > naive_month_len(ty, tm) ? naive_month_len(ty, tm) : c.d;

			if (ty < CAL_FIRST_YEAR)
				continue;
			checked++;
			if (!cbr_add_months((DateADT) (i - cal_offset), month_steps[k], &r) ||
				r != ymd(ty, tm, td))
				mismatches++;
		}
		checked++;
		if (!cbr_add_days((DateADT) (i - cal_offset), 45, &r) || r != (DateADT) (i - cal_offset + 45))
			mismatches++;
	}
	ok(checked > 800000 && mismatches == 0,
	   "add_months/add_days agree with a day-by-day calendar for every day 1900-2297");

	/* the examples of rules.md R-P-1 and the month ends the issues name */
	ok(cbr_add_months(ymd(2026, 8, 31), 6, &r) && r == ymd(2027, 2, 28), "2026-08-31 + 6 months = 2027-02-28");
	ok(cbr_add_months(ymd(2027, 8, 31), 6, &r) && r == ymd(2028, 2, 29), "2027-08-31 + 6 months = 2028-02-29 (leap)");
	ok(cbr_add_months(ymd(2028, 2, 29), 12, &r) && r == ymd(2029, 2, 28), "2028-02-29 + 1 year = 2029-02-28");
	ok(cbr_add_months(ymd(2026, 1, 31), 6, &r) && r == ymd(2026, 7, 31), "2026-01-31 + 6 months = 2026-07-31");
	ok(cbr_add_months(ymd(2025, 12, 31), 6, &r) && r == ymd(2026, 6, 30), "2025-12-31 + 6 months = 2026-06-30");
	ok(cbr_add_days(ymd(2026, 3, 1), CBR_IMPORT_APPLY_DAYS, &r) && r == ymd(2026, 3, 31), "2026-03-01 + 30 days = 2026-03-31");
	ok(cbr_add_days(ymd(2026, 3, 1), CBR_IMPORT_ARRIVAL_DAYS, &r) && r == ymd(2026, 4, 15), "2026-03-01 + 45 days = 2026-04-15");

	/* infinity and the edges of type date are refused, not wrapped */
	ok(!cbr_add_months(DATEVAL_NOEND, 6, &r), "infinity + 6 months is refused");
	ok(!cbr_add_months(DATEVAL_NOBEGIN, 6, &r), "-infinity + 6 months is refused");
	ok(!cbr_add_days(DATEVAL_NOEND, 30, &r), "infinity + 30 days is refused");
	ok(!cbr_add_days((DateADT) (DATE_END_JULIAN - POSTGRES_EPOCH_JDATE - 1), 30, &r),
	   "the last date + 30 days is out of range");
	ok(!cbr_add_months((DateADT) (DATE_END_JULIAN - POSTGRES_EPOCH_JDATE - 10), 12, &r),
	   "near the last date + 12 months is out of range");

	ok(cbr_export_window_months(CBR_REASON_UNSOLD) == 6 &&
	   cbr_export_window_months(CBR_REASON_CONSUMER_RETURN) == 6 &&
	   cbr_export_window_months(CBR_REASON_QUALITY_OR_SPEC) == 12,
	   "R-EX-1 windows: 6, 6 and 12 months");
}

/* --------------------------------------------------------------------- */

static void
test_remarks(void)
{
	static const struct
	{
		const char *text;
		int			reason;		/* -1: none */
	}			cases[] = {
		{"ZXTY", CBR_REASON_UNSOLD},
		{"THTY", CBR_REASON_CONSUMER_RETURN},
		{"PGTY", CBR_REASON_QUALITY_OR_SPEC},
		{"zxty unsold stock", CBR_REASON_UNSOLD},
		{"  THTY;order 123", CBR_REASON_CONSUMER_RETURN},
		{"\tpgty", CBR_REASON_QUALITY_OR_SPEC},
		{"\xE3\x80\x80ZXTY", CBR_REASON_UNSOLD},	/* ideographic space */
		{"ZXTY\xE9\x80\x80", CBR_REASON_UNSOLD},	/* followed by CJK text */
		{"ZXTYX", -1},			/* a longer word is not the code */
		{"ZXTY1", -1},
		{"ZXT", -1},
		{"", -1},
		{"note: ZXTY", -1},		/* not at the first position */
		{"TH TY", -1},
	};
	int			i;

	for (i = 0; i < (int) lengthof(cases); i++)
	{
		CbrReason	r;
		bool		found = cbr_reason_from_remarks(cases[i].text, (int) strlen(cases[i].text), &r);
		char		name[96];

		snprintf(name, sizeof(name), "remarks case %d gives %d", i, cases[i].reason);
		ok(cases[i].reason < 0 ? !found : (found && (int) r == cases[i].reason), name);
	}
	ok(strcmp(cbr_remark_code(CBR_REASON_UNSOLD), "ZXTY") == 0 &&
	   strcmp(cbr_remark_code(CBR_REASON_CONSUMER_RETURN), "THTY") == 0 &&
	   strcmp(cbr_remark_code(CBR_REASON_QUALITY_OR_SPEC), "PGTY") == 0,
	   "R-EX-2 codes ZXTY, THTY, PGTY");
}

/* --------------------------------------------------------------------- */

static void
test_identifiers(void)
{
	static const struct
	{
		const char *text;
		CbrParseStatus status;
		int			position;
	}			bad[] = {
		{"", CBR_PARSE_LENGTH, 0},
		{"29242020I43944028", CBR_PARSE_LENGTH, 0},
		{"29242020I4394402840", CBR_PARSE_LENGTH, 0},
		{"2X242020I439440284", CBR_PARSE_NOT_DIGIT, 2},
		{"2924202XI439440284", CBR_PARSE_NOT_DIGIT, 8},
		{"29242020I43944028X", CBR_PARSE_NOT_DIGIT, 18},
		{"29242020X439440284", CBR_PARSE_FLAG, 9},
		{"29241979I439440284", CBR_PARSE_YEAR_RANGE, 5},
		{"29242100I439440284", CBR_PARSE_YEAR_RANGE, 5},
		{"2924 2020-I-439440284", CBR_PARSE_HYPHEN, 5},
		{"  2X242020I439440284", CBR_PARSE_NOT_DIGIT, 4},
	};
	unsigned	seed = 12345;
	int			i;
	int			roundtrip_bad = 0;
	int			order_bad = 0;
	int64		prev = -1;
	char		prevtext[19] = "";

	for (i = 0; i < (int) lengthof(bad); i++)
	{
		int64		v;
		CbrParseError err;
		char		name[96];

		snprintf(name, sizeof(name), "bad literal \"%s\" is refused with status %d at %d",
				 bad[i].text, (int) bad[i].status, bad[i].position);
		ok(!cbr_parse_declaration_id(bad[i].text, &v, &err) &&
		   err.status == bad[i].status && err.position == bad[i].position, name);
	}

	{
		int64		a,
					b,
					c;
		CbrParseError err;

		ok(cbr_parse_declaration_id("29242020I439440284", &a, &err) &&
		   cbr_parse_declaration_id("2924-2020-i-439440284", &b, &err) &&
		   cbr_parse_declaration_id(" 29242020i439440284\n", &c, &err) &&
		   a == b && b == c, "canonical, print form, lower case and padded forms agree");
		ok(cbr_parse_declaration_id("00001980" "0" "000000000", &a, &err) &&
		   cbr_parse_declaration_id("99992099I999999999", &b, &err) && a >= 0 && b > a &&
		   cbr_declaration_id_valid(a) && cbr_declaration_id_valid(b),
		   "smallest and largest values pack, positive and ordered");
		ok(!cbr_declaration_id_valid(-1) && !cbr_declaration_id_valid(cbr_decl_pack(1, 1979, 0, 0)) &&
		   !cbr_declaration_id_valid(cbr_decl_pack(1, 2100, 0, 0)) &&
		   !cbr_declaration_id_valid(PG_INT64_MAX),
		   "receive-side validation refuses values that no literal produces");
	}

	/* Random round trips; integer order equals canonical text order. */
	for (i = 0; i < 200000; i++)
	{
		int			code,
					year,
					flag;
		int32		seq;
		int64		v,
					back;
		char		text[19];
		CbrParseError err;

		seed = seed * 1103515245u + 12345u;
		code = (int) ((seed >> 8) % 10000);
		seed = seed * 1103515245u + 12345u;
		year = CBR_YEAR_MIN + (int) ((seed >> 8) % (CBR_YEAR_MAX - CBR_YEAR_MIN + 1));
		flag = (int) ((seed >> 20) % 4);
		seed = seed * 1103515245u + 12345u;
		seq = (int32) ((seed >> 1) % 1000000000u);
		v = cbr_decl_pack(code, year, (CbrDeclFlag) flag, seq);
		cbr_format_declaration_id(v, text);
		if (!cbr_parse_declaration_id(text, &back, &err) || back != v ||
			cbr_decl_code(v) != code || cbr_decl_year(v) != year ||
			(int) cbr_decl_flag(v) != flag || cbr_decl_seq(v) != seq)
			roundtrip_bad++;
		if (prev >= 0 && ((v < prev) != (strcmp(text, prevtext) < 0)) && v != prev)
			order_bad++;
		prev = v;
		memcpy(prevtext, text, sizeof(text));
	}
	ok(roundtrip_bad == 0, "200000 random identifiers survive format and parse");
	ok(order_bad == 0, "integer order equals canonical text order on 200000 random pairs");

	{
		int16		c;
		char		buf[5];
		CbrParseError err;

		ok(cbr_parse_code4("0000", &c, &err) && c == 0, "customs code 0000 (GACC)");
		ok(cbr_parse_code4(" 9610 ", &c, &err) && c == 9610, "supervision code 9610 with spaces");
		cbr_format_code4(110, buf);
		ok(strcmp(buf, "0110") == 0, "0110 keeps its leading zero");
		ok(!cbr_parse_code4("961", &c, &err) && err.status == CBR_PARSE_LENGTH, "3 digits refused");
		ok(!cbr_parse_code4("96a0", &c, &err) && err.status == CBR_PARSE_NOT_DIGIT &&
		   err.position == 3, "non-digit at 3 refused");
	}
}

int
main(void)
{
	test_identifiers();
	test_remarks();
	test_periods();
	printf("1..%d\n", test_no);
	return failures == 0 ? 0 : 1;
}
