/*
 * header_retype.c
 *		ALTER COLUMN ... TYPE of a declaration header link's columns (issues
 *		9, 12), decided at the start of ALTER TABLE by the event trigger
 *		cbreturn_header_partitions (header_ddl.c): a retype that may change a
 *		stored value rewrites the header's rows without its guard, and is
 *		refused (CB014) before anything is rewritten.
 */
#include "enforce/header_int.h"

#include "access/htup_details.h"
#include "catalog/catalog.h"
#include "catalog/namespace.h"
#include "catalog/pg_attribute.h"
#include "catalog/pg_class.h"
#include "catalog/pg_type.h"
#include "executor/spi.h"
#include "miscadmin.h"
#include "nodes/parsenodes.h"
#include "parser/parse_type.h"
#include "storage/lmgr.h"
#include "utils/builtins.h"
#include "utils/lsyscache.h"
#include "utils/snapmgr.h"
#include "utils/syscache.h"

/*
 * The event triggers read the metadata as the extension's owner, as a
 * security-restricted operation: what they read does not depend on the
 * rights of the role running the DDL, and nothing run within may change
 * that role or leave state behind.
 */
void
cbr_as_metadata_owner(CbrAsOwner *saved)
{
	GetUserIdAndSecContext(&saved->userid, &saved->sec);
	SetUserIdAndSecContext(cbr_metadata_owner(),
						   saved->sec | SECURITY_LOCAL_USERID_CHANGE | SECURITY_RESTRICTED_OPERATION);
}

void
cbr_as_metadata_owner_end(const CbrAsOwner *saved)
{
	SetUserIdAndSecContext(saved->userid, saved->sec);
}

/*
 * ALTER COLUMN ... TYPE of a declaration header link's column (its key on
 * either side, a fact, the request status; the header's partitions and
 * typed tables share its columns) changes its stored values without the
 * header guard when it gives a USING expression, moves to or from a
 * collation that compares otherwise (a nondeterministic one; without
 * COLLATE the type's default is taken), or shortens a length or precision
 * (a shorter varchar drops trailing blanks; a numeric or timestamp rounds).
 * That is refused (CB014) here, before anything is rewritten; a change that
 * keeps every value (a longer varchar, numeric or timestamp, any char
 * length, whose blanks compare equal) goes on.  A new type is
 * cbreturn._follow_alter_table's to refuse (2BP01).
 */
static bool
typmod_keeps_values(Oid type, int32 was, int32 now)
{
	bool		times = type == TIMESTAMPOID || type == TIMESTAMPTZOID || type == TIMEOID || type == TIMETZOID;

	/* a time without a precision keeps microseconds, as one of precision 6 */
	if (times)
	{
		was = was == -1 ? 6 : was;
		now = now == -1 ? 6 : now;
	}
	if (now == was || type == BPCHAROID)
		return true;
	if (now == -1)
		return type == VARCHAROID || type == NUMERICOID;
	if (was == -1)
		return false;
	if (type == VARCHAROID || times)
		return now > was;
	if (type == NUMERICOID)
	{
		/* precision in the high 16 bits, the scale an 11-bit signed field (PostgreSQL 15) */
		int32		ws = (((was - VARHDRSZ) & 0x7ff) ^ 1024) - 1024, wp = ((was - VARHDRSZ) >> 16) & 0xffff;
		int32		ns = (((now - VARHDRSZ) & 0x7ff) ^ 1024) - 1024, np = ((now - VARHDRSZ) >> 16) & 0xffff;

		return ns >= ws && np - ns >= wp - ws;
	}
	return false;
}

static bool
collation_keeps_values(Oid was, Oid now)
{
	return was == now ||
		(OidIsValid(was) && OidIsValid(now) &&
		 get_collation_isdeterministic(was) && get_collation_isdeterministic(now));
}

/* The first header link reading column col of a table the ALTER of relid changes; raised. */
static void
header_retype_refuse(Oid relid, const char *col)
{
	Oid			argtypes[2] = {OIDOID, TEXTOID};
	Datum		args[2] = {ObjectIdGetDatum(relid), CStringGetTextDatum(col)};
	SPIPlanPtr	plan;
	CbrAsOwner	saved;

	if (SPI_connect() != SPI_OK_CONNECT)
		cbr_header_metadata_unreadable("SPI_connect failed");
	/*
	 * Read with the latest snapshot, not the transaction's: under REPEATABLE
	 * READ a link committed after it was taken is kept out by the lock the
	 * caller holds all the same (attach_header creates a trigger on the
	 * header, which waits for it), and must be seen.
	 */
	cbr_as_metadata_owner(&saved);
	plan = SPI_prepare(
			"WITH RECURSIVE t (relid) AS ("
			"  SELECT $1 UNION SELECT c.oid FROM pg_catalog.pg_class c JOIN pg_catalog.pg_class k"
			"    ON k.oid OPERATOR(pg_catalog.=) $1 AND k.relkind OPERATOR(pg_catalog.=) 'c'"
			"   AND c.reloftype OPERATOR(pg_catalog.=) k.reltype"
			"  UNION SELECT i.inhrelid FROM pg_catalog.pg_inherits i JOIN t ON i.inhparent OPERATOR(pg_catalog.=) t.relid)"
			" SELECT cbreturn._error('header.column_rewritten', a.column_name::pg_catalog.text,"
			"        a.column_relation::pg_catalog.text, a.relation::pg_catalog.text,"
			"        pg_catalog.quote_literal(a.relation::pg_catalog.text))"
			"   FROM cbreturn.attached_column a"
			"  WHERE a.check_kind OPERATOR(pg_catalog.=) 'header'"
			"    AND a.column_relation::pg_catalog.oid IN (SELECT t.relid FROM t)"
			"    AND a.column_name OPERATOR(pg_catalog.=) $2::pg_catalog.name"
			"  ORDER BY a.relation::pg_catalog.text, a.role LIMIT 1",
			2, argtypes);
	if (plan == NULL ||
		SPI_execute_snapshot(plan, args, NULL, GetLatestSnapshot(), InvalidSnapshot, false, false, 0) != SPI_OK_SELECT)
		cbr_header_metadata_unreadable("reading cbreturn.attached_column failed");
	cbr_as_metadata_owner_end(&saved);
	SPI_finish();
}

static bool
header_is_typed(Oid relid)
{
	HeapTuple	tup = SearchSysCache1(RELOID, ObjectIdGetDatum(relid));
	bool		typed;

	if (!HeapTupleIsValid(tup))
		return false;
	typed = OidIsValid(((Form_pg_class) GETSTRUCT(tup))->reloftype);
	ReleaseSysCache(tup);
	return typed;
}

void
cbr_header_retype(AlterTableStmt *stmt)
{
	Oid			relid = InvalidOid;
	bool		resolved = false;
	ListCell   *lc;

	foreach(lc, stmt->cmds)
	{
		AlterTableCmd *cmd = lfirst_node(AlterTableCmd, lc);
		ColumnDef  *def;
		HeapTuple	tup;
		Form_pg_attribute att;
		Oid			type;
		int32		typmod;
		Oid			coll;
		bool		kept;

		if (cmd->subtype != AT_AlterColumnType)
			continue;
		/*
		 * A role PostgreSQL will refuse holds nothing; the owner holds what
		 * the ALTER will, and the name is asked again once held (a rename
		 * committed meanwhile gives it another table, which PostgreSQL will
		 * alter).
		 */
		while (!resolved)
		{
			relid = RangeVarGetRelid(stmt->relation, NoLock, true);
			/* (a system catalog, a view, an index: PostgreSQL refuses it, holding nothing here) */
			if (!OidIsValid(relid) || IsCatalogRelationOid(relid) ||
				!(get_rel_relkind(relid) == RELKIND_RELATION ||
				  get_rel_relkind(relid) == RELKIND_PARTITIONED_TABLE ||
				  get_rel_relkind(relid) == RELKIND_COMPOSITE_TYPE) ||
				!cbr_owns_class(relid, GetUserId()))
				return;
			LockRelationOid(relid, AccessExclusiveLock);
			resolved = RangeVarGetRelid(stmt->relation, NoLock, true) == relid;
			if (!resolved)
				UnlockRelationOid(relid, AccessExclusiveLock);
		}
		/* a typed table's column is altered through its type: PostgreSQL says so (42809) */
		if (stmt->objtype != OBJECT_TYPE && header_is_typed(relid))
			return;
		def = castNode(ColumnDef, cmd->def);
		tup = SearchSysCacheAttName(relid, cmd->name);
		if (!HeapTupleIsValid(tup))
			continue;			/* PostgreSQL says what is wrong */
		att = (Form_pg_attribute) GETSTRUCT(tup);
		typenameTypeIdAndMod(NULL, def->typeName, &type, &typmod);
		coll = def->collClause ? LookupCollation(NULL, def->collClause->collname, -1) : get_typcollation(type);
		kept = def->raw_default == NULL && type == att->atttypid &&
			typmod_keeps_values(type, att->atttypmod, typmod) &&
			collation_keeps_values(att->attcollation, coll);
		/* a new type is refused after the ALTER (2BP01), with its own message */
		if (type != att->atttypid && def->raw_default == NULL)
			kept = true;
		ReleaseSysCache(tup);
		if (!kept)
			header_retype_refuse(relid, cmd->name);
	}
}
