/*
 * policy.h
 *		Policy as data: the per-backend cache of the policy tables of schema
 *		cbreturn (districts, supervision_codes, tax_policy_periods,
 *		rule_parameters, holidays) and the rules decided from it (R-EX-5,
 *		R-TX-1, R-IM-4, R-P-2).
 *
 * The tables are read once per backend on first use and read again after a
 * relcache invalidation of any of them, which the statement triggers
 * cbreturn.policy_changed() send on every change (see 30_policy.sql).  So a
 * caller pays an array lookup per row, never a table lookup.
 */
#ifndef CBRETURN_POLICY_H
#define CBRETURN_POLICY_H

#include "cbreturn.h"
#include "rules/rules.h"
#include "nodes/pg_list.h"
#include "utils/date.h"
#include "utils/numeric.h"

#define CBR_DISTRICT_COUNT	100		/* two decimal digits */
#define CBR_CODE4_COUNT		10000	/* four decimal digits */

/* One row of cbreturn.tax_policy_periods (R-TX-1). */
typedef struct CbrTaxPeriod
{
	char	   *announcement;
	char	   *extends;		/* NULL when none */
	char	   *basis;			/* "announcement (extends ...)", named in results */
	text	   *basis_text;		/* the same as a text datum, built once per load */
	DateADT		declared_from;
	DateADT		declared_to;
	int			months;
	int			ncodes;
	int16	   *codes;
	char		confidence;
} CbrTaxPeriod;

/* One row of cbreturn.holidays (R-P-2). */
typedef struct CbrHoliday
{
	DateADT		day;
	bool		working_day;
} CbrHoliday;

typedef struct CbrPolicy
{
	/* changes with every load: what callers key their own derived caches on */
	uint64		generation;

	/* cbreturn.districts (R-ID-2, R-EX-5) */
	bool		district_known[CBR_DISTRICT_COUNT];
	bool		district_pilot[CBR_DISTRICT_COUNT];
	DateADT		district_pilot_from[CBR_DISTRICT_COUNT];
	char	   *district_name[CBR_DISTRICT_COUNT];	/* name_en */

	/* cbreturn.supervision_codes (R-ID-3) */
	bool		code_known[CBR_CODE4_COUNT];

	/* cbreturn.rule_parameters */
	DateADT		nationwide_from;	/* cross_customs_nationwide_from (R-EX-5) */
	bool		pilot_both_districts;	/* cross_customs_pilot_both_districts */
	Numeric		limit_per_transaction;	/* import_limit_per_transaction (R-IM-4) */
	Numeric		limit_per_year; /* import_limit_per_year (R-IM-4) */
	Numeric		import_tax_share;	/* import_tax_share (R-IM-4) */
	bool		weekends_rest;	/* holiday_weekends_are_rest_days (R-P-2) */

	/* cbreturn.tax_policy_periods, by declared_from, declared_to, name */
	int			ntax_periods;
	CbrTaxPeriod *tax_periods;

	/* cbreturn.holidays, sorted by day */
	int			nholidays;
	CbrHoliday *holidays;
} CbrPolicy;

/* Push the latest snapshot for reading cbreturn's tables into a cache. */
extern bool cbr_push_latest_snapshot(void);

/* The cached policy; loads it if this backend has none or it was invalidated. */
extern const CbrPolicy *cbr_policy(void);

/*
 * An explain step: one rule checked, whether it passed, what it saw and its
 * legal basis.  Decisions take an optional List ** and append to it; the
 * per-row SQL functions pass NULL and pay nothing for it.
 */
typedef struct CbrStep
{
	const char *rule_id;
	bool		passed;
	char	   *seen;
	const char *basis;
} CbrStep;

extern void cbr_step_add(List **steps, const char *rule_id, bool passed,
						 const char *basis, const char *fmt,...) pg_attribute_printf(5, 6);

/*
 * Record an explain step.  A macro so that on the per-row path (steps ==
 * NULL) the arguments, which format dates and strings, are not evaluated.
 */
#define cbr_step(steps, ...) \
	do { \
		if ((steps) != NULL) \
			cbr_step_add((steps), __VA_ARGS__); \
	} while (0)

/* Errors for codes missing from the reference tables (CB007). */
extern void cbr_check_district_known(const CbrPolicy *p, int16 office, const char *what);
extern void cbr_check_supervision_code_known(const CbrPolicy *p, int16 code);

/*
 * R-EX-5: may a return of an export declared under supervision_code at
 * export_office re-enter through return_office on returned_on?
 *
 *	- same district (first two digits): always allowed, for any code;
 *	- different districts: only 9610, and only if returned_on is on or after
 *	  the nationwide date (rule parameter cross_customs_nationwide_from), or
 *	  the pilot covers it: the return district (and, if the rule parameter
 *	  cross_customs_pilot_both_districts is true, the export district too)
 *	  has a cross_return_pilot_from on or before returned_on.
 *
 * Raises ERRCODE_CBRETURN_UNKNOWN_CODE when a district or the supervision code
 * is not in the reference tables, and 22008 for an infinite returned_on.
 */
extern bool cbr_cross_customs_allowed(int16 supervision_code, int16 export_office,
									  int16 return_office, DateADT returned_on);
extern bool cbr_cross_customs_decide(int16 supervision_code, int16 export_office,
									 int16 return_office, DateADT returned_on,
									 List **steps);

/* R-TX-1: the policy period covering an export of code declared on d, or NULL. */
extern const CbrTaxPeriod *cbr_tax_period_for(const CbrPolicy *p, int16 code, DateADT d);

/* R-P-2: is d a rest day; the first working day on or after d. */
extern bool cbr_is_rest_day(const CbrPolicy *p, DateADT d);
extern DateADT cbr_next_working_day(const CbrPolicy *p, DateADT d);

/*
 * R-TX-1 ... R-TX-6: tax relief on a returned export (export_tax_relief).
 * failed is the set of rule ids not met (CBR_FAILED_TX*), reported in rule order.
 */
typedef struct CbrRelief
{
	bool		relieved;
	bool		import_duty_exempt;
	bool		import_vat_exempt;
	bool		consumption_tax_exempt;
	bool		export_duty_refund;
	bool		rebate_repayment_required;
	const char *evidence_required;	/* NULL when not relieved */
	const char *basis;			/* NULL when not relieved */
	/* the same two as text datums that outlive the call (no per-row copy) */
	text	   *evidence_text;
	text	   *basis_text;
	uint32		failed;			/* CBR_FAILED_TX* bits; 0 when relieved */
} CbrRelief;

#define CBR_FAILED_TX1		0x01
#define CBR_FAILED_TX2		0x02
#define CBR_FAILED_TX4		0x04
#define CBR_FAILED_TX6		0x08
#define CBR_FAILED_COUNT	4

/* The rule id of each CBR_FAILED_TX* bit, in bit (= rule) order. */
extern const char *const cbr_failed_rule_ids[CBR_FAILED_COUNT];

extern void cbr_export_tax_relief_decide(int16 code, DateADT exported_on, DateADT returned_on,
										 CbrReason reason, bool is_food, bool original_state,
										 bool has_left_on, DateADT left_special_area_on,
										 bool rebate_claimed, CbrRelief *out, List **steps);

/* R-IM-1: is a retail import return on time (both deadlines met)? */
extern bool cbr_import_return_decide(DateADT released_on, bool has_applied, DateADT applied_on,
									 bool has_arrived, DateADT arrived_on, List **steps);

/* R-EX-1: deadline of an export return, with explain steps. */
extern DateADT cbr_export_deadline_decide(DateADT exported_on, CbrReason reason,
										  bool has_returned, DateADT returned_on, List **steps);

/* ISO text of a date whatever DateStyle says (explain output, messages). */
extern char *cbr_date_iso(DateADT d);

#define CBR_CODE_9610	9610
#define CBR_CODE_1210	1210

#endif							/* CBRETURN_POLICY_H */
