/*
 * distributed.c
 *		Citus: where a write-time check cannot enforce (docs/scale-out.md).
 *
 * The checks are triggers on the table a row is written to.  On a table that
 * Citus distributes, the rows are written to its shards on the workers,
 * where neither the metadata of the checks nor the quantity ledger is, and
 * a trigger attached to one shard is lost when Citus moves, splits or
 * rebalances it.  Until cbreturn enforces on every shard, it refuses to
 * attach to a Citus table or shard (CB015), and a quantity guard that finds
 * itself on a shard with no check refuses the write rather than let it
 * through: a check is never left failing open.
 */
#include "enforce/trigger.h"

#include "catalog/pg_type.h"
#include "commands/extension.h"
#include "executor/spi.h"
#include "utils/builtins.h"
#include "utils/lsyscache.h"

/* What Citus makes of a relation: 'd' a Citus table, 's' a shard, 0 neither. */
static char
cbr_citus_kind(Oid relid)
{
	Oid			argtypes[1] = {OIDOID};
	Datum		args[1];
	char		kind = 0;
	bool		isnull;

	if (!OidIsValid(get_extension_oid("citus", true)))
		return 0;
	args[0] = ObjectIdGetDatum(relid);
	if (SPI_connect() != SPI_OK_CONNECT)
		elog(ERROR, "SPI_connect failed");
	if (SPI_execute_with_args("SELECT EXISTS (SELECT FROM pg_catalog.pg_dist_partition p"
							  "                WHERE p.logicalrelid OPERATOR(pg_catalog.=) $1::pg_catalog.regclass),"
							  "       pg_catalog.relation_is_a_known_shard($1::pg_catalog.regclass)",
							  1, argtypes, args, NULL, true, 1) != SPI_OK_SELECT || SPI_processed != 1)
		elog(ERROR, "could not read the Citus metadata of relation %u", relid);
	if (DatumGetBool(SPI_getbinval(SPI_tuptable->vals[0], SPI_tuptable->tupdesc, 1, &isnull)))
		kind = 'd';
	else if (DatumGetBool(SPI_getbinval(SPI_tuptable->vals[0], SPI_tuptable->tupdesc, 2, &isnull)) && !isnull)
		kind = 's';
	SPI_finish();
	return kind;
}

/*
 * Refuse (CB015) a relation that Citus distributes, or one of its shards: a
 * check attached there would not enforce on every row.
 */
void
cbr_refuse_citus_relation(Oid relid)
{
	char		kind = cbr_citus_kind(relid);
	char	   *name;

	if (kind == 0)
		return;
	name = quote_qualified_identifier(get_namespace_name(get_rel_namespace(relid)), get_rel_name(relid));
	if (kind == 'd')
		ereport(ERROR,
				(errcode(ERRCODE_CBRETURN_DISTRIBUTED),
				 errmsg("table %s is a Citus table, which cbreturn checks cannot enforce on", name),
				 errdetail("Its rows are written to shards on the workers, where the metadata of the checks and the quantity ledger of this node are not."),
				 errhint("Attach the checks to a table that is not distributed (docs/scale-out.md).")));
	ereport(ERROR,
			(errcode(ERRCODE_CBRETURN_DISTRIBUTED),
			 errmsg("table %s is a Citus shard, which cbreturn checks cannot enforce on", name),
			 errdetail("A check on one shard is lost when Citus moves, splits or rebalances it, and the shard holds only part of the rows."),
			 errhint("Attach the checks to a table that is not distributed (docs/scale-out.md).")));
}
