/*
 * trigger.c
 *		The trigger protocol and row access shared by the write-time checks:
 *		protocol checks, reading the metadata of an attached check, resolving
 *		its column roles, naming a row in an error.
 *
 * A DBA attaches the checks with the cbreturn.attach_* functions, naming
 * the table's own columns (sql/50_enforcement.sql, docs/enforcement.md).
 * The checks themselves are export_check.c, import_check.c, status_check.c
 * and quantity.c; what they resolved is cached by check_cache.c.
 *
 * Timing: a check that only reads the row (the import check, and the export
 * check when it fills neither the remarks nor a deadline column) is attached
 * AFTER ROW, so that COPY keeps inserting in batches (PostgreSQL 15 falls
 * back to one row at a time when a table has any BEFORE ROW trigger).  An
 * error in an AFTER ROW trigger aborts its statement like one in a BEFORE
 * trigger, so a rejected row still leaves nothing behind.  A check that
 * fills a column must run BEFORE the row is written.  The status check stays
 * BEFORE (it compares the old and new row and is not on a bulk-load path).
 */
#include "enforce/trigger.h"
#include "enforce/violation.h"

#include "access/htup_details.h"
#include "access/relation.h"
#include "access/xact.h"
#include "catalog/namespace.h"
#include "catalog/partition.h"
#include "catalog/pg_collation.h"
#include "catalog/pg_operator.h"
#include "catalog/pg_type.h"
#include "executor/spi.h"
#include "lib/stringinfo.h"
#include "miscadmin.h"
#include "nodes/bitmapset.h"
#include "nodes/nodeFuncs.h"
#include "nodes/primnodes.h"
#include "storage/lmgr.h"
#include "utils/acl.h"
#include "utils/array.h"
#include "utils/builtins.h"
#include "utils/hsearch.h"
#include "utils/inval.h"
#include "utils/lsyscache.h"
#include "utils/memutils.h"
#include "utils/relcache.h"
#include "utils/snapmgr.h"
#include "utils/syscache.h"

TriggerData *
cbr_trigger_protocol(FunctionCallInfo fcinfo, const char *funcname, CbrTiming timing,
					 bool allow_delete)
{
	TriggerData *trigdata;

	if (!CALLED_AS_TRIGGER(fcinfo))
		ereport(ERROR,
				(errcode(ERRCODE_E_R_I_E_TRIGGER_PROTOCOL_VIOLATED),
				 errmsg("function \"%s\" was not called by trigger manager", funcname)));
	trigdata = (TriggerData *) fcinfo->context;
	/* INSTEAD OF triggers are on views, to which no check attaches */
	if (timing == CBR_FIRE_EITHER && TRIGGER_FIRED_INSTEAD(trigdata->tg_event))
		ereport(ERROR,
				(errcode(ERRCODE_E_R_I_E_TRIGGER_PROTOCOL_VIOLATED),
				 errmsg("function \"%s\" must be fired BEFORE or AFTER the row is written", funcname)));
	if (!TRIGGER_FIRED_FOR_ROW(trigdata->tg_event))
		ereport(ERROR,
				(errcode(ERRCODE_E_R_I_E_TRIGGER_PROTOCOL_VIOLATED),
				 errmsg("function \"%s\" must be fired for each row", funcname)));
	if (timing == CBR_FIRE_BEFORE && !TRIGGER_FIRED_BEFORE(trigdata->tg_event))
		ereport(ERROR,
				(errcode(ERRCODE_E_R_I_E_TRIGGER_PROTOCOL_VIOLATED),
				 errmsg("function \"%s\" must be fired BEFORE the row is written", funcname)));
	if (timing == CBR_FIRE_AFTER && !TRIGGER_FIRED_AFTER(trigdata->tg_event))
		ereport(ERROR,
				(errcode(ERRCODE_E_R_I_E_TRIGGER_PROTOCOL_VIOLATED),
				 errmsg("function \"%s\" must be fired AFTER the row is written", funcname)));
	if (TRIGGER_FIRED_BY_DELETE(trigdata->tg_event) ? !allow_delete
		: !(TRIGGER_FIRED_BY_INSERT(trigdata->tg_event) ||
			TRIGGER_FIRED_BY_UPDATE(trigdata->tg_event)))
		ereport(ERROR,
				(errcode(ERRCODE_E_R_I_E_TRIGGER_PROTOCOL_VIOLATED),
				 errmsg("function \"%s\" must be fired for INSERT or UPDATE%s", funcname,
						allow_delete ? " or DELETE" : "")));
	cbr_note_trigger(trigdata);
	return trigdata;
}

Oid
cbr_type_oid(const char *name)
{
	Oid			nsp = get_namespace_oid("cbreturn", false);
	Oid			typoid;

	typoid = GetSysCacheOid2(TYPENAMENSP, Anum_pg_type_oid,
							 CStringGetDatum(name), ObjectIdGetDatum(nsp));
	if (!OidIsValid(typoid))
		/* the library of a later release serving the schema of an earlier one */
		ereport(ERROR,
				(errcode(ERRCODE_OBJECT_NOT_IN_PREREQUISITE_STATE),
				 errmsg("type cbreturn.%s does not exist", name),
				 errdetail("The installed library of cbreturn is newer than the extension's objects in this database."),
				 errhint("Run ALTER EXTENSION cbreturn UPDATE.")));
	return typoid;
}

/*
 * The words naming a row at the start of a DETAIL, in the language of
 * cbreturn's messages (cbreturn.language), wherever they are built: inside
 * an ereport's arguments or before it.
 */
static char *
row_words(const char *fmt,...) pg_attribute_printf(1, 2);
static char *
row_words(const char *fmt,...)
{
	va_list		args;
	char	   *text;

	va_start(args, fmt);
	text = cbr_translated_vformat(fmt, args);
	va_end(args);
	return text;
}

char *
cbr_row_identity(Relation rel, HeapTuple tuple)
{
	Bitmapset  *pk = RelationGetIndexAttrBitmap(rel, INDEX_ATTR_BITMAP_PRIMARY_KEY);
	TupleDesc	tupdesc = RelationGetDescr(rel);
	StringInfoData names;
	StringInfoData values;
	int			x = -1;
	bool		first = true;

	if (pk == NULL)
		return "";
	/* all key columns readable by the current role, or no identity (row_values.c) */
	while ((x = bms_next_member(pk, x)) >= 0)
	{
		AttrNumber	attnum = x + FirstLowInvalidHeapAttributeNumber;

		if (attnum > 0 && !cbr_column_visible(rel, tuple, attnum))
			return "";
	}
	x = -1;
	initStringInfo(&names);
	initStringInfo(&values);
	while ((x = bms_next_member(pk, x)) >= 0)
	{
		AttrNumber	attnum = x + FirstLowInvalidHeapAttributeNumber;
		Form_pg_attribute att;
		bool		isnull;
		Datum		d;

		if (attnum <= 0)
			continue;
		att = TupleDescAttr(tupdesc, attnum - 1);
		d = heap_getattr(tuple, attnum, tupdesc, &isnull);
		appendStringInfoString(&names, first ? "" : ", ");
		appendStringInfoString(&values, first ? "" : ", ");
		appendStringInfoString(&names, quote_identifier(NameStr(att->attname)));
		if (isnull)
			appendStringInfoString(&values, "null");
		else
		{
			Oid			typout;
			bool		varlena;

			getTypeOutputInfo(att->atttypid, &typout, &varlena);
			appendStringInfoString(&values, cbr_clip_value(OidOutputFunctionCall(typout, d)));
		}
		first = false;
	}
	return row_words(gettext_noop("Row (%s)=(%s) of %s: "), names.data, values.data,
					 quote_qualified_identifier(get_namespace_name(RelationGetNamespace(rel)),
												RelationGetRelationName(rel)));
}

/* The fields of the cbreturn.attached_check row SPI just read into *meta. */
static void
cbr_meta_from_check_row(CbrCheckMeta *meta, Oid relid, MemoryContext mcxt)
{
	HeapTuple	tup = SPI_tuptable->vals[0];
	TupleDesc	desc = SPI_tuptable->tupdesc;
	bool		isnull;
	Datum		d;
	MemoryContext oldcxt;

	d = SPI_getbinval(tup, desc, 1, &isnull);
	meta->fill_remarks = !isnull && DatumGetBool(d);
	d = SPI_getbinval(tup, desc, 2, &isnull);
	meta->declared_relid = isnull ? InvalidOid : DatumGetObjectId(d);
	d = SPI_getbinval(tup, desc, 3, &isnull);
	if (!isnull)
	{
		ArrayType  *arr = DatumGetArrayTypeP(d);
		Datum	   *elems;
		bool	   *nulls;
		int			n;
		int			j;

		deconstruct_array(arr, TEXTOID, -1, false, TYPALIGN_INT, &elems, &nulls, &n);
		if (n != 7 && n != 8)
			ereport(ERROR,
					(errcode(ERRCODE_OBJECT_NOT_IN_PREREQUISITE_STATE),
					 errmsg("the cbreturn status check on %s has %d status labels, not 7 or 8",
							get_rel_name(relid) ? get_rel_name(relid) : "?", n),
					 errhint("Attach checks with the cbreturn.attach_* functions, which record the columns they read.")));
		oldcxt = MemoryContextSwitchTo(mcxt);
		for (j = 0; j < n; j++)
			meta->labels[j] = nulls[j] ? pstrdup("") : TextDatumGetCString(elems[j]);
		MemoryContextSwitchTo(oldcxt);
		meta->nlabels = n;
	}
}

/*
 * The partitioned ancestors of relid, nearest first, after relid itself, as
 * an oid[] for SPI.  A table that is no partition: relid alone.
 */
static Datum
cbr_self_and_ancestors(Oid relid)
{
	List	   *ancestors = get_partition_ancestors(relid);
	Datum	   *elems = palloc(sizeof(Datum) * (list_length(ancestors) + 1));
	ListCell   *lc;
	int			n = 0;

	elems[n++] = ObjectIdGetDatum(relid);
	foreach(lc, ancestors)
		elems[n++] = ObjectIdGetDatum(lfirst_oid(lc));
	return PointerGetDatum(construct_array(elems, n, OIDOID, sizeof(Oid), true, TYPALIGN_INT));
}

Oid
cbr_check_registered(Oid relid, const char *kind)
{
	Oid			argtypes[2] = {OIDARRAYOID, TEXTOID};
	Datum		args[2];
	Oid			registered = InvalidOid;
	bool		isnull;
	int			ret;

	/*
	 * A partition's own check first (one attached to it before 0.3.0, or to
	 * a table later attached as a partition), then its nearest ancestor's.
	 */
	args[0] = cbr_self_and_ancestors(relid);
	args[1] = CStringGetTextDatum(kind);
	if (SPI_connect() != SPI_OK_CONNECT)
		elog(ERROR, "SPI_connect failed");
	ret = SPI_execute_with_args(
		"SELECT k.relation::pg_catalog.oid FROM cbreturn.attached_check k"
		" WHERE k.relation::pg_catalog.oid OPERATOR(pg_catalog.=) ANY ($1)"
		"   AND k.check_kind OPERATOR(pg_catalog.=) $2"
		" ORDER BY pg_catalog.array_position($1, k.relation::pg_catalog.oid) LIMIT 1",
		2, argtypes, args, NULL, true, 1);
	if (ret != SPI_OK_SELECT)
		elog(ERROR, "reading cbreturn.attached_check failed: %s", SPI_result_code_string(ret));
	if (SPI_processed == 1)
		registered = DatumGetObjectId(SPI_getbinval(SPI_tuptable->vals[0], SPI_tuptable->tupdesc,
													1, &isnull));
	SPI_finish();
	return registered;
}

AttrNumber
cbr_partition_attnum(Oid registered, AttrNumber attnum, Oid relid)
{
	char	   *name;

	if (registered == relid)
		return attnum;
	/*
	 * By name through the table the check is recorded on: a partition has
	 * every column of its parent under the same name, but its own numbers
	 * (dropped columns, ATTACH PARTITION of a table built separately).
	 * 0 when the column is gone: cbr_role_column() then refuses the write.
	 */
	name = attnum > 0 ? get_attname(registered, attnum, true) : NULL;
	return name == NULL ? InvalidAttrNumber : get_attnum(relid, name);
}

/*
 * Read the metadata of one attached check.  Runs two small queries through
 * SPI, when the cache of attached checks is built (below, and the quantity
 * check's in trigger_quantity.c); every name is schema-qualified and every operator
 * is OPERATOR(pg_catalog.x), so a hostile search_path cannot redirect them.
 *
 * Issue 12: a check attached to a partitioned table covers its partitions
 * (PostgreSQL clones the row trigger to each, those created or attached
 * later included); on a partition, the metadata is that of the nearest
 * ancestor carrying the check, with the ancestor's columns translated to
 * the partition's own numbers, so that every check reads a partition's row
 * by the partition's own tuple descriptor.
 */
void
cbr_load_check(Oid relid, const char *kind, CbrCheckMeta *meta, MemoryContext mcxt)
{
	Oid			argtypes[2] = {OIDOID, TEXTOID};
	Datum		args[2];
	Oid			registered;
	int			ret;
	uint64		i;
	MemoryContext oldcxt;

	memset(meta, 0, sizeof(*meta));
	registered = cbr_check_registered(relid, kind);
	args[0] = ObjectIdGetDatum(OidIsValid(registered) ? registered : relid);
	args[1] = CStringGetTextDatum(kind);
	meta->registered_relid = DatumGetObjectId(args[0]);

	if (SPI_connect() != SPI_OK_CONNECT)
		elog(ERROR, "SPI_connect failed");
	ret = SPI_execute_with_args(
		"SELECT k.fill_remarks, k.declared_relation::pg_catalog.oid, k.status_labels"
		"  FROM cbreturn.attached_check k"
		" WHERE k.relation::pg_catalog.oid OPERATOR(pg_catalog.=) $1"
		"   AND k.check_kind OPERATOR(pg_catalog.=) $2",
		2, argtypes, args, NULL, true, 1);
	if (ret != SPI_OK_SELECT)
		elog(ERROR, "reading cbreturn.attached_check failed: %s", SPI_result_code_string(ret));
	if (SPI_processed == 0)
		ereport(ERROR,
				(errcode(ERRCODE_OBJECT_NOT_IN_PREREQUISITE_STATE),
				 errmsg("no %s is attached to table %s",
						_(strcmp(kind, "export") == 0 ? gettext_noop("export check")
						  : strcmp(kind, "import") == 0 ? gettext_noop("import check")
						  : strcmp(kind, "quantity") == 0 ? gettext_noop("quantity check")
						  : strcmp(kind, "header") == 0 ? gettext_noop("header link")
						  : gettext_noop("status check")),
						get_rel_name(relid) ? cbr_relation_text(relid) : "?"),
				 errdetail("The table has the check's trigger but not its metadata: a dump of its schema alone (pg_dump -n) restores the trigger without it, or the trigger was made by hand."),
				 errhint("Run cbreturn.attach_%s for this table again: it takes the trigger over.",
						 strcmp(kind, "export") == 0 ? "export_return_checks"
						 : strcmp(kind, "import") == 0 ? "import_return_checks"
						 : strcmp(kind, "quantity") == 0 ? "quantity_check"
						 : strcmp(kind, "header") == 0 ? "header" : "status_check")));
	cbr_meta_from_check_row(meta, relid, mcxt);

	ret = SPI_execute_with_args(
		"SELECT c.role, c.column_relation::pg_catalog.oid, c.column_attnum,"
		"       c.column_name::pg_catalog.text"
		"  FROM cbreturn.attached_column c"
		" WHERE c.relation::pg_catalog.oid OPERATOR(pg_catalog.=) $1"
		"   AND c.check_kind OPERATOR(pg_catalog.=) $2",
		2, argtypes, args, NULL, true, 0);
	if (ret != SPI_OK_SELECT)
		elog(ERROR, "reading cbreturn.attached_column failed: %s", SPI_result_code_string(ret));
	/* more columns than any check has: recorded by hand, not by attach */
	if (SPI_processed > CBR_MAX_ROLES)
		ereport(ERROR,
				(errcode(ERRCODE_OBJECT_NOT_IN_PREREQUISITE_STATE),
				 errmsg("the %s check on table \"%s\" has more columns recorded than it reads",
						kind, get_rel_name(relid) ? get_rel_name(relid) : "?"),
				 errhint("Detach the check with cbreturn.detach() and attach it again.")));
	oldcxt = MemoryContextSwitchTo(mcxt);
	for (i = 0; i < SPI_processed; i++)
	{
		HeapTuple	tup = SPI_tuptable->vals[i];
		TupleDesc	desc = SPI_tuptable->tupdesc;
		bool		isnull;

		meta->role[i] = SPI_getvalue(tup, desc, 1);
		meta->colrel[i] = DatumGetObjectId(SPI_getbinval(tup, desc, 2, &isnull));
		meta->attnum[i] = DatumGetInt16(SPI_getbinval(tup, desc, 3, &isnull));
		meta->colname[i] = SPI_getvalue(tup, desc, 4);
		if (meta->colrel[i] == meta->registered_relid && meta->registered_relid != relid)
		{
			meta->attnum[i] = cbr_partition_attnum(meta->registered_relid, meta->attnum[i], relid);
			meta->colrel[i] = relid;
		}
	}
	meta->ncols = (int) SPI_processed;
	MemoryContextSwitchTo(oldcxt);
	SPI_finish();
}

AttrNumber
cbr_role_column(const CbrCheckMeta *meta, const char *role, Relation rel,
				const Oid *typids, int ntypids, bool required)
{
	int			i;
	TupleDesc	tupdesc = RelationGetDescr(rel);

	for (i = 0; i < meta->ncols; i++)
	{
		Form_pg_attribute att;
		AttrNumber	attnum = meta->attnum[i];
		int			t;

		if (strcmp(meta->role[i], role) != 0 || meta->colrel[i] != RelationGetRelid(rel))
			continue;
		/*
		 * The event trigger of 50_enforcement.sql refuses to drop an attached
		 * column or change its type; this is the backstop, so that a check
		 * can never read the wrong column or silently stop checking.
		 */
		if (attnum <= 0 || attnum > tupdesc->natts ||
			TupleDescAttr(tupdesc, attnum - 1)->attisdropped)
			ereport(ERROR,
					(errcode(ERRCODE_UNDEFINED_COLUMN),
					 errmsg("column \"%s\" attached as %s no longer exists in table \"%s\"",
							meta->colname[i], role, RelationGetRelationName(rel)),
					 errhint("Detach the check with cbreturn.detach() and attach it again.")));
		att = TupleDescAttr(tupdesc, attnum - 1);
		if (typids == NULL)
			return attnum;
		for (t = 0; t < ntypids; t++)
			if (att->atttypid == typids[t])
				return attnum;
		ereport(ERROR,
				(errcode(ERRCODE_DATATYPE_MISMATCH),
				 errmsg("column \"%s\" attached as %s of table \"%s\" has type %s, which the check cannot read",
						NameStr(att->attname), role, RelationGetRelationName(rel),
						format_type_be(att->atttypid)),
				 errhint("Detach the check with cbreturn.detach() and attach it again.")));
	}
	/*
	 * Metadata recorded without a column the check needs (by hand, through
	 * the metadata functions rather than attach): refuse the write, as the
	 * quantity and status checks do.
	 */
	if (required)
		ereport(ERROR,
				(errcode(ERRCODE_OBJECT_NOT_IN_PREREQUISITE_STATE),
				 errmsg("the check on table \"%s\" has no column for %s",
						RelationGetRelationName(rel), role),
				 errhint("Detach the check with cbreturn.detach() and attach it again.")));
	return InvalidAttrNumber;
}

bool
cbr_get_date(HeapTuple tuple, TupleDesc tupdesc, AttrNumber attnum, DateADT *d)
{
	bool		isnull;
	Datum		v;

	if (attnum == InvalidAttrNumber)
		return false;
	v = cbr_getattr_fact(tuple, tupdesc, attnum, &isnull);
	if (isnull)
		return false;
	*d = DatumGetDateADT(v);
	return true;
}

Datum
cbr_getattr_fact(HeapTuple tuple, TupleDesc tupdesc, AttrNumber attnum, bool *isnull)
{
	Datum		v = heap_getattr(tuple, attnum, tupdesc, isnull);
	Oid			typid;

	if (*isnull)
		return v;
	typid = TupleDescAttr(tupdesc, attnum - 1)->atttypid;
	if (typid == TIMESTAMPTZOID || typid == TIMESTAMPOID)
		return DateADTGetDatum(cbr_fact_date(v, typid));
	return v;
}

AttrNumber
cbr_date_role_column(const CbrCheckMeta *meta, const char *role, Relation rel, bool required)
{
	static const Oid date_types[3] = {DATEOID, TIMESTAMPOID, TIMESTAMPTZOID};

	return cbr_role_column(meta, role, rel, date_types, 3, required);
}

bool
cbr_writer_may_see(TriggerData *trigdata, AttrNumber attnum)
{
	/* the one rule of row_values.c, for the row this trigger call checks */
	cbr_note_trigger(trigdata);
	return cbr_column_visible(trigdata->tg_relation, cbr_checked_tuple(trigdata), attnum);
}

char *
cbr_row_identity_seen(TriggerData *trigdata, HeapTuple tuple)
{
	Relation	rel = trigdata->tg_relation;
	Bitmapset  *pk = RelationGetIndexAttrBitmap(rel, INDEX_ATTR_BITMAP_PRIMARY_KEY);
	int			x = -1;

	while ((x = bms_next_member(pk, x)) >= 0)
	{
		AttrNumber	attnum = x + FirstLowInvalidHeapAttributeNumber;

		if (attnum > 0 && !cbr_writer_may_see(trigdata, attnum))
			return row_words(gettext_noop("A row of %s: "),
							 quote_qualified_identifier(get_namespace_name(RelationGetNamespace(rel)),
														RelationGetRelationName(rel)));
	}
	return cbr_row_identity(rel, tuple);
}

/* "OPERATOR(schema.=)" for an operator, for SQL built here. */
char *
cbr_operator_sql(Oid op)
{
	HeapTuple	tp = SearchSysCache1(OPEROID, ObjectIdGetDatum(op));
	char	   *result;

	if (!HeapTupleIsValid(tp))
		elog(ERROR, "cache lookup failed for operator %u", op);
	result = psprintf("OPERATOR(%s.%s)",
					  quote_identifier(get_namespace_name(((Form_pg_operator) GETSTRUCT(tp))->oprnamespace)),
					  NameStr(((Form_pg_operator) GETSTRUCT(tp))->oprname));
	ReleaseSysCache(tp);
	return result;
}

/* " COLLATE schema.name" for a collation, "" for none, for SQL built here. */
char *
cbr_collate_sql(Oid coll)
{
	HeapTuple	tp;
	char	   *result;

	if (!OidIsValid(coll))
		return "";
	tp = SearchSysCache1(COLLOID, ObjectIdGetDatum(coll));
	if (!HeapTupleIsValid(tp))
		ereport(ERROR,
				(errcode(ERRCODE_UNDEFINED_OBJECT),
				 errmsg("collation %u does not exist", coll)));
	result = psprintf(" COLLATE %s",
					  quote_qualified_identifier(get_namespace_name(((Form_pg_collation) GETSTRUCT(tp))->collnamespace),
												 NameStr(((Form_pg_collation) GETSTRUCT(tp))->collname)));
	ReleaseSysCache(tp);
	return result;
}

/*
 * cbreturn._exists_latest(query): the one boolean the query gives, read
 * with the latest snapshot rather than the transaction's.  The guards of
 * TRUNCATE and of a header partition leaving its table (sql/52, sql/55)
 * ask through it whether a return is counted against, or names, a row that
 * would go.  They run once the DDL holds its lock, when every writer of
 * such a return has committed or rolled back (a writer holds a lock the DDL
 * waits for: on the declared table, quantity_line.c; on the header row,
 * header.c).  Under READ COMMITTED the statement's snapshot shows what they
 * committed; under REPEATABLE READ and SERIALIZABLE the transaction's
 * snapshot may be older than that commit, and a return it does not show
 * would be left naming nothing.  Reading as the RI triggers do for the
 * same reason (ri_PerformCheck), the guard refuses on what is committed.
 * The query runs as the caller (the SECURITY DEFINER guards); EXECUTE is
 * revoked from PUBLIC.
 */
PG_FUNCTION_INFO_V1(cbr_exists_latest);
Datum
cbr_exists_latest(PG_FUNCTION_ARGS)
{
	char	   *query = text_to_cstring(PG_GETARG_TEXT_PP(0));
	SPIPlanPtr	plan;
	int			ret;
	bool		result = false;
	bool		isnull = true;

	if (SPI_connect() != SPI_OK_CONNECT)
		ereport(ERROR,
				(errcode(ERRCODE_OBJECT_NOT_IN_PREREQUISITE_STATE),
				 errmsg("SPI_connect failed")));
	plan = SPI_prepare(query, 0, NULL);
	if (plan == NULL)
		ereport(ERROR,
				(errcode(ERRCODE_OBJECT_NOT_IN_PREREQUISITE_STATE),
				 errmsg("preparing a guard's query failed: %s", SPI_result_code_string(SPI_result))));
	ret = SPI_execute_snapshot(plan, NULL, NULL, GetLatestSnapshot(), InvalidSnapshot, false, false, 1);
	if (ret != SPI_OK_SELECT || SPI_processed != 1 || SPI_tuptable->tupdesc->natts != 1
		|| SPI_gettypeid(SPI_tuptable->tupdesc, 1) != BOOLOID)
		ereport(ERROR,
				(errcode(ERRCODE_OBJECT_NOT_IN_PREREQUISITE_STATE),
				 errmsg("a guard's query gave no boolean: %s", SPI_result_code_string(ret))));
	result = DatumGetBool(SPI_getbinval(SPI_tuptable->vals[0], SPI_tuptable->tupdesc, 1, &isnull));
	if (isnull)
		result = true;			/* no answer: the guard refuses (fail closed) */
	SPI_finish();
	PG_RETURN_BOOL(result);
}
