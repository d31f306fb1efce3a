/*
 * export_int.h
 *		What the two files of the export-return check share: the roles it
 *		reads, its cached configuration (export_check.c builds it), and the
 *		report path of a refused row (export_report.c).
 */
#ifndef CBRETURN_EXPORT_INT_H
#define CBRETURN_EXPORT_INT_H

#include "enforce/violation.h"	/* and trigger.h */
#include "enforce/header.h"

/* The columns the export check reads, in the order of _export_row_ok's arguments. */
typedef enum ExportRole
{
	EX_EXPORTED,
	EX_REASON,
	EX_RETURNED,
	EX_REMARKS,
	EX_SUPERVISION,
	EX_EXPORT_OFFICE,
	EX_RETURN_OFFICE,
	EX_APPLICANT,				/* R-EX-4 (added in 0.3.0: roles added later come last) */
	EX_SITE,					/* R-EX-6 */
	EX_LEFT,					/* R-TX-2: departure from the special area (1210) */
	EX_NROLES
} ExportRole;

typedef struct ExportCache
{
	AttrNumber	col[EX_NROLES];	/* 0: not attached */
	AttrNumber	deadline;
	bool		reason_is_enum;
	bool		code_is_text[3];	/* supervision, export office, return office */
	bool		applicant_is_text;
	bool		site_is_bpchar;
	bool		fill_remarks;
	CbrHeaderUse *hdr;			/* roles read from a declaration header (header.c) */
	/* how to build a value of the remarks column when filling it */
	FmgrInfo	remarks_in;
	Oid			remarks_ioparam;
	int32		remarks_typmod;
} ExportCache;

/*
 * The rule a failed verdict names and its SQLSTATE; true when the error
 * shows values the check may have read from a declaration header.
 */
extern bool cbr_export_rule(const CbrExportVerdict *d, const char **rule, int *code);

/*
 * A refused row, or any row of a check that fills a column: raise, record
 * or set aside (export_report.c, cbr_export_violation).
 */
extern void cbr_export_violation(TriggerData *trigdata, HeapTuple tuple, const ExportCache *c,
								 const Datum *v, const CbrExportRow *row, CbrExportVerdict *d);

/* The message of a failed verdict for a stored return, not raised (export_report.c). */
extern char *cbr_export_verdict_message(Relation rel, HeapTuple tuple, const ExportCache *c,
										const Datum *v, const CbrExportRow *row,
										const CbrExportVerdict *d);

/*
 * Raise the check's error on an unreadable value of trigdata's row (bad_text
 * as in CbrExportVerdict: -1 the reason, 0..2 a code).
 */
extern void cbr_export_raise_text(TriggerData *trigdata, const ExportCache *c, const Datum *v,
								  const CbrExportRow *row, int bad_text);

#endif							/* CBRETURN_EXPORT_INT_H */
