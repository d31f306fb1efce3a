/*
 * rules.h
 *		The return rules as plain C: periods (R-P-1), the statutory windows
 *		(R-EX-1, R-IM-1) and remark codes (R-EX-2).
 *
 * These functions know nothing of fmgr so that the SQL functions (rules.c),
 * the triggers (trigger.c) and out-of-server unit tests share one
 * implementation.  The statutory windows are constants here on purpose: a
 * change of law is a new release (policy that changes by announcement lives
 * in tables, see policy.c).
 */
#ifndef CBRETURN_RULES_H
#define CBRETURN_RULES_H

#include "cbreturn.h"
#include "utils/date.h"

/* R-EX-1: months from the export clearance date, by reason. */
#define CBR_EXPORT_MONTHS_UNSOLD_OR_RETURNED	6
#define CBR_EXPORT_MONTHS_QUALITY				12
/* R-IM-1: calendar days from the release date of the import list. */
#define CBR_IMPORT_APPLY_DAYS					30
#define CBR_IMPORT_ARRIVAL_DAYS					45
/* R-TX-2: months from the export date for tax relief. */
#define CBR_TAX_RELIEF_MONTHS					6

/* Order and labels of the SQL enum cbreturn.return_reason. */
typedef enum CbrReason
{
	CBR_REASON_UNSOLD = 0,			/* 'unsold', remark ZXTY */
	CBR_REASON_CONSUMER_RETURN = 1, /* 'consumer_return', remark THTY */
	CBR_REASON_QUALITY_OR_SPEC = 2	/* 'quality_or_spec', remark PGTY */
} CbrReason;

#define CBR_REASON_COUNT 3

/*
 * R-P-1 period arithmetic on DateADT.  Both return false (leaving *result
 * alone) when the start is infinite or the result would leave the range of
 * type date; callers raise the error.
 */
extern bool cbr_add_days(DateADT start, int days, DateADT *result);
extern bool cbr_add_months(DateADT start, int months, DateADT *result);

/* Statutory window lengths. */
extern int	cbr_export_window_months(CbrReason reason);

/* R-EX-2: remark code of a reason ("ZXTY", "THTY", "PGTY"). */
extern const char *cbr_remark_code(CbrReason reason);

/*
 * R-EX-2: the reason named by the code at the first position of a remarks
 * column.  Leading white space (ASCII and the ideographic space U+3000) is
 * skipped and case is ignored; the code must be followed by the end of the
 * text or by a character that is not an ASCII letter or digit.  Returns
 * false when the remarks carry no code.
 */
extern bool cbr_reason_from_remarks(const char *remarks, int len, CbrReason *reason);

/*
 * Map between the OIDs of the enum labels of cbreturn.return_reason and
 * CbrReason.  The OIDs are looked up once per backend (rules.c).
 */
extern CbrReason cbr_reason_from_oid(Oid enumval);
extern Oid	cbr_reason_to_oid(CbrReason reason);

/*
 * PostgreSQL 18 replaced pg_attribute_noreturn(), written after the
 * declarator, by pg_noreturn, written before the declaration (c.h); older
 * majors have only the former.  The same attribute for both:
 */
#ifndef pg_noreturn
#if defined(__GNUC__) || defined(__SUNPRO_C)
#define pg_noreturn __attribute__((noreturn))
#else
#define pg_noreturn
#endif
#endif

/* Raise the error for a date that cannot start or end a period (22008). */
pg_noreturn extern void cbr_report_date_out_of_range(const char *what, DateADT d);

#endif							/* CBRETURN_RULES_H */
