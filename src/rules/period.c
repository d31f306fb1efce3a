/*
 * period.c
 *		How every deadline is counted (R-P-1) and the pure parts of the
 *		return rules: window lengths (R-EX-1, R-IM-1) and remark codes (R-EX-2).
 *
 * Plain C on DateADT (days since 2000-01-01) with its own civil-calendar
 * conversion, so nothing here needs a running server.
 */
#include "rules/rules.h"

#include "datatype/timestamp.h"

/*
 * Civil date <-> day number (proleptic Gregorian), after H. Hinnant's
 * public-domain algorithms; day 0 is 2000-01-01 as for DateADT.
 */
static int64
cbr_days_from_civil(int64 y, int m, int d)
{
	int64		era;
	int64		yoe;
	int64		doy;
	int64		doe;

	y -= m <= 2;
	era = (y >= 0 ? y : y - 399) / 400;
	yoe = y - era * 400;
	doy = (153 * (m + (m > 2 ? -3 : 9)) + 2) / 5 + d - 1;
	doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
	return era * 146097 + doe - 719468 - 10957;	/* 10957: 1970-01-01 .. 2000-01-01 */
}

static void
cbr_civil_from_days(int64 z, int64 *y, int *m, int *d)
{
	int64		era;
	int64		doe;
	int64		yoe;
	int64		doy;
	int64		mp;

	z += 719468 + 10957;
	era = (z >= 0 ? z : z - 146096) / 146097;
	doe = z - era * 146097;
	yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
	doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
	mp = (5 * doy + 2) / 153;
	*d = (int) (doy - (153 * mp + 2) / 5 + 1);
	*m = (int) (mp < 10 ? mp + 3 : mp - 9);
	*y = yoe + era * 400 + (*m <= 2);
}

static int
cbr_days_in_month(int64 y, int m)
{
	static const int mdays[12] = {31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
	bool		leap = (y % 4 == 0 && y % 100 != 0) || y % 400 == 0;

	return (m == 2 && leap) ? 29 : mdays[m - 1];
}

static bool
cbr_valid_result(int64 days, DateADT *result)
{
	/* the range of type date, as IS_VALID_DATE checks it */
	if (days < (int64) (DATETIME_MIN_JULIAN - POSTGRES_EPOCH_JDATE) ||
		days >= (int64) (DATE_END_JULIAN - POSTGRES_EPOCH_JDATE))
		return false;
	*result = (DateADT) days;
	return true;
}

/*
 * R-P-1: "within N days of D" ends on D + N (the start day is not counted,
 * the last day is inside the window).
 */
bool
cbr_add_days(DateADT start, int days, DateADT *result)
{
	if (DATE_NOT_FINITE(start))
		return false;
	return cbr_valid_result((int64) start + days, result);
}

/* The calendar year of a finite date (R-IM-3: the quota year of a purchase). */
int
cbr_date_year(DateADT d)
{
	int64		y;
	int			m;
	int			day;

	cbr_civil_from_days(d, &y, &m, &day);
	return (int) y;
}

/*
 * R-P-1 (Civil Code arts. 201-202): "within N months of D" ends on the same
 * day of the month N months later, or on that month's last day when it has
 * no such day (2026-08-31 + 6 months = 2027-02-28).
 */
/*
 * The first day of each month from 1900-01 to 2300-01 (MT_MONTHS + 1
 * entries: 400 years, one full Gregorian cycle), filled once on first use.
 * Deadlines are counted per row in scans (docs/performance.md, "deadlines");
 * with the table a date's month is found with one multiplication and a look
 * at two neighbours instead of the dozen divisions of the conversions above,
 * which stay for the dates outside it.
 */
#define MT_FIRST_YEAR	1900
#define MT_MONTHS		(400 * 12)
#define MT_CYCLE_DAYS	146097	/* days in 400 Gregorian years */

static int32 month_first[MT_MONTHS + 1];
static bool month_first_ready = false;

static void
fill_month_first(void)
{
	int			i;

	for (i = 0; i <= MT_MONTHS; i++)
		month_first[i] = (int32) cbr_days_from_civil(MT_FIRST_YEAR + i / 12, i % 12 + 1, 1);
	month_first_ready = true;
}

/* R-P-1 through the month table; false when start or the end is outside it. */
static bool
add_months_by_table(DateADT start, int months, DateADT *result)
{
	int64		off;
	int64		mi;
	int64		target;
	int32		d;
	int32		dim;

	if (!month_first_ready)
		fill_month_first();
	off = (int64) start - month_first[0];
	if (off < 0 || start >= month_first[MT_MONTHS])
		return false;
	/* within one month of the true index, never past the last entry */
	mi = off * MT_MONTHS / MT_CYCLE_DAYS;
	if (mi >= MT_MONTHS)
		mi = MT_MONTHS - 1;
	while (mi > 0 && month_first[mi] > start)
		mi--;
	while (mi + 1 < MT_MONTHS && month_first[mi + 1] <= start)
		mi++;
	target = mi + months;
	if (target < 0 || target >= MT_MONTHS)
		return false;
	d = start - month_first[mi];
	dim = month_first[target + 1] - month_first[target];
	*result = (DateADT) (month_first[target] + (d < dim ? d : dim - 1));
	return true;
}

bool
cbr_add_months(DateADT start, int months, DateADT *result)
{
	int64		y;
	int			m;
	int			d;
	int64		mi;
	int			dim;

	if (DATE_NOT_FINITE(start))
		return false;
	if (add_months_by_table(start, months, result))
		return true;
	cbr_civil_from_days(start, &y, &m, &d);
	mi = y * 12 + (m - 1) + months;
	y = mi >= 0 ? mi / 12 : -((-mi + 11) / 12);
	m = (int) (mi - y * 12) + 1;
	dim = cbr_days_in_month(y, m);
	if (d > dim)
		d = dim;
	return cbr_valid_result(cbr_days_from_civil(y, m, d), result);
}

/* R-EX-1: 1 year for quality/specification, 6 months for unsold or returned. */
int
cbr_export_window_months(CbrReason reason)
{
	return reason == CBR_REASON_QUALITY_OR_SPEC
		? CBR_EXPORT_MONTHS_QUALITY
		: CBR_EXPORT_MONTHS_UNSOLD_OR_RETURNED;
}

/* R-EX-2 (seed 002, "Key considerations for export returns" III). */
static const char *const remark_codes[CBR_REASON_COUNT] = {"ZXTY", "THTY", "PGTY"};

/* The labels of cbreturn.return_reason, in enum order. */
static const char *const reason_labels[CBR_REASON_COUNT] = {
	gettext_noop("unsold"), gettext_noop("consumer_return"), gettext_noop("quality_or_spec")
};

const char *
cbr_reason_label(CbrReason reason)
{
	return reason_labels[reason];
}

const char *
cbr_remark_code(CbrReason reason)
{
	return remark_codes[reason];
}

static inline bool
cbr_is_ascii_alnum(unsigned char c)
{
	return (c >= '0' && c <= '9') || (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z');
}

/* ASCII white space, or the ideographic space U+3000 (E3 80 80): its length. */
static inline int
cbr_blank_length(const unsigned char *p, const unsigned char *end)
{
	if (p < end && (*p == ' ' || (*p >= '\t' && *p <= '\r')))
		return 1;
	if (end - p >= 3 && p[0] == 0xE3 && p[1] == 0x80 && p[2] == 0x80)
		return 3;
	return 0;
}

bool
cbr_remarks_blank(const char *remarks, int len)
{
	const unsigned char *p = (const unsigned char *) remarks;
	const unsigned char *end = p + len;
	int			n;

	while ((n = cbr_blank_length(p, end)) > 0)
		p += n;
	return p == end;
}

bool
cbr_reason_from_remarks(const char *remarks, int len, CbrReason *reason)
{
	const unsigned char *p = (const unsigned char *) remarks;
	const unsigned char *end = p + len;
	int			r;
	int			n;

	while ((n = cbr_blank_length(p, end)) > 0)
		p += n;
	if (end - p < 4)
		return false;
	if (end - p > 4 && cbr_is_ascii_alnum(p[4]))
		return false;
	for (r = 0; r < CBR_REASON_COUNT; r++)
	{
		const char *code = remark_codes[r];
		int			i;

		for (i = 0; i < 4; i++)
		{
			unsigned char c = p[i];

			if (c >= 'a' && c <= 'z')
				c -= 'a' - 'A';
			if (c != (unsigned char) code[i])
				break;
		}
		if (i == 4)
		{
			*reason = (CbrReason) r;
			return true;
		}
	}
	return false;
}

/*
 * A full-width form (U+FF01 to U+FF5E: EF BC 81 to EF BD 9E) of a printable
 * ASCII character at p: the ASCII character, and its length in *n; 0 if none.
 */
static inline unsigned char
cbr_fullwidth_ascii(const unsigned char *p, const unsigned char *end, int *n)
{
	*n = 3;
	if (end - p < 3 || p[0] != 0xEF)
		return 0;
	if (p[1] == 0xBC && p[2] >= 0x81 && p[2] <= 0xBF)
		return (unsigned char) (p[2] - 0x81 + 0x21);
	if (p[1] == 0xBD && p[2] >= 0x80 && p[2] <= 0x9E)
		return (unsigned char) (p[2] - 0x80 + 0x60);
	return 0;
}

bool
cbr_remarks_fullwidth_code(const char *remarks, int len, CbrReason *reason)
{
	const unsigned char *p = (const unsigned char *) remarks;
	const unsigned char *end = p + len;
	char		code[5];
	bool		wide = false;
	int			i;
	int			n;

	while ((n = cbr_blank_length(p, end)) > 0)
		p += n;
	for (i = 0; i < 5 && p < end; i++)
	{
		unsigned char c = cbr_fullwidth_ascii(p, end, &n);

		if (c != 0)
			wide = true;
		else
		{
			c = *p;
			n = 1;
		}
		if (i == 4)
		{
			/* the code ends as in cbr_reason_from_remarks */
			if (cbr_is_ascii_alnum(c))
				return false;
			break;
		}
		code[i] = (char) c;
		p += n;
	}
	if (i < 4 || !wide)
		return false;
	code[4] = '\0';
	return cbr_reason_from_remarks(code, 4, reason);
}

CbrOutcome
cbr_decide_deadline(DateADT start, CbrDateRole role, int length, bool months, CbrWindowVerdict *v)
{
	memset(v, 0, sizeof(*v));
	v->length = length;
	v->bad = role;
	v->bad_value = start;
	if (DATE_NOT_FINITE(start))
		return v->outcome = CBR_BAD_INFINITE;
	if (!(months ? cbr_add_months(start, length, &v->deadline)
		  : cbr_add_days(start, length, &v->deadline)))
		return v->outcome = CBR_BAD_RANGE;
	v->has_deadline = true;
	return v->outcome = CBR_PASS;
}

/*
 * R-P-1: is d on or before the last day of the window of months from start?
 * The same answer as comparing d with cbr_add_months(start, months), which
 * costs a dozen 64-bit divisions: a month has 28 to 31 days, so a d within
 * 28 days a month of start is inside and one beyond 31 days a month is
 * outside, and only the days in between count months.  false (with
 * *within unset) when the window's end is out of the range of type date.
 */
bool
cbr_within_months(DateADT start, int months, DateADT d, bool *within)
{
	DateADT		end;

	if (!DATE_NOT_FINITE(start) && !DATE_NOT_FINITE(d) && months >= 0 &&
		(int64) start + 31 * (int64) months < (int64) (DATE_END_JULIAN - POSTGRES_EPOCH_JDATE))
	{
		if ((int64) d <= (int64) start + 28 * (int64) months)
		{
			*within = true;
			return true;
		}
		if ((int64) d > (int64) start + 31 * (int64) months)
		{
			*within = false;
			return true;
		}
	}
	if (!cbr_add_months(start, months, &end))
		return false;
	*within = d <= end;
	return true;
}
