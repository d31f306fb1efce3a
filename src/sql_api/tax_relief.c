/*
 * tax_relief.c
 *		export_tax_relief and export_tax_relieved: the tax relief of a
 *		returned export (R-TX-1 ... R-TX-6), decided by cbr_decide_tax_relief
 *		(src/rules/tax.c).
 *
 * A scan calls export_tax_relief once per row, so what the wrapper adds to
 * the decision is what docs/performance.md ("tax relief") measures against
 * the built-in expression.  The per-row path therefore forms nothing: the
 * row descriptor is looked up and blessed once per call site (fn_extra),
 * each distinct answer row once per policy snapshot (ReliefCache), and a
 * row then costs the decision, a key and a pointer.  The language of the
 * texts is compared only for relieved answers, the only ones with texts.
 */
#include "policy/policy.h"
#include "sql_api/sql_api.h"

#include "access/htup_details.h"
#include "catalog/pg_type.h"
#include "funcapi.h"
#include "utils/array.h"
#include "utils/builtins.h"
#include "utils/expandedrecord.h"
#include "utils/memutils.h"

/* The empty text[] of a relieved row, built once per backend. */
static ArrayType *
cbr_constant_empty_text_array(void)
{
	static ArrayType *empty = NULL;

	if (empty == NULL)
	{
		MemoryContext old = MemoryContextSwitchTo(TopMemoryContext);

		empty = construct_empty_array(TEXTOID);
		MemoryContextSwitchTo(old);
	}
	return empty;
}

/*
 * Finished export_tax_relief rows, by what decides them.
 *
 * A result row is fully determined by: relieved or not; the route
 * (announcement, or R-TX-6 for quality/specification returns); when relieved,
 * the policy period named as basis, the reason (evidence, R-TX-5) and whether
 * a rebate was claimed (R-TX-3); when not, the set of failed rule ids.  So a
 * backend builds each distinct row once and returns it afterwards as it is,
 * instead of forming a row with two texts and an array per input row.  The
 * rows follow the policy generation (a policy period's index is part of the
 * key) and the row type (an attribute added by ALTER EXTENSION UPDATE); the
 * texts of relieved rows are in the session's language (src/policy/report.c),
 * so a relieved row is served only under the language the rows were built
 * in (cbreturn.language, lc_messages), while a refused row has no text and
 * serves every language.  A replaced set of rows is retired by the protocol
 * of src/policy/cache.c, so a row handed out stays readable until the end of
 * the transaction, as long as any query can hold it.
 */
typedef struct ReliefCache
{
	uint64		generation;
	char	   *language;		/* cbr_language_key() of the build */
	Oid			typid;			/* the row type of the build */
	int			natts;
	int			nslots;
	Datum	   *slots;			/* read-only expanded records; 0: not built yet */
	CbrCache	cache;			/* holds slots, language and the rows */
} ReliefCache;

static ReliefCache relief_cache;

static int
cbr_relief_key(const CbrPolicy *p, const CbrRelief *r, CbrReason reason, bool rebate_claimed)
{
	int			variant = (int) reason * 2 + (rebate_claimed ? 1 : 0);	/* 0..5 */
	int			route_tx6 = r->route_tx6 ? 1 : 0;

	if (r->relieved)
	{
		if (route_tx6)
			return variant;
		return 6 + (int) (r->period - p->tax_periods) * 6 + variant;
	}
	/* an ordinary return: one row, with the basis that taxes it */
	if (r->ordinary)
		return 6 + p->ntax_periods * 6 + 32;
	return 6 + p->ntax_periods * 6 + route_tx6 * 16 + (int) (r->failed & 0x0f);
}

/* A new, empty set of rows for the snapshot p, the row type and the language. */
static pg_noinline void
cbr_relief_cache_build(const CbrPolicy *p, TupleDesc tupdesc, const char *language)
{
	MemoryContext cxt = AllocSetContextCreate(CurrentMemoryContext, "cbreturn tax relief rows",
											  ALLOCSET_SMALL_SIZES);

	relief_cache.nslots = 6 + p->ntax_periods * 6 + 33;
	relief_cache.slots = MemoryContextAllocZero(cxt, sizeof(Datum) * relief_cache.nslots);
	relief_cache.language = MemoryContextStrdup(cxt, language);
	cbr_cache_install(&relief_cache.cache, cxt);
	relief_cache.generation = p->generation;
	relief_cache.typid = tupdesc->tdtypeid;
	relief_cache.natts = tupdesc->natts;
}

/* The slot of the row for verdict r, under the current snapshot and language. */
static inline Datum *
cbr_relief_cache_slot(const CbrPolicy *p, TupleDesc tupdesc, const CbrRelief *r, int key)
{
	if (unlikely(relief_cache.cache.cxt == NULL || relief_cache.generation != p->generation ||
				 relief_cache.typid != tupdesc->tdtypeid || relief_cache.natts != tupdesc->natts))
		cbr_relief_cache_build(p, tupdesc, cbr_language_key());
	else if ((r->relieved || r->ordinary) && strcmp(relief_cache.language, cbr_language_key()) != 0)
		cbr_relief_cache_build(p, tupdesc, cbr_language_key());
	if (unlikely(key < 0 || key >= relief_cache.nslots))
		return NULL;
	return &relief_cache.slots[key];
}

/*
 * The composite of a verdict: built once per distinct row (see ReliefCache).
 * The attributes in the order of cbreturn.tax_relief; a row type of 0.2.0
 * (before ALTER EXTENSION UPDATE) has 9 and gets the first 9.
 */
static HeapTuple
cbr_relief_form(TupleDesc tupdesc, const CbrReliefInput *in, const CbrRelief *r)
{
	Datum		values[10];
	bool		nulls[10] = {false};
	Datum		failed[CBR_FAILED_COUNT];
	int			n = 0;
	int			i;

	if (tupdesc->natts > (int) lengthof(values))
		ereport(ERROR,
				(errcode(ERRCODE_DATATYPE_MISMATCH),
				 errmsg("type cbreturn.tax_relief has %d attributes, but this version of cbreturn knows %d",
						tupdesc->natts, (int) lengthof(values)),
				 errhint("Install the cbreturn module that matches the extension's version.")));
	values[0] = BoolGetDatum(r->relieved);
	values[1] = BoolGetDatum(r->import_duty_exempt);
	values[2] = BoolGetDatum(r->import_vat_exempt);
	values[3] = BoolGetDatum(r->consumption_tax_exempt);
	values[4] = BoolGetDatum(r->export_duty_refund);
	values[5] = BoolGetDatum(r->rebate_repayment_required);
	nulls[6] = nulls[7] = true;
	if (r->relieved || r->ordinary)
	{
		char	   *evidence;
		char	   *basis;

		cbr_relief_texts(in, r, &evidence, &basis);
		nulls[6] = evidence == NULL;
		values[6] = evidence ? CStringGetTextDatum(evidence) : (Datum) 0;
		nulls[7] = false;
		values[7] = CStringGetTextDatum(basis);
	}
	if (r->failed == 0)
		values[8] = PointerGetDatum(cbr_constant_empty_text_array());
	else
	{
		for (i = 0; i < CBR_FAILED_COUNT; i++)
			if (r->failed & (1u << i))
				failed[n++] = CStringGetTextDatum(cbr_failed_rule_ids[i]);
		values[8] = PointerGetDatum(construct_array(failed, n, TEXTOID, -1, false, TYPALIGN_INT));
	}
	values[9] = BoolGetDatum(r->tax_certificate_required);
	return heap_form_tuple(tupdesc, values, nulls);
}

/* Raise the error of bad input to export_tax_relief (22008, 22023, CB007). */
static pg_noinline void
cbr_relief_report(const CbrReliefInput *in, const CbrRelief *r)
{
	if (r->outcome == CBR_BAD_CODE)
		cbr_report_unknown_code(in->code);
	cbr_report_bad_date(r->outcome, cbr_date_role_name(r->bad), r->bad_value,
						cbr_date_role_name(r->other), r->other_value);
}

/*
 * Decide R-TX for the arguments of fcinfo, raising on bad input.  false: a
 * NULL argument other than left_special_area_on (the answer is NULL).
 */
static inline bool
cbr_relief_decide(FunctionCallInfo fcinfo, const CbrPolicy *p, CbrReliefInput *in, CbrRelief *r)
{
	/* ordinary (0.3.0; absent from a 0.2.0 definition): NULL gives NULL too */
	if (PG_ARGISNULL(0) || PG_ARGISNULL(1) || PG_ARGISNULL(2) || PG_ARGISNULL(3) ||
		PG_ARGISNULL(4) || PG_ARGISNULL(5) || PG_ARGISNULL(7) ||
		(PG_NARGS() > 8 && PG_ARGISNULL(8)))
		return false;
	in->code = PG_GETARG_INT16(0);
	in->exported_on = PG_GETARG_DATEADT(1);
	in->returned_on = PG_GETARG_DATEADT(2);
	in->reason = cbr_reason_from_oid(PG_GETARG_OID(3));
	in->is_food = PG_GETARG_BOOL(4);
	in->original_state = PG_GETARG_BOOL(5);
	in->has_left_on = !PG_ARGISNULL(6);
	in->left_on = in->has_left_on ? PG_GETARG_DATEADT(6) : 0;
	in->rebate_claimed = PG_GETARG_BOOL(7);
	in->ordinary = PG_NARGS() > 8 && PG_GETARG_BOOL(8);
	if (unlikely(cbr_decide_tax_relief(p, in, r) != CBR_PASS))
		cbr_relief_report(in, r);
	return true;
}

/* The same, for explain_export_tax_relief (explain.c). */
bool
cbr_relief_args(FunctionCallInfo fcinfo, const CbrPolicy *p, CbrReliefInput *in, CbrRelief *r)
{
	return cbr_relief_decide(fcinfo, p, in, r);
}

/*
 * export_tax_relief(code, exported_on, returned_on, reason, is_food,
 * original_state, left_special_area_on DEFAULT NULL, rebate_claimed DEFAULT
 * false) -> cbreturn.tax_relief
 * R-TX-1 ... R-TX-6, decided by cbr_decide_tax_relief (src/rules/tax.c).
 * Not STRICT because left_special_area_on may be NULL; a NULL in any other
 * argument gives NULL, as STRICT would.
 */
PG_FUNCTION_INFO_V1(export_tax_relief);
Datum
export_tax_relief(PG_FUNCTION_ARGS)
{
	const CbrPolicy *p = cbr_policy();
	TupleDesc	tupdesc = (TupleDesc) fcinfo->flinfo->fn_extra;
	CbrReliefInput in;
	CbrRelief	r;
	Datum	   *slot;
	HeapTuple	tuple;
	ExpandedRecordHeader *erh;

	if (!cbr_relief_decide(fcinfo, p, &in, &r))
		PG_RETURN_NULL();
	if (unlikely(tupdesc == NULL))
		tupdesc = cbr_result_tupdesc(fcinfo);
	slot = cbr_relief_cache_slot(p, tupdesc, &r, cbr_relief_key(p, &r, in.reason, in.rebate_claimed));
	if (likely(slot != NULL && *slot != (Datum) 0))
		PG_RETURN_DATUM(*slot);
	tuple = cbr_relief_form(tupdesc, &in, &r);
	if (slot == NULL)
		PG_RETURN_DATUM(HeapTupleGetDatum(tuple));

	/*
	 * Kept as a read-only expanded record, its fields taken apart once: the
	 * executor reads a field of it ((export_tax_relief(...)).relieved) from
	 * that array, without looking the row type up or walking the tuple, and
	 * anything that stores or passes the row on flattens it (a copy of the
	 * tuple kept in it), as for any expanded datum.
	 */
	erh = (ExpandedRecordHeader *)
		DatumGetEOHP(make_expanded_record_from_datum(HeapTupleGetDatum(tuple), relief_cache.cache.cxt));
	deconstruct_expanded_record(erh);
	*slot = ExpandedRecordGetRODatum(erh);
	PG_RETURN_DATUM(*slot);
}

/*
 * export_tax_relieved(same arguments as export_tax_relief) -> boolean
 * (export_tax_relief(...)).relieved, for scans: the same decision,
 * cbr_decide_tax_relief, without forming the composite or its texts.  NULL
 * and bad input as export_tax_relief.
 */
PG_FUNCTION_INFO_V1(export_tax_relieved);
Datum
export_tax_relieved(PG_FUNCTION_ARGS)
{
	CbrReliefInput in;
	CbrRelief	r;

	if (!cbr_relief_decide(fcinfo, cbr_policy(), &in, &r))
		PG_RETURN_NULL();
	PG_RETURN_BOOL(r.relieved);
}
