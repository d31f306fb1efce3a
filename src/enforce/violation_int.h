/*
 * violation_int.h
 *		What the files behind violation.h share (issue 12, items 4 and 5):
 *		the options of a check (violation_options.c), the collector of a scan
 *		of existing rows (violation_scan.c) that the report path
 *		(violation.c) hands a row's findings to, and the kind names.  Not for
 *		the checks themselves: they include violation.h.
 */
#ifndef CBRETURN_VIOLATION_INT_H
#define CBRETURN_VIOLATION_INT_H

#include "enforce/violation.h"

#include "utils/tuplestore.h"

/* check_kind as cbreturn.attached_check spells it, by CbrCheckKind */
extern const char *const cbr_check_kind_names[CBR_CHECK_KINDS];

/* The options of an attached check, as violation_options.c caches them. */
typedef struct CbrCheckOptions
{
	bool		record;			/* on_violation = 'record' */
	AttrNumber	ordinary;		/* the ordinary-return column; 0: none */
	int			nvalues;		/* the values that mark an ordinary return */
	Datum	   *values;
	FmgrInfo	eq;				/* the column type's default equality */
	Oid			collation;
} CbrCheckOptions;

/* The options of the check of kind on rel, built if they are not valid. */
extern const CbrCheckOptions *cbr_check_options(Relation rel, CbrCheckKind kind);

/* A scan of existing rows: cbreturn.violations() and cbreturn.validate(). */
typedef struct CbrCollector
{
	Oid			relid;
	bool		capture;		/* violations(): collect; validate(): raise */
	Tuplestorestate *store;
	TupleDesc	desc;
	/* the rows judged by each kind (set by cbr_scan_table) */
	uint64		rows[CBR_CHECK_KINDS];
	/* set: called on each row instead of the checks (assess_scan.c) */
	void		(*row_fn) (TriggerData *td, void *arg);
	void	   *row_arg;
} CbrCollector;

/* The scan in progress in this backend, if any (set by violation_scan.c). */
extern CbrCollector *cbr_collector;

/* The checks attached to a table that judge single rows, and the columns they read. */
typedef struct AttachedChecks
{
	int			nkinds;
	CbrCheckKind kinds[CBR_CHECK_KINDS];
	bool		quantity;		/* a quantity check is attached too */
	bool		header;			/* a declaration header link is attached too */
	int			ncols;
	AttrNumber *cols;
} AttachedChecks;

/*
 * violation_scan.c, for the scans of existing rows (violations(),
 * validate(), the assessments of assess_scan.c): the checks attached to
 * relid or an ancestor (of kind only, when not NULL), with the columns of
 * relid they read; 42501 unless the caller may read the columns they read
 * and the primary key; an ordinary or partitioned table opened; each row
 * the caller may see handed to the checks (or to col->row_fn), a
 * partitioned table's leaf by leaf.
 */
extern void cbr_attached_checks(Oid relid, const char *only, AttachedChecks *a);

/*
 * violation_checks.c, for violations() and validate(): the checks that judge
 * the rows of rel (cbr_attached_checks and, on a partitioned table, those its
 * partitions carry themselves); 42704 when none does (of kind only, when not
 * NULL), with what is attached instead.
 */
extern void cbr_row_checks(Relation rel, const char *only, AttachedChecks *a);
extern void cbr_require_row_checks(Relation rel, const char *only, const AttachedChecks *a);
extern void cbr_require_select(Relation rel, const AttachedChecks *a);
extern Relation cbr_open_checked(Oid relid);
extern uint64 cbr_scan_table(Relation rel, const char *only, CbrCollector *col);

/* The primary key of a row as jsonb, with only what role may read (violation.c). */
extern Datum cbr_row_key(Relation rel, HeapTuple tuple, Oid role, bool check_rls, bool *isnull);

/* 22004 when the table or the check kind (arguments 1 and 2) is NULL (violation_set.c). */
extern void cbr_require_table_and_kind(FunctionCallInfo fcinfo);

/* 42704: no check of kind is attached to relid (violation_set.c). */
pg_noreturn extern void cbr_not_attached(Oid relid, const char *kind);

#endif							/* CBRETURN_VIOLATION_INT_H */
