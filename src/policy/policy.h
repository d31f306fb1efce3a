/*
 * policy.h
 *		The policy layer: the per-backend snapshot of the policy tables of
 *		schema cbreturn (policy.c), the enum bridge (reason.c), the cache
 *		protocol they share with the write-time checks (cache.c), and the
 *		texts built from a verdict and the snapshot: errors, explain steps,
 *		hints (report.c).
 *
 * Depends on src/rules/ only; src/sql_api/ and src/enforce/ depend on it.
 */
#ifndef CBRETURN_POLICY_H
#define CBRETURN_POLICY_H

#include "cbreturn.h"
#include "rules/rules.h"

#include "commands/trigger.h"
#include "nodes/pg_list.h"
#include "utils/numeric.h"

/* ---------------------------------------------------------------------
 * cache.c: what every backend cache of cbreturn shares
 * --------------------------------------------------------------------- */

/* Push the latest snapshot for reading cbreturn's tables into a cache. */
extern bool cbr_push_latest_snapshot(void);

/*
 * One cached build (the policy snapshot, one attached check's config): its
 * memory, whether it is still valid, and a counter every invalidation bumps.
 */
typedef struct CbrCache
{
	bool		valid;
	uint64		inval_count;
	MemoryContext cxt;			/* the current build */
} CbrCache;

/* A build in progress (see cache.c for the protocol). */
typedef struct CbrCacheBuild
{
	CbrCache   *cache;
	const char *name;
	uint64		count;
	bool		pushed;
	int			attempt;
	MemoryContext cxt;			/* allocate the build here */
} CbrCacheBuild;

extern void cbr_cache_build_begin(CbrCacheBuild *b, CbrCache *cache, const char *name);
extern void cbr_cache_build_read(CbrCacheBuild *b);
extern bool cbr_cache_build_end(CbrCacheBuild *b);
extern void cbr_cache_install(CbrCache *cache, MemoryContext cxt);
extern void cbr_cache_invalidate(CbrCache *cache);
extern void cbr_cache_forget(CbrCache *cache);

/*
 * The protocol of the statement triggers that tell the backend caches a
 * cbreturn table changed (policy_changed, _attached_changed): 39P01 on misuse.
 */
extern TriggerData *cbr_statement_trigger_protocol(FunctionCallInfo fcinfo, const char *funcname);
extern void cbr_cache_changed_trigger(FunctionCallInfo fcinfo, const char *funcname, CbrCache *cache);
extern int	cbr_cache_lock_tables(const char *const *names, int n, Oid *relids);
extern bool cbr_cache_relid_matches(const Oid *relids, int n, Oid relid);
extern void *cbr_cache_load_by_spi(CbrCache *cache, const char *name, void (*lock_tables) (void),
								   Size size, void (*fill) (void *snap, MemoryContext cxt));

/* ---------------------------------------------------------------------
 * policy.c: the snapshot
 * --------------------------------------------------------------------- */

/* The cached policy; loads it if this backend has none or it was invalidated. */
extern const CbrPolicy *cbr_policy(void);

/* citus.c: CB015 on a Citus worker whose policy is not the coordinator's. */
extern void cbr_citus_policy_check(void);

/*
 * A numeric as an exact decimal, at its own scale where that fits (else
 * with the trailing zeros of the fraction dropped):
 * CBR_VALUE_OK, CBR_VALUE_BAD for NaN or an infinity, CBR_VALUE_NULL when it
 * has more digits than a CbrQty holds.
 */
extern CbrValueState cbr_qty_from_numeric(Numeric n, CbrQty *q);

/* ---------------------------------------------------------------------
 * registers.c: the snapshot of the registers (R-EX-4, R-EX-6, R-IM-5, R-IM-7)
 * --------------------------------------------------------------------- */

/* The cached registers; loads them if this backend has none or they changed. */
extern const CbrRegisters *cbr_registers(void);

/* ---------------------------------------------------------------------
 * registers_report.c: the reason and basis of a register verdict
 * --------------------------------------------------------------------- */
extern const char *cbr_register_basis(const CbrRegisterVerdict *v);
extern char *cbr_uscc_text(const CbrUscc *u);
extern char *cbr_facilities_text(unsigned missing);
extern char *cbr_site_offices(const CbrRegisterVerdict *v);
extern char *cbr_applicant_reason(const CbrUscc *applicant, const CbrRegisterVerdict *v);
extern char *cbr_site_reason(const char *site, int16 office, const CbrRegisterVerdict *v);
extern char *cbr_warehouse_reason(const char *warehouse, const char *special_area,
								  const CbrRegisterVerdict *v);
extern char *cbr_import_applicant_reason(const char *enterprise, const CbrUscc *applicant,
										 const CbrRegisterVerdict *v);
extern char *cbr_arrival_reason(const char *original_place, const char *arrival_place,
								const char *declared_area, const CbrRegisterVerdict *v);

/* ---------------------------------------------------------------------
 * reason.c: cbreturn.return_reason <-> CbrReason
 * --------------------------------------------------------------------- */
extern CbrReason cbr_reason_from_oid(Oid enumval);
extern Oid	cbr_reason_to_oid(CbrReason reason);

/* ---------------------------------------------------------------------
 * report.c: messages and explain steps built from verdicts
 * --------------------------------------------------------------------- */

/* ISO text of a date whatever DateStyle says (every message, explain output). */
extern char *cbr_date_iso(DateADT d);

/* ISO text of a timestamp (with its zone when with_tz), whatever DateStyle says. */
extern char *cbr_timestamp_iso(Timestamp ts, bool with_tz);

/* The SQL argument name of a date role ("exported_on", ...). */
extern const char *cbr_date_role_name(CbrDateRole role);

/* What a date role is, in words to translate (gettext_noop: pass it through _()). */
extern const char *cbr_date_role_label(CbrDateRole role);

/*
 * Raise the error of a bad-input outcome (22008, 22023, CB007): what names
 * the bad date, other the date it may not precede.  Returns when the
 * outcome is not bad input.
 */
extern void cbr_report_bad_date(CbrOutcome outcome, const char *what, DateADT d,
								const char *other, DateADT o);
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

pg_noreturn extern void cbr_report_date_out_of_range(const char *what, DateADT d);
extern void cbr_report_cross_customs_input(const CbrCrossVerdict *v, Relation rel, const char *row,
										   const AttrNumber *cols);

/*
 * 22008 for a date of a row a check reads: infinite, or so far off that its
 * deadline is out of range (see report.c).
 */
pg_noreturn extern void cbr_report_row_date(Relation rel, const char *row, AttrNumber col,
											CbrDateRole role, DateADT d);
pg_noreturn extern void cbr_report_unknown_code(int16 code);
/* 22023: a supervision code without CBEC retail import returns (R-IM-1). */
pg_noreturn extern void cbr_report_not_retail_import(int16 code);

/*
 * An explain step: one rule checked, whether it passed, what it saw and its
 * legal basis, in the session's language (cbreturn.language or
 * lc_messages; a translation puts the rule's name before what it saw).
 * Built only when an explain function or an error asks.  fmt is a literal
 * that nls.mk extracts into the catalogue.
 */
typedef struct CbrStep
{
	const char *rule_id;
	bool		passed;
	char	   *seen;			/* what the step found; in Chinese after the rule's name */
	char	   *text;			/* what the step found, alone */
	const char *name;		/* the rule's name in the session's language, or NULL */
	const char *basis;
} CbrStep;

extern void cbr_step_add(List **steps, const char *rule_id, bool passed,
						 const char *basis, const char *fmt,...) pg_attribute_printf(5, 6);

extern List *cbr_steps_export_deadline(CbrReason reason, DateADT exported_on, bool has_returned,
									   const CbrWindowVerdict *v);
extern List *cbr_steps_bonded_export_deadline(CbrReason reason, DateADT exported_on,
											  DateADT left_on, bool has_returned,
											  const CbrWindowVerdict *v);
extern List *cbr_steps_import_return(DateADT released_on, bool has_applied, bool has_arrived,
									 const CbrImportVerdict *v);
extern List *cbr_steps_cross_customs(const CbrPolicy *p, const CbrCrossVerdict *v);
extern List *cbr_steps_import_effect(const CbrQuotaInput *in, const CbrQuotaVerdict *v);

/* R-IM-4, R-IM-3: the bases of import_retail_tax and import_return_effect (translated). */
extern const char *cbr_import_tax_basis(bool within);
extern const char *cbr_import_effect_basis(bool ordinary);
extern List *cbr_steps_tax_relief(const CbrPolicy *p, const CbrReliefInput *in,
								  const CbrRelief *r);

/*
 * R-TX-3, R-TX-5: evidence_required and basis of a relieved export_tax_relief
 * row, in the session's language (palloc'd); of a refused one, the basis
 * that taxes an ordinary return (evidence NULL).
 */
extern void cbr_relief_texts(const CbrReliefInput *in, const CbrRelief *r, char **evidence,
							 char **basis);

/* R-EX-5: the legal basis, naming the pilot and nationwide dates of the snapshot. */
extern char *cbr_cross_customs_basis(const CbrPolicy *p);

/* "; Failed: R-EX-5: ..." listing the failed steps, for an error's DETAIL. */
extern char *cbr_steps_failed_text(List *steps);

#endif							/* CBRETURN_POLICY_H */
