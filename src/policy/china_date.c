/*
 * china_date.c
 *		R-T-1 (rules: customs dates): the date in China of an instant.
 *
 * Customs dates are dates in China Standard Time (Asia/Shanghai).  A
 * timestamptz is an instant; which day it falls on depends on the zone it
 * is read in, and a session's TimeZone is the client's, not customs'.  A
 * release at 2026-03-01 23:30 in Beijing is 2026-03-01 15:30 UTC: read in a
 * UTC session with ::date it is still the 1st, but 2026-03-02 00:30 in
 * Beijing (2026-03-01 16:30 UTC) would be read as the 1st too, a day early,
 * and a deadline counted from it a day short.  So every date role of the
 * checks reads a timestamptz as its date in Asia/Shanghai, whatever the
 * session says; a timestamp without time zone is read as China local time.
 *
 * Per-row cost: the zone is looked up by name once per backend, and from it
 * the instant from which on the zone has no more transitions (China has kept
 * UTC+8 since 1991); an instant after that is a division, an earlier one
 * goes through the zone's history (pg_localtime).  Nothing here reads the
 * session's TimeZone.
 */
#include "policy/facts.h"

#include "catalog/pg_type.h"
#include "pgtime.h"
#include "utils/datetime.h"
#include "utils/timestamp.h"

#define CHINA_ZONE "Asia/Shanghai"

static pg_tz *china_tz = NULL;
static bool china_fixed = false;	/* the offset is fixed from china_fixed_from on */
static int64 china_fixed_from;	/* microseconds since 2000-01-01 UTC */
static int64 china_fixed_offset;	/* microseconds east of UTC */

/* Seconds from 1970-01-01 (pg_time_t) to 2000-01-01 (Timestamp). */
#define CBR_EPOCH_DIFF_SECS ((int64) (POSTGRES_EPOCH_JDATE - UNIX_EPOCH_JDATE) * SECS_PER_DAY)

static void
cbr_china_zone_load(void)
{
	pg_tz	   *tz = pg_tzset(CHINA_ZONE);
	pg_time_t	t = (pg_time_t) CBR_EPOCH_DIFF_SECS;	/* 2000-01-01 */
	long int	before_gmtoff;
	long int	after_gmtoff;
	int			before_isdst;
	int			after_isdst;
	pg_time_t	boundary;
	int			r;
	int			i;

	if (tz == NULL)
		ereport(ERROR,
				(errcode(ERRCODE_CONFIG_FILE_ERROR),
				 errmsg("time zone \"%s\" is not known to the server", CHINA_ZONE),
				 errdetail("Customs dates are dates in China (R-T-1); the server has no data for its time zone."),
				 errhint("Install the server's time zone data (the tzdata package, or PostgreSQL built with its own).")));
	/* Walk to the zone's last transition; a zone without one is fixed from 2000 on. */
	china_fixed = false;
	for (i = 0; i < 1000; i++)
	{
		r = pg_next_dst_boundary(&t, &before_gmtoff, &before_isdst, &boundary,
								 &after_gmtoff, &after_isdst, tz);
		if (r == 0)
		{
			china_fixed = true;
			china_fixed_from = ((int64) t - CBR_EPOCH_DIFF_SECS) * USECS_PER_SEC;
			china_fixed_offset = (int64) before_gmtoff * USECS_PER_SEC;
			break;
		}
		if (r < 0)
			break;
		t = boundary;
	}
	china_tz = tz;
}

/* floor(a / b) for b > 0 */
static inline int64
cbr_floor_div(int64 a, int64 b)
{
	return a >= 0 ? a / b : -((-a + b - 1) / b);
}

DateADT
cbr_china_date(TimestampTz ts)
{
	struct pg_tm tm;
	fsec_t		fsec;
	int			tz;

	if (TIMESTAMP_IS_NOBEGIN(ts))
		return DATEVAL_NOBEGIN;
	if (TIMESTAMP_IS_NOEND(ts))
		return DATEVAL_NOEND;
	if (unlikely(china_tz == NULL))
		cbr_china_zone_load();
	if (likely(china_fixed && ts >= china_fixed_from))
		return (DateADT) cbr_floor_div(ts + china_fixed_offset, USECS_PER_DAY);
	if (timestamp2tm(ts, &tz, &tm, &fsec, NULL, china_tz) != 0)
		ereport(ERROR,
				(errcode(ERRCODE_DATETIME_VALUE_OUT_OF_RANGE),
				 errmsg("timestamp out of range")));
	return (DateADT) (date2j(tm.tm_year, tm.tm_mon, tm.tm_mday) - POSTGRES_EPOCH_JDATE);
}

DateADT
cbr_local_date(Timestamp ts)
{
	if (TIMESTAMP_IS_NOBEGIN(ts))
		return DATEVAL_NOBEGIN;
	if (TIMESTAMP_IS_NOEND(ts))
		return DATEVAL_NOEND;
	return (DateADT) cbr_floor_div(ts, USECS_PER_DAY);
}

DateADT
cbr_fact_date(Datum value, Oid typid)
{
	switch (typid)
	{
		case TIMESTAMPTZOID:
			return cbr_china_date(DatumGetTimestampTz(value));
		case TIMESTAMPOID:
			return cbr_local_date(DatumGetTimestamp(value));
		default:
			return DatumGetDateADT(value);
	}
}
