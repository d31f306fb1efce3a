/*
 * reason.c
 *		The bridge between the SQL enum cbreturn.return_reason and CbrReason.
 *
 * An enum value is passed as the OID of its pg_enum row.  The three OIDs are
 * looked up once per backend (from the syscache, so no snapshot is needed)
 * and forgotten, through the invalidation of cache.c, when pg_type changes
 * (the extension may be dropped and created again in the same session), so
 * the per-row cost is three integer comparisons.
 */
#include "policy/policy.h"

#include "catalog/namespace.h"
#include "catalog/pg_enum.h"
#include "catalog/pg_type.h"
#include "utils/builtins.h"
#include "utils/inval.h"
#include "utils/syscache.h"

static Oid	reason_oids[CBR_REASON_COUNT];
static CbrCache reason_cache;	/* no memory: the OIDs are statics */
static bool reason_callback_registered = false;

static void
cbr_reason_cache_reset(Datum arg, int cacheid, uint32 hashvalue)
{
	cbr_cache_invalidate(&reason_cache);
}

static void
cbr_reason_cache_load(void)
{
	Oid			nsp;
	Oid			typoid;
	int			i;

	if (!reason_callback_registered)
	{
		CacheRegisterSyscacheCallback(TYPEOID, cbr_reason_cache_reset, (Datum) 0);
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
										 CStringGetDatum(cbr_reason_label((CbrReason) i)));
		if (!OidIsValid(reason_oids[i]))
			elog(ERROR, "label \"%s\" of cbreturn.return_reason does not exist",
				 cbr_reason_label((CbrReason) i));
	}
	reason_cache.valid = true;
}

CbrReason
cbr_reason_from_oid(Oid enumval)
{
	int			i;

	if (!reason_cache.valid)
		cbr_reason_cache_load();
	for (i = 0; i < CBR_REASON_COUNT; i++)
		if (reason_oids[i] == enumval)
			return (CbrReason) i;
	elog(ERROR, "%u is not a value of cbreturn.return_reason", enumval);
	return CBR_REASON_UNSOLD;	/* keep compiler quiet */
}

Oid
cbr_reason_to_oid(CbrReason reason)
{
	if (!reason_cache.valid)
		cbr_reason_cache_load();
	return reason_oids[reason];
}

