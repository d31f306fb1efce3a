/*
 * citus.c
 *		Citus: a worker answers from the coordinator's policy or not at all
 *		(sql/66_citus.sql, docs/scale-out.md).
 *
 * On a Citus cluster the policy tables and registers are the coordinator's:
 * cbreturn.citus_sync_policy() makes cbreturn.citus_policy a reference
 * table, and every edit on the coordinator writes the table's rows into it,
 * in the same distributed transaction; a trigger on each worker's placement
 * replaces the worker's rows and notes the generation it applied in
 * cbreturn.citus_policy_applied.  Two cases escape that trigger: a worker
 * of a cluster whose policy was never synced, and a worker added (or whose
 * placement was copied) since the last sync, as Citus copies a reference
 * table without firing its triggers.  Their own rows may be the shipped
 * ones, so before a worker builds a policy cache it checks that it has
 * applied every generation its placement holds, and refuses (CB015)
 * otherwise: a rule is never decided from a policy the coordinator does
 * not have.
 */
#include "policy/policy.h"

#include "commands/extension.h"
#include "executor/spi.h"
#include "utils/builtins.h"

/* Why a worker's policy is not the coordinator's. */
typedef enum CitusPolicyFault
{
	CITUS_POLICY_NEVER_SYNCED,
	CITUS_POLICY_NO_PLACEMENT,
	CITUS_POLICY_NOT_APPLIED
} CitusPolicyFault;

static void
cbr_citus_policy_refuse(CitusPolicyFault fault)
{
	ereport(ERROR,
			(errcode(ERRCODE_CBRETURN_DISTRIBUTED),
			 errmsg("the policy of this Citus worker is not the coordinator's"),
			 fault == CITUS_POLICY_NEVER_SYNCED ?
			 errdetail("The policy tables and registers of this cluster have not been synced to the workers.") :
			 fault == CITUS_POLICY_NO_PLACEMENT ?
			 errdetail("This node has no copy of cbreturn.citus_policy: it joined the cluster after the policy was synced.") :
			 errdetail("This node's copy of cbreturn.citus_policy holds rows its policy tables do not: it was copied here after the policy was synced."),
			 errhint("On the coordinator, run SELECT * FROM cbreturn.citus_sync_policy();")));
}

/*
 * Refuse (CB015) on a Citus worker whose policy tables and registers are
 * not the coordinator's.  Called inside the caller's SPI connection, before
 * it reads the policy tables; costs one catalogue lookup where Citus is not
 * installed.
 */
void
cbr_citus_policy_check(void)
{
	bool		isnull;
	int32		groupid;
	Datum		shardid;
	bool		placed;
	char	   *placement;
	char	   *sql;

	if (!OidIsValid(get_extension_oid("citus", true)))
		return;
	if (SPI_execute("SELECT l.groupid, s.shardid,"
					"       EXISTS (SELECT FROM pg_catalog.pg_dist_placement p"
					"                WHERE p.shardid OPERATOR(pg_catalog.=) s.shardid"
					"                  AND p.groupid OPERATOR(pg_catalog.=) l.groupid)"
					"  FROM pg_catalog.pg_dist_local_group l"
					"  LEFT JOIN pg_catalog.pg_dist_shard s"
					"    ON s.logicalrelid OPERATOR(pg_catalog.=) pg_catalog.to_regclass('cbreturn.citus_policy')",
					true, 0) != SPI_OK_SELECT || SPI_processed != 1)
		ereport(ERROR,
				(errcode(ERRCODE_OBJECT_NOT_IN_PREREQUISITE_STATE),
				 errmsg("could not read the Citus metadata of cbreturn.citus_policy"),
				 errhint("cbreturn.citus_policy must be the Citus reference table that cbreturn.citus_sync_policy() keeps; run that function on the coordinator (docs/scale-out.md).")));
	groupid = DatumGetInt32(SPI_getbinval(SPI_tuptable->vals[0], SPI_tuptable->tupdesc, 1, &isnull));
	if (isnull || groupid == 0)
		return;					/* the coordinator, or a node not in a cluster */
	shardid = SPI_getbinval(SPI_tuptable->vals[0], SPI_tuptable->tupdesc, 2, &isnull);
	if (isnull)
		cbr_citus_policy_refuse(CITUS_POLICY_NEVER_SYNCED);
	placed = DatumGetBool(SPI_getbinval(SPI_tuptable->vals[0], SPI_tuptable->tupdesc, 3, &isnull));
	if (!placed)
		cbr_citus_policy_refuse(CITUS_POLICY_NO_PLACEMENT);
	/* the placement itself: a plain table, read without Citus's planner */
	placement = psprintf("citus_policy_" INT64_FORMAT, DatumGetInt64(shardid));
	sql = psprintf("SELECT EXISTS (SELECT FROM cbreturn.%s p"
				   "                LEFT JOIN cbreturn.citus_policy_applied a"
				   "                  ON a.table_name OPERATOR(pg_catalog.=) p.table_name"
				   "               WHERE a.generation IS DISTINCT FROM p.generation)",
				   quote_identifier(placement));
	if (SPI_execute(sql, true, 0) != SPI_OK_SELECT || SPI_processed != 1)
		ereport(ERROR,
				(errcode(ERRCODE_OBJECT_NOT_IN_PREREQUISITE_STATE),
				 errmsg("could not read the placement of cbreturn.citus_policy on this node"),
				 errhint("cbreturn.citus_policy must be the Citus reference table that cbreturn.citus_sync_policy() keeps; run that function on the coordinator (docs/scale-out.md).")));
	if (DatumGetBool(SPI_getbinval(SPI_tuptable->vals[0], SPI_tuptable->tupdesc, 1, &isnull)))
		cbr_citus_policy_refuse(CITUS_POLICY_NOT_APPLIED);
}
