/*
 * metadata.c
 *		The only way a role writes the enforcement metadata
 *		(cbreturn.attached_check, cbreturn.attached_column): three small
 *		functions that check the calling role's rights themselves and then
 *		write as the owner of the metadata tables.
 *
 * Why: the triggers trust the metadata.  It names the columns they read and,
 * for the quantity check (R-EX-3, R-IM-2), a second table (the declared
 * lines) that they read too.  In 0.1.0 any table owner could INSERT rows
 * naming someone else's table as declared or column relation, and the
 * triggers then read that table for them (issue 9, items 1-3).  Now no role
 * but the metadata tables' owner may write them (sql/50_enforcement.sql
 * revokes INSERT, UPDATE and DELETE from PUBLIC), and the attach and detach
 * functions, which stay SECURITY INVOKER so that the triggers they create
 * belong to the caller's own table, record what they attach through the
 * functions below.
 *
 * These are not SECURITY DEFINER: they read the caller's identity with
 * GetUserId() (a SECURITY DEFINER wrapper would see its definer, and
 * session_user ignores SET ROLE), check ownership and privileges against
 * it, and only then switch to the owner of the metadata for the write, as
 * PostgreSQL's RI triggers switch user (ri_triggers.c) with
 * SetUserIdAndSecContext.  Calling one directly therefore gives nothing that
 * calling attach would not: the checked table must be the caller's own, a
 * permanent table; a declared table must be permanent and its columns
 * readable by the caller; a column must belong to one of these two.
 *
 * Temporary tables are refused (issue 9, item 4): they go at the end of a
 * session or with DISCARD TEMP without firing the event triggers that
 * remove their metadata, and the orphaned rows used to break every later
 * dump and restore.  docs/security.md describes the privilege model.
 */
#include "enforce/trigger.h"
#include "enforce/violation.h"

#include "access/htup_details.h"
#include "access/xact.h"
#include "catalog/namespace.h"
#include "catalog/pg_authid.h"
#include "catalog/pg_class.h"
#include "catalog/pg_type.h"
#include "enforce/trigger.h"
#include "executor/spi.h"
#include "miscadmin.h"
#include "nodes/parsenodes.h"
#include "tcop/deparse_utility.h"
#include "utils/acl.h"
#include "utils/builtins.h"
#include "utils/lsyscache.h"
#include "utils/syscache.h"

/* A relation's schema-qualified, quoted name for messages. */
char *
cbr_relation_text(Oid relid)
{
	return quote_qualified_identifier(get_namespace_name(get_rel_namespace(relid)),
									  get_rel_name(relid));
}

/*
 * The relkind and persistence of a relation, or 42P01 when there is none
 * (a regclass given as a bare OID is not checked by its input function:
 * cbreturn.detach('1234') must say "does not exist", not fail later).
 */
static void
cbr_relation_kind(Oid relid, char *relkind, char *relpersistence)
{
	HeapTuple	tup = SearchSysCache1(RELOID, ObjectIdGetDatum(relid));
	Form_pg_class form;

	if (!HeapTupleIsValid(tup))
		ereport(ERROR,
				(errcode(ERRCODE_UNDEFINED_TABLE),
				 errmsg("relation with OID %u does not exist", relid)));
	form = (Form_pg_class) GETSTRUCT(tup);
	*relkind = form->relkind;
	*relpersistence = form->relpersistence;
	ReleaseSysCache(tup);
}

/*
 * A table a check may be attached to or read from: an ordinary or
 * partitioned table that is not temporary.  "what" names it in messages.
 */
static void
cbr_require_permanent_table(Oid relid, const char *what)
{
	char		relkind;
	char		relpersistence;

	cbr_relation_kind(relid, &relkind, &relpersistence);
	if (relkind != RELKIND_RELATION && relkind != RELKIND_PARTITIONED_TABLE)
		ereport(ERROR,
				(errcode(ERRCODE_WRONG_OBJECT_TYPE),
				 errmsg("%s %s is not a table", _(what), cbr_relation_text(relid))));
	if (relpersistence == RELPERSISTENCE_TEMP)
		ereport(ERROR,
				(errcode(ERRCODE_FEATURE_NOT_SUPPORTED),
				 errmsg("cbreturn checks cannot be attached to temporary tables"),
				 errdetail("The %s %s is temporary: it goes at the end of its session without the event triggers that remove the metadata of its checks.",
						   _(what), cbr_relation_text(relid)),
				 errhint("Attach the checks to a permanent table.")));
}

/* The checked table must be the caller's own: 42501 otherwise. */
static void
cbr_require_owner(Oid relid, Oid caller)
{
	cbr_require_permanent_table(relid, gettext_noop("table"));
	if (!cbr_owns_class(relid, caller))
		ereport(ERROR,
				(errcode(ERRCODE_INSUFFICIENT_PRIVILEGE),
				 errmsg("must be owner of table %s", cbr_relation_text(relid)),
				 errdetail("Only the owner of a table (or a member of its owning role) may attach, detach, validate or configure its checks.")));
}

/* The owner of cbreturn.attached_check, who writes the metadata. */
Oid
cbr_metadata_owner(void)
{
	Oid			nsp = get_namespace_oid("cbreturn", false);
	Oid			relid = get_relname_relid("attached_check", nsp);
	HeapTuple	tup;
	Oid			owner;

	if (!OidIsValid(relid))
		elog(ERROR, "table cbreturn.attached_check does not exist");
	tup = SearchSysCache1(RELOID, ObjectIdGetDatum(relid));
	if (!HeapTupleIsValid(tup))
		elog(ERROR, "cache lookup failed for relation %u", relid);
	owner = ((Form_pg_class) GETSTRUCT(tup))->relowner;
	ReleaseSysCache(tup);
	return owner;
}

/*
 * Run one statement on the metadata as its owner.  The flags are those of
 * the RI triggers: a local user change (no SET ROLE can undo it), row
 * security not forced, and a restricted operation (the statement fires only
 * the metadata tables' own triggers).  An error unwinds the user change
 * with the (sub)transaction, as for the RI triggers.
 */
#define cbr_run_as_metadata_owner(sql, nargs, argtypes, args, nulls, expected) \
	cbr_run_as_owner_sec(sql, nargs, argtypes, args, nulls, expected, SECURITY_RESTRICTED_OPERATION)
static uint64
cbr_run_as_owner_sec(const char *sql, int nargs, Oid *argtypes, Datum *args,
					 const char *nulls, int expected, int sec)
{
	Oid			save_userid;
	int			save_sec;
	int			ret;
	uint64		n;

	GetUserIdAndSecContext(&save_userid, &save_sec);
	SetUserIdAndSecContext(cbr_metadata_owner(),
						   save_sec | SECURITY_LOCAL_USERID_CHANGE | SECURITY_NOFORCE_RLS | sec);
	if (SPI_connect() != SPI_OK_CONNECT)
		elog(ERROR, "SPI_connect failed");
	ret = SPI_execute_with_args(sql, nargs, argtypes, args, nulls, false, 0);
	if (ret != expected)
		elog(ERROR, "writing the cbreturn metadata failed: %s", SPI_result_code_string(ret));
	n = SPI_processed;
	SPI_finish();
	SetUserIdAndSecContext(save_userid, save_sec);
	return n;
}

/*
 * cbreturn._metadata_register(rel regclass, kind text, fill boolean,
 *                             declared regclass, labels text[]) RETURNS void
 *
 * Records one attached check.  The caller must own rel; a declared table
 * (quantity check) must be permanent, and the caller must be able to read
 * some of its columns (each column it names is checked again by
 * _metadata_column).
 */
PG_FUNCTION_INFO_V1(cbr_metadata_register);
Datum
cbr_metadata_register(PG_FUNCTION_ARGS)
{
	Oid			caller = GetUserId();
	Oid			argtypes[5] = {REGCLASSOID, TEXTOID, BOOLOID, REGCLASSOID, TEXTARRAYOID};
	Datum		args[5];
	char		nulls[6] = "     ";
	int			i;

	if (PG_ARGISNULL(0) || PG_ARGISNULL(1))
		ereport(ERROR,
				(errcode(ERRCODE_NULL_VALUE_NOT_ALLOWED),
				 errmsg("the table and the check kind must not be NULL")));
	cbr_require_owner(PG_GETARG_OID(0), caller);
	/* Citus: a shard, a quantity check or a header refused (CB015, distributed.c) */
	(void) cbr_citus_attach(PG_GETARG_OID(0), text_to_cstring(PG_GETARG_TEXT_PP(1)),
							PG_ARGISNULL(3) ? InvalidOid : PG_GETARG_OID(3));
	if (!PG_ARGISNULL(3))
	{
		Oid			declared = PG_GETARG_OID(3);
		bool		header = !PG_ARGISNULL(1) && strcmp(text_to_cstring(PG_GETARG_TEXT_PP(1)), "header") == 0;

		cbr_require_permanent_table(declared, header ? gettext_noop("header table")
								: gettext_noop("declared table"));

		/*
		 * The check guards the declared table (its lines may not drop below
		 * what was returned), so it can refuse the declared table's own
		 * writes: as with a trigger on it, which it is, the caller must hold
		 * TRIGGER on it (its owner does).  SELECT alone is not enough, as a
		 * foreign key needs REFERENCES and not only SELECT.
		 */
		if (pg_class_aclcheck(declared, caller, ACL_TRIGGER) != ACLCHECK_OK)
			ereport(ERROR,
					(errcode(ERRCODE_INSUFFICIENT_PRIVILEGE),
					 errmsg("permission denied for table %s", cbr_relation_text(declared)),
					 header
					 ? errdetail("A header is guarded against corrections that would break the returns reading it, which needs the TRIGGER privilege on it.")
					 : errdetail("A quantity check guards its declared table against writes that would leave returns above a declared quantity, which needs the TRIGGER privilege on it."),
					 header
					 ? errhint("Attach as the owner of the header table, or ask its owner to grant TRIGGER on it.")
					 : errhint("Attach as the owner of the declared table, or ask its owner to grant TRIGGER on it.")));
		if (pg_class_aclcheck(declared, caller, ACL_SELECT) != ACLCHECK_OK &&
			pg_attribute_aclcheck_all(declared, caller, ACL_SELECT, ACLMASK_ANY) != ACLCHECK_OK)
			ereport(ERROR,
					(errcode(ERRCODE_INSUFFICIENT_PRIVILEGE),
					 errmsg("permission denied for table %s", cbr_relation_text(declared)),
					 header
					 ? errdetail("The checks read the key and the facts of a return from its header.")
					 : errdetail("A quantity check reads the key and quantity columns of its declared table."),
					 header
					 ? errhint("Ask the owner of the header table to grant SELECT on those columns.")
					 : errhint("Ask the owner of the declared table to grant SELECT on those columns.")));
	}
	for (i = 0; i < 5; i++)
	{
		args[i] = PG_ARGISNULL(i) ? (Datum) 0 : PG_GETARG_DATUM(i);
		if (PG_ARGISNULL(i))
			nulls[i] = 'n';
	}
	if (PG_ARGISNULL(2))
	{
		args[2] = BoolGetDatum(false);
		nulls[2] = ' ';
	}
	cbr_run_as_metadata_owner(
		"INSERT INTO cbreturn.attached_check"
		" (relation, check_kind, fill_remarks, declared_relation, status_labels)"
		" VALUES ($1, $2, $3, $4, $5)",
		5, argtypes, args, nulls, SPI_OK_INSERT);
	PG_RETURN_VOID();
}

/*
 * The column roles each kind of check reads (the roles attach records; a
 * check that reads a new role adds it here).  A role no check reads
 * would be metadata that checks nothing, so it is refused.
 */
static const char *const export_column_roles[] = {
	"exported_on", "reason", "returned_on", "remarks", "supervision_code",
	"export_office", "return_office", "deadline",
	"applicant", "return_site", "left_special_area_on",	/* R-EX-4, R-EX-6, R-TX-2 */
	NULL
};
static const char *const import_column_roles[] = {
	"released_on", "applied_on", "arrived_on",
	/* R-IM-1 place, R-IM-5, R-IM-6, R-IM-7 */
	"supervision_code", "original_place", "arrival_place", "declared_area", "warehouse",
	"enterprise", "applicant", NULL
};
static const char *const status_column_roles[] = {
	"status", "registered_at", "declared_at", "shipped_at", "arrived_at",
	"inspected_at", "released_at", "rejected_at", NULL
};
static const char *const quantity_column_roles[] = {
	"quantity", "declared_quantity", "status", NULL
};
/*
 * the facts a declaration header may hold (attach_header), and nothing else
 * read from it; "status": a return request's status (rules section 6), read
 * by the quantity check
 */
static const char *const header_column_roles[] = {
	"exported_on", "supervision_code", "export_office", "left_special_area_on", "released_on",
	"status", NULL
};

/* prefix followed by one digit 1 to 8 (line key columns of a quantity check) */
static bool
cbr_key_role(const char *role, const char *prefix)
{
	size_t		n = strlen(prefix);

	return strncmp(role, prefix, n) == 0 && role[n] >= '1' && role[n] <= '8' && role[n + 1] == '\0';
}

static bool
cbr_role_known(const char *kind, const char *role)
{
	const char *const *roles;
	int			i;

	if (strcmp(kind, "export") == 0)
		roles = export_column_roles;
	else if (strcmp(kind, "import") == 0)
		roles = import_column_roles;
	else if (strcmp(kind, "status") == 0)
		roles = status_column_roles;
	else if (strcmp(kind, "quantity") == 0)
	{
		if (cbr_key_role(role, "line_") || cbr_key_role(role, "declared_line_"))
			return true;
		roles = quantity_column_roles;
	}
	else if (strcmp(kind, "header") == 0)
	{
		if (cbr_key_role(role, "key_") || cbr_key_role(role, "header_key_"))
			return true;
		roles = header_column_roles;
	}
	else
		return false;
	for (i = 0; roles[i] != NULL; i++)
		if (strcmp(roles[i], role) == 0)
			return true;
	return false;
}

/*
 * A column of another table than rel (colrel): the declared table recorded
 * with this check, and nothing else; or, for the export, import and
 * quantity checks, the declaration header recorded for rel (attach_header,
 * whose TRIGGER and SELECT rights were checked when it was registered).
 * The quantity check reads only the request's status from it (rules
 * section 6).  22023 otherwise.
 */
static void
cbr_metadata_column_declared(Oid relid, Datum kind_arg, Oid colrel, const char *kind,
							 const char *role)
{
	Oid			sel_types[3] = {OIDOID, TEXTOID, OIDOID};
	Datum		sel_args[3];
	bool		declared = false;
	int			ret;

	sel_args[0] = ObjectIdGetDatum(relid);
	sel_args[1] = kind_arg;
	sel_args[2] = ObjectIdGetDatum(colrel);
	if (SPI_connect() != SPI_OK_CONNECT)
		elog(ERROR, "SPI_connect failed");
	ret = SPI_execute_with_args(
		"SELECT k.check_kind FROM cbreturn.attached_check k"
		" WHERE k.relation::pg_catalog.oid OPERATOR(pg_catalog.=) $1"
		"   AND (k.check_kind OPERATOR(pg_catalog.=) $2"
		"        OR (k.check_kind OPERATOR(pg_catalog.=) 'header'"
		"            AND $2 OPERATOR(pg_catalog.=) ANY ('{export,import,quantity}'::pg_catalog.text[])))"
		"   AND k.declared_relation::pg_catalog.oid OPERATOR(pg_catalog.=) $3"
		" ORDER BY k.check_kind OPERATOR(pg_catalog.=) 'header'",
		3, sel_types, sel_args, NULL, true, 1);
	if (ret != SPI_OK_SELECT)
		elog(ERROR, "reading cbreturn.attached_check failed: %s", SPI_result_code_string(ret));
	declared = SPI_processed > 0;
	/* a quantity check reads only the request's status from its header */
	if (declared && strcmp(kind, "quantity") == 0 &&
		strcmp(SPI_getvalue(SPI_tuptable->vals[0], SPI_tuptable->tupdesc, 1), "header") == 0 &&
		strcmp(role, "status") != 0)
		declared = false;
	SPI_finish();
	/* an export or import check reads only the header's facts from it */
	if (declared && strcmp(kind, "quantity") != 0 && strcmp(kind, "header") != 0 &&
		!cbr_role_known("header", role))
		declared = false;
	if (!declared)
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
				 errmsg("a column of a check on %s must belong to that table or to the declared table of the check",
						cbr_relation_text(relid))));
	cbr_require_permanent_table(colrel, gettext_noop("declared table"));
}

/*
 * cbreturn._metadata_column(rel regclass, kind text, col_role text,
 *                           col_rel regclass, col name) RETURNS void
 *
 * Records one column of the check of this kind on rel, which must already
 * be registered.  The column belongs to rel (the caller owns it) or to the
 * declared table recorded with the check, whose column the caller must be
 * allowed to SELECT.  Column number and type are filled in by the BEFORE
 * INSERT trigger of cbreturn.attached_column.
 */
PG_FUNCTION_INFO_V1(cbr_metadata_column);
Datum
cbr_metadata_column(PG_FUNCTION_ARGS)
{
	Oid			caller = GetUserId();
	Oid			relid;
	Oid			colrel;
	char	   *colname;
	AttrNumber	attnum;
	Oid			argtypes[5] = {REGCLASSOID, TEXTOID, TEXTOID, REGCLASSOID, NAMEOID};
	Datum		args[5];
	int			i;

	for (i = 0; i < 5; i++)
		if (PG_ARGISNULL(i))
			ereport(ERROR,
					(errcode(ERRCODE_NULL_VALUE_NOT_ALLOWED),
					 errmsg("the arguments of cbreturn._metadata_column must not be NULL")));
	relid = PG_GETARG_OID(0);
	colrel = PG_GETARG_OID(3);
	colname = NameStr(*PG_GETARG_NAME(4));
	cbr_require_owner(relid, caller);
	{
		char	   *kind = text_to_cstring(PG_GETARG_TEXT_PP(1));
		char	   *role = text_to_cstring(PG_GETARG_TEXT_PP(2));

		if (!cbr_role_known(kind, role))
			ereport(ERROR,
					(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
					 errmsg("no %s check reads a column as \"%s\"", cbr_clip_value(kind), cbr_clip_value(role)),
					 errhint("Attach checks with the cbreturn.attach_* functions, which record the columns they read.")));
	}

	if (colrel != relid)
		cbr_metadata_column_declared(relid, PG_GETARG_DATUM(1), colrel, text_to_cstring(PG_GETARG_TEXT_PP(1)),
									 text_to_cstring(PG_GETARG_TEXT_PP(2)));

	attnum = get_attnum(colrel, colname);
	if (attnum <= 0)
		ereport(ERROR,
				(errcode(ERRCODE_UNDEFINED_COLUMN),
				 errmsg("column \"%s\" of relation %s does not exist", colname, cbr_relation_text(colrel))));
	/* SELECT on the table covers every column; else the column's own grant */
	if (colrel != relid &&
		pg_class_aclcheck(colrel, caller, ACL_SELECT) != ACLCHECK_OK &&
		pg_attribute_aclcheck(colrel, attnum, caller, ACL_SELECT) != ACLCHECK_OK)
		ereport(ERROR,
				(errcode(ERRCODE_INSUFFICIENT_PRIVILEGE),
				 errmsg("permission denied for column \"%s\" of table %s", colname, cbr_relation_text(colrel)),
				 strcmp(text_to_cstring(PG_GETARG_TEXT_PP(1)), "quantity") == 0
				 ? errdetail("A quantity check reads the key and quantity columns of its declared table.")
				 : errdetail("The checks read the key and the facts of a return from its header."),
				 strcmp(text_to_cstring(PG_GETARG_TEXT_PP(1)), "quantity") == 0
				 ? errhint("Ask the owner of the declared table to grant SELECT on those columns.")
				 : errhint("Ask the owner of the header table to grant SELECT on those columns.")));

	for (i = 0; i < 5; i++)
		args[i] = PG_GETARG_DATUM(i);
	cbr_run_as_metadata_owner(
		"INSERT INTO cbreturn.attached_column"
		" (relation, check_kind, role, column_relation, column_name)"
		" VALUES ($1, $2, $3, $4, $5)",
		5, argtypes, args, NULL, SPI_OK_INSERT);
	PG_RETURN_VOID();
}

/*
 * cbreturn._metadata_forget(rel regclass, kind text) RETURNS integer
 *
 * Removes the metadata of the check of this kind (every kind when NULL) on
 * a table the caller owns; returns how many checks it removed.  The
 * triggers are dropped by cbreturn.detach, as the caller.
 */
PG_FUNCTION_INFO_V1(cbr_metadata_forget);
Datum
cbr_metadata_forget(PG_FUNCTION_ARGS)
{
	Oid			caller = GetUserId();
	Oid			argtypes[2] = {OIDOID, TEXTOID};
	Datum		args[2];
	char		nulls[3] = "  ";
	uint64		n;

	if (PG_ARGISNULL(0))
		ereport(ERROR,
				(errcode(ERRCODE_NULL_VALUE_NOT_ALLOWED),
				 errmsg("the table must not be NULL")));
	cbr_require_owner(PG_GETARG_OID(0), caller);
	args[0] = PG_GETARG_DATUM(0);
	args[1] = PG_ARGISNULL(1) ? (Datum) 0 : PG_GETARG_DATUM(1);
	if (PG_ARGISNULL(1))
		nulls[1] = 'n';
	cbr_run_as_metadata_owner(
		"DELETE FROM cbreturn.attached_column c"
		" WHERE c.relation::pg_catalog.oid OPERATOR(pg_catalog.=) $1"
		"   AND ($2 IS NULL OR c.check_kind OPERATOR(pg_catalog.=) $2)",
		2, argtypes, args, nulls, SPI_OK_DELETE);
	n = cbr_run_as_metadata_owner(
		"DELETE FROM cbreturn.attached_check k"
		" WHERE k.relation::pg_catalog.oid OPERATOR(pg_catalog.=) $1"
		"   AND ($2 IS NULL OR k.check_kind OPERATOR(pg_catalog.=) $2)",
		2, argtypes, args, nulls, SPI_OK_DELETE);
	/* a partition losing a check the other leaves of its tree carry: refused at commit (_partition_check) */
	/* (not a restricted operation: the insert queues that deferred trigger, the extension's own) */
	if (n > 0 && get_rel_relispartition(PG_GETARG_OID(0)))
		cbr_run_as_owner_sec("INSERT INTO cbreturn.partition_pending (relid) SELECT t.relid"
							 "  FROM pg_catalog.pg_partition_tree($1::pg_catalog.regclass) t WHERE t.isleaf",
							 1, argtypes, args, nulls, SPI_OK_INSERT, 0);
	PG_RETURN_INT32((int32) n);
}

/*
 * For src/enforce/violation.c (issue 12): the owner check and the write as
 * the metadata's owner, for set_on_violation, set_ordinary_return_column,
 * validate and the entries of cbreturn.violation_log (owned by the same role).
 */
void
cbr_metadata_require_owner(Oid relid)
{
	cbr_require_owner(relid, GetUserId());
}

/* violations() and validate(): a table checks can be attached to (42809, 0A000). */
void
cbr_metadata_require_table(Oid relid)
{
	cbr_require_permanent_table(relid, gettext_noop("table"));
}

uint64
cbr_metadata_write(const char *sql, int nargs, Oid *argtypes, Datum *args,
				   const char *nulls, int expected)
{
	return cbr_run_as_metadata_owner(sql, nargs, argtypes, args, nulls, expected);
}

/*
 * cbreturn._metadata_quantity_labels(rel regclass, labels text[]) RETURNS void
 *
 * Records the labels of the returns that free their quantity (rules
 * section 6: rejected, withdrawn) for the quantity check on a table the
 * caller owns, once its status column is recorded and while it has none
 * yet.  attach_quantity_check and attach_status_check call it.
 */
PG_FUNCTION_INFO_V1(cbr_metadata_quantity_labels);
Datum
cbr_metadata_quantity_labels(PG_FUNCTION_ARGS)
{
	Oid			caller = GetUserId();
	Oid			argtypes[2] = {OIDOID, TEXTARRAYOID};
	Datum		args[2];

	if (PG_ARGISNULL(0) || PG_ARGISNULL(1))
		ereport(ERROR,
				(errcode(ERRCODE_NULL_VALUE_NOT_ALLOWED),
				 errmsg("the arguments of cbreturn._metadata_quantity_labels must not be NULL")));
	cbr_require_owner(PG_GETARG_OID(0), caller);
	args[0] = PG_GETARG_DATUM(0);
	args[1] = PG_GETARG_DATUM(1);
	if (cbr_run_as_metadata_owner(
			"UPDATE cbreturn.attached_check k SET freeing_labels = $2"
			" WHERE k.relation::pg_catalog.oid OPERATOR(pg_catalog.=) $1"
			"   AND k.check_kind OPERATOR(pg_catalog.=) 'quantity'"
			"   AND k.freeing_labels IS NULL"
			"   AND pg_catalog.cardinality($2) OPERATOR(pg_catalog.>) 0"
			"   AND EXISTS (SELECT FROM cbreturn.attached_column c"
			"                WHERE c.relation OPERATOR(pg_catalog.=) k.relation"
			"                  AND c.check_kind OPERATOR(pg_catalog.=) 'quantity'"
			"                  AND c.role OPERATOR(pg_catalog.=) 'status')",
			2, argtypes, args, NULL, SPI_OK_UPDATE) != 1)
		ereport(ERROR,
				(errcode(ERRCODE_OBJECT_NOT_IN_PREREQUISITE_STATE),
				 errmsg("the quantity check on %s has no status column without labels", cbr_relation_text(PG_GETARG_OID(0))),
				 errhint("Attach checks with the cbreturn.attach_* functions, which record the columns they read.")));
	PG_RETURN_VOID();
}

/*
 * cbreturn._xid_is_current(xid): was a catalog row (its xmin) written by
 * this transaction or one of its subtransactions?  The event trigger
 * cbreturn_no_foreign_triggers asks it of the foreign keys of a table a
 * command touched, to judge only those the command made.
 */
PG_FUNCTION_INFO_V1(cbr_xid_is_current);
Datum
cbr_xid_is_current(PG_FUNCTION_ARGS)
{
	PG_RETURN_BOOL(TransactionIdIsCurrentTransactionId(DatumGetTransactionId(PG_GETARG_DATUM(0))));
}

/* Does an ALTER TABLE an event trigger reports have a subcommand of one of the n types? */
static bool
alter_table_does(const CollectedCommand *cmd, const AlterTableType *types, int n)
{
	ListCell   *lc;
	int			i;

	if (cmd->type != SCT_AlterTable)
		return false;
	foreach(lc, cmd->d.alterTable.subcmds)
	{
		CollectedATSubcmd *sub = (CollectedATSubcmd *) lfirst(lc);
		AlterTableCmd *at = (AlterTableCmd *) sub->parsetree;

		if (!IsA(at, AlterTableCmd))
			continue;
		for (i = 0; i < n; i++)
			if (at->subtype == types[i])
				return true;
	}
	return false;
}

/*
 * cbreturn._ddl_moves_partitions(pg_ddl_command): does a command reported to
 * a ddl_command_end event trigger put a table into a partition tree or take
 * one out of it (CREATE [FOREIGN] TABLE ... PARTITION OF, ALTER TABLE ...
 * ATTACH or DETACH PARTITION)?  The event triggers cbreturn_follow_partitions
 * and cbreturn_quantity_follow_partitions act on those commands only.  Any
 * other ALTER TABLE of a tree (an added constraint, as pg_restore adds
 * primary keys after the data, and so after the metadata is back, but before
 * the triggers of the dump are created) changes no partition: the follow-up
 * would make triggers the dump is about to create, and the restore would
 * fail on them; and looking at the tree locks every partition, which
 * pg_restore -j's workers, each holding one, would deadlock on.  (A
 * pg_ddl_command only comes from pg_event_trigger_ddl_commands(), in an
 * event trigger.)
 */
PG_FUNCTION_INFO_V1(cbr_ddl_moves_partitions);
Datum
cbr_ddl_moves_partitions(PG_FUNCTION_ARGS)
{
	const CollectedCommand *cmd = (const CollectedCommand *) PG_GETARG_POINTER(0);
	static const AlterTableType moves[] = {AT_AttachPartition, AT_DetachPartition,
	AT_DetachPartitionFinalize};

	if (cmd->type == SCT_Simple)
		PG_RETURN_BOOL((IsA(cmd->parsetree, CreateStmt) &&
						((CreateStmt *) cmd->parsetree)->partbound != NULL) ||
					   (IsA(cmd->parsetree, CreateForeignTableStmt) &&
						((CreateForeignTableStmt *) cmd->parsetree)->base.partbound != NULL));
	PG_RETURN_BOOL(alter_table_does(cmd, moves, lengthof(moves)));
}

/*
 * cbreturn._ddl_rewrites_columns(pg_ddl_command): does an ALTER TABLE
 * reported to a ddl_command_end event trigger rewrite a column
 * (ALTER COLUMN ... TYPE, with or without USING)?  A rewrite that keeps the
 * type keeps the metadata valid, so it is allowed, but it changes the
 * stored values without a row trigger: the quantity check counts the
 * returns again (cbreturn_quantity_follow_partitions).
 */
PG_FUNCTION_INFO_V1(cbr_ddl_rewrites_columns);
Datum
cbr_ddl_rewrites_columns(PG_FUNCTION_ARGS)
{
	static const AlterTableType rewrites[] = {AT_AlterColumnType};

	PG_RETURN_BOOL(alter_table_does((const CollectedCommand *) PG_GETARG_POINTER(0),
									rewrites, lengthof(rewrites)));
}
