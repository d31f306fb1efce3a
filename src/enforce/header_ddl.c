/*
 * header_ddl.c
 *		A partition leaving a partitioned declaration header (issue 12):
 *		ALTER TABLE ... DETACH PARTITION and DROP TABLE of a partition.
 *
 * The rows of a header partition are the header's rows, and returns name
 * them (header.c finds a return's row in the leaf that holds it).  Neither
 * DDL deletes a row, so the row guard (header_guard.c) never sees them go,
 * and PostgreSQL fires no TRUNCATE trigger either: without this, the
 * returns naming those rows would be left naming no header row.
 *
 * The event trigger cbreturn_header_partitions runs at ddl_command_start,
 * where the statement is still to run and its parse tree names the
 * partition.  For each partition that leaves a tree (a sub-partitioned one
 * with its partitions), it takes the locks the DDL would take, the parent
 * first as PostgreSQL does and then the partition ACCESS EXCLUSIVE: a
 * return being written holds a lock on the partition it read its header
 * row from (header.c), so the count waits for it, and no return can come
 * to name a row of the partition until the DDL commits.  It then asks
 * cbreturn._header_partition_leaves (through fmgr, as the trigger's own
 * function is called: the role needs no EXECUTE right), which refuses (CB014) while returns
 * name a row of the partition.  DETACH PARTITION ... CONCURRENTLY is
 * checked in its first transaction the same way; after that, lookups no
 * longer route to a partition pending detach, whatever their snapshot
 * (header_parts.c), so no return comes to name its rows before the detach
 * ends (nor before a DETACH ... FINALIZE of an interrupted one).
 * The partition is found by the name the statement gives, asked again once
 * it is held: a rename committed while the guard waited must not make it
 * check one table while PostgreSQL detaches or drops another.
 *
 * DROP SCHEMA ... CASCADE, DROP OWNED BY and DROP EXTENSION are asked the
 * same about each header partition they would take while its header stays.
 *
 * Any other ALTER TABLE returns at once.  A DROP TABLE of a table that is
 * no partition takes the table's lock a moment before PostgreSQL would and
 * asks its name again (a rename may give the name to a header partition
 * meanwhile), and nothing more.
 */
#include "enforce/header_int.h"

#include "access/table.h"
#include "access/xact.h"
#include "catalog/namespace.h"
#include "catalog/partition.h"
#include "catalog/pg_class.h"
#include "catalog/pg_extension.h"
#include "catalog/pg_namespace.h"
#include "catalog/pg_type.h"
#include "commands/event_trigger.h"
#include "commands/extension.h"
#include "executor/spi.h"
#include "funcapi.h"
#include "miscadmin.h"
#include "nodes/parsenodes.h"
#include "parser/parse_func.h"
#include "storage/lmgr.h"
#include "utils/acl.h"
#include "utils/array.h"
#include "utils/builtins.h"
#include "utils/syscache.h"
#include "utils/lsyscache.h"


/*
 * Lock the table a DETACH or DROP names (and the partition's parent, first)
 * as the DDL will, and have the SQL side decide when it is a partition
 * leaving its tree.  verb: 'detach' or 'drop'.  parent: the table DETACH
 * names (InvalidOid for a DROP: the partition's own parent, if any).
 * Nothing is locked for a role the DDL will refuse (the event trigger runs
 * before PostgreSQL checks the role's rights): DETACH needs the parent's
 * owner, DROP the owner of the table or of its schema; checked: the
 * caller's right was checked on what the statement names (a schema, a
 * role, an extension).  rv: the name the statement gives the table (NULL
 * when it names none).  Returns the table that name resolves to once the
 * table is held, when that is another one (renamed meanwhile: the caller
 * asks again about that one) or the same table when it was attached
 * meanwhile (asked again), else InvalidOid.
 */
/* The parent of a partition, InvalidOid for a table that is none. */
static Oid
parent_of(Oid rel)
{
	return get_rel_relispartition(rel) ? cbr_partition_parent(rel, NULL) : InvalidOid;
}

static Oid
header_partition_leaves(Oid part, const RangeVar *rv, Oid parent, LOCKMODE parent_mode,
						const char *verb, bool checked)
{
	Oid			argtypes[2] = {REGCLASSOID, TEXTOID};
	Oid			fn;
	Oid			user = GetUserId();
	bool		detach = strcmp(verb, "detach") == 0;
	LOCKMODE	part_mode;
	Oid			was_parent;
	Oid			now_parent;

	if (!OidIsValid(part))
		return InvalidOid;
	was_parent = parent_of(part);
	if (!detach)
		parent = was_parent;

	/*
	 * A table that is no partition needs no check, but its name may come to
	 * give one: a transaction that renamed it and gave its name to a header
	 * partition may commit while PostgreSQL waits for its lock, and
	 * PostgreSQL then looks the name up again.  So whatever the name gives
	 * is held and the name asked again; only a table named by no statement
	 * (rv NULL: a partition going with its schema or owner) and no
	 * partition is left at once.
	 */
	if (rv == NULL && !OidIsValid(parent))
		return InvalidOid;
	if (!checked && (detach
					 ? !OidIsValid(parent) || !cbr_owns_class(parent, user)
					 : !cbr_owns_class(part, user) && !cbr_owns_namespace(get_rel_namespace(part), user)))
		return InvalidOid;
	/*
	 * A partition of that parent is held ACCESS EXCLUSIVE (a return being
	 * written holds its partition: the count waits for it); any other
	 * table as PostgreSQL will hold it (DETACH ... CONCURRENTLY: SHARE
	 * UPDATE EXCLUSIVE, the parent's mode), no more.
	 */
	part_mode = (OidIsValid(parent) && was_parent == parent) ? AccessExclusiveLock :
		detach ? parent_mode : AccessExclusiveLock;
	if (OidIsValid(parent))
		LockRelationOid(parent, parent_mode);
	LockRelationOid(part, part_mode);

	/*
	 * Renamed meanwhile (another table given the name, in a transaction
	 * that committed while we waited): PostgreSQL looks the name up again
	 * after this, and would act on that other table.  Held now, part keeps
	 * its name and no other table can take it, so the name is asked again
	 * once; if it names another table, that one is the one to ask about
	 * (the caller comes back with it), as RangeVarGetRelidExtended retries.
	 */
	if (rv != NULL)
	{
		Oid			now = RangeVarGetRelid(rv, NoLock, true);

		if (now != part)
		{
			UnlockRelationOid(part, part_mode);
			if (OidIsValid(parent))
				UnlockRelationOid(parent, parent_mode);
			return now;
		}
	}

	/*
	 * Attached meanwhile (to the parent a DETACH names, held too weakly, or,
	 * for a DROP, to a parent not held): asked again from the start.
	 */
	now_parent = parent_of(part);
	if (detach ? (now_parent == parent && part_mode != AccessExclusiveLock) : now_parent != parent)
	{
		UnlockRelationOid(part, part_mode);
		if (OidIsValid(parent))
			UnlockRelationOid(parent, parent_mode);
		return part;
	}
	/* no partition of that parent (dropped, detached or moved meanwhile): the DDL will say */
	if (!OidIsValid(parent) || now_parent != parent)
		return InvalidOid;

	/* called through fmgr: the role's EXECUTE right is not asked, as for the trigger itself */
	fn = LookupFuncName(list_make2(makeString("cbreturn"), makeString("_header_partition_leaves")),
						2, argtypes, false);
	OidFunctionCall2(fn, ObjectIdGetDatum(part), CStringGetTextDatum(verb));
	return InvalidOid;
}

/* ALTER TABLE parent DETACH PARTITION part [CONCURRENTLY] */
static void
header_detach(AlterTableStmt *stmt)
{
	ListCell   *lc;
	Oid			named_parent = InvalidOid;
	bool		resolved = false;

	foreach(lc, stmt->cmds)
	{
		AlterTableCmd *cmd = lfirst_node(AlterTableCmd, lc);
		PartitionCmd *pc;
		Oid			part;

		if (cmd->subtype != AT_DetachPartition)
			continue;
		pc = (PartitionCmd *) cmd->def;

		/*
		 * Only what PostgreSQL will run: a parent that does not exist (ALTER
		 * TABLE IF EXISTS skips the statement), or CONCURRENTLY in a
		 * transaction block, is PostgreSQL's to report, and nothing is
		 * locked for it.  The table the name gives is held after the
		 * parent, as PostgreSQL holds it, whatever it is.
		 */
		if (!resolved)
		{
			named_parent = RangeVarGetRelid(stmt->relation, NoLock, true);
			resolved = true;
		}
		if (!OidIsValid(named_parent))
			return;
		if (pc->concurrent && IsTransactionBlock())
			return;
		part = RangeVarGetRelid(pc->name, NoLock, true);
		while (OidIsValid(part))
			part = header_partition_leaves(part, pc->name, named_parent,
										   pc->concurrent ? ShareUpdateExclusiveLock : AccessExclusiveLock,
										   "detach", false);
	}
}

/*
 * DROP SCHEMA ... CASCADE, DROP OWNED BY and DROP EXTENSION take tables
 * with them that they do not name: the partitions of a declaration header
 * among them (in the schemas, owned by the roles or in schemas they own,
 * members of the extensions) are asked about as a DROP TABLE of each would
 * be.  A header that goes whole (its partitioned table goes too) is
 * not: its link goes with it, as a DROP TABLE of it decides.  The list
 * comes from cbreturn._header_partitions_going; nothing is looked at for a
 * role PostgreSQL will refuse (a schema or extension it does not own, a
 * role whose privileges it does not have).
 */
static void
header_drop_going(List *schemas, List *owners, List *extensions)
{
	Oid			argtypes[3] = {OIDARRAYOID, OIDARRAYOID, OIDARRAYOID};
	Oid			fn;
	Datum		args[3];
	Datum	   *elems;
	int			n;
	int			i;
	ArrayType  *parts;

	if (schemas == NIL && owners == NIL && extensions == NIL)
		return;
	for (i = 0; i < 3; i++)
	{
		List	   *l = i == 0 ? schemas : i == 1 ? owners : extensions;
		Datum	   *d = palloc(sizeof(Datum) * (list_length(l) + 1));
		ListCell   *lc;
		int			k = 0;

		foreach(lc, l)
			d[k++] = ObjectIdGetDatum(lfirst_oid(lc));
		args[i] = PointerGetDatum(construct_array(d, k, OIDOID, sizeof(Oid), true, TYPALIGN_INT));
	}
	fn = LookupFuncName(list_make2(makeString("cbreturn"), makeString("_header_partitions_going")),
						3, argtypes, false);
	parts = DatumGetArrayTypeP(OidFunctionCall3(fn, args[0], args[1], args[2]));
	deconstruct_array(parts, REGCLASSOID, sizeof(Oid), true, TYPALIGN_INT, &elems, NULL, &n);
	for (i = 0; i < n; i++)
	{
		Oid			part = DatumGetObjectId(elems[i]);

		while (OidIsValid(part))
			part = header_partition_leaves(part, NULL, InvalidOid, AccessExclusiveLock, "drop", true);
	}
}

/* DROP TABLE a, b, ...; DROP SCHEMA s, ... CASCADE; DROP EXTENSION e, ... */
static void
header_drop(DropStmt *stmt)
{
	ListCell   *lc;
	List	   *going = NIL;

	if (stmt->removeType == OBJECT_SCHEMA || stmt->removeType == OBJECT_EXTENSION)
	{
		bool		schema = stmt->removeType == OBJECT_SCHEMA;

		if (schema && stmt->behavior != DROP_CASCADE)
			return;				/* a schema with tables in it is not dropped */
		foreach(lc, stmt->objects)
		{
			const char *name = strVal(lfirst(lc));
			Oid			oid = schema ? get_namespace_oid(name, true) : get_extension_oid(name, true);

			if (!OidIsValid(oid))
				continue;		/* IF EXISTS skips it; else PostgreSQL refuses */
			if (schema ? !cbr_owns_namespace(oid, GetUserId()) : !cbr_owns_extension(oid, GetUserId()))
				return;			/* PostgreSQL refuses the statement */
			going = lappend_oid(going, oid);
		}
		if (schema)
			header_drop_going(going, NIL, NIL);
		else
			header_drop_going(NIL, NIL, going);
		return;
	}
	if (stmt->removeType != OBJECT_TABLE)
		return;
	foreach(lc, stmt->objects)
	{
		RangeVar   *rv = makeRangeVarFromNameList((List *) lfirst(lc));
		Oid			part = RangeVarGetRelid(rv, NoLock, true);

		while (OidIsValid(part))
			part = header_partition_leaves(part, rv, InvalidOid, AccessExclusiveLock, "drop", false);
	}
}

/*
 * A DROP ... CASCADE (of an access method, an operator class, a function, a
 * collation, a type, a schema or an extension holding one ...) and DROP
 * OWNED can take a table they do not name: a header partition stored with
 * the access method, or whose partition key uses the operator class.
 * PostgreSQL finds those tables only as it drops them, so the partitions of
 * every declaration header are noted here, and
 * the sql_drop event trigger (cbreturn._follow_drop) asks, of those it
 * finds dropped, whether returns are left naming no header row (CB014).
 * The note is the statement's (the start timestamp, as for ddl_cascades).
 */
static Oid *noted_parts = NULL;
static Oid *noted_headers = NULL;
static int	noted_n = 0;
static TimestampTz noted_at = 0;

static void
header_note_partitions(Node *parsetree)
{
	TimestampTz now = GetCurrentStatementStartTimestamp();
	uint64		i;
	int			n;
	CbrAsOwner	saved;

	/*
	 * (A DROP TABLE takes no header partition it does not name, and those
	 * it names header_drop asks about before anything goes.)
	 */
	if (!(IsA(parsetree, DropStmt) && ((DropStmt *) parsetree)->behavior == DROP_CASCADE &&
		  ((DropStmt *) parsetree)->removeType != OBJECT_TABLE) &&
		!IsA(parsetree, DropOwnedStmt))
		return;
	/*
	 * Cumulative within the statement: DDL run meanwhile by another event
	 * trigger (a nested DROP among them) must not lose what was noted before
	 * PostgreSQL dropped anything.  A partition noted and gone since is only
	 * an OID no dropped object has.
	 */
	if (noted_at != now)
		noted_n = 0;
	noted_at = now;
	if (SPI_connect() != SPI_OK_CONNECT)
		cbr_header_metadata_unreadable("SPI_connect failed");
	cbr_as_metadata_owner(&saved);
	if (SPI_execute("SELECT p.relid, p.root FROM cbreturn._header_partitions() p", true, 0) != SPI_OK_SELECT)
		cbr_header_metadata_unreadable("reading cbreturn._header_partitions() failed");
	cbr_as_metadata_owner_end(&saved);
	n = noted_n + (int) SPI_processed;
	if (noted_parts == NULL)
	{
		noted_parts = MemoryContextAlloc(TopMemoryContext, sizeof(Oid) * (n + 1));
		noted_headers = MemoryContextAlloc(TopMemoryContext, sizeof(Oid) * (n + 1));
	}
	else
	{
		noted_parts = repalloc(noted_parts, sizeof(Oid) * (n + 1));
		noted_headers = repalloc(noted_headers, sizeof(Oid) * (n + 1));
	}
	for (i = 0; i < SPI_processed; i++)
	{
		bool		isnull;

		noted_parts[noted_n] = DatumGetObjectId(SPI_getbinval(SPI_tuptable->vals[i], SPI_tuptable->tupdesc, 1, &isnull));
		noted_headers[noted_n++] = DatumGetObjectId(SPI_getbinval(SPI_tuptable->vals[i], SPI_tuptable->tupdesc, 2, &isnull));
	}
	SPI_finish();
}

/*
 * cbreturn._ddl_header_partitions() RETURNS TABLE (relid oid, root oid):
 * the partitions of declaration headers (with their header) noted at the
 * start of the DROP ... CASCADE being run (nothing for any other command).
 */
PG_FUNCTION_INFO_V1(cbr_ddl_header_partitions);
Datum
cbr_ddl_header_partitions(PG_FUNCTION_ARGS)
{
	ReturnSetInfo *rsinfo = (ReturnSetInfo *) fcinfo->resultinfo;
	int			i;

	InitMaterializedSRF(fcinfo, 0);
	if (noted_at != GetCurrentStatementStartTimestamp())
		return (Datum) 0;
	for (i = 0; i < noted_n; i++)
	{
		Datum		values[2] = {ObjectIdGetDatum(noted_parts[i]), ObjectIdGetDatum(noted_headers[i])};
		bool		nulls[2] = {false, false};

		tuplestore_putvalues(rsinfo->setResult, rsinfo->setDesc, values, nulls);
	}
	return (Datum) 0;
}

/* DROP OWNED BY r, ... */
static void
header_drop_owned(DropOwnedStmt *stmt)
{
	ListCell   *lc;
	List	   *owners = NIL;

	foreach(lc, stmt->roles)
	{
		Oid			role = get_rolespec_oid(lfirst(lc), true);

		if (!OidIsValid(role) || !has_privs_of_role(GetUserId(), role))
			return;				/* PostgreSQL refuses it */
		owners = lappend_oid(owners, role);
	}
	header_drop_going(NIL, owners, NIL);
}

/*
 * cbreturn._header_partitions_ddl(): the event trigger
 * cbreturn_header_partitions, ON ddl_command_start of ALTER TABLE and of the
 * DROP commands that can take a table (sql/52_enforce_header.sql lists them).
 * ALTER TABLE, DROP TABLE, SCHEMA, OWNED and EXTENSION are looked at here;
 * for every one of them, whether it says CASCADE is recorded.
 */
/* Whether the DDL statement being run drops with CASCADE (cbreturn._ddl_cascades). */
static bool ddl_cascades = false;
static TimestampTz ddl_cascades_at = 0;

static bool
ddl_is_cascade(Node *parsetree)
{
	ListCell   *lc;

	if (IsA(parsetree, DropStmt))
		return ((DropStmt *) parsetree)->behavior == DROP_CASCADE;
	if (IsA(parsetree, DropOwnedStmt))
		return ((DropOwnedStmt *) parsetree)->behavior == DROP_CASCADE;
	if (IsA(parsetree, AlterTableStmt))
	{
		/* a column dropped: every DROP COLUMN of the statement says CASCADE */
		bool		some = false;

		foreach(lc, ((AlterTableStmt *) parsetree)->cmds)
		{
			AlterTableCmd *cmd = (AlterTableCmd *) lfirst(lc);

			if (cmd->subtype != AT_DropColumn)
				continue;
			if (cmd->behavior != DROP_CASCADE)
				return false;
			some = true;
		}
		return some;
	}
	return false;
}

/*
 * cbreturn._ddl_cascades() -> boolean: whether the DROP or ALTER TABLE
 * being run (whose start the event trigger below saw, in this statement)
 * said CASCADE.  The sql_drop and ddl_command_end
 * event triggers then detach the checks of other tables that read a table
 * or column it drops, as PostgreSQL drops a foreign key, instead of
 * refusing (2BP01).
 */
PG_FUNCTION_INFO_V1(cbr_ddl_cascades);
Datum
cbr_ddl_cascades(PG_FUNCTION_ARGS)
{
	PG_RETURN_BOOL(ddl_cascades && ddl_cascades_at == GetCurrentStatementStartTimestamp());
}

PG_FUNCTION_INFO_V1(cbr_header_partitions_ddl);
Datum
cbr_header_partitions_ddl(PG_FUNCTION_ARGS)
{
	EventTriggerData *trigdata;

	if (!CALLED_AS_EVENT_TRIGGER(fcinfo))
		ereport(ERROR,
				(errcode(ERRCODE_E_R_I_E_TRIGGER_PROTOCOL_VIOLATED),
				 errmsg("function \"%s\" must be called as an event trigger", "_header_partitions_ddl")));
	trigdata = (EventTriggerData *) fcinfo->context;
	ddl_cascades = ddl_is_cascade(trigdata->parsetree);
	ddl_cascades_at = GetCurrentStatementStartTimestamp();
	header_note_partitions(trigdata->parsetree);
	if (IsA(trigdata->parsetree, AlterTableStmt))
	{
		cbr_header_retype((AlterTableStmt *) trigdata->parsetree);
		header_detach((AlterTableStmt *) trigdata->parsetree);
	}
	else if (IsA(trigdata->parsetree, DropStmt))
		header_drop((DropStmt *) trigdata->parsetree);
	else if (IsA(trigdata->parsetree, DropOwnedStmt))
		header_drop_owned((DropOwnedStmt *) trigdata->parsetree);
	PG_RETURN_VOID();
}

