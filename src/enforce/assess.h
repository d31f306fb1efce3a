/*
 * assess.h
 *		What the assessments over a table (cbreturn.assess_export_returns,
 *		cbreturn.assess_import_returns; assess_scan.c, issue 12 item 7) ask
 *		of the export and import checks: the facts of a stored row exactly as
 *		the attached check reads them (its columns, reason labels of R-V-1,
 *		a timestamp as its China date by R-T-1, the declaration header, the
 *		ordinary-return column), so that the assessment of a row and the
 *		check's verdict on it start from the same values.
 */
#ifndef CBRETURN_ENFORCE_ASSESS_H
#define CBRETURN_ENFORCE_ASSESS_H

#include "enforce/trigger.h"

/*
 * The export facts of td's row (td->tg_trigtuple of td->tg_relation) into
 * *row, and whether it is an ordinary (taxed) return.  A value the check
 * cannot read (a label that names no reason, CB013; a code that is not 4
 * digits, 22P02), a header row that is missing (CB014), or a header whose
 * facts the caller may not read (42501) raises, as cbreturn.validate() does.
 */
extern void cbr_export_facts(TriggerData *td, CbrExportRow *row, bool *ordinary);

/* The same for the import check: released_on, applied_on, arrived_on (date[3]). */
extern void cbr_import_facts(TriggerData *td, Datum *date, bool *isnull, bool *ordinary);

/* 42501: the caller may not read the facts the check of rel reads from its header. */
pg_noreturn extern void cbr_assess_header_denied(Relation rel, Oid header);

#endif							/* CBRETURN_ENFORCE_ASSESS_H */
