/*
 * distributed.c
 *		Citus: the checks on a distributed table, and where a check cannot
 *		enforce (docs/scale-out.md, "Write-time checks on Citus tables").
 *
 * A check is a trigger on the table a row is written to.  On a table that
 * Citus distributes, rows are written to its shards on the workers, and
 * Citus carries a distributed table's triggers to every shard, by the text
 * of their definition (pg_get_triggerdef, the shard's name put in): when it
 * creates the shards, when CREATE or DROP TRIGGER runs on the coordinator
 * (under citus.enable_unsafe_triggers), and when a shard is moved, split or
 * copied to a new node (the "post-load" commands of the shard).  So the
 * export, import and status checks on a Citus table carry everything they
 * read in that text, and nothing that names one node's objects by OID:
 *
 *	 - the trigger's arguments are the check's configuration: pairs of a
 *	   role and the name of its column ("exported_on", "shipped_on", ...),
 *	   "fill_remarks" and the status labels ("label", in stage order); each
 *	   shard resolves the names on its own relation when it builds its cache
 *	   (cbr_check_meta_from_trigger, below), so a shard whose columns have
 *	   other numbers (a column dropped before the shard was made) reads the
 *	   same columns;
 *	 - the WHEN clause of an AFTER ROW check passes NEW.tableoid, the shard
 *	   itself, where a table's check passes a regclass constant;
 *	 - the metadata rows on the coordinator (cbreturn.attached_check,
 *	   attached_column) describe the distributed table for attached_checks
 *	   and detach; no shard reads them.
 *
 * A check found with no arguments is read from the metadata as before, so a
 * table that is not distributed costs nothing more per row, and no Citus
 * catalogue is read when a check is built: only the trigger's arguments,
 * which the relcache holds.
 *
 * The quantity check reads another relation, the declared lines: on Citus
 * tables it is a check of its own, on co-located tables only
 * (quantity_citus.c), which attach lets through here once the tables are
 * co-located.  What cannot be carried: a declaration header (another
 * table's rows): attach refuses it on a Citus table (CB015), with a hint;
 * a shard is refused for every check (a trigger on one shard is lost when
 * the shard moves), and the quantity guard of one server that finds itself
 * on a shard (a declared table distributed with it) refuses the write
 * rather than let it through.
 */
#include "enforce/trigger.h"

#include "catalog/namespace.h"
#include "catalog/pg_type.h"
#include "commands/extension.h"
#include "executor/spi.h"
#include "utils/builtins.h"
#include "utils/lsyscache.h"
#include "utils/memutils.h"

/* What Citus makes of a relation. */
typedef struct CitusRel
{
	char		kind;			/* 'd' a Citus table, 's' a shard, 0 neither */
	int32		colocation;		/* its co-location group ('d') */
	bool		hashed;			/* distributed by hash ('d') */
} CitusRel;

static CitusRel
cbr_citus_rel(Oid relid)
{
	Oid			argtypes[1] = {OIDOID};
	Datum		args[1];
	CitusRel	r = {0, 0, false};
	bool		isnull;
	Datum		d;

	if (!OidIsValid(get_extension_oid("citus", true)))
		return r;
	args[0] = ObjectIdGetDatum(relid);
	if (SPI_connect() != SPI_OK_CONNECT)
		elog(ERROR, "SPI_connect failed");
	if (SPI_execute_with_args("SELECT p.colocationid, p.partmethod OPERATOR(pg_catalog.=) 'h',"
							  "       pg_catalog.relation_is_a_known_shard($1::pg_catalog.regclass)"
							  "  FROM (SELECT) x LEFT JOIN pg_catalog.pg_dist_partition p"
							  "    ON p.logicalrelid OPERATOR(pg_catalog.=) $1::pg_catalog.regclass",
							  1, argtypes, args, NULL, true, 1) != SPI_OK_SELECT || SPI_processed != 1)
		elog(ERROR, "could not read the Citus metadata of relation %u", relid);
	d = SPI_getbinval(SPI_tuptable->vals[0], SPI_tuptable->tupdesc, 1, &isnull);
	if (!isnull)
	{
		r.kind = 'd';
		r.colocation = DatumGetInt32(d);
		d = SPI_getbinval(SPI_tuptable->vals[0], SPI_tuptable->tupdesc, 2, &isnull);
		r.hashed = !isnull && DatumGetBool(d);
	}
	else
	{
		d = SPI_getbinval(SPI_tuptable->vals[0], SPI_tuptable->tupdesc, 3, &isnull);
		if (!isnull && DatumGetBool(d))
			r.kind = 's';
	}
	SPI_finish();
	return r;
}

static char *
cbr_rel_text(Oid relid)
{
	char	   *name = get_rel_name(relid);

	if (name == NULL)
		return psprintf("%u", relid);
	return quote_qualified_identifier(get_namespace_name(get_rel_namespace(relid)), name);
}

/*
 * CB015: a shard: a check on it would be lost with it and see only part of
 * the rows.  carried: the check is one Citus carries from the distributed
 * table to every shard (export, import, status).
 */
pg_noreturn static void cbr_refuse_shard(Oid relid, bool carried);
static void
cbr_refuse_shard(Oid relid, bool carried)
{
	ereport(ERROR,
			(errcode(ERRCODE_CBRETURN_DISTRIBUTED),
			 errmsg("table %s is a Citus shard, which cbreturn checks cannot enforce on", cbr_rel_text(relid)),
			 errdetail("A check on one shard is lost when Citus moves, splits or rebalances it, and the shard holds only part of the rows."),
			 carried ?
			 errhint("Attach the check on the coordinator, to the distributed table: Citus carries it to every shard (docs/scale-out.md).") :
			 errhint("Attach the checks to a table that is not distributed (docs/scale-out.md).")));
}

/*
 * Refuse (CB015) a relation that Citus distributes, or one of its shards:
 * the checks that cannot be carried to the shards (quantity, header), and
 * the quantity guard that finds itself on a shard.
 */
void
cbr_refuse_citus_relation(Oid relid)
{
	CitusRel	r = cbr_citus_rel(relid);

	if (r.kind == 0)
		return;
	if (r.kind == 's')
		cbr_refuse_shard(relid, false);
	ereport(ERROR,
			(errcode(ERRCODE_CBRETURN_DISTRIBUTED),
			 errmsg("table %s is a Citus table, which cbreturn checks cannot enforce on", cbr_rel_text(relid)),
			 errdetail("Its rows are written to shards on the workers, where the metadata of the checks and the quantity ledger of this node are not."),
			 errhint("Attach the checks to a table that is not distributed (docs/scale-out.md).")));
}

/*
 * May a check of this kind be attached to relid (and its declared table)?
 * True for a Citus table and a check Citus carries to every shard (export,
 * import, status, and quantity on co-located tables), false for a table
 * Citus does not know; refuses (CB015) a shard, a quantity check on tables
 * not co-located and a header on a Citus table, telling what would work.
 */
bool
cbr_citus_attach(Oid relid, const char *kind, Oid declared)
{
	CitusRel	r = cbr_citus_rel(relid);
	CitusRel	d = {0, 0, false};

	if (OidIsValid(declared))
		d = cbr_citus_rel(declared);
	if (r.kind == 's')
		cbr_refuse_shard(relid, strcmp(kind, "export") == 0 || strcmp(kind, "import") == 0 ||
						 strcmp(kind, "status") == 0);
	if (d.kind == 's')
		cbr_refuse_shard(declared, false);
	if (strcmp(kind, "quantity") == 0 && (r.kind != 0 || d.kind != 0))
	{
		/* R-EX-3, R-IM-2: a line's returns counted where the line is */
		if (r.kind == 0 || d.kind == 0 || !r.hashed || !d.hashed || r.colocation != d.colocation)
			ereport(ERROR,
					(errcode(ERRCODE_CBRETURN_DISTRIBUTED),
					 errmsg("the returns in %s are not co-located with their declared lines in %s",
							cbr_rel_text(relid), cbr_rel_text(declared)),
					 errdetail("The quantity check counts the returns of a declared line where the line is, so both tables must be distributed on the declaration number and co-located."),
					 errhint("Distribute both on the declaration number, the returns with colocate_with: SELECT create_distributed_table('%s', '<declaration column>', colocate_with => '%s'); for tables already distributed, SELECT update_distributed_table_colocation('%s', colocate_with => '%s').",
							 cbr_rel_text(relid), cbr_rel_text(declared),
							 cbr_rel_text(relid), cbr_rel_text(declared))));
		/* co-located: the check on the shards (quantity_citus.c) */
		return true;
	}
	if (r.kind == 0 && d.kind == 0)
		return false;
	if (strcmp(kind, "header") == 0 || OidIsValid(declared))
		ereport(ERROR,
				(errcode(ERRCODE_CBRETURN_DISTRIBUTED),
				 errmsg("a header cannot be attached to or from a Citus table: %s",
						cbr_rel_text(r.kind != 0 ? relid : declared)),
				 errdetail("The checks would read another table's rows on every shard."),
				 errhint("Keep the facts the checks read (export date, codes) in columns of %s and name them in the attach call (docs/scale-out.md).",
						 cbr_rel_text(relid))));
	return true;
}

/* Is funcid the trigger function of a check of this kind (cbreturn.*)? */
static bool
cbr_is_check_function(Oid funcid, const char *kind)
{
	const char *want = strcmp(kind, "export") == 0 ? "export_return_check"
		: strcmp(kind, "import") == 0 ? "import_return_check"
		: strcmp(kind, "status") == 0 ? "status_check" : NULL;
	char	   *name;
	Oid			nsp;

	if (want == NULL)
		return false;
	name = get_func_name(funcid);
	nsp = get_func_namespace(funcid);
	return name != NULL && strcmp(name, want) == 0 &&
		nsp == get_namespace_oid("cbreturn", false);
}

/*
 * Is name the one attach gives the trigger of a check of this kind
 * ("cbreturn_export_check"), or its name on a shard (Citus appends "_" and
 * the shard id)?  A trigger of another name calling a check function is
 * not read as the check's configuration.
 */
static bool
cbr_is_check_trigger_name(const char *name, const char *kind)
{
	char		want[NAMEDATALEN];
	size_t		len;

	snprintf(want, sizeof(want), "cbreturn_%s_check", kind);
	len = strlen(want);
	if (strncmp(name, want, len) != 0)
		return false;
	if (name[len] == '\0')
		return true;
	if (name[len] != '_' || name[len + 1] == '\0')
		return false;
	return strspn(name + len + 1, "0123456789") == strlen(name + len + 1);
}

/* 55000: the arguments of a check's trigger are not what attach writes. */
pg_noreturn static void
cbr_bad_trigger_args(Relation rel, const char *kind)
{
	ereport(ERROR,
			(errcode(ERRCODE_OBJECT_NOT_IN_PREREQUISITE_STATE),
			 errmsg("the arguments of the %s check's trigger on table \"%s\" are not a check's configuration",
					kind, RelationGetRelationName(rel)),
			 errhint("Detach the check with cbreturn.detach() and attach it again, so that the trigger is made from the attach call.")));
}

/*
 * Fill *meta from the arguments of rel's trigger of a check of this kind,
 * when it has them (a check on a Citus table, see above); false when the
 * check is read from the metadata.  Column names are resolved on rel
 * itself; a name that no longer resolves gives attnum 0, which
 * cbr_role_column refuses.  Only called when a check's cache is built.
 */
bool
cbr_check_meta_from_trigger(Relation rel, const char *kind, CbrCheckMeta *meta, MemoryContext mcxt)
{
	TriggerDesc *td = rel->trigdesc;
	Trigger    *tg = NULL;
	MemoryContext oldcxt;
	int			i;

	if (td == NULL)
		return false;
	for (i = 0; i < td->numtriggers; i++)
		if (td->triggers[i].tgnargs > 0 && cbr_is_check_trigger_name(td->triggers[i].tgname, kind) &&
			cbr_is_check_function(td->triggers[i].tgfoid, kind))
		{
			if (tg != NULL)
				cbr_bad_trigger_args(rel, kind);
			tg = &td->triggers[i];
		}
	if (tg == NULL)
		return false;
	/* "cbreturn:1", then pairs of a role and its value */
	if (tg->tgnargs % 2 != 1 || strcmp(tg->tgargs[0], "cbreturn:1") != 0)
		cbr_bad_trigger_args(rel, kind);
	memset(meta, 0, sizeof(*meta));
	meta->registered_relid = RelationGetRelid(rel);
	oldcxt = MemoryContextSwitchTo(mcxt);
	for (i = 1; i + 1 < tg->tgnargs; i += 2)
	{
		const char *role = tg->tgargs[i];
		const char *value = tg->tgargs[i + 1];

		if (strcmp(role, "fill_remarks") == 0)
			meta->fill_remarks = strcmp(value, "true") == 0;
		else if (strcmp(role, "label") == 0)
		{
			if (meta->nlabels >= 8)
				cbr_bad_trigger_args(rel, kind);
			meta->labels[meta->nlabels++] = pstrdup(value);
		}
		else
		{
			if (meta->ncols >= CBR_MAX_ROLES)
				cbr_bad_trigger_args(rel, kind);
			meta->role[meta->ncols] = pstrdup(role);
			meta->colname[meta->ncols] = pstrdup(value);
			meta->colrel[meta->ncols] = RelationGetRelid(rel);
			meta->attnum[meta->ncols] = get_attnum(RelationGetRelid(rel), value);
			meta->ncols++;
		}
	}
	MemoryContextSwitchTo(oldcxt);
	return true;
}

/*
 * Refuse (CB015) an option of a check that its shards would not follow:
 * record mode and the ordinary-return column are read from this node's
 * metadata, which a shard's check does not read (it reads its trigger).
 */
void
cbr_citus_refuse_option(Oid relid, const char *option)
{
	if (cbr_citus_rel(relid).kind == 0)
		return;
	ereport(ERROR,
			(errcode(ERRCODE_CBRETURN_DISTRIBUTED),
			 errmsg("%s is not available on Citus table %s", option, cbr_rel_text(relid)),
			 errdetail("The checks on the shards read their columns from their triggers, not from this node's metadata, where this option is kept."),
			 errhint("The checks on a Citus table refuse every row that breaks a rule; keep the table on the coordinator (not distributed) to use this option (docs/scale-out.md).")));
}
