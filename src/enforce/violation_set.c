/*
 * violation_set.c
 *		The SQL functions that set a check's options (issue 12, item 4):
 *		cbreturn.set_on_violation and cbreturn.set_ordinary_return_column.
 *		For the checked table's owner; written as the metadata's owner
 *		(metadata.c), read back by violation_options.c.
 */
#include "enforce/violation_int.h"

#include "catalog/pg_type.h"
#include "executor/spi.h"
#include "utils/array.h"
#include "utils/builtins.h"
#include "utils/lsyscache.h"
#include "utils/typcache.h"

/* The first two arguments of an option setter or attach: the table and the kind (22004). */
void
cbr_require_table_and_kind(FunctionCallInfo fcinfo)
{
	if (PG_ARGISNULL(0) || PG_ARGISNULL(1))
		ereport(ERROR,
				(errcode(ERRCODE_NULL_VALUE_NOT_ALLOWED),
				 errmsg("the table and the check kind must not be NULL")));
}

/* The kind named by a caller, among the kinds; 22023 otherwise. */
static void
cbr_require_kind(const char *kind)
{
	if (strcmp(kind, "export") != 0 && strcmp(kind, "import") != 0 &&
		strcmp(kind, "status") != 0 && strcmp(kind, "quantity") != 0)
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
				 errmsg("unknown check kind \"%s\"", kind),
				 errhint("The kinds are export, import, quantity and status.")));
}

void
cbr_not_attached(Oid relid, const char *kind)
{
	ereport(ERROR,
			(errcode(ERRCODE_UNDEFINED_OBJECT),
			 errmsg("no %s check is attached to table %s", kind, cbr_relation_text(relid))));
}

/*
 * cbreturn.set_on_violation("table" regclass, check_kind text, mode text)
 * RETURNS void: 'refuse' (the default) or 'record'.  For the table's owner.
 */
PG_FUNCTION_INFO_V1(cbr_set_on_violation);
Datum
cbr_set_on_violation(PG_FUNCTION_ARGS)
{
	Oid			argtypes[3] = {REGCLASSOID, TEXTOID, TEXTOID};
	Datum		args[3];
	char	   *kind;
	char	   *mode;

	cbr_require_table_and_kind(fcinfo);
	if (PG_ARGISNULL(2))
		ereport(ERROR,
				(errcode(ERRCODE_NULL_VALUE_NOT_ALLOWED),
				 errmsg("on_violation must be refuse or record, not NULL")));
	kind = text_to_cstring(PG_GETARG_TEXT_PP(1));
	mode = text_to_cstring(PG_GETARG_TEXT_PP(2));
	cbr_metadata_require_owner(PG_GETARG_OID(0));
	cbr_require_kind(kind);
	if (strcmp(mode, "refuse") != 0 && strcmp(mode, "record") != 0)
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
				 errmsg("on_violation must be refuse or record, not \"%s\"", mode)));
	if (strcmp(kind, "quantity") == 0 && strcmp(mode, "record") == 0)
		ereport(ERROR,
				(errcode(ERRCODE_FEATURE_NOT_SUPPORTED),
				 errmsg("the quantity check cannot record violations"),
				 errdetail("An over-return is a state of a declared line, shared by every return of that line: a recorded one would refuse or hide the line's later returns."),
				 errhint("Load the returns with the quantity check detached, then attach it: attach counts the existing returns and names any over-returned line.")));
	if (strcmp(mode, "record") == 0)
		cbr_citus_refuse_option(PG_GETARG_OID(0), "on_violation 'record'");
	args[0] = PG_GETARG_DATUM(0);
	args[1] = PG_GETARG_DATUM(1);
	args[2] = PG_GETARG_DATUM(2);
	if (cbr_metadata_write(
			"UPDATE cbreturn.attached_check SET on_violation = $3"
			" WHERE relation OPERATOR(pg_catalog.=) $1 AND check_kind OPERATOR(pg_catalog.=) $2",
			3, argtypes, args, NULL, SPI_OK_UPDATE) == 0)
		cbr_not_attached(PG_GETARG_OID(0), kind);
	PG_RETURN_VOID();
}

/*
 * Whether the check of kind on relid (attached: 42704 otherwise) runs
 * BEFORE the row is written: the export check that fills remarks or a
 * deadline.  args: the table and the kind as SQL arguments.
 */
static bool
cbr_ordinary_check_before(Oid relid, const char *kind, Oid *argtypes, Datum *args)
{
	bool		before;
	bool		isnull;
	int			ret;

	if (SPI_connect() != SPI_OK_CONNECT)
		elog(ERROR, "SPI_connect failed");
	ret = SPI_execute_with_args(
		"SELECT k.fill_remarks OR EXISTS (SELECT FROM cbreturn.attached_column c"
		"        WHERE c.relation OPERATOR(pg_catalog.=) k.relation"
		"          AND c.check_kind OPERATOR(pg_catalog.=) k.check_kind"
		"          AND c.role OPERATOR(pg_catalog.=) 'deadline')"
		"  FROM cbreturn.attached_check k"
		" WHERE k.relation OPERATOR(pg_catalog.=) $1 AND k.check_kind OPERATOR(pg_catalog.=) $2",
		2, argtypes, args, NULL, true, 1);
	if (ret != SPI_OK_SELECT)
		elog(ERROR, "reading cbreturn.attached_check failed");
	if (SPI_processed == 0)
		cbr_not_attached(relid, kind);
	before = DatumGetBool(SPI_getbinval(SPI_tuptable->vals[0], SPI_tuptable->tupdesc, 1, &isnull));
	SPI_finish();
	return before;
}

/*
 * The column colname of relid that is to mark an ordinary return: a column
 * of the table (42703), not a generated one when the check runs BEFORE the
 * row is written (0A000), of a type with an equality (42883).
 */
static AttrNumber
cbr_ordinary_column(Oid relid, const char *colname, bool before, Oid *atttype, int32 *typmod)
{
	AttrNumber	attnum = get_attnum(relid, colname);
	Oid			collation;

	if (attnum <= 0)
		ereport(ERROR,
				(errcode(ERRCODE_UNDEFINED_COLUMN),
				 errmsg("column \"%s\" of relation %s does not exist",
						colname, cbr_relation_text(relid))));
	get_atttypetypmodcoll(relid, attnum, atttype, typmod, &collation);
	if (get_attgenerated(relid, attnum) != '\0' && before)
		ereport(ERROR,
				(errcode(ERRCODE_FEATURE_NOT_SUPPORTED),
				 errmsg("column \"%s\" of table %s is a generated column",
						colname, cbr_relation_text(relid)),
				 errdetail("The export check on this table fills remarks or a deadline, so it runs before the row is written, when a generated column has no value yet."),
				 errhint("Name a stored column.")));
	if (!OidIsValid(lookup_type_cache(*atttype, TYPECACHE_EQ_OPR)->eq_opr))
		ereport(ERROR,
				(errcode(ERRCODE_UNDEFINED_FUNCTION),
				 errmsg("could not identify an equality operator for type %s", format_type_be(*atttype))));
	return attnum;
}

/*
 * The values that mark an ordinary return (vals; NULL: true, for a boolean
 * column only), checked: a non-empty one-dimensional array without NULL,
 * each value read as the column's type (its input function's error
 * otherwise).
 */
static ArrayType *
cbr_ordinary_values(ArrayType *vals, Oid atttype, int32 typmod)
{
	Datum	   *elems;
	bool	   *elnulls;
	int			n;
	int			i;
	Oid			typinput;
	Oid			ioparam;

	if (vals == NULL)
	{
		if (atttype != BOOLOID)
			ereport(ERROR,
					(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
					 errmsg("the values that mark an ordinary return must be given for a column of type %s",
							format_type_be(atttype)),
					 errhint("For example values => '{4561}' for a supervision code column.")));
		elems = palloc(sizeof(Datum));
		elems[0] = CStringGetTextDatum("true");
		vals = construct_array(elems, 1, TEXTOID, -1, false, TYPALIGN_INT);
	}
	if (ARR_NDIM(vals) > 1)
		ereport(ERROR,
				(errcode(ERRCODE_ARRAY_SUBSCRIPT_ERROR),
				 errmsg("the values must be a one-dimensional array")));
	deconstruct_array(vals, TEXTOID, -1, false, TYPALIGN_INT, &elems, &elnulls, &n);
	if (n == 0)
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
				 errmsg("the values that mark an ordinary return must not be empty")));
	getTypeInputInfo(atttype, &typinput, &ioparam);
	for (i = 0; i < n; i++)
	{
		if (elnulls[i])
			ereport(ERROR,
					(errcode(ERRCODE_NULL_VALUE_NOT_ALLOWED),
					 errmsg("the values that mark an ordinary return must not be NULL"),
					 errhint("A row whose column is NULL is not an ordinary return.")));
		(void) OidInputFunctionCall(typinput, TextDatumGetCString(elems[i]), ioparam, typmod);
	}
	return vals;
}

/*
 * cbreturn.set_ordinary_return_column("table" regclass, check_kind text,
 * "column" name, "values" text[] DEFAULT NULL) RETURNS void
 *
 * Names the column that marks an ordinary (taxed) return for the export or
 * import check of the table, and the values that mark it (default for a
 * boolean column: true); a NULL column removes the marking.  For the
 * table's owner.
 */
PG_FUNCTION_INFO_V1(cbr_set_ordinary_return_column);
Datum
cbr_set_ordinary_return_column(PG_FUNCTION_ARGS)
{
	Oid			relid;
	char	   *kind;
	Oid			argtypes[4] = {REGCLASSOID, TEXTOID, NAMEOID, TEXTARRAYOID};
	Datum		args[4];
	char		nulls[5] = "    ";
	Oid			atttype;
	int32		typmod;
	bool		before;

	cbr_require_table_and_kind(fcinfo);
	relid = PG_GETARG_OID(0);
	kind = text_to_cstring(PG_GETARG_TEXT_PP(1));
	cbr_metadata_require_owner(relid);
	cbr_require_kind(kind);
	cbr_citus_refuse_option(relid, "an ordinary-return column");
	if (strcmp(kind, "export") != 0 && strcmp(kind, "import") != 0)
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
				 errmsg("an ordinary-return column belongs to an export or import check, not to a %s check", kind),
				 errdetail("An ordinary (taxed) return is exempt from the CBEC windows and remark codes (R-EX-1, R-EX-2, R-IM-1) only.")));

	/* attached?  (and whether the export check runs BEFORE: it fills a column) */
	args[0] = ObjectIdGetDatum(relid);
	args[1] = PG_GETARG_DATUM(1);
	before = cbr_ordinary_check_before(relid, kind, argtypes, args);

	cbr_metadata_write(
		"DELETE FROM cbreturn.attached_column c"
		" WHERE c.relation OPERATOR(pg_catalog.=) $1 AND c.check_kind OPERATOR(pg_catalog.=) $2"
		"   AND c.role OPERATOR(pg_catalog.=) 'ordinary_return'",
		2, argtypes, args, NULL, SPI_OK_DELETE);
	if (PG_ARGISNULL(2))
	{
		cbr_metadata_write(
			"UPDATE cbreturn.attached_check SET ordinary_values = NULL"
			" WHERE relation OPERATOR(pg_catalog.=) $1 AND check_kind OPERATOR(pg_catalog.=) $2",
			2, argtypes, args, NULL, SPI_OK_UPDATE);
		PG_RETURN_VOID();
	}

	args[2] = PG_GETARG_DATUM(2);
	(void) cbr_ordinary_column(relid, NameStr(*PG_GETARG_NAME(2)), before, &atttype, &typmod);
	args[3] = PointerGetDatum(cbr_ordinary_values(PG_ARGISNULL(3) ? NULL : PG_GETARG_ARRAYTYPE_P(3),
												  atttype, typmod));
	cbr_metadata_write(
		"INSERT INTO cbreturn.attached_column (relation, check_kind, role, column_relation, column_name)"
		" VALUES ($1, $2, 'ordinary_return', $1, $3)",
		3, argtypes, args, nulls, SPI_OK_INSERT);
	cbr_metadata_write(
		"UPDATE cbreturn.attached_check SET ordinary_values = $4"
		" WHERE relation OPERATOR(pg_catalog.=) $1 AND check_kind OPERATOR(pg_catalog.=) $2",
		4, argtypes, args, nulls, SPI_OK_UPDATE);
	PG_RETURN_VOID();
}
