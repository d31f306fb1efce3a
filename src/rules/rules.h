/*
 * rules.h
 *		The decision layer: every return rule decided once, in plain C, over
 *		plain values and a read-only policy snapshot, as datetime.c decides
 *		a date: decide, then report.
 *
 * A decision function raises nothing and allocates nothing.  It returns a
 * verdict: whether the rule passed, and if not which rule failed (an
 * outcome) with the values and limits involved.  Its callers turn the
 * verdict into a SQL result (src/sql_api/rules.c), an explain row
 * (src/policy/report.c), a WHEN answer or an error (src/enforce/).  So the
 * SQL functions, the explain functions and the write-time checks cannot
 * disagree, and the rules are unit-tested outside the server
 * (test/unit/test_pure.c).  docs/architecture.md lists which function
 * decides which rule.
 *
 * The statutory windows are constants here on purpose: a change of law is a
 * new release.  What customs changes by announcement is in the policy
 * snapshot (CbrPolicy), loaded from the policy tables by src/policy/.
 */
#ifndef CBRETURN_RULES_H
#define CBRETURN_RULES_H

#include "cbreturn.h"
#include "utils/date.h"
#include "rules/quantity.h"		/* CbrQty: the exact decimals of R-IM-3, R-IM-4 */

/* R-EX-1: months from the export clearance date, by reason. */
#define CBR_EXPORT_MONTHS_UNSOLD_OR_RETURNED	6
#define CBR_EXPORT_MONTHS_QUALITY				12
/* R-IM-1: calendar days from the release date of the import list. */
#define CBR_IMPORT_APPLY_DAYS					30
#define CBR_IMPORT_ARRIVAL_DAYS					45
/* R-TX-2: months from the export date when no policy period names them. */
#define CBR_TAX_RELIEF_MONTHS					6

#define CBR_CODE_9610	9610
#define CBR_CODE_1210	1210

/* Order and labels of the SQL enum cbreturn.return_reason. */
typedef enum CbrReason
{
	CBR_REASON_UNSOLD = 0,			/* 'unsold', remark ZXTY */
	CBR_REASON_CONSUMER_RETURN = 1, /* 'consumer_return', remark THTY */
	CBR_REASON_QUALITY_OR_SPEC = 2	/* 'quality_or_spec', remark PGTY */
} CbrReason;

#define CBR_REASON_COUNT 3

/* The label of a reason in cbreturn.return_reason. */
extern const char *cbr_reason_label(CbrReason reason);

/* ---------------------------------------------------------------------
 * The policy snapshot: what the policy tables said when it was loaded
 * (src/policy/policy.c).  Read-only for the decision functions.
 * --------------------------------------------------------------------- */
#define CBR_DISTRICT_COUNT	100		/* two decimal digits */
#define CBR_CODE4_COUNT		10000	/* four decimal digits */

/* One row of cbreturn.tax_policy_periods (R-TX-1). */
typedef struct CbrTaxPeriod
{
	char	   *announcement;
	char	   *extends;		/* NULL when none */
	char	   *title_zh;		/* Chinese official title; NULL when none */
	const struct CbrTaxPeriod *extended;	/* the row extends names, if listed */
	DateADT		declared_from;
	DateADT		declared_to;
	int			months;
	int			ncodes;
	int16	   *codes;
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
	char	   *district_name_zh[CBR_DISTRICT_COUNT];	/* name_zh */
	DateADT		earliest_pilot_from;	/* DATEVAL_NOEND when no pilot district */

	/* cbreturn.supervision_codes (R-ID-3) */
	bool		code_known[CBR_CODE4_COUNT];

	/* cbreturn.rule_parameters */
	DateADT		nationwide_from;	/* cross_customs_nationwide_from (R-EX-5) */
	bool		pilot_both_districts;	/* cross_customs_pilot_both_districts */
	CbrQty		limit_per_transaction;	/* import_limit_per_transaction (R-IM-4) */
	CbrQty		limit_per_year; /* import_limit_per_year (R-IM-4) */
	CbrQty		import_tax_share;	/* import_tax_share (R-IM-4) */
	bool		weekends_rest;	/* holiday_weekends_are_rest_days (R-P-2) */

	/* cbreturn.tax_policy_periods, by declared_from, declared_to, name */
	int			ntax_periods;
	CbrTaxPeriod *tax_periods;

	/* cbreturn.holidays, sorted by day */
	int			nholidays;
	CbrHoliday *holidays;
} CbrPolicy;

/* ---------------------------------------------------------------------
 * Outcomes shared by every family.  A verdict's outcome is CBR_PASS or
 * says what failed; src/policy/report.c maps each to its SQLSTATE
 * (docs/errors.md): bad input 22008 / 22023 / CB007, a rule CB00n.
 * --------------------------------------------------------------------- */
typedef enum CbrOutcome
{
	CBR_PASS = 0,
	CBR_BAD_INFINITE,			/* an infinite date (22008) */
	CBR_BAD_RANGE,				/* a deadline past the range of type date (22008) */
	CBR_BAD_ORDER,				/* a date before the one it follows (22023) */
	CBR_BAD_TEXT,				/* text that reads as no value of its type (22P02) */
	CBR_BAD_DISTRICT,			/* district not in cbreturn.districts (CB007) */
	CBR_BAD_CODE,				/* supervision code not in cbreturn.supervision_codes (CB007) */
	CBR_BAD_AMOUNT,				/* R-IM-3/4: a negative amount (22023) */
	CBR_BAD_RATE,				/* R-IM-4: a rate outside [0, 1) (22023) */
	CBR_BAD_EXCESS,				/* R-IM-3: a return larger than the annual amount (22023) */
	CBR_BAD_PRECISION,			/* R-IM-3/4: amounts beyond exact arithmetic (22003) */
	CBR_FAIL_WINDOW,			/* R-EX-1, R-IM-1 (CB001) */
	CBR_FAIL_REMARK_EMPTY,		/* R-EX-2 (CB002) */
	CBR_FAIL_REMARK_NO_CODE,	/* R-EX-2 (CB002) */
	CBR_FAIL_REMARK_MISMATCH,	/* R-EX-2 (CB002) */
	CBR_FAIL_CROSS_CODE,		/* R-EX-5: only 9610 crosses districts (CB005) */
	CBR_FAIL_CROSS_DATE,		/* R-EX-5: before the nationwide date, outside the pilot (CB005) */
	CBR_FAIL_STATUS_BACK,		/* section 6: status moved back (CB006) */
	CBR_FAIL_STATUS_FINAL,		/* section 6: a final status changed (CB006) */
	CBR_FAIL_STAMP_AHEAD,		/* section 6: time of a stage not reached (CB006) */
	CBR_FAIL_STAMP_ORDER,		/* section 6: a later stage with an earlier time (CB006) */
	CBR_FAIL_STAMP_CLEARED,		/* section 6: a recorded stage time cleared (CB006) */
	CBR_FAIL_STAGE_SKIPPED,		/* section 6: a status reached without a mapped stage's time (CB006) */
	CBR_BAD_ARGUMENT,			/* a value the rule does not cover (22023) */
	CBR_FAIL_APPLICANT,			/* R-EX-4: applicant not registered that day (CB008) */
	CBR_FAIL_SITE,				/* R-EX-6: return site not authorised that day (CB009) */
	CBR_FAIL_WAREHOUSE,			/* R-IM-5: return-centre warehouse refused (CB010) */
	CBR_FAIL_ARRIVAL,			/* R-IM-1, R-IM-6: arrival place refused (CB011) */
	CBR_FAIL_IMPORT_APPLICANT	/* R-IM-7: applicant may not apply (CB012) */
} CbrOutcome;

/* ---------------------------------------------------------------------
 * R-P-1 period arithmetic (period.c).  false when the start is infinite or
 * the result would leave the range of type date.
 * --------------------------------------------------------------------- */
extern bool cbr_add_days(DateADT start, int days, DateADT *result);
extern bool cbr_add_months(DateADT start, int months, DateADT *result);

/* The calendar year of a finite date. */
extern int	cbr_date_year(DateADT d);

/* d <= cbr_add_months(start, months), deciding from day counts where it can. */
extern bool cbr_within_months(DateADT start, int months, DateADT d, bool *within);

/* R-EX-1: window length by reason. */
extern int	cbr_export_window_months(CbrReason reason);

/* R-EX-2: remark code of a reason ("ZXTY", "THTY", "PGTY"). */
extern const char *cbr_remark_code(CbrReason reason);

/*
 * R-EX-2: the reason named by the code at the first position of a remarks
 * column.  Leading white space (ASCII and the ideographic space U+3000) is
 * skipped and case is ignored; the code must be followed by the end of the
 * text or by a character that is not an ASCII letter or digit.
 */
extern bool cbr_reason_from_remarks(const char *remarks, int len, CbrReason *reason);

/*
 * R-EX-2, for a hint only: remarks that start with a code written in
 * full-width letters (U+FF21 ...), which customs does not read as the code.
 */
extern bool cbr_remarks_fullwidth_code(const char *remarks, int len, CbrReason *reason);

/* R-EX-2: remarks that are empty or white space only (ASCII or U+3000). */
extern bool cbr_remarks_blank(const char *remarks, int len);

/* ---------------------------------------------------------------------
 * R-P-2 (calendar.c): rest days and the next working day.
 * --------------------------------------------------------------------- */
extern bool cbr_is_rest_day(const CbrPolicy *p, DateADT d);

/* false when no working day follows d within the range of type date */
extern bool cbr_next_working_day(const CbrPolicy *p, DateADT d, DateADT *result);

/* ---------------------------------------------------------------------
 * R-EX-1 (export.c): the window of one export return.
 * --------------------------------------------------------------------- */
typedef enum CbrDateRole
{
	CBR_DATE_EXPORTED,
	CBR_DATE_RETURNED,
	CBR_DATE_LEFT_AREA,
	CBR_DATE_RELEASED,
	CBR_DATE_APPLIED,
	CBR_DATE_ARRIVED,
	CBR_DATE_DEADLINE,
	CBR_DATE_AS_OF,
	CBR_DATE_DAY
} CbrDateRole;

typedef struct CbrWindowVerdict
{
	CbrOutcome	outcome;
	CbrDateRole bad;			/* the date at fault (bad input) or late (CB001) */
	CbrDateRole other;			/* CBR_BAD_ORDER: the date it may not precede */
	DateADT		bad_value;
	DateADT		other_value;
	bool		has_deadline;
	DateADT		deadline;		/* the last day of the window */
	int			length;			/* months (R-EX-1) or days (R-IM-1) */
} CbrWindowVerdict;

/*
 * R-P-1: the last day of a window of length months (or days) from start,
 * the date in role; the start of every window verdict.
 */
extern CbrOutcome cbr_decide_deadline(DateADT start, CbrDateRole role, int length, bool months,
									  CbrWindowVerdict *v);

extern CbrOutcome cbr_decide_export_window(DateADT exported_on, CbrReason reason,
										   bool has_returned, DateADT returned_on,
										   CbrWindowVerdict *v);

/*
 * R-EX-1 for a 1210 export whose departure from the special customs
 * supervision area (or bonded logistics centre B) is known: the window
 * counts from the export date, as for every code (the departure starts the
 * R-TX-2 relief period only); the departure is not before the export
 * declaration, nor the return before the departure (22023).
 */
extern CbrOutcome cbr_decide_bonded_export_window(DateADT exported_on, DateADT left_on,
												  CbrReason reason, bool has_returned,
												  DateADT returned_on, CbrWindowVerdict *v);

/* The deadline of R-IM-1 (CBR_DATE_APPLIED: 30 days, CBR_DATE_ARRIVED: 45). */
extern CbrOutcome cbr_decide_import_deadline(DateADT released_on, CbrDateRole which,
											 CbrWindowVerdict *v);

/* ---------------------------------------------------------------------
 * R-EX-5 (export.c): a return through another customs district.
 * --------------------------------------------------------------------- */
typedef struct CbrCrossVerdict
{
	CbrOutcome	outcome;
	int16		code;
	int16		export_office;
	int16		return_office;
	DateADT		returned_on;
	bool		bad_is_return_office;	/* CBR_BAD_DISTRICT: which office */
	int			export_district;
	int			return_district;
	bool		same_district;
	bool		code_crosses;	/* the code is 9610 */
	bool		nationwide;		/* returned on or after the nationwide date */
	bool		return_pilot;	/* return district in the pilot on returned_on */
	bool		export_pilot;	/* export district in the pilot on returned_on */
} CbrCrossVerdict;

extern CbrOutcome cbr_decide_cross_customs(const CbrPolicy *p, int16 code, int16 export_office,
										   int16 return_office, DateADT returned_on,
										   CbrCrossVerdict *v);

/* ---------------------------------------------------------------------
 * R-EX-2, R-EX-1, R-EX-5 on one row of an export-return table (export.c),
 * as the write-time check reads it.  NULL means "not known yet" and skips
 * the checks that need it.
 * --------------------------------------------------------------------- */
typedef enum CbrValueState
{
	CBR_VALUE_NULL,
	CBR_VALUE_OK,
	CBR_VALUE_BAD				/* text that does not read as the type (22P02) */
} CbrValueState;

/* The registers (R-EX-4, R-EX-6, R-IM-5, R-IM-7) and their decisions. */
#include "rules/registers.h"

typedef struct CbrExportRow
{
	bool		reason_attached;
	bool		remarks_attached;
	bool		codes_attached;	/* supervision_code (and the offices) */
	bool		fill_remarks;	/* fill blank remarks with the code */
	bool		need_deadline;	/* the verdict must carry the R-EX-1 deadline */
	bool		has_exported;
	bool		has_returned;
	DateADT		exported;
	DateADT		returned;
	CbrValueState reason_state;
	CbrReason	reason;
	const char *remarks;		/* NULL when NULL; not NUL-terminated */
	int			remarks_len;
	CbrValueState code_state[3];	/* supervision, export office, return office */
	int16		code[3];
	/* R-TX-2 clock of 1210 rows: the departure from the special area */
	bool		left_attached;
	bool		has_left;
	DateADT		left;
	/* R-EX-4 applicant, R-EX-6 return site: read from registers */
	bool		applicant_attached;
	CbrValueState applicant_state;
	CbrUscc		applicant;
	bool		site_attached;
	const char *site;			/* NUL-terminated; NULL when NULL */
	const CbrRegisters *registers;	/* when applicant or site is attached */
	bool		cross_set_aside;	/* R-EX-5 and R-EX-6 not decided (record mode) */
} CbrExportRow;

typedef struct CbrExportVerdict
{
	CbrOutcome	outcome;		/* bad dates: see window.bad */
	int			bad_text;		/* CBR_BAD_TEXT: -1 the reason, 0..2 a code, 3 the applicant */
	bool		has_reason;
	CbrReason	reason;			/* the reason column's, or the remarks' code's */
	CbrReason	coded;			/* the reason of the remark code */
	bool		fill_remarks;	/* blank remarks to be filled with the code */
	CbrWindowVerdict window;	/* R-EX-1 */
	CbrCrossVerdict cross;		/* R-EX-5, when decided */
	CbrRegisterVerdict reg;		/* R-EX-6, R-EX-4, when decided */
} CbrExportVerdict;

extern CbrOutcome cbr_decide_export_return(const CbrPolicy *p, const CbrExportRow *row,
										   CbrExportVerdict *v);

/* ---------------------------------------------------------------------
 * R-IM-1 (import.c): application within 30, arrival within 45 days.
 * --------------------------------------------------------------------- */
typedef struct CbrImportVerdict
{
	CbrOutcome	outcome;
	CbrWindowVerdict apply;		/* the application deadline (and its test) */
	CbrWindowVerdict arrive;	/* the arrival deadline (and its test) */
	const CbrWindowVerdict *failed; /* the one that failed, or NULL */
	bool		decided;		/* see cbr_decide_import_return */
} CbrImportVerdict;

/*
 * decided: the verdict is final.  A late date (R-IM-1: an application filed
 * after day 30 is late when filed, whatever the arrival) or bad input is
 * final; a pass is final only when both dates are known, otherwise the
 * return is on time so far (import_return_on_time answers NULL).
 */
extern CbrOutcome cbr_decide_import_return(bool has_released, DateADT released_on, bool has_applied,
										   DateADT applied_on, bool has_arrived,
										   DateADT arrived_on, CbrImportVerdict *v);

/* ---------------------------------------------------------------------
 * R-IM-3, R-IM-4 (import.c): the retail-import tax, the annual amount and
 * what a return restores.  Amounts and rates are exact decimals (CbrQty,
 * rules/quantity.h); the arithmetic is exact (128-bit integers) and each
 * tax is rounded half away from zero to the fen, once.
 * --------------------------------------------------------------------- */
typedef enum CbrImportArg
{
	CBR_ARG_CUSTOMS_VALUE,
	CBR_ARG_VAT_RATE,
	CBR_ARG_CONSUMPTION_TAX_RATE,
	CBR_ARG_ANNUAL_USED,
	CBR_ARG_RETURNED_VALUE
} CbrImportArg;

/* The SQL argument name of each CbrImportArg. */
extern const char *const cbr_import_arg_names[5];

typedef struct CbrImportTax
{
	CbrOutcome	outcome;		/* CBR_PASS or bad input (bad_arg) */
	CbrImportArg bad_arg;
	bool		within;			/* within both limits of R-IM-4 */
	bool		over_transaction;	/* customs_value above import_limit_per_transaction */
	CbrQty		tariff;			/* the amounts, scale 2, when within */
	CbrQty		consumption_tax;
	CbrQty		import_vat;
	CbrQty		total;
} CbrImportTax;

extern CbrOutcome cbr_decide_import_tax(const CbrPolicy *p, CbrQty customs_value, CbrQty vat_rate,
										CbrQty consumption_tax_rate, CbrQty annual_used,
										CbrImportTax *v);

/* R-IM-4: what is left of the annual limit, never below 0. */
extern CbrOutcome cbr_decide_quota_remaining(const CbrPolicy *p, CbrQty annual_used, CbrQty *left,
											 CbrImportArg *bad_arg);

/* R-IM-3 with section 6: what a return's status means for its effect. */
typedef enum CbrImportEffect
{
	CBR_EFFECT_NOT_YET,			/* registered ... inspected: nothing restored yet */
	CBR_EFFECT_APPLIED,			/* released: tax refunded, quota restored */
	CBR_EFFECT_NEVER			/* rejected: nothing, ever */
} CbrImportEffect;

/* "not_yet", "applied", "never" */
extern const char *const cbr_import_effect_names[3];

/* The stage (index of cbr_stage_names) named by a status; -1 for none. */
extern int	cbr_stage_from_name(const char *name, int len);

typedef struct CbrQuotaInput
{
	int			stage;			/* index of cbr_stage_names */
	CbrQty		returned;		/* returned_value */
	bool		has_purchase;	/* purchased_on given */
	DateADT		purchased_on;
	bool		has_used;		/* annual_used given */
	CbrQty		annual_used;
	bool		has_year;		/* the year annual_used is of; else the purchase's */
	int			amount_year;
	bool		ordinary;		/* an ordinary (taxed) return: outside R-IM-3 */
} CbrQuotaInput;

typedef struct CbrQuotaVerdict
{
	CbrOutcome	outcome;		/* CBR_PASS, bad input (bad_arg), CBR_BAD_INFINITE */
	CbrImportArg bad_arg;
	CbrImportEffect effect;
	bool		outside;		/* never: an ordinary return, outside R-IM-3 (not rejected) */
	int			quota_year;		/* calendar year of the purchase (has_purchase) */
	bool		same_year;		/* annual_used is of the purchase's year */
	CbrQty		restored;		/* restored to quota_year: returned_value, or 0 */
	CbrQty		amount_after;	/* annual_used after the return (has_used) */
} CbrQuotaVerdict;

extern CbrOutcome cbr_decide_import_quota(const CbrQuotaInput *in, CbrQuotaVerdict *v);

/* ---------------------------------------------------------------------
 * R-TX-1 ... R-TX-6 (tax.c): tax relief on a returned export.
 * --------------------------------------------------------------------- */
#define CBR_FAILED_TX1		0x01
#define CBR_FAILED_TX2		0x02
#define CBR_FAILED_TX4		0x04
#define CBR_FAILED_TX6		0x08
#define CBR_FAILED_COUNT	4

/* The rule id of each CBR_FAILED_TX* bit, in bit (= rule) order. */
extern const char *const cbr_failed_rule_ids[CBR_FAILED_COUNT];

typedef struct CbrReliefInput
{
	int16		code;
	DateADT		exported_on;
	DateADT		returned_on;
	CbrReason	reason;
	bool		is_food;
	bool		original_state;
	bool		has_left_on;
	DateADT		left_on;		/* left_special_area_on (1210) */
	bool		rebate_claimed;
	bool		ordinary;		/* declared as ordinary returned goods (e.g. 4561) */
} CbrReliefInput;

typedef struct CbrRelief
{
	CbrOutcome	outcome;		/* bad input only; a refusal is failed != 0 */
	CbrDateRole bad;
	CbrDateRole other;
	DateADT		bad_value;
	DateADT		other_value;

	bool		relieved;
	bool		import_duty_exempt;
	bool		import_vat_exempt;
	bool		consumption_tax_exempt;
	bool		export_duty_refund;
	bool		rebate_repayment_required;	/* R-TX-3: a claimed rebate is repaid first */
	bool		tax_certificate_required;	/* R-TX-3, R-TX-5: whenever relieved */
	uint32		failed;			/* CBR_FAILED_TX* bits; 0 when relieved */

	/*
	 * What the texts are built from (src/policy/report.c): the route, and on
	 * the announcement route the period named as basis.  Evidence (R-TX-5)
	 * follows from the reason and rebate_claimed of the input.
	 */
	bool		route_tx6;		/* quality/specification: the statutory route */
	bool		ordinary;		/* an ordinary return: outside the announcements (R-TX-2) */
	const CbrTaxPeriod *covering;	/* R-TX-1: a period covering the date, or NULL */
	const CbrTaxPeriod *period; /* R-TX-2: the one listing the code, or NULL */
	int			months;
	bool		window_known;	/* false: 1210 without left_special_area_on, back later than the months of the export */
	bool		window_by_export;	/* 1210 without left_special_area_on, back within the months of the export */
	bool		window_ok;
	DateADT		window_start;
} CbrRelief;

extern CbrOutcome cbr_decide_tax_relief(const CbrPolicy *p, const CbrReliefInput *in,
										CbrRelief *out);

/* ---------------------------------------------------------------------
 * Rules section 6 (status.c): the stages of a return.
 * --------------------------------------------------------------------- */
#define CBR_STAGES 7

/* registered, declared, shipped, arrived, inspected, released, rejected */
extern const char *const cbr_stage_names[CBR_STAGES];
#define CBR_STAGE_RELEASED	5
#define CBR_STAGE_REJECTED	6

/*
 * A withdrawn return (rules section 6: withdrawn by its applicant before
 * customs decided): a status a table may map besides the seven stages.  It
 * is final, reached from any stage before released or rejected, and has no
 * time column of its own.
 */
#define CBR_STATUS_WITHDRAWN 7

typedef struct CbrStatusRow
{
	int			stage;			/* 0..6, CBR_STATUS_WITHDRAWN, -1 for NULL */
	bool		has_stamp[CBR_STAGES];
	int64		stamp[CBR_STAGES];	/* comparable: days or microseconds */
	bool		mapped[CBR_STAGES]; /* the table has a time column for the stage */
	bool		infinite[CBR_STAGES];	/* the time is infinite (bad input, 22008) */
} CbrStatusRow;

typedef struct CbrStatusVerdict
{
	CbrOutcome	outcome;
	int			stage;			/* the new status */
	int			old_stage;		/* the old status (updates) */
	int			which;			/* the stage whose time is at fault (or missing) */
	int			previous;		/* CBR_FAIL_STAMP_ORDER: the earlier stage */
} CbrStatusVerdict;

/* old is NULL for an insert. */
extern CbrOutcome cbr_decide_status(const CbrStatusRow *old, const CbrStatusRow *row,
									CbrStatusVerdict *v);

/* return_status(): where a return stands on a day. */
typedef enum CbrReturnStatus
{
	CBR_STATUS_OPEN,
	CBR_STATUS_DUE_SOON,
	CBR_STATUS_OVERDUE,
	CBR_STATUS_CLOSED_ON_TIME,
	CBR_STATUS_CLOSED_LATE,
	CBR_STATUS_ORDINARY			/* outside the CBEC windows (cbr_decide_window_scope) */
} CbrReturnStatus;

extern const char *const cbr_return_status_names[6];

typedef struct CbrStandingVerdict
{
	CbrOutcome	outcome;		/* CBR_BAD_INFINITE with bad */
	CbrDateRole bad;
	DateADT		bad_value;
	bool		closed;
	DateADT		reference;		/* the return date when closed by as_of, else as_of */
	int64		days_left;		/* deadline - reference */
} CbrStandingVerdict;

extern CbrOutcome cbr_decide_standing(DateADT deadline, bool has_returned, DateADT returned_on,
									  DateADT as_of, CbrStandingVerdict *v);
extern CbrReturnStatus cbr_standing_status(const CbrStandingVerdict *v, int32 due_soon_days);

/*
 * The one-call import assessment (assess.c): where a return stands when both
 * R-IM-1 windows run, each decided by cbr_decide_standing; *days_left is the
 * margin of the window(s) that decide.
 */
/*
 * Whether the CBEC windows (R-EX-1, R-IM-1) and the remark code (R-EX-2)
 * apply to a return at all (assess.c): not to an ordinary (taxed) return,
 * and not known when it is not known whether the return is ordinary.
 */
typedef enum CbrWindowScope
{
	CBR_WINDOW_CBEC,			/* a CBEC return: its windows apply */
	CBR_WINDOW_ORDINARY,		/* an ordinary return: none applies */
	CBR_WINDOW_UNKNOWN			/* ordinary or not is not known */
} CbrWindowScope;

extern CbrWindowScope cbr_decide_window_scope(bool has_ordinary, bool ordinary);

extern CbrReturnStatus cbr_import_standing(const CbrStandingVerdict *apply,
										   const CbrStandingVerdict *arrive,
										   int32 due_soon_days, int64 *days_left);

#endif							/* CBRETURN_RULES_H */
