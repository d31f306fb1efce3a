/*
 * violation.h
 *		What a write-time check does with a row that breaks one of its rules
 *		(issue 12, items 4 and 5; violation.c, and behind it
 *		violation_options.c, violation_scan.c, violation_set.c):
 *
 *	 - refuse (the default): raise the rule's error, as always;
 *	 - record (cbreturn.set_on_violation): store the row and write one entry
 *	   per broken rule into cbreturn.violation_log;
 *	 - an ordinary (taxed) return, marked by the column named with
 *	   cbreturn.set_ordinary_return_column: the CBEC window and remark rules
 *	   (R-EX-1, R-EX-2, R-IM-1) do not apply to it;
 *	 - existing rows (cbreturn.violations, cbreturn.validate): the same
 *	   trigger function is called on every stored row and what it would
 *	   raise is collected (or raised, for validate).
 *
 * A check calls cbr_violations_begin() only once its decision found a broken
 * rule (the export check that fills a column: for every row, see
 * export_check.c); NULL means "raise as always", so the refuse path costs
 * one hash lookup on a row that is refused anyway, and no subtransaction.
 */
#ifndef CBRETURN_VIOLATION_H
#define CBRETURN_VIOLATION_H

#include "enforce/trigger.h"

/* What to do with the broken rules of one row (opaque). */
typedef struct CbrViolations CbrViolations;

/* Raises the error of one verdict (a check's report function and its arguments). */
typedef void (*CbrRaiseVerdict) (void *arg);

/*
 * What the check of this kind on rel does with a row that breaks a rule:
 * NULL when it raises the error as always (refuse mode, no ordinary-return
 * column, no scan of existing rows collecting).
 */
extern CbrViolations *cbr_violations_begin(Relation rel, CbrCheckKind kind);

/* Whether tuple is an ordinary (taxed) return (false when s is NULL). */
extern bool cbr_violations_ordinary(CbrViolations *s, HeapTuple tuple);

/*
 * Report one broken rule of tuple: raise(arg) raises its error.  Refuse
 * mode: raised as it is.  Record mode: a rule verdict (CB001, CB002, CB005,
 * CB006, CB008-CB012) is written to cbreturn.violation_log and the function returns; any
 * other error (bad input, privileges, a cancel) is raised.  Collecting
 * (cbreturn.violations): the verdict and bad input are collected.
 */
extern void cbr_violation_report(CbrViolations *s, HeapTuple tuple, const char *rule_id,
								 CbrRaiseVerdict raise, void *arg);

/*
 * Report bad input found while reading tuple, before any rule is decided (a
 * reason label that names no reason, CB013; a status label that names no
 * stage, CB006; a declaration header row that is missing, CB014):
 * raise(arg) raises it.  A write refuses it in either mode, validate()
 * raises it; violations() lists it as the row's finding of rule_id and goes
 * on with the next row.
 */
extern void cbr_violation_report_input(CbrViolations *s, HeapTuple tuple, const char *rule_id,
									   CbrRaiseVerdict raise, void *arg);

/*
 * The message of the error raise(arg) raises for a broken rule or bad input
 * (as the check would raise it, values shown only to who may read them),
 * without raising it: for a message that quotes another (a header
 * correction); NULL if it raised nothing.  Any other error is raised.
 */
extern char *cbr_verdict_message(CbrRaiseVerdict raise, void *arg);

/*
 * A trigger call for a stored row of rel that no statement writes: its
 * values are shown as SELECT allows (row_values.c), for cbr_verdict_message.
 */
extern TriggerData *cbr_stored_row_call(Relation rel, HeapTuple tuple);

/*
 * The export check's rules one at a time (cbr_decide_export_return stops at
 * the first broken rule, in the order R-EX-2, R-EX-1, R-EX-5): the rule id
 * of a failed verdict, and the next failure once the rules decided so far
 * are set aside (false when the rest passes).
 */
extern const char *cbr_export_rule_of(const CbrExportVerdict *d);
extern bool cbr_export_next_failure(const CbrPolicy *p, CbrExportRow *row, CbrExportVerdict *d);

/* R-EX-1 and R-EX-2 set aside: what is left to decide of an ordinary return. */
extern void cbr_export_skip_cbec(CbrExportRow *row);

/*
 * metadata.c: the caller owns relid (42501 otherwise); relid is a table
 * checks can be attached to (what the owner check asks first); a write as
 * the metadata's owner; a relation's schema-qualified, quoted name for
 * messages.
 */
extern void cbr_metadata_require_owner(Oid relid);
extern void cbr_metadata_require_table(Oid relid);
extern uint64 cbr_metadata_write(const char *sql, int nargs, Oid *argtypes, Datum *args,
								 const char *nulls, int expected);
extern char *cbr_relation_text(Oid relid);

#endif							/* CBRETURN_VIOLATION_H */
