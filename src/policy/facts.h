/*
 * facts.h
 *		How the facts of an ERP row are read before a rule sees them: the
 *		reason vocabulary of cbreturn.reason_labels (R-V-1, reason_labels.c)
 *		and the China date of a timestamp (R-T-1, china_date.c).  Used by the
 *		write-time checks (src/enforce/) and the SQL functions of
 *		src/sql_api/facts.c.
 */
#ifndef CBRETURN_FACTS_H
#define CBRETURN_FACTS_H

#include "policy/policy.h"

#include "datatype/timestamp.h"
#include "utils/date.h"

/* ---------------------------------------------------------------------
 * reason_labels.c: R-V-1
 * --------------------------------------------------------------------- */
typedef enum CbrLabelMatch
{
	CBR_LABEL_REASON,			/* the label names a reason */
	CBR_LABEL_WITHDRAWN,		/* a row of reason_labels with reason NULL */
	CBR_LABEL_UNKNOWN			/* no row of reason_labels has its key */
} CbrLabelMatch;

/*
 * The reason an ERP label names (s, len bytes, not NUL-terminated), by the
 * key of src/rules/label.c, from the per-backend cache of
 * cbreturn.reason_labels.  No allocation for a label up to 255 bytes.
 */
extern CbrLabelMatch cbr_reason_label_lookup(const char *s, int len, CbrReason *reason);

/* The key of a label as cbr_reason_label_lookup compares it (palloc'd). */
extern char *cbr_reason_label_key(const char *s, int len);

/* ---------------------------------------------------------------------
 * china_date.c: R-T-1
 * --------------------------------------------------------------------- */

/* The date in China (Asia/Shanghai) of an instant; +-infinity stays infinite. */
extern DateADT cbr_china_date(TimestampTz ts);

/* The date of a timestamp without time zone, read as China local time. */
extern DateADT cbr_local_date(Timestamp ts);

/*
 * The date a check reads from a value of a date role: a date as it is, a
 * timestamp's date, a timestamptz's China date (typid DATEOID, TIMESTAMPOID
 * or TIMESTAMPTZOID).
 */
extern DateADT cbr_fact_date(Datum value, Oid typid);

#endif							/* CBRETURN_FACTS_H */
