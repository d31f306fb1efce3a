/*
 * sql_api.h
 *		What the fmgr wrappers of rules.c share with those of explain.c:
 *		reading the arguments of the tax-relief functions and reporting the
 *		bad input of a verdict.
 */
#ifndef CBRETURN_SQL_API_H
#define CBRETURN_SQL_API_H

#include "policy/policy.h"

extern bool cbr_relief_args(FunctionCallInfo fcinfo, const CbrPolicy *p, CbrReliefInput *in,
							CbrRelief *r);
extern void cbr_import_report_input(const CbrImportVerdict *v);

/* The explain steps as the rows of a materialized SRF (explain.c). */
extern Datum cbr_emit_steps(FunctionCallInfo fcinfo, List *steps);

/* The blessed row descriptor of a composite-returning function, kept in fn_extra. */
extern TupleDesc cbr_result_tupdesc(FunctionCallInfo fcinfo);

#endif							/* CBRETURN_SQL_API_H */
