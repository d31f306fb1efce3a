/*
 * quantity_meta.c
 *		What the quantity check and the declared-line guard share (R-EX-3,
 *		R-IM-2): the metadata of a check read fail-closed, who may see the
 *		values compared, and the ledger's owner.  See quantity.c.
 */
#include "enforce/quantity.h"
#include "policy/policy.h"

#include "access/htup_details.h"
#include "access/table.h"
#include "access/xact.h"
#include "catalog/namespace.h"
#include "catalog/partition.h"
#include "catalog/pg_class.h"
#include "catalog/pg_inherits.h"
#include "catalog/pg_type.h"
#include "miscadmin.h"
#include "nodes/pg_list.h"
#include "storage/lmgr.h"
#include "tcop/deparse_utility.h"
#include "utils/acl.h"
#include "utils/array.h"
#include "funcapi.h"
#include "utils/builtins.h"
#include "utils/datum.h"
#include "utils/hsearch.h"
#include "utils/inval.h"
#include "utils/lsyscache.h"
#include "utils/memutils.h"
#include "utils/numeric.h"
#include "utils/rel.h"
#include "utils/rls.h"
#include "utils/snapmgr.h"
#include "utils/syscache.h"

Oid
cbr_qty_ledger_relid(void)
{
	Oid			relid = get_relname_relid("quantity_ledger", get_namespace_oid("cbreturn", false));

	if (!OidIsValid(relid))
		ereport(ERROR,
				(errcode(ERRCODE_OBJECT_NOT_IN_PREREQUISITE_STATE),
				 errmsg("table cbreturn.quantity_ledger does not exist"),
				 errhint("Update the extension: ALTER EXTENSION cbreturn UPDATE.")));
	return relid;
}

Oid
cbr_qty_ledger_owner(void)
{
	Oid			owner;
	HeapTuple	tp = SearchSysCache1(RELOID, ObjectIdGetDatum(cbr_qty_ledger_relid()));

	if (!HeapTupleIsValid(tp))
		elog(ERROR, "cache lookup failed for cbreturn.quantity_ledger");
	owner = ((Form_pg_class) GETSTRUCT(tp))->relowner;
	ReleaseSysCache(tp);
	return owner;
}

/* A relation's name for a message, or its OID when it is gone (never NULL). */
char *
cbr_qty_rel_text(Oid relid)
{
	char	   *name = get_rel_name(relid);
	char	   *nsp;

	if (name == NULL)
		return psprintf("%u", relid);
	nsp = get_namespace_name(get_rel_namespace(relid));
	return quote_qualified_identifier(nsp, name);
}

/* Metadata that does not describe a working check: refuse (fail closed). */
void
cbr_qty_metadata_broken(Oid relid, const char *what)
{
	ereport(ERROR,
			(errcode(ERRCODE_OBJECT_NOT_IN_PREREQUISITE_STATE),
			 errmsg("the quantity check on %s cannot run: %s (R-EX-3, R-IM-2)", cbr_qty_rel_text(relid), what),
			 errdetail("Writes are refused until the check is repaired, so that no over-return slips through."),
			 errhint("Detach the check with cbreturn.detach() and attach it again.")));
}

/* The attnum of a role of meta in rel, or cbr_qty_metadata_broken. */
AttrNumber
cbr_qty_role_column(const CbrCheckMeta *meta, Oid checked, const char *role, Relation rel,
			const Oid *typids, int ntypids)
{
	AttrNumber	a = cbr_role_column(meta, role, rel, typids, ntypids, false);

	if (a == InvalidAttrNumber)
		cbr_qty_metadata_broken(checked, psprintf("no column is attached as %s", role));
	return a;
}

/*
 * The columns every quantity check on declared reads (for who may see the
 * values compared), within the caller's SPI connection.
 */
QtyColumn *
cbr_qty_check_columns(Oid declared, MemoryContext mcxt, int *n)
{
	Oid			argtypes[1] = {OIDOID};
	Datum		args[1];
	QtyColumn  *cols;
	uint64		i;
	int			ret;

	args[0] = ObjectIdGetDatum(declared);
	ret = SPI_execute_with_args(
		"SELECT c.column_relation::pg_catalog.oid, c.column_attnum"
		"  FROM cbreturn.attached_check k JOIN cbreturn.attached_column c"
		"    ON c.relation OPERATOR(pg_catalog.=) k.relation AND c.check_kind OPERATOR(pg_catalog.=) k.check_kind"
		" WHERE k.check_kind OPERATOR(pg_catalog.=) 'quantity'"
		"   AND k.declared_relation::pg_catalog.oid OPERATOR(pg_catalog.=) $1",
		1, argtypes, args, NULL, true, 0);
	if (ret != SPI_OK_SELECT)
		cbr_qty_metadata_broken(declared, "its metadata cannot be read");
	cols = MemoryContextAlloc(mcxt, sizeof(QtyColumn) * (SPI_processed + 1));
	for (i = 0; i < SPI_processed; i++)
	{
		bool		isnull;

		cols[i].relid = DatumGetObjectId(SPI_getbinval(SPI_tuptable->vals[i], SPI_tuptable->tupdesc, 1, &isnull));
		cols[i].attnum = DatumGetInt16(SPI_getbinval(SPI_tuptable->vals[i], SPI_tuptable->tupdesc, 2, &isnull));
	}
	*n = (int) SPI_processed;
	return cols;
}

/*
 * May the current role see the declared quantity and the returned total?
 * Only if it may SELECT every column any quantity check on the declared
 * table reads, with no row security applying (items 2 of issue 9,
 * docs/security.md): the total sums returns of every such table.
 */
bool
cbr_qty_values_visible(const QtyColumn *cols, int n)
{
	Oid			user = GetUserId();
	int			i;

	for (i = 0; i < n; i++)
	{
		if (get_rel_name(cols[i].relid) == NULL ||
			(pg_class_aclcheck(cols[i].relid, user, ACL_SELECT) != ACLCHECK_OK &&
			 pg_attribute_aclcheck(cols[i].relid, cols[i].attnum, user, ACL_SELECT) != ACLCHECK_OK) ||
			check_enable_rls(cols[i].relid, InvalidOid, true) == RLS_ENABLED)
			return false;
	}
	return true;
}

SPIPlanPtr
cbr_qty_prepare_as(Oid role, const char *sql, int nargs, Oid *argtypes)
{
	Oid			save_userid;
	int			save_sec;
	SPIPlanPtr	plan;

	/*
	 * Prepared as the role it always runs as (the plan cache re-plans a
	 * statement whose row security depends on the role when it runs as
	 * another), whoever writes the row that builds the cache.
	 */
	GetUserIdAndSecContext(&save_userid, &save_sec);
	SetUserIdAndSecContext(role, save_sec | SECURITY_LOCAL_USERID_CHANGE | SECURITY_NOFORCE_RLS);
	plan = SPI_prepare(sql, nargs, argtypes);
	SetUserIdAndSecContext(save_userid, save_sec);
	if (plan == NULL)
		ereport(ERROR,
				(errcode(ERRCODE_OBJECT_NOT_IN_PREREQUISITE_STATE),
				 errmsg("cannot prepare the quantity ledger statement: %s", SPI_result_code_string(SPI_result))));
	return plan;
}

/* The declared table of a check, open, or a clear error when it is gone. */
Relation
cbr_qty_open_declared(Oid declared, Oid checked)
{
	Relation	drel;

	if (!OidIsValid(declared) || get_rel_name(declared) == NULL)
		cbr_qty_metadata_broken(checked, "its declared table no longer exists");
	drel = try_table_open(declared, AccessShareLock);
	if (drel == NULL)
		cbr_qty_metadata_broken(checked, "its declared table no longer exists");
	if (drel->rd_rel->relkind != RELKIND_RELATION)
		cbr_qty_metadata_broken(checked, "its declared table is not an ordinary table");
	/* another session's temporary table cannot be read here (its buffers are local) */
	if (RELATION_IS_OTHER_TEMP(drel))
		cbr_qty_metadata_broken(checked, "its declared table is a temporary table of another session");
	return drel;
}

const Oid	cbr_qty_types[4] = {INT2OID, INT4OID, INT8OID, NUMERICOID};

/* The declared key columns and quantity of the check meta, in drel. */
void
cbr_qty_declared_columns(const CbrCheckMeta *meta, Oid checked, Relation drel, const Oid *keytypes,
				 int nkeys, AttrNumber *keys, AttrNumber *quantity)
{
	int			i;

	for (i = 0; i < nkeys; i++)
	{
		char		role[32];

		snprintf(role, sizeof(role), "declared_line_%d", i + 1);
		keys[i] = cbr_qty_role_column(meta, checked, role, drel, keytypes ? &keytypes[i] : NULL, keytypes ? 1 : 0);
	}
	*quantity = cbr_qty_role_column(meta, checked, "declared_quantity", drel, cbr_qty_types, 4);
}

int
cbr_qty_image_cmp(const bytea *a, const bytea *b)
{
	int			la = VARSIZE_ANY_EXHDR(a);
	int			lb = VARSIZE_ANY_EXHDR(b);
	int			r = memcmp(VARDATA_ANY(a), VARDATA_ANY(b), Min(la, lb));

	return r != 0 ? r : (la > lb) - (la < lb);
}


/*
 * cbreturn._ddl_renamed_value(pg_ddl_command) RETURNS text[]: of an ALTER
 * TYPE ... RENAME VALUE reported to a ddl_command_end event trigger, the old
 * and the new label ({old,new}); NULL for any other command.  Every stored
 * value of the enum takes the new label with no row trigger, so the status
 * labels the checks hold follow it (cbreturn._follow_alter_table), as the
 * column names they hold follow a rename, and the quantity ledgers that
 * read such a status are counted again.
 */
PG_FUNCTION_INFO_V1(cbr_ddl_renamed_value);
Datum
cbr_ddl_renamed_value(PG_FUNCTION_ARGS)
{
	const CollectedCommand *cmd = (const CollectedCommand *) PG_GETARG_POINTER(0);
	AlterEnumStmt *stmt;
	Datum		names[2];

	if (cmd->type != SCT_Simple || !IsA(cmd->parsetree, AlterEnumStmt))
		PG_RETURN_NULL();
	stmt = (AlterEnumStmt *) cmd->parsetree;
	if (stmt->oldVal == NULL || stmt->newVal == NULL)
		PG_RETURN_NULL();
	names[0] = CStringGetTextDatum(stmt->oldVal);
	names[1] = CStringGetTextDatum(stmt->newVal);
	PG_RETURN_ARRAYTYPE_P(construct_array(names, 2, TEXTOID, -1, false, TYPALIGN_INT));
}

/*
 * cbreturn._ddl_attached_partitions(pg_ddl_command) RETURNS TABLE (relid oid): the
 * tables an ALTER TABLE ... ATTACH PARTITION reported to a ddl_command_end
 * event trigger attached (nothing for any other command).  Their rows were
 * written without the checks their new ancestors carry: a check marked
 * validated is so no longer (cbreturn._follow_partitions).
 */
PG_FUNCTION_INFO_V1(cbr_ddl_attached_partitions);
Datum
cbr_ddl_attached_partitions(PG_FUNCTION_ARGS)
{
	ReturnSetInfo *rsinfo = (ReturnSetInfo *) fcinfo->resultinfo;
	const CollectedCommand *cmd = (const CollectedCommand *) PG_GETARG_POINTER(0);
	ListCell   *lc;

	/* one column: called in FROM (cbreturn._follow_partitions), which says its shape */
	InitMaterializedSRF(fcinfo, MAT_SRF_USE_EXPECTED_DESC);
	if (cmd->type != SCT_AlterTable)
		return (Datum) 0;
	foreach(lc, cmd->d.alterTable.subcmds)
	{
		CollectedATSubcmd *sub = (CollectedATSubcmd *) lfirst(lc);
		AlterTableCmd *at = (AlterTableCmd *) sub->parsetree;
		Datum		value;
		bool		isnull = false;

		RangeVar   *rv;
		ListCell   *lp;

		/*
		 * PostgreSQL reports no address for it: the partition is the child of
		 * the altered table that has the name the statement gives (not looked
		 * up in the search path, which is this event trigger's own).
		 */
		if (!IsA(at, AlterTableCmd) || at->subtype != AT_AttachPartition)
			continue;
		rv = ((PartitionCmd *) at->def)->name;
		foreach(lp, find_inheritance_children(cmd->d.alterTable.objectId, NoLock))
		{
			Oid			child = lfirst_oid(lp);
			const char *name = get_rel_name(child);

			if (name == NULL || strcmp(name, rv->relname) != 0 ||
				(rv->schemaname != NULL &&
				 strcmp(get_namespace_name(get_rel_namespace(child)), rv->schemaname) != 0))
				continue;
			value = ObjectIdGetDatum(child);
			tuplestore_putvalues(rsinfo->setResult, rsinfo->setDesc, &value, &isnull);
		}
	}
	return (Datum) 0;
}
