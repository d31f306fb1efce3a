/*
 * test_pure.c
 *		Unit and property tests of the plain-C core, outside the server:
 *		identifier parsing and packing (R-ID-1..3), R-P-1 period arithmetic,
 *		remark codes (R-EX-2), and the decision layer (src/rules/): R-P-2,
 *		R-EX-1/2/5, R-IM-1, R-TX, status.  Prints TAP; run by
 *		test/checks/unit.sh.
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

/* Any date: the calendar repeats every 400 years (146097 days). */
static DateADT
ymd_any(int y, int m, int d)
{
	int			shift = 0;

	while (y < CAL_FIRST_YEAR)
		y += 400, shift -= 146097;
	while (y > CAL_LAST_YEAR)
		y -= 400, shift += 146097;
	return ymd(y, m, d) + shift;
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

	/* around the edges of the month table (1900-01 .. 2299-12) and outside it */
	ok(cbr_add_months(ymd_any(1900, 1, 1), 0, &r) && r == ymd_any(1900, 1, 1), "1900-01-01 + 0 months = 1900-01-01");
	ok(cbr_add_months(ymd_any(1900, 1, 31), -1, &r) && r == ymd_any(1899, 12, 31), "1900-01-31 - 1 month = 1899-12-31");
	ok(cbr_add_months(ymd_any(1899, 12, 31), 2, &r) && r == ymd_any(1900, 2, 28), "1899-12-31 + 2 months = 1900-02-28 (1900 not leap)");
	ok(cbr_add_months(ymd_any(2299, 8, 31), 6, &r) && r == ymd_any(2300, 2, 28), "2299-08-31 + 6 months = 2300-02-28 (2300 not leap)");
	ok(cbr_add_months(ymd_any(2299, 12, 31), 1, &r) && r == ymd_any(2300, 1, 31), "2299-12-31 + 1 month = 2300-01-31");
	ok(cbr_add_months(ymd_any(2299, 11, 30), 1, &r) && r == ymd_any(2299, 12, 30), "2299-11-30 + 1 month = 2299-12-30 (last table month)");
	ok(cbr_add_months(ymd_any(2024, 2, 29), 12 * 276, &r) && r == ymd_any(2300, 2, 28), "2024-02-29 + 276 years = 2300-02-28");
	ok(cbr_add_months(ymd_any(2000, 2, 29), 12 * 400, &r) && r == ymd_any(2400, 2, 29), "2000-02-29 + 400 years = 2400-02-29 (leap)");
	ok(cbr_add_months(ymd_any(2000, 3, 31), -12 * 400 - 1, &r) && r == ymd_any(1600, 2, 29), "2000-03-31 - 4801 months = 1600-02-29 (leap)");

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

/* Codes in full-width letters: not codes, but recognised for a hint. */
static void
test_remarks_fullwidth(void)
{
	static const struct
	{
		const char *text;
		int			reason;		/* -1: none */
	}			cases[] = {
		{"\xEF\xBC\xBA\xEF\xBC\xB8\xEF\xBC\xB4\xEF\xBC\xB9", CBR_REASON_UNSOLD},	/* ＺＸＴＹ */
		{"\xEF\xBD\x90\xEF\xBD\x87\xEF\xBD\x94\xEF\xBD\x99 note", CBR_REASON_QUALITY_OR_SPEC},	/* ｐｇｔｙ */
		{"\xE3\x80\x80TH\xEF\xBC\xB4\xEF\xBC\xB9", CBR_REASON_CONSUMER_RETURN},	/* U+3000, THＴＹ */
		{"ZXTY", -1},			/* half-width: a code, not this case */
		{"\xEF\xBC\xBA\xEF\xBC\xB8\xEF\xBC\xB4\xEF\xBC\xB9\xEF\xBC\x91", -1},	/* ＺＸＴＹ１ */
		{"\xEF\xBC\xBA\xEF\xBC\xB8\xEF\xBC\xB4", -1},	/* ＺＸＴ */
		{"\xEF\xBC\xA1\xEF\xBC\xA2\xEF\xBC\xA3\xEF\xBC\xA4", -1},	/* ＡＢＣＤ */
		{"", -1},
	};
	int			i;

	for (i = 0; i < (int) lengthof(cases); i++)
	{
		CbrReason	r;
		bool		found = cbr_remarks_fullwidth_code(cases[i].text, (int) strlen(cases[i].text), &r);
		char		name[96];

		snprintf(name, sizeof(name), "full-width remarks case %d gives %d", i, cases[i].reason);
		ok(cases[i].reason < 0 ? !found : (found && (int) r == cases[i].reason), name);
	}
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


/* ---------------------------------------------------------------------
 * The decision layer, over a policy snapshot built here
 * --------------------------------------------------------------------- */
static CbrHoliday test_holidays[400];
static int16 test_codes[4] = {1210, 9610, 9710, 9810};
static CbrTaxPeriod test_period;

static void
test_policy(CbrPolicy *p)
{
	memset(p, 0, sizeof(*p));
	p->weekends_rest = true;
	p->district_known[29] = p->district_known[22] = p->district_known[51] = true;
	p->district_pilot[29] = p->district_pilot[22] = true;
	p->district_pilot_from[29] = ymd(2024, 12, 15);
	p->district_pilot_from[22] = ymd(2025, 6, 1);
	p->earliest_pilot_from = ymd(2024, 12, 15);
	p->nationwide_from = ymd(2026, 4, 1);
	p->pilot_both_districts = true;
	p->code_known[9610] = p->code_known[1210] = p->code_known[9710] = p->code_known[110] = true;
	test_period.announcement = "MoF/GACC/STA 2026 No. 16";
	test_period.declared_from = ymd(2026, 1, 1);
	test_period.declared_to = ymd(2027, 12, 31);
	test_period.months = 6;
	test_period.ncodes = 4;
	test_period.codes = test_codes;
	p->ntax_periods = 1;
	p->tax_periods = &test_period;
	p->holidays = test_holidays;
}

/* List the weekdays of [from, to] as holidays (sorted, appended). */
static void
add_closure(CbrPolicy *p, DateADT from, DateADT to)
{
	DateADT		d;

	for (d = from; d <= to; d++)
	{
		test_holidays[p->nholidays].day = d;
		test_holidays[p->nholidays].working_day = false;
		p->nholidays++;
	}
}

static void
test_calendar(void)
{
	CbrPolicy	p;
	DateADT		r;
	int			bad = 0;
	int			i;
	unsigned	seed = 777;

	test_policy(&p);
	ok(cbr_is_rest_day(&p, ymd(2000, 1, 1)) && !cbr_is_rest_day(&p, ymd(2026, 12, 3)) &&
	   cbr_is_rest_day(&p, ymd(2026, 12, 6)), "R-P-2: Saturday 2000-01-01 and Sunday 2026-12-06 rest, Thursday works");

	/* issue 9 item 14: two weeks of weekday closures joined by a weekend */
	add_closure(&p, ymd(2030, 1, 7), ymd(2030, 1, 11));
	add_closure(&p, ymd(2030, 1, 14), ymd(2030, 1, 18));
	ok(cbr_next_working_day(&p, ymd(2030, 1, 7), &r) && r == ymd(2030, 1, 21),
	   "R-P-2: a run of closures longer than the list (10 listed, 14 rest days) ends on Monday 2030-01-21");
	test_holidays[p.nholidays].day = ymd(2030, 1, 26);	/* a make-up working Saturday */
	test_holidays[p.nholidays].working_day = true;
	p.nholidays++;
	ok(cbr_next_working_day(&p, ymd(2030, 1, 26), &r) && r == ymd(2030, 1, 26),
	   "R-P-2: a make-up working Saturday is a working day");
	ok(!cbr_next_working_day(&p, DATEVAL_NOEND, &r), "R-P-2: no working day after infinity");

	/* property: the answer is a working day and every day before it is a rest day */
	for (i = 0; i < 20000; i++)
	{
		DateADT		d;
		DateADT		k;

		seed = seed * 1103515245u + 12345u;
		d = ymd(2029, 12, 1) + (int) ((seed >> 8) % 90);
		if (!cbr_next_working_day(&p, d, &r) || cbr_is_rest_day(&p, r) || r < d)
			bad++;
		for (k = d; k < r; k++)
			if (!cbr_is_rest_day(&p, k))
				bad++;
	}
	ok(bad == 0, "R-P-2: 20000 random days reach the first working day after a run of rest days");
}

static void
test_export_rules(void)
{
	CbrPolicy	p;
	CbrWindowVerdict w;
	CbrCrossVerdict x;
	CbrExportRow row;
	CbrExportVerdict v;
	int			disagree = 0;
	int			i;
	unsigned	seed = 4242;

	test_policy(&p);
	ok(cbr_decide_export_window(ymd(2026, 8, 31), CBR_REASON_UNSOLD, true, ymd(2027, 2, 28), &w) == CBR_PASS &&
	   w.deadline == ymd(2027, 2, 28) && w.length == 6, "R-EX-1: 2026-08-31 + 6 months = 2027-02-28, the day itself on time");
	ok(cbr_decide_export_window(ymd(2026, 8, 31), CBR_REASON_UNSOLD, true, ymd(2027, 3, 1), &w) == CBR_FAIL_WINDOW &&
	   w.bad == CBR_DATE_RETURNED, "R-EX-1: the day after is late (CB001)");
	ok(cbr_decide_export_window(ymd(2026, 3, 1), CBR_REASON_UNSOLD, true, ymd(2026, 2, 28), &w) == CBR_BAD_ORDER &&
	   w.other == CBR_DATE_EXPORTED, "R-EX-1: a return before the export is bad input (22023)");
	ok(cbr_decide_export_window(DATEVAL_NOBEGIN, CBR_REASON_QUALITY_OR_SPEC, false, 0, &w) == CBR_BAD_INFINITE,
	   "R-EX-1: an infinite export date is bad input (22008)");

	ok(cbr_decide_cross_customs(&p, 110, 2924, 2901, ymd(2020, 1, 1), &x) == CBR_PASS && x.same_district,
	   "R-EX-5: same district, any code, any day");
	ok(cbr_decide_cross_customs(&p, 1210, 2924, 2201, ymd(2027, 1, 1), &x) == CBR_FAIL_CROSS_CODE,
	   "R-EX-5: only 9610 crosses districts");
	ok(cbr_decide_cross_customs(&p, 9610, 5101, 2924, ymd(2026, 4, 1), &x) == CBR_PASS && x.nationwide,
	   "R-EX-5: anywhere on the nationwide date");
	ok(cbr_decide_cross_customs(&p, 9610, 2201, 2924, ymd(2025, 6, 1), &x) == CBR_PASS,
	   "R-EX-5: both districts in the pilot on the day");
	ok(cbr_decide_cross_customs(&p, 9610, 2201, 2924, ymd(2025, 5, 31), &x) == CBR_FAIL_CROSS_DATE &&
	   x.return_pilot && !x.export_pilot, "R-EX-5: the export district not yet in the pilot");
	ok(cbr_decide_cross_customs(&p, 9610, 4201, 2924, ymd(2025, 6, 1), &x) == CBR_BAD_DISTRICT &&
	   !x.bad_is_return_office, "R-EX-5: an unknown district is bad input (CB007)");

	/* property: the row decision agrees with the window decision it is built on */
	memset(&row, 0, sizeof(row));
	row.reason_attached = row.remarks_attached = true;
	row.has_exported = row.has_returned = true;
	row.reason_state = CBR_VALUE_OK;
	for (i = 0; i < 50000; i++)
	{
		CbrOutcome	a;
		CbrOutcome	b;

		seed = seed * 1103515245u + 12345u;
		row.exported = ymd(2024, 1, 1) + (int) ((seed >> 8) % 1500);
		seed = seed * 1103515245u + 12345u;
		row.returned = row.exported - 30 + (int) ((seed >> 8) % 500);
		row.reason = (CbrReason) ((seed >> 4) % CBR_REASON_COUNT);
		row.remarks = cbr_remark_code(row.reason);
		row.remarks_len = 4;
		row.need_deadline = true;
		a = cbr_decide_export_return(&p, &row, &v);
		b = cbr_decide_export_window(row.exported, row.reason, true, row.returned, &w);
		if (a != b || (a == CBR_PASS && v.window.deadline != w.deadline))
			disagree++;
		row.need_deadline = false;	/* the WHEN function's shortcut: same outcome */
		if (cbr_decide_export_return(&p, &row, &v) != b)
			disagree++;
	}
	ok(disagree == 0, "R-EX-1: the row decision and the window decision agree on 50000 random rows");
	row.remarks = "THTY";
	row.reason = CBR_REASON_UNSOLD;
	ok(cbr_decide_export_return(&p, &row, &v) == CBR_FAIL_REMARK_MISMATCH && v.coded == CBR_REASON_CONSUMER_RETURN,
	   "R-EX-2: a remark code of another reason");
}

static void
test_import_rules(void)
{
	CbrImportVerdict v;
	DateADT		rel = ymd(2026, 1, 31);

	ok(cbr_decide_import_return(true, rel, true, ymd(2026, 3, 2), true, ymd(2026, 3, 17), &v) == CBR_PASS &&
	   v.apply.deadline == ymd(2026, 3, 2) && v.arrive.deadline == ymd(2026, 3, 17),
	   "R-IM-1: on the 30-day and 45-day deadlines");
	ok(cbr_decide_import_return(true, rel, true, ymd(2026, 3, 3), true, ymd(2026, 3, 18), &v) == CBR_FAIL_WINDOW &&
	   v.failed == &v.apply, "R-IM-1: both late, the application is named first");
	ok(cbr_decide_import_return(true, rel, true, ymd(2026, 1, 30), false, 0, &v) == CBR_BAD_ORDER &&
	   v.failed->bad == CBR_DATE_APPLIED, "R-IM-1: an application before the release is bad input (22023), as the SQL function says");
	ok(cbr_decide_import_return(true, rel, true, ymd(2026, 3, 3), true, ymd(2026, 1, 1), &v) == CBR_BAD_ORDER &&
	   v.failed->bad == CBR_DATE_ARRIVED, "R-IM-1: bad input is reported before a late date");
	ok(cbr_decide_import_return(false, 0, true, ymd(2026, 3, 3), false, 0, &v) == CBR_PASS,
	   "R-IM-1: no release date, no window yet");
	ok(cbr_decide_import_return(true, rel, true, ymd(2026, 3, 3), false, 0, &v) == CBR_FAIL_WINDOW &&
	   v.failed == &v.apply && v.decided,
	   "R-IM-1: an application filed on day 31 is late when filed, before any arrival");
	ok(cbr_decide_import_return(true, rel, false, 0, true, ymd(2026, 3, 18), &v) == CBR_FAIL_WINDOW &&
	   v.failed == &v.arrive && v.decided,
	   "R-IM-1: an arrival on day 46 is late whether or not the application is recorded");
	ok(cbr_decide_import_return(true, rel, true, ymd(2026, 3, 2), false, 0, &v) == CBR_PASS && !v.decided,
	   "R-IM-1: on time so far, not decided until the arrival is known");
	ok(cbr_decide_import_return(true, rel, true, ymd(2026, 3, 2), true, ymd(2026, 3, 17), &v) == CBR_PASS &&
	   v.decided, "R-IM-1: both dates known and on time: decided");
}

/* ---------------------------------------------------------------------
 * R-IM-3, R-IM-4: exact decimals
 * --------------------------------------------------------------------- */
static CbrQty
qty(const char *text)
{
	CbrQty		q = {0, 0};

	if (!cbr_qty_parse(text, &q))
	{
		printf("# bad test decimal %s\n", text);
		exit(2);
	}
	return q;
}

static bool
qty_is(CbrQty q, const char *text)
{
	char		buf[CBR_QTY_TEXT_LEN];

	cbr_qty_format(q, buf);
	if (strcmp(buf, text) != 0)
		printf("# got %s, expected %s\n", buf, text);
	return strcmp(buf, text) == 0;
}

static void
import_policy(CbrPolicy *p)
{
	memset(p, 0, sizeof(*p));
	p->limit_per_transaction = qty("5000");
	p->limit_per_year = qty("26000");
	p->import_tax_share = qty("0.7");
}

/*
 * The tax in fen by the definition, by a different route than import.c:
 * long division of the exact rational, digit by digit, in plain integers
 * small enough for the generated inputs (value <= 99999.99, rates in
 * hundredths, share 0.7).
 */
static int64
naive_fen(int64 value_fen, int rate_pct, int ct_pct)
{
	/*
	 * value/100 * rate/100 * 7/10 / ((100 - ct)/100) * 100 fen: the
	 * consumption tax with rate = ct, the VAT (on value / (1 - ct)) with
	 * the VAT rate
	 */
	int64		num = value_fen * rate_pct * 7;
	int64		den = (int64) 10 * (100 - ct_pct);
	int64		q = num / den;

	if (2 * (num % den) >= den)
		q++;
	return q;
}

static void
test_import_tax(void)
{
	CbrPolicy	p;
	CbrImportTax t;
	CbrQuotaInput in;
	CbrQuotaVerdict v;
	CbrQty		left;
	CbrImportArg bad;
	int			i;
	int			mismatches = 0;

	import_policy(&p);
	ok(cbr_decide_import_tax(&p, qty("1000"), qty("0.13"), qty("0"), qty("0"), &t) == CBR_PASS &&
	   t.within && qty_is(t.import_vat, "91.00") && qty_is(t.consumption_tax, "0.00") &&
	   qty_is(t.tariff, "0.00") && qty_is(t.total, "91.00"),
	   "R-IM-4: 1000 at VAT 13 %: 91.00");
	ok(cbr_decide_import_tax(&p, qty("1000"), qty("0.13"), qty("0.15"), qty("0"), &t) == CBR_PASS &&
	   qty_is(t.consumption_tax, "123.53") && qty_is(t.import_vat, "107.06") && qty_is(t.total, "230.59"),
	   "R-IM-4: cosmetics, consumption tax 15 %: 123.53 + 107.06 = 230.59");
	ok(cbr_decide_import_tax(&p, qty("1.15"), qty("0"), qty("0.3"), qty("0"), &t) == CBR_PASS &&
	   qty_is(t.consumption_tax, "0.35"),
	   "R-IM-4: an exact half fen rounds up (1.15 * 0.3 / 0.7 * 0.7 = 0.345 -> 0.35)");
	ok(cbr_decide_import_tax(&p, qty("5000"), qty("0.13"), qty("0"), qty("21000"), &t) == CBR_PASS && t.within,
	   "R-IM-4: on both limits: within");
	ok(cbr_decide_import_tax(&p, qty("5000.01"), qty("0.13"), qty("0"), qty("0"), &t) == CBR_PASS &&
	   !t.within && t.over_transaction, "R-IM-4: above the per-transaction limit");
	ok(cbr_decide_import_tax(&p, qty("1000"), qty("0.13"), qty("0"), qty("25000.01"), &t) == CBR_PASS &&
	   !t.within && !t.over_transaction, "R-IM-4: above the annual limit");
	ok(cbr_decide_import_tax(&p, qty("-1"), qty("0.13"), qty("0"), qty("0"), &t) == CBR_BAD_AMOUNT &&
	   t.bad_arg == CBR_ARG_CUSTOMS_VALUE, "R-IM-4: a negative value is bad input");
	ok(cbr_decide_import_tax(&p, qty("1"), qty("1"), qty("0"), qty("0"), &t) == CBR_BAD_RATE &&
	   t.bad_arg == CBR_ARG_VAT_RATE, "R-IM-4: a VAT rate of 1 is bad input");
	ok(cbr_decide_import_tax(&p, qty("1"), qty("0.13"), qty("-0.1"), qty("0"), &t) == CBR_BAD_RATE &&
	   t.bad_arg == CBR_ARG_CONSUMPTION_TAX_RATE, "R-IM-4: a negative consumption tax rate is bad input");
	ok(cbr_decide_import_tax(&p, qty("1"), qty("0.13"), qty("0"), qty("-5"), &t) == CBR_BAD_AMOUNT &&
	   t.bad_arg == CBR_ARG_ANNUAL_USED, "R-IM-4: a negative annual amount is bad input");
	ok(cbr_decide_import_tax(&p, qty("4999.123456789012345"), qty("0.13"), qty("0"),
							 qty("9000.123456789012345"), &t) == CBR_PASS && t.within &&
	   qty_is(t.import_vat, "454.92"),
	   "R-IM-4: 15 decimals compared with the limits exactly (the limits at that scale do not fit 64 bits)");
	p.limit_per_year = qty("13999.24691357802469");
	ok(cbr_decide_import_tax(&p, qty("4999.123456789012345"), qty("0.13"), qty("0"),
							 qty("9000.123456789012345"), &t) == CBR_PASS && t.within,
	   "R-IM-4: a sum equal to the annual limit is within");
	p.limit_per_year = qty("13999.24691357802468");
	ok(cbr_decide_import_tax(&p, qty("4999.123456789012345"), qty("0.13"), qty("0"),
							 qty("9000.123456789012345"), &t) == CBR_PASS && !t.within,
	   "R-IM-4: 10^-14 over the annual limit is over it");
	import_policy(&p);
	p.limit_per_transaction = qty("9000000000000000000");
	p.limit_per_year = qty("9000000000000000000");
	ok(cbr_decide_import_tax(&p, qty("9000000000000000000"), qty("0.999999999999999999"),
							 qty("0.999999999999999999"), qty("0"), &t) == CBR_BAD_PRECISION,
	   "R-IM-4: a tax that does not fit is refused, never wrapped");
	import_policy(&p);

	/* property: the tax equals the exact rational rounded once, computed another way */
	for (i = 0; i < 20000; i++)
	{
		int64		value_fen = ((int64) i * 7919) % 500001;
		int			rate = (i * 13) % 30;
		int			ct = (i * 7) % 60;
		char		buf[32];

		snprintf(buf, sizeof(buf), "%lld.%02lld", (long long) (value_fen / 100), (long long) (value_fen % 100));
		{
			/* the rates at scale 2 and, for odd i, at scale 4 (trailing zeros) */
			CbrQty		r = {i % 2 ? rate * 100 : rate, i % 2 ? 4 : 2};
			CbrQty		c = {i % 2 ? ct * 100 : ct, i % 2 ? 4 : 2};

			if (cbr_decide_import_tax(&p, qty(buf), r, c, qty("0"), &t) != CBR_PASS || !t.within ||
				t.consumption_tax.value != naive_fen(value_fen, ct, ct) ||
				t.import_vat.value != naive_fen(value_fen, rate, ct) ||
				t.total.value != t.consumption_tax.value + t.import_vat.value || t.total.scale != 2)
				mismatches++;
		}
	}
	ok(mismatches == 0, "R-IM-4 property: 20000 generated imports taxed as the exact rational rounded once");

	/* R-IM-4: what is left */
	ok(cbr_decide_quota_remaining(&p, qty("20000"), &left, &bad) == CBR_PASS && qty_is(left, "6000"),
	   "R-IM-4: 26000 - 20000 = 6000 left");
	ok(cbr_decide_quota_remaining(&p, qty("30000"), &left, &bad) == CBR_PASS && qty_is(left, "0"),
	   "R-IM-4: never below 0");
	ok(cbr_decide_quota_remaining(&p, qty("1000.000000000000000"), &left, &bad) == CBR_PASS &&
	   qty_is(left, "25000"), "R-IM-4: trailing zeros beyond what fits are dropped, not refused");
	ok(cbr_decide_quota_remaining(&p, qty("2599.000000000000001"), &left, &bad) == CBR_BAD_PRECISION,
	   "R-IM-4: a difference with more digits than fit is refused, never rounded");

	/* R-IM-3 */
	memset(&in, 0, sizeof(in));
	in.stage = CBR_STAGE_RELEASED;
	in.has_used = true;
	in.annual_used = qty("20000.00");
	in.returned = qty("1500");
	ok(cbr_decide_import_quota(&in, &v) == CBR_PASS && v.effect == CBR_EFFECT_APPLIED &&
	   qty_is(v.amount_after, "18500.00") && qty_is(v.restored, "1500"),
	   "R-IM-3: a released return reduces the annual amount");
	in.has_purchase = true;
	in.purchased_on = ymd(2026, 12, 20);
	in.has_year = true;
	in.amount_year = 2027;
	in.annual_used = qty("800");
	ok(cbr_decide_import_quota(&in, &v) == CBR_PASS && v.quota_year == 2026 && !v.same_year &&
	   qty_is(v.amount_after, "800") && qty_is(v.restored, "1500"),
	   "R-IM-3: a December purchase returned in January restores the purchase year's quota, not January's");
	in.amount_year = 2026;
	in.annual_used = qty("20000");
	ok(cbr_decide_import_quota(&in, &v) == CBR_PASS && v.same_year && qty_is(v.amount_after, "18500"),
	   "R-IM-3: the purchase year's amount is reduced");
	in.annual_used = qty("1000");
	ok(cbr_decide_import_quota(&in, &v) == CBR_BAD_EXCESS && v.bad_arg == CBR_ARG_RETURNED_VALUE,
	   "R-IM-3: more than the purchase year's amount is bad input");
	in.annual_used = qty("20000");
	for (i = 0; i < CBR_STAGES; i++)
	{
		in.stage = i;
		(void) cbr_decide_import_quota(&in, &v);
		if (i == CBR_STAGE_RELEASED ? !(v.effect == CBR_EFFECT_APPLIED && qty_is(v.amount_after, "18500"))
			: i == CBR_STAGE_REJECTED ? !(v.effect == CBR_EFFECT_NEVER && qty_is(v.amount_after, "20000") &&
										  v.restored.value == 0)
			: !(v.effect == CBR_EFFECT_NOT_YET && qty_is(v.amount_after, "20000") && v.restored.value == 0))
			break;
	}
	ok(i == CBR_STAGES, "R-IM-3, section 6: only a released return restores; before: not yet; rejected: never");
	/* issue 12, item 4: an ordinary (taxed) return is outside R-IM-3, a rejected one is not */
	in.stage = CBR_STAGE_RELEASED;
	in.ordinary = true;
	ok(cbr_decide_import_quota(&in, &v) == CBR_PASS && v.effect == CBR_EFFECT_NEVER && v.outside &&
	   qty_is(v.amount_after, "20000") && v.restored.value == 0,
	   "R-IM-3: a released ordinary return restores nothing, and is outside the rule");
	in.ordinary = false;
	in.stage = CBR_STAGE_REJECTED;
	ok(cbr_decide_import_quota(&in, &v) == CBR_PASS && v.effect == CBR_EFFECT_NEVER && !v.outside,
	   "R-IM-3: a rejected return restores nothing, within the rule");
	ok(cbr_decide_window_scope(true, false) == CBR_WINDOW_CBEC &&
	   cbr_decide_window_scope(true, true) == CBR_WINDOW_ORDINARY &&
	   cbr_decide_window_scope(false, false) == CBR_WINDOW_UNKNOWN &&
	   cbr_decide_window_scope(false, true) == CBR_WINDOW_UNKNOWN,
	   "issue 12, item 4: an ordinary return has no CBEC window; unknown when it is not known");
	in.stage = CBR_STAGE_RELEASED;
	in.purchased_on = DATEVAL_NOEND;
	ok(cbr_decide_import_quota(&in, &v) == CBR_BAD_INFINITE, "R-IM-3: an infinite purchase date is bad input");
	ok(cbr_stage_from_name("released", 8) == CBR_STAGE_RELEASED && cbr_stage_from_name("rejected", 8) == CBR_STAGE_REJECTED &&
	   cbr_stage_from_name("registered", 10) == 0 && cbr_stage_from_name("Released", 8) == -1 &&
	   cbr_stage_from_name("release", 7) == -1, "section 6: stage names");
	ok(cbr_date_year(ymd(2026, 12, 31)) == 2026 && cbr_date_year(ymd(2027, 1, 1)) == 2027 &&
	   cbr_date_year(ymd(1999, 12, 31)) == 1999, "cbr_date_year at a year's boundary");
}

static void
test_status_rules(void)
{
	CbrStatusRow old;
	CbrStatusRow row;
	CbrStatusVerdict v;

	memset(&old, 0, sizeof(old));
	old.stage = 2;				/* shipped */
	old.has_stamp[0] = old.has_stamp[2] = true;
	old.stamp[0] = 10;
	old.stamp[2] = 20;
	row = old;
	row.stage = 3;
	row.has_stamp[3] = true;
	row.stamp[3] = 25;
	ok(cbr_decide_status(&old, &row, &v) == CBR_PASS, "status: shipped -> arrived with a later time");
	row.has_stamp[2] = false;
	row.stamp[3] = 15;
	ok(cbr_decide_status(&old, &row, &v) == CBR_FAIL_STAMP_CLEARED && v.which == 2,
	   "status: clearing the shipped time to set an earlier arrival is refused (issue 9 item 12)");
	ok(cbr_decide_status(NULL, &row, &v) == CBR_PASS,
	   "status: an insert has no recorded time to clear");
	row = old;
	row.stage = 1;
	ok(cbr_decide_status(&old, &row, &v) == CBR_FAIL_STATUS_BACK, "status: never backwards");
	old.stage = 5;
	row.stage = 6;
	ok(cbr_decide_status(&old, &row, &v) == CBR_FAIL_STATUS_FINAL, "status: released is final");
	row = old;
	row.stage = 5;
	row.has_stamp[6] = true;
	ok(cbr_decide_status(&old, &row, &v) == CBR_FAIL_STAMP_AHEAD && v.which == 6,
	   "status: a released return has no rejected time");

	/* rules section 6: a status is reached only through the mapped stages */
	memset(&row, 0, sizeof(row));
	row.stage = 5;
	row.mapped[0] = row.mapped[1] = row.mapped[5] = row.mapped[6] = true;
	row.has_stamp[0] = row.has_stamp[5] = true;
	row.stamp[0] = 10;
	row.stamp[5] = 20;
	ok(cbr_decide_status(NULL, &row, &v) == CBR_FAIL_STAGE_SKIPPED && v.which == 1,
	   "status: released without the mapped declared time is refused");
	row.has_stamp[1] = true;
	row.stamp[1] = 15;
	ok(cbr_decide_status(NULL, &row, &v) == CBR_PASS,
	   "status: released through every mapped stage (unmapped ones may be skipped)");
	old = row;
	old.has_stamp[1] = false;
	old.stage = 5;
	ok(cbr_decide_status(&old, &row, &v) == CBR_PASS,
	   "status: an update that keeps the status does not ask for the stages again");
	memset(&row, 0, sizeof(row));
	row.stage = CBR_STAGE_REJECTED;
	row.mapped[0] = row.mapped[1] = row.mapped[2] = row.mapped[6] = true;
	row.has_stamp[0] = row.has_stamp[1] = row.has_stamp[6] = true;
	ok(cbr_decide_status(NULL, &row, &v) == CBR_PASS,
	   "status: a rejection needs registered and declared, not shipped");
	row.has_stamp[6] = false;
	ok(cbr_decide_status(NULL, &row, &v) == CBR_FAIL_STAGE_SKIPPED && v.which == 6,
	   "status: a rejection needs its own mapped time");

	/* a withdrawn return: final, from any stage before a decision */
	memset(&old, 0, sizeof(old));
	old.stage = 4;
	row = old;
	row.stage = CBR_STATUS_WITHDRAWN;
	ok(cbr_decide_status(&old, &row, &v) == CBR_PASS, "status: inspected -> withdrawn");
	ok(cbr_decide_status(&row, &old, &v) == CBR_FAIL_STATUS_FINAL, "status: withdrawn is final");
	old.stage = 5;
	ok(cbr_decide_status(&old, &row, &v) == CBR_FAIL_STATUS_FINAL, "status: released cannot be withdrawn");
	row.has_stamp[3] = true;
	ok(cbr_decide_status(NULL, &row, &v) == CBR_PASS, "status: a withdrawn return may have reached arrived");
	row.has_stamp[5] = true;
	ok(cbr_decide_status(NULL, &row, &v) == CBR_FAIL_STAMP_AHEAD && v.which == 5,
	   "status: a withdrawn return has no release time");
	/* a withdrawn return with a shipped time went through the mapped declared stage */
	memset(&row, 0, sizeof(row));
	row.stage = CBR_STATUS_WITHDRAWN;
	row.mapped[0] = row.mapped[1] = row.mapped[2] = true;
	row.has_stamp[0] = row.has_stamp[2] = true;
	row.stamp[0] = 10;
	row.stamp[2] = 30;
	ok(cbr_decide_status(NULL, &row, &v) == CBR_FAIL_STAGE_SKIPPED && v.which == 1,
	   "status: a withdrawn return records the stages before its last one");
	row.has_stamp[1] = true;
	row.stamp[1] = 20;
	ok(cbr_decide_status(NULL, &row, &v) == CBR_PASS, "status: ... and passes with them");
	row.infinite[2] = true;
	ok(cbr_decide_status(NULL, &row, &v) == CBR_BAD_INFINITE && v.which == 2,
	   "status: an infinite stage time is bad input");
}

/* The day-count shortcut of cbr_within_months never differs from counting months. */
static void
test_within_months(void)
{
	unsigned	seed = 99;
	int			bad = 0;
	int			i;

	for (i = 0; i < 300000; i++)
	{
		DateADT		start;
		DateADT		d;
		DateADT		end;
		int			months;
		bool		within;

		seed = seed * 1103515245u + 12345u;
		start = ymd(1990, 1, 1) + (int) ((seed >> 8) % 20000);
		seed = seed * 1103515245u + 12345u;
		months = (int) ((seed >> 8) % 25);
		seed = seed * 1103515245u + 12345u;
		d = start - 5 + (int) ((seed >> 8) % (40 * (months + 1)));
		if (!cbr_within_months(start, months, d, &within) || !cbr_add_months(start, months, &end) ||
			within != (d <= end))
			bad++;
	}
	ok(bad == 0, "R-P-1: cbr_within_months agrees with cbr_add_months on 300000 random windows");
	ok(!cbr_within_months(DATEVAL_NOBEGIN, 6, 0, &(bool){false}),
	   "R-P-1: no window from -infinity");
}

static void
test_tax_rules(void)
{
	CbrPolicy	p;
	CbrReliefInput in;
	CbrRelief	r;

	test_policy(&p);
	memset(&in, 0, sizeof(in));
	in.code = 9610;
	in.exported_on = ymd(2026, 3, 1);
	in.returned_on = ymd(2026, 9, 1);
	in.reason = CBR_REASON_UNSOLD;
	in.original_state = true;
	ok(cbr_decide_tax_relief(&p, &in, &r) == CBR_PASS && r.relieved && r.period == &test_period &&
	   r.import_vat_exempt && r.consumption_tax_exempt && r.tax_certificate_required &&
	   !r.rebate_repayment_required,
	   "R-TX-2: 9610 unsold, back on the 6-month day: relieved, on the tax certificate (R-TX-3)");
	in.rebate_claimed = true;
	ok(cbr_decide_tax_relief(&p, &in, &r) == CBR_PASS && r.relieved && r.tax_certificate_required &&
	   r.rebate_repayment_required, "R-TX-3: a claimed rebate is repaid first, then the certificate");
	in.rebate_claimed = false;
	in.returned_on = ymd(2026, 9, 2);
	ok(cbr_decide_tax_relief(&p, &in, &r) == CBR_PASS && !r.relieved && r.failed == CBR_FAILED_TX2 &&
	   !r.tax_certificate_required && !r.import_vat_exempt,
	   "R-TX-2: a day late: failed R-TX-2, nothing exempt, no certificate asked for");
	in.code = 110;
	in.returned_on = ymd(2026, 4, 1);
	ok(cbr_decide_tax_relief(&p, &in, &r) == CBR_PASS && r.covering != NULL && r.period == NULL &&
	   r.failed == CBR_FAILED_TX2, "R-TX-2: a code the period does not list");
	in.code = 1210;
	in.returned_on = ymd(2026, 9, 1);
	ok(cbr_decide_tax_relief(&p, &in, &r) == CBR_PASS && r.window_known && r.window_by_export &&
	   r.window_ok && r.relieved,
	   "R-TX-2: 1210 without left_special_area_on, back within 6 months of the export: within 6 months of leaving too");
	in.returned_on = ymd(2026, 9, 2);
	ok(cbr_decide_tax_relief(&p, &in, &r) == CBR_PASS && !r.window_known && (r.failed & CBR_FAILED_TX2),
	   "R-TX-2: 1210 without left_special_area_on, later than 6 months after the export: not relieved");
	in.returned_on = ymd(2026, 4, 1);
	in.reason = CBR_REASON_QUALITY_OR_SPEC;
	in.returned_on = ymd(2027, 3, 1);
	ok(cbr_decide_tax_relief(&p, &in, &r) == CBR_PASS && r.relieved && r.route_tx6 && r.import_duty_exempt &&
	   r.import_vat_exempt && r.consumption_tax_exempt && r.export_duty_refund &&
	   r.tax_certificate_required,
	   "R-TX-6: quality return within 1 year: import duty, import VAT and consumption tax not levied");
	in.is_food = true;
	in.code = 110;
	ok(cbr_decide_tax_relief(&p, &in, &r) == CBR_PASS && r.relieved && r.route_tx6 && r.import_vat_exempt,
	   "R-TX-6: any supervision code, food not excluded");
	in.is_food = false;
	in.code = 1210;
	in.returned_on = ymd(2026, 2, 1);
	ok(cbr_decide_tax_relief(&p, &in, &r) == CBR_BAD_ORDER, "R-TX: a return before the export is bad input");
	in.code = 4321;
	ok(cbr_decide_tax_relief(&p, &in, &r) == CBR_BAD_CODE, "R-TX: an unknown code is bad input (CB007)");
}

/* ---------------------------------------------------------------------
 * Registers (src/rules/registers.c): R-EX-4, R-EX-6, R-IM-5, R-IM-7, the
 * arrival place of R-IM-1 / R-IM-6; and the 1210 clock (R-TX-2)
 * --------------------------------------------------------------------- */
static CbrUscc
code_n(uint32 n)
{
	CbrUscc		u = {{n, 7, 9}};

	return u;
}

/* Brute force: does any of the n periods cover d? */
static bool
brute_covers(const CbrRegApplicant *rows, int n, const CbrUscc *u, DateADT d)
{
	int			i;

	for (i = 0; i < n; i++)
		if (cbr_uscc_cmp(&rows[i].uscc, u) == 0 && rows[i].from <= d && d <= rows[i].to)
			return true;
	return false;
}

static void
test_registers(void)
{
	CbrRegApplicant app[5];
	CbrRegSite sites[3];
	CbrRegWarehouse wh[3];
	CbrRegRating rt[3];
	CbrRegAgent ag[1];
	CbrRegisters r;
	CbrRegisterVerdict v;
	CbrUscc		a = code_n(10);
	CbrUscc		b = code_n(20);
	CbrUscc		none = code_n(15);
	CbrWindowVerdict w;
	CbrWindowVerdict x;
	bool		agree = true;
	int			i;

	memset(&r, 0, sizeof(r));
	memset(app, 0, sizeof(app));
	/* a: 2025-01-01 .. 2025-06-30, renewed from 2025-07-02; b: from 2026-12-01 */
	app[0] = (CbrRegApplicant) {a, "3301960002", "A", ymd(2025, 1, 1), ymd(2025, 6, 30)};
	app[1] = (CbrRegApplicant) {a, "3301960002", "A", ymd(2025, 7, 2), DATEVAL_NOEND};
	app[2] = (CbrRegApplicant) {b, "4403960001", "B", ymd(2026, 12, 1), DATEVAL_NOEND};
	r.applicants = app;
	r.napplicants = 3;

	ok(cbr_decide_applicant(&r, &a, ymd(2025, 1, 1), &v) == CBR_PASS && v.applicant == &app[0],
	   "R-EX-4: the first day of a registration is inside");
	ok(cbr_decide_applicant(&r, &a, ymd(2025, 6, 30), &v) == CBR_PASS, "R-EX-4: the last day is inside");
	ok(cbr_decide_applicant(&r, &a, ymd(2025, 7, 1), &v) == CBR_FAIL_APPLICANT &&
	   v.finding == CBR_REG_ENDED && v.applicant == &app[0], "R-EX-4: the day of the gap: ended, naming the lapsed period");
	ok(cbr_decide_applicant(&r, &a, ymd(2030, 1, 1), &v) == CBR_PASS && v.applicant == &app[1],
	   "R-EX-4: an open-ended renewal covers later dates");
	ok(cbr_decide_applicant(&r, &a, ymd(2024, 12, 31), &v) == CBR_FAIL_APPLICANT &&
	   v.finding == CBR_REG_NOT_YET && v.applicant == &app[0], "R-EX-4: before every period: not yet, naming the first");
	ok(cbr_decide_applicant(&r, &b, ymd(2026, 11, 30), &v) == CBR_FAIL_APPLICANT &&
	   v.finding == CBR_REG_NOT_YET, "R-EX-4: the day before a registration starts");
	ok(cbr_decide_applicant(&r, &none, ymd(2025, 3, 1), &v) == CBR_FAIL_APPLICANT &&
	   v.finding == CBR_REG_ABSENT && v.applicant == NULL, "R-EX-4: a code between two registered ones is absent");
	ok(cbr_decide_applicant(&r, &a, DATEVAL_NOEND, &v) == CBR_BAD_INFINITE,
	   "R-EX-4: infinity is no calendar day (22008), never matched to an open-ended row");

	/* property: the binary search agrees with a scan over every day of 2024-2027 */
	for (i = ymd(2024, 1, 1); i <= ymd(2027, 12, 31); i++)
	{
		const CbrUscc *keys[3] = {&a, &b, &none};
		int			k;

		for (k = 0; k < 3; k++)
			if ((cbr_decide_applicant(&r, keys[k], i, &v) == CBR_PASS) != brute_covers(app, 3, keys[k], i))
				agree = false;
	}
	ok(agree, "R-EX-4: the lookup agrees with a scan of every period, every day of four years");

	/* R-EX-6: one site registered under office 5141 only */
	sites[0] = (CbrRegSite) {"SITE-GZ-07", 5141, "marketplace_site", "S", ymd(2024, 12, 15), ymd(2025, 12, 31)};
	sites[1] = (CbrRegSite) {"SITE-HZ-01", 2924, "bonded_warehouse", "T", ymd(2024, 12, 15), DATEVAL_NOEND};
	r.sites = sites;
	r.nsites = 2;
	ok(cbr_decide_return_site(&r, "SITE-GZ-07", 5141, ymd(2025, 12, 31), &v) == CBR_PASS,
	   "R-EX-6: authorised on its last day");
	ok(cbr_decide_return_site(&r, "SITE-GZ-07", 2924, ymd(2025, 6, 1), &v) == CBR_FAIL_SITE &&
	   v.finding == CBR_REG_OTHER_OFFICE && v.nsite_rows == 1, "R-EX-6: registered under another office");
	ok(cbr_decide_return_site(&r, "SITE-GZ-0", 5141, ymd(2025, 6, 1), &v) == CBR_FAIL_SITE &&
	   v.finding == CBR_REG_ABSENT, "R-EX-6: a prefix of a site code is another site");

	/* R-IM-5: ratings hold from their day until the next one */
	rt[0] = (CbrRegRating) {a, "general", 1, false, ymd(2024, 1, 1)};
	rt[1] = (CbrRegRating) {a, "discredited", 2, true, ymd(2025, 8, 1)};
	rt[2] = (CbrRegRating) {b, "general", 1, false, ymd(2020, 1, 1)};
	r.ratings = rt;
	r.nratings = 3;
	ok(cbr_register_rating(&r, &a, ymd(2023, 12, 31)) == NULL, "credit rating: none before the first");
	ok(cbr_register_rating(&r, &a, ymd(2025, 7, 31)) == &rt[0], "credit rating: the day before a change");
	ok(cbr_register_rating(&r, &a, ymd(2025, 8, 1)) == &rt[1], "credit rating: the day of a change");
	ok(cbr_register_rating(&r, &none, ymd(2025, 8, 1)) == NULL, "credit rating: another code's rows are not read");

	wh[0] = (CbrRegWarehouse) {"RCW-1", "HZ-CBZ", 2991, a, "W1", true, true, true, ymd(2025, 1, 1), DATEVAL_NOEND};
	wh[1] = (CbrRegWarehouse) {"RCW-2", "HZ-CBZ", 2991, b, "W2", true, false, true, ymd(2025, 1, 1), DATEVAL_NOEND};
	r.warehouses = wh;
	r.nwarehouses = 2;
	ok(cbr_decide_return_warehouse(&r, "RCW-1", "HZ-CBZ", ymd(2025, 7, 31), &v) == CBR_PASS,
	   "R-IM-5: operator not discredited the day before");
	ok(cbr_decide_return_warehouse(&r, "RCW-1", "HZ-CBZ", ymd(2025, 8, 1), &v) == CBR_FAIL_WAREHOUSE &&
	   v.finding == CBR_REG_DISCREDITED, "R-IM-5: operator discredited on the day");
	ok(cbr_decide_return_warehouse(&r, "RCW-1", "NB-MSBZ", ymd(2025, 3, 1), &v) == CBR_FAIL_WAREHOUSE &&
	   v.finding == CBR_REG_OTHER_AREA, "R-IM-5: a warehouse of another area");
	ok(cbr_decide_return_warehouse(&r, "RCW-2", NULL, ymd(2025, 3, 1), &v) == CBR_FAIL_WAREHOUSE &&
	   v.finding == CBR_REG_FACILITIES && v.missing == CBR_FACILITY_WMS, "R-IM-5: a missing WMS");

	/* R-IM-1, R-IM-6 */
	ok(cbr_decide_arrival_place(&r, 9710, "A", "B", NULL, ymd(2025, 3, 1), &v) == CBR_BAD_ARGUMENT,
	   "R-IM-1: 9710 has no retail import returns (22023)");
	ok(cbr_decide_arrival_place(&r, 9610, "A", "A", NULL, ymd(2025, 3, 1), &v) == CBR_PASS,
	   "R-IM-1: the original site");
	ok(cbr_decide_arrival_place(&r, 9610, "A", "RCW-1", NULL, ymd(2025, 3, 1), &v) == CBR_FAIL_ARRIVAL &&
	   v.finding == CBR_REG_NOT_ORIGINAL, "R-IM-1: 9610 never goes to a return centre");
	ok(cbr_decide_arrival_place(&r, 1210, "HZ-CBZ", "RCW-1", NULL, ymd(2025, 3, 1), &v) == CBR_PASS,
	   "R-IM-5 through R-IM-1: a return centre of the area");
	ok(cbr_decide_arrival_place(&r, 1210, "HZ-CBZ", "GZ", "GZ", ymd(2025, 3, 1), &v) == CBR_PASS &&
	   strcmp(v.rule_id, "R-IM-6") == 0, "R-IM-6: the special area of declaration");
	ok(cbr_decide_arrival_place(&r, 1210, "HZ-CBZ", "GZ", NULL, ymd(2025, 3, 1), &v) == CBR_FAIL_ARRIVAL &&
	   v.finding == CBR_REG_ELSEWHERE, "R-IM-1: 1210 elsewhere");

	/* R-IM-7 */
	ag[0] = (CbrRegAgent) {"3101W60001", b, "authorised_broker", "G", ymd(2025, 1, 1), ymd(2025, 12, 31)};
	r.agents = ag;
	r.nagents = 1;
	ok(cbr_decide_import_applicant(&r, "3101W60001", &b, ymd(2025, 12, 31), &v) == CBR_PASS,
	   "R-IM-7: the broker on its last day");
	ok(cbr_decide_import_applicant(&r, "3101W60001", &b, ymd(2026, 1, 1), &v) == CBR_FAIL_IMPORT_APPLICANT &&
	   v.finding == CBR_REG_ENDED, "R-IM-7: the broker the day after");
	ok(cbr_decide_import_applicant(&r, "3101W60002", &b, ymd(2025, 6, 1), &v) == CBR_FAIL_IMPORT_APPLICANT &&
	   v.finding == CBR_REG_ABSENT, "R-IM-7: another enterprise's broker");

	/* R-EX-1 for 1210: the window counts from the export date, whatever the departure */
	agree = true;
	for (i = ymd(2026, 1, 1); i <= ymd(2028, 12, 31); i++)
	{
		int			reason;

		for (reason = 0; reason < CBR_REASON_COUNT; reason++)
		{
			(void) cbr_decide_bonded_export_window(i - 45, i, (CbrReason) reason, false, 0, &w);
			(void) cbr_decide_export_window(i - 45, (CbrReason) reason, false, 0, &x);
			if (w.outcome != CBR_PASS || w.deadline != x.deadline)
				agree = false;
		}
	}
	ok(agree, "R-EX-1: the 1210 deadline is the R-EX-1 deadline of the export date, every day of three years");
	ok(cbr_decide_bonded_export_window(ymd(2026, 3, 20), ymd(2026, 1, 10), CBR_REASON_UNSOLD, false, 0, &w) == CBR_BAD_ORDER &&
	   w.bad == CBR_DATE_LEFT_AREA, "R-TX-2: a departure before the export declaration is bad input");
	ok(cbr_decide_bonded_export_window(ymd(2026, 1, 10), ymd(2026, 3, 20), CBR_REASON_UNSOLD, true, ymd(2026, 7, 10), &w) == CBR_PASS,
	   "R-EX-1: 1210 returned on the deadline counted from the export date");
	ok(cbr_decide_bonded_export_window(ymd(2026, 1, 10), ymd(2026, 3, 20), CBR_REASON_UNSOLD, true, ymd(2026, 7, 11), &w) == CBR_FAIL_WINDOW,
	   "R-EX-1: the day after is late, though within 6 months of the departure");
	ok(cbr_decide_bonded_export_window(ymd(2026, 1, 10), ymd(2026, 3, 20), CBR_REASON_UNSOLD, true, ymd(2026, 3, 19), &w) == CBR_BAD_ORDER &&
	   w.other == CBR_DATE_LEFT_AREA, "R-TX-2: a return before the departure is bad input");
}

/*
 * Both R-IM-1 windows on a day (assess.c), over every pair of standings
 * with margins -3 .. 10 and either open or closed: closed exactly when both
 * are; overdue exactly when one is late and not both are closed; due soon
 * before open; days_left the smallest margin of the windows that decide.
 */
static void
test_import_standing(void)
{
	int			bad = 0;
	int			n = 0;
	int			da, db, ca, cb;

	for (da = -3; da <= 10; da++)
		for (db = -3; db <= 10; db++)
			for (ca = 0; ca < 2; ca++)
				for (cb = 0; cb < 2; cb++)
				{
					CbrStandingVerdict a = {0};
					CbrStandingVerdict b = {0};
					CbrReturnStatus sa, sb, s;
					bool		late_a, late_b, closed_both, due;
					int64		days, want;

					a.closed = ca;
					a.days_left = da;
					b.closed = cb;
					b.days_left = db;
					sa = cbr_standing_status(&a, 2);
					sb = cbr_standing_status(&b, 2);
					s = cbr_import_standing(&a, &b, 2, &days);
					late_a = sa == CBR_STATUS_OVERDUE || sa == CBR_STATUS_CLOSED_LATE;
					late_b = sb == CBR_STATUS_OVERDUE || sb == CBR_STATUS_CLOSED_LATE;
					closed_both = ca && cb;
					due = (!ca && sa == CBR_STATUS_DUE_SOON) || (!cb && sb == CBR_STATUS_DUE_SOON);
					if (closed_both || late_a || late_b)
						want = Min(da, db);
					else
						want = ca ? db : cb ? da : Min(da, db);
					n++;
					if ((s == CBR_STATUS_CLOSED_ON_TIME || s == CBR_STATUS_CLOSED_LATE) != closed_both ||
						(s == CBR_STATUS_OVERDUE) != ((late_a || late_b) && !closed_both) ||
						(s == CBR_STATUS_CLOSED_LATE) != (closed_both && (late_a || late_b)) ||
						(s == CBR_STATUS_DUE_SOON) != (!closed_both && !late_a && !late_b && due) ||
						days != want)
						bad++;
				}
	ok(n == 14 * 14 * 4 && bad == 0, "both R-IM-1 windows: status and days left over every pair of standings");
	{
		CbrStandingVerdict a = {0};
		CbrStandingVerdict b = {0};
		int64		days;

		/* applied 5 days late, goods 9 days from their deadline: overdue already */
		a.closed = true;
		a.days_left = -5;
		b.days_left = 9;
		ok(cbr_import_standing(&a, &b, 7, &days) == CBR_STATUS_OVERDUE && days == -5,
		   "an application filed late is overdue before the goods arrive");
	}
}

int
main(void)
{
	test_identifiers();
	test_remarks();
	test_remarks_fullwidth();
	test_periods();
	test_calendar();
	test_export_rules();
	test_import_rules();
	test_import_tax();
	test_status_rules();
	test_within_months();
	test_tax_rules();
	test_registers();
	test_import_standing();
	printf("1..%d\n", test_no);
	return failures == 0 ? 0 : 1;
}
