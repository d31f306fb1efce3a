/*
 * reason.c
 *		The bridge between the SQL enum cbreturn.return_reason and CbrReason.
 *
 * An enum value is passed as the OID of its pg_enum row.  The three OIDs are
 * looked up once per backend and forgotten when pg_type changes (the
 * extension may be dropped and created again in the same session), so the
 * per-row cost is three integer comparisons.
 */
#include "rules/rules.h"

#include "catalog/namespace.h"
#include "catalog/pg_enum.h"
#include "catalog/pg_type.h"
#include "utils/builtins.h"
#include "utils/inval.h"
#include "utils/syscache.h"

static const char *const reason_labels[CBR_REASON_COUNT] = {
	"unsold", "consumer_return", "quality_or_spec"
};

static Oid	reason_oids[CBR_REASON_COUNT];
static bool reason_oids_valid = false;
static bool reason_callback_registered = false;

static void
reason_cache_reset(Datum arg, int cacheid, uint32 hashvalue)
{
	reason_oids_valid = false;
}

static void
reason_cache_load(void)
{
	Oid			nsp;
	Oid			typoid;
	int			i;

	if (!reason_callback_registered)
	{
		CacheRegisterSyscacheCallback(TYPEOID, reason_cache_reset, (Datum) 0);
		reason_callback_registered = true;
	}
	nsp = get_namespace_oid("cbreturn", false);
	typoid = GetSysCacheOid2(TYPENAMENSP, Anum_pg_type_oid,
							 CStringGetDatum("return_reason"), ObjectIdGetDatum(nsp));
	if (!OidIsValid(typoid))
		elog(ERROR, "type cbreturn.return_reason does not exist");
	for (i = 0; i < CBR_REASON_COUNT; i++)
	{
		reason_oids[i] = GetSysCacheOid2(ENUMTYPOIDNAME, Anum_pg_enum_oid,
										 ObjectIdGetDatum(typoid),
										 CStringGetDatum(reason_labels[i]));
		if (!OidIsValid(reason_oids[i]))
			elog(ERROR, "label \"%s\" of cbreturn.return_reason does not exist",
				 reason_labels[i]);
	}
	reason_oids_valid = true;
}

CbrReason
cbr_reason_from_oid(Oid enumval)
{
	int			i;

	if (!reason_oids_valid)
		reason_cache_load();
	for (i = 0; i < CBR_REASON_COUNT; i++)
		if (reason_oids[i] == enumval)
			return (CbrReason) i;
	elog(ERROR, "%u is not a value of cbreturn.return_reason", enumval);
	return CBR_REASON_UNSOLD;	/* keep compiler quiet */
}

Oid
cbr_reason_to_oid(CbrReason reason)
{
	if (!reason_oids_valid)
		reason_cache_load();
	return reason_oids[reason];
}

void
cbr_report_date_out_of_range(const char *what, DateADT d)
{
	if (DATE_NOT_FINITE(d))
		ereport(ERROR,
				(errcode(ERRCODE_DATETIME_VALUE_OUT_OF_RANGE),
				 errmsg("%s must be a finite date", _(what)),
				 errdetail("The value given is %s.",
						   DATE_IS_NOBEGIN(d) ? "-infinity" : "infinity"),
				 errhint("Deadlines are counted from a calendar day (R-P-1).")));
	ereport(ERROR,
			(errcode(ERRCODE_DATETIME_VALUE_OUT_OF_RANGE),
			 errmsg("deadline counted from %s is out of range for type date", _(what)),
			 errdetail("The %s is %s.", _(what),
					   DatumGetCString(DirectFunctionCall1(date_out, DateADTGetDatum(d))))));
}
