/*
 * quantity_ledger.c
 *		The set-based side of the quantity check (R-EX-3, R-IM-2): building,
 *		rebuilding and verifying cbreturn.quantity_ledger, and validating a
 *		declared table at attach.
 *
 * The work is done by SQL in sql/55_enforce_quantity.sql (one grouped pass
 * over all returns of a declared table), which reads tables the caller may
 * not read and writes the ledger, nobody's but the extension's.  These
 * functions are the gate: they check as the caller what the caller may do
 * and see, then run that SQL as the ledger's owner, and report only what the
 * caller may SELECT.
 */
#include "enforce/quantity.h"

#include "access/table.h"
#include "catalog/namespace.h"
#include "catalog/pg_class.h"
#include "catalog/pg_type.h"
#include "funcapi.h"
#include "miscadmin.h"
#include "utils/acl.h"
#include "utils/array.h"
#include "utils/builtins.h"
#include "utils/lsyscache.h"
#include "utils/rel.h"
#include "utils/syscache.h"
#include "utils/tuplestore.h"

static Oid
ledger_owner_oid(void)
{
	Oid			relid = get_relname_relid("quantity_ledger", get_namespace_oid("cbreturn", false));
	HeapTuple	tp;
	Oid			owner;

	if (!OidIsValid(relid))
		ereport(ERROR,
				(errcode(ERRCODE_OBJECT_NOT_IN_PREREQUISITE_STATE),
				 errmsg("table cbreturn.quantity_ledger does not exist")));
	tp = SearchSysCache1(RELOID, ObjectIdGetDatum(relid));
	if (!HeapTupleIsValid(tp))
		elog(ERROR, "cache lookup failed for relation %u", relid);
	owner = ((Form_pg_class) GETSTRUCT(tp))->relowner;
	ReleaseSysCache(tp);
	return owner;
}

/*
 * As the caller: may it (a) start work on the ledger of declared (it owns
 * the declared table, a returns table attached to it, or one of except),
 * (b) see the values (SELECT on every column the checks on declared read,
 * no row security applying)?  Inside SPI.
 */
static void
caller_rights(Oid declared, Datum except, bool *may_act, bool *may_see)
{
	Oid			argtypes[2] = {REGCLASSOID, OIDARRAYOID};
	Datum		args[2];
	bool		isnull;
	int			ret;

	args[0] = ObjectIdGetDatum(declared);
	args[1] = except;
	ret = SPI_execute_with_args("SELECT cbreturn._quantity_may_act($1, $2), cbreturn._quantity_may_see($1)",
								2, argtypes, args, NULL, true, 1);
	if (ret != SPI_OK_SELECT || SPI_processed != 1)
		ereport(ERROR,
				(errcode(ERRCODE_OBJECT_NOT_IN_PREREQUISITE_STATE),
				 errmsg("cannot read the metadata of the quantity checks on %s", cbr_qty_rel_text(declared))));
	*may_act = DatumGetBool(SPI_getbinval(SPI_tuptable->vals[0], SPI_tuptable->tupdesc, 1, &isnull)) && !isnull;
	*may_see = DatumGetBool(SPI_getbinval(SPI_tuptable->vals[0], SPI_tuptable->tupdesc, 2, &isnull)) && !isnull;

	/*
	 * Run for another role (the DROP event trigger runs as the extension's
	 * owner): the figures are shown only if the role of the session's
	 * statement (SET ROLE's, the outer user) may see them too.
	 */
	if (*may_see && GetOuterUserId() != GetUserId())
	{
		Oid			save_userid;
		int			save_sec;

		GetUserIdAndSecContext(&save_userid, &save_sec);
		SetUserIdAndSecContext(GetOuterUserId(), save_sec | SECURITY_LOCAL_USERID_CHANGE);
		ret = SPI_execute_with_args("SELECT cbreturn._quantity_may_see($1)", 1, argtypes, args, NULL, true, 1);
		SetUserIdAndSecContext(save_userid, save_sec);
		*may_see = ret == SPI_OK_SELECT && SPI_processed == 1 &&
			DatumGetBool(SPI_getbinval(SPI_tuptable->vals[0], SPI_tuptable->tupdesc, 1, &isnull)) && !isnull;
	}
}

/* Whether declared is a Citus table (cbreturn._citus_table). */
static bool
is_citus_table(Oid declared)
{
	Oid			argtypes[1] = {REGCLASSOID};
	Datum		args[1] = {ObjectIdGetDatum(declared)};
	bool		isnull;
	Datum		d;

	if (SPI_execute_with_args("SELECT cbreturn._citus_table($1)", 1, argtypes, args, NULL, true, 1) != SPI_OK_SELECT ||
		SPI_processed != 1)
		ereport(ERROR,
				(errcode(ERRCODE_OBJECT_NOT_IN_PREREQUISITE_STATE),
				 errmsg("cannot read the metadata of the quantity checks on %s", cbr_qty_rel_text(declared))));
	d = SPI_getbinval(SPI_tuptable->vals[0], SPI_tuptable->tupdesc, 1, &isnull);
	return !isnull && DatumGetBool(d);
}

/*
 * Run sql with args as the ledger's owner, as a security-restricted
 * operation (as VACUUM and REINDEX run a table owner's code): nothing run
 * within may change the role or leave state behind for the session.
 */
static int
run_as_owner(const char *sql, int nargs, Oid *argtypes, Datum *args)
{
	Oid			save_userid;
	int			save_sec;
	int			ret;

	GetUserIdAndSecContext(&save_userid, &save_sec);
	SetUserIdAndSecContext(ledger_owner_oid(), save_sec | SECURITY_LOCAL_USERID_CHANGE | SECURITY_RESTRICTED_OPERATION);
	ret = SPI_execute_with_args(sql, nargs, argtypes, args, NULL, false, 0);
	SetUserIdAndSecContext(save_userid, save_sec);
	return ret;
}

/*
 * cbreturn._quantity_rebuild(declared regclass, except oid[]): count every
 * return of the declared table again, in one grouped pass (attach, detach,
 * TRUNCATE of a returns table, partitions attached or dropped); the tables
 * in except no longer count.  Returns naming no declared line, negative
 * returns and over-returned lines are refused (CB003), or only warned of
 * when strict is false (returns went: what is wrong was wrong before, and a
 * DROP or TRUNCATE must not be blocked by it).
 */
PG_FUNCTION_INFO_V1(_quantity_rebuild);
Datum
_quantity_rebuild(PG_FUNCTION_ARGS)
{
	Oid			declared = PG_GETARG_OID(0);
	Datum		except = PG_ARGISNULL(1) ? PointerGetDatum(construct_empty_array(OIDOID)) : PG_GETARG_DATUM(1);
	/* when returns only went (TRUNCATE, DROP, detach), a problem is older: warn, do not block */
	int			elevel = (PG_NARGS() > 2 && !PG_ARGISNULL(2) && !PG_GETARG_BOOL(2)) ? WARNING : ERROR;
	Oid			argtypes[2] = {REGCLASSOID, OIDARRAYOID};
	Datum		args[2];
	bool		may_act;
	bool		may_see;
	int			ret;

	if (SPI_connect() != SPI_OK_CONNECT)
		elog(ERROR, "SPI_connect failed");
	caller_rights(declared, except, &may_act, &may_see);
	if (!may_act)
		ereport(ERROR,
				(errcode(ERRCODE_INSUFFICIENT_PRIVILEGE),
				 errmsg("must be owner of the declared table or of a returns table attached to it"),
				 errdetail("A table left out of the count must be the caller's own.")));
	args[0] = ObjectIdGetDatum(declared);
	args[1] = except;
	if (is_citus_table(declared))
		/* no ledger; as the caller, in its own connections to the workers */
		ret = SPI_execute_with_args("SELECT p.problem, p.line_text, p.returned::pg_catalog.text,"
									"       p.declared_quantity::pg_catalog.text, p.problems"
									"  FROM cbreturn._quantity_citus_recount($1, $2) p",
									2, argtypes, args, NULL, false, 0);
	else
		ret = run_as_owner("SELECT p.problem, p.line_text, p.returned::pg_catalog.text,"
						   "       p.declared_quantity::pg_catalog.text, p.problems"
						   "  FROM cbreturn._quantity_rebuild_worker($1, $2) p",
						   2, argtypes, args);
	if (ret != SPI_OK_SELECT)
		elog(ERROR, "rebuilding the quantity ledger failed: %s", SPI_result_code_string(ret));
	if (SPI_processed > 0)
	{
		HeapTuple	t = SPI_tuptable->vals[0];
		TupleDesc	d = SPI_tuptable->tupdesc;
		char	   *problem = SPI_getvalue(t, d, 1);
		char	   *count = SPI_getvalue(t, d, 5);

		if (may_see)
			ereport(elevel,
					(errcode(ERRCODE_CBRETURN_QUANTITY),
					 errmsg("existing returns against %s break R-EX-3/R-IM-2", cbr_qty_rel_text(declared)),
					 errdetail("Line %s: %s (%s returned, %s declared); %s line(s) in all.",
							   SPI_getvalue(t, d, 2), problem,
							   SPI_getvalue(t, d, 3) ? SPI_getvalue(t, d, 3) : "nothing",
							   SPI_getvalue(t, d, 4) ? SPI_getvalue(t, d, 4) : "nothing", count),
					 errhint("Correct the existing returns, then try again; cbreturn.verify_quantity_ledger() lists them all.")));
		else
			ereport(elevel,
				(errcode(ERRCODE_CBRETURN_QUANTITY),
				 errmsg("existing returns against %s break R-EX-3/R-IM-2", cbr_qty_rel_text(declared)),
				 errdetail("%s line(s) are over-returned, negative or not declared; the values are not shown: the current role may not read every table they come from.", count),
				 errhint("Ask the owners of the tables to correct the returns.")));
	}
	SPI_finish();
	PG_RETURN_VOID();
}

/*
 * cbreturn.verify_quantity_ledger(declared regclass): every difference
 * between the ledger and the tables, and every line that breaks the rule
 * (R-EX-3, R-IM-2; item 10 of issue 9).  The caller must be able to read
 * every column the checks on declared read.
 */
PG_FUNCTION_INFO_V1(verify_quantity_ledger);
Datum
verify_quantity_ledger(PG_FUNCTION_ARGS)
{
	ReturnSetInfo *rsinfo = (ReturnSetInfo *) fcinfo->resultinfo;
	Oid			declared = PG_GETARG_OID(0);
	Oid			argtypes[2] = {REGCLASSOID, OIDARRAYOID};
	Datum		args[2];
	bool		may_act;
	bool		may_see;
	int			ret;
	uint64		i;
	MemoryContext per_query;
	MemoryContext oldcxt;
	TupleDesc	tupdesc;
	Tuplestorestate *store;

	if (rsinfo == NULL || !IsA(rsinfo, ReturnSetInfo) || !(rsinfo->allowedModes & SFRM_Materialize))
		ereport(ERROR,
				(errcode(ERRCODE_FEATURE_NOT_SUPPORTED),
				 errmsg("verify_quantity_ledger must be called in FROM")));
	if (get_call_result_type(fcinfo, NULL, &tupdesc) != TYPEFUNC_COMPOSITE)
		elog(ERROR, "return type must be a row type");
	if (get_rel_name(declared) == NULL)
		ereport(ERROR,
				(errcode(ERRCODE_UNDEFINED_TABLE),
				 errmsg("relation with OID %u does not exist", declared)));
	if (SPI_connect() != SPI_OK_CONNECT)
		elog(ERROR, "SPI_connect failed");
	args[0] = ObjectIdGetDatum(declared);
	args[1] = PointerGetDatum(construct_empty_array(OIDOID));
	caller_rights(declared, args[1], &may_act, &may_see);
	if (!may_see)
		ereport(ERROR,
				(errcode(ERRCODE_INSUFFICIENT_PRIVILEGE),
				 errmsg("permission denied to verify the quantity ledger of %s", cbr_qty_rel_text(declared)),
				 errdetail("The ledger sums returns: only a role that may read every column the quantity checks on the table read, with no row security applying, may see it.")));
	ret = run_as_owner("SELECT * FROM cbreturn._quantity_verify($1)", 1, argtypes, args);
	if (ret != SPI_OK_SELECT)
		elog(ERROR, "verifying the quantity ledger failed: %s", SPI_result_code_string(ret));

	per_query = rsinfo->econtext->ecxt_per_query_memory;
	oldcxt = MemoryContextSwitchTo(per_query);
	tupdesc = CreateTupleDescCopy(tupdesc);
	store = tuplestore_begin_heap(true, false, work_mem);
	for (i = 0; i < SPI_processed; i++)
		tuplestore_puttuple(store, SPI_tuptable->vals[i]);
	MemoryContextSwitchTo(oldcxt);
	rsinfo->returnMode = SFRM_Materialize;
	rsinfo->setResult = store;
	rsinfo->setDesc = tupdesc;
	SPI_finish();
	return (Datum) 0;
}

/*
 * cbreturn._quantity_validate_declared(declared regclass, keys name[],
 * quantity name): what the trigger will need of the declared table, checked
 * at attach: a unique constraint on exactly the key columns, with the key
 * types' default equality, and the owner's SELECT on the columns.
 */
PG_FUNCTION_INFO_V1(_quantity_validate_declared);
Datum
_quantity_validate_declared(PG_FUNCTION_ARGS)
{
	Oid			declared = PG_GETARG_OID(0);
	ArrayType  *names = PG_GETARG_ARRAYTYPE_P(1);
	char	   *quantity = NameStr(*PG_GETARG_NAME(2));
	Datum	   *elems;
	bool	   *nulls;
	int			n;
	int			i;
	AttrNumber	keys[CBR_MAX_KEYS];
	AttrNumber	q = InvalidAttrNumber;
	Relation	drel;
	CbrDeclared d;

	if (get_rel_name(declared) == NULL)
		ereport(ERROR,
				(errcode(ERRCODE_UNDEFINED_TABLE),
				 errmsg("relation with OID %u does not exist", declared)));
	deconstruct_array(names, NAMEOID, NAMEDATALEN, false, TYPALIGN_CHAR, &elems, &nulls, &n);
	if (n < 1 || n > CBR_MAX_KEYS)
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
				 errmsg("a declared line has 1 to %d key columns", CBR_MAX_KEYS)));
	for (i = 0; i <= n; i++)
	{
		const char *col = i < n ? (nulls[i] ? "" : NameStr(*DatumGetName(elems[i]))) : quantity;
		AttrNumber	a = get_attnum(declared, col);

		if (a <= 0)
			ereport(ERROR,
					(errcode(ERRCODE_UNDEFINED_COLUMN),
					 errmsg("column \"%s\" of relation %s does not exist", col, cbr_qty_rel_text(declared))));
		if (i < n)
			keys[i] = a;
		else
			q = a;
	}
	drel = table_open(declared, AccessShareLock);
	if (SPI_connect() != SPI_OK_CONNECT)
		elog(ERROR, "SPI_connect failed");
	cbr_declared_resolve(&d, drel, keys, n, q, CurrentMemoryContext);
	SPI_finish();
	table_close(drel, AccessShareLock);
	PG_RETURN_VOID();
}
