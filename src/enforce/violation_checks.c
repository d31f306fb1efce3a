/*
 * violation_checks.c
 *		Which checks judge the stored rows of a table, for violations(),
 *		validate() and the assessments over a table (violation_scan.c,
 *		assess_scan.c): the checks found, the privileges the caller needs to
 *		read the rows as they read them, and the error when nothing judges a
 *		row.
 */
#include "enforce/violation_int.h"
#include "enforce/header.h"

#include "catalog/pg_type.h"
#include "executor/spi.h"
#include "miscadmin.h"
#include "nodes/bitmapset.h"
#include "utils/acl.h"
#include "utils/builtins.h"
#include "utils/memutils.h"
#include "utils/rel.h"
#include "utils/relcache.h"

/* 55000: the metadata of the attached checks could not be read (what: for the server log). */
pg_noreturn static void
cbr_metadata_unreadable(const char *what)
{
	ereport(ERROR,
			(errcode(ERRCODE_OBJECT_NOT_IN_PREREQUISITE_STATE),
			 errmsg("cannot read the metadata of the attached checks"),
			 errdetail_internal("%s", what)));
}

/*
 * The checks that judge the rows of relid: those attached to it or to an
 * ancestor (a partition carries the checks of its partitioned ancestors,
 * issue 12) and, with tree, to a partition of it (checks attached to each
 * partition, as 0.2.0 required); of kind only, when not NULL.  The quantity
 * check and a declaration header link judge no single row: a->quantity and
 * a->header say whether one is attached.  a->cols: the columns of those
 * checks on the checked table itself, as relid's column numbers, found by
 * name (a partition's may differ from its ancestor's).
 */
static void
cbr_checks_of(Oid relid, const char *only, bool tree, AttachedChecks *a)
{
	Oid			argtypes[1] = {OIDOID};
	Datum		args[1];
	/* the partitions of relid (and relid) */
	const char *k_tree = !tree ? ""
		: " OR k.relation IN (SELECT t.relid FROM pg_catalog.pg_partition_tree($1::pg_catalog.regclass) t)";
	const char *c_tree = !tree ? ""
		: " OR c.relation IN (SELECT t.relid FROM pg_catalog.pg_partition_tree($1::pg_catalog.regclass) t)";
	uint64		i;
	int			k;

	memset(a, 0, sizeof(*a));
	args[0] = ObjectIdGetDatum(relid);
	if (SPI_connect() != SPI_OK_CONNECT)
		cbr_metadata_unreadable("SPI_connect failed");
	if (SPI_execute_with_args(
			psprintf("SELECT DISTINCT k.check_kind FROM cbreturn.attached_check k"
					 " WHERE k.relation::pg_catalog.oid OPERATOR(pg_catalog.=) $1"
					 "    OR k.relation IN (SELECT pg_catalog.pg_partition_ancestors($1::pg_catalog.regclass))%s"
					 " ORDER BY k.check_kind", k_tree),
			1, argtypes, args, NULL, true, 0) != SPI_OK_SELECT)
		cbr_metadata_unreadable("reading cbreturn.attached_check failed");
	for (i = 0; i < SPI_processed; i++)
	{
		char	   *kind = SPI_getvalue(SPI_tuptable->vals[i], SPI_tuptable->tupdesc, 1);

		if (only != NULL && strcmp(kind, only) != 0)
			continue;
		if (strcmp(kind, "quantity") == 0)
			a->quantity = true;
		if (strcmp(kind, "header") == 0)
			a->header = true;
		for (k = 0; k < CBR_CHECK_KINDS; k++)
			if (strcmp(kind, cbr_check_kind_names[k]) == 0)
				a->kinds[a->nkinds++] = (CbrCheckKind) k;
	}
	if (SPI_execute_with_args(
			psprintf("SELECT DISTINCT a2.attnum FROM cbreturn.attached_column c"
					 "  JOIN pg_catalog.pg_attribute a1"
					 "    ON a1.attrelid OPERATOR(pg_catalog.=) c.column_relation::pg_catalog.oid"
					 "   AND a1.attnum OPERATOR(pg_catalog.=) c.column_attnum"
					 "  JOIN pg_catalog.pg_attribute a2"
					 "    ON a2.attrelid OPERATOR(pg_catalog.=) $1"
					 "   AND a2.attname OPERATOR(pg_catalog.=) a1.attname AND NOT a2.attisdropped"
					 " WHERE (c.relation::pg_catalog.oid OPERATOR(pg_catalog.=) $1"
					 "    OR c.relation IN (SELECT pg_catalog.pg_partition_ancestors($1::pg_catalog.regclass))%s)"
					 "   AND c.column_relation::pg_catalog.oid OPERATOR(pg_catalog.=) c.relation::pg_catalog.oid"
					 "   AND c.check_kind OPERATOR(pg_catalog.<>) 'quantity'", c_tree),
			1, argtypes, args, NULL, true, 0) != SPI_OK_SELECT)
		cbr_metadata_unreadable("reading cbreturn.attached_column failed");
	a->cols = MemoryContextAlloc(TopTransactionContext, sizeof(AttrNumber) * (SPI_processed + 1));
	for (i = 0; i < SPI_processed; i++)
	{
		bool		isnull;

		a->cols[a->ncols++] = DatumGetInt16(SPI_getbinval(SPI_tuptable->vals[i],
														  SPI_tuptable->tupdesc, 1, &isnull));
	}
	SPI_finish();
}

void
cbr_attached_checks(Oid relid, const char *only, AttachedChecks *a)
{
	cbr_checks_of(relid, only, false, a);
}

/*
 * The checks that judge the rows of rel, for violations() and validate()
 * alike: those cbr_attached_checks finds and, on a partitioned table, those
 * its partitions carry themselves (cbr_scan_table reads each leaf with the
 * checks it carries itself or through its ancestors).
 */
void
cbr_row_checks(Relation rel, const char *only, AttachedChecks *a)
{
	cbr_checks_of(RelationGetRelid(rel), only,
				  rel->rd_rel->relkind == RELKIND_PARTITIONED_TABLE, a);
}

/*
 * The returns table whose declaration header (or, when there is none, whose
 * quantity check's declared table) relid or an ancestor of it is, or
 * InvalidOid; *quantity: it is a declared table.
 */
static Oid
cbr_checked_table_reading(Oid relid, bool *quantity)
{
	Oid			argtypes[1] = {OIDOID};
	Datum		args[1];
	Oid			reader = InvalidOid;
	bool		isnull;

	*quantity = false;
	args[0] = ObjectIdGetDatum(relid);
	if (SPI_connect() != SPI_OK_CONNECT)
		cbr_metadata_unreadable("SPI_connect failed");
	if (SPI_execute_with_args(
			"SELECT k.relation::pg_catalog.oid, k.check_kind OPERATOR(pg_catalog.=) 'quantity'"
			"  FROM cbreturn.attached_check k"
			" WHERE k.check_kind OPERATOR(pg_catalog.=) ANY ('{header,quantity}'::pg_catalog.text[])"
			"   AND (k.declared_relation::pg_catalog.oid OPERATOR(pg_catalog.=) $1"
			"        OR k.declared_relation IN (SELECT pg_catalog.pg_partition_ancestors($1::pg_catalog.regclass)))"
			" ORDER BY 2, 1 LIMIT 1",
			1, argtypes, args, NULL, true, 1) != SPI_OK_SELECT)
		cbr_metadata_unreadable("reading cbreturn.attached_check failed");
	if (SPI_processed == 1)
	{
		reader = DatumGetObjectId(SPI_getbinval(SPI_tuptable->vals[0], SPI_tuptable->tupdesc, 1, &isnull));
		*quantity = DatumGetBool(SPI_getbinval(SPI_tuptable->vals[0], SPI_tuptable->tupdesc, 2, &isnull));
	}
	SPI_finish();
	return reader;
}

/*
 * violations() and validate() on a table whose rows no export, import or
 * status check judges (of kind only, for validate(t, kind)): the same error
 * for both, 42704, as PostgreSQL's VALIDATE CONSTRAINT of a constraint the
 * table does not have; an empty list would read as "no row breaks a rule".
 * What is attached instead, or which table's checks read rel, is said.
 */
void
cbr_require_row_checks(Relation rel, const char *only, const AttachedChecks *a)
{
	Oid			relid = RelationGetRelid(rel);
	Oid			reader = InvalidOid;
	bool		declared = false;

	if (a->nkinds > 0)
		return;
	if (only != NULL)
		cbr_not_attached(relid, only);
	if (!a->quantity && !a->header)
		reader = cbr_checked_table_reading(relid, &declared);
	ereport(ERROR,
			(errcode(ERRCODE_UNDEFINED_OBJECT),
			 errmsg("no export, import or status check is attached to table %s",
					cbr_relation_text(relid)),
			 a->quantity && a->header
			 ? errdetail("The quantity check attached to it judges declared lines, not single rows, and its header link judges no row by itself.")
			 : a->quantity
			 ? errdetail("The quantity check attached to it judges declared lines, not single rows.")
			 : a->header
			 ? errdetail("The header link attached to it judges no row by itself: the export and import checks attached after it read the header.")
			 : OidIsValid(reader) && declared
			 ? errdetail("Table %s holds the declared lines of the quantity check of table %s.",
						 cbr_relation_text(relid), cbr_relation_text(reader))
			 : OidIsValid(reader)
			 ? errdetail("Table %s is the header of table %s, whose checks read it.",
						 cbr_relation_text(relid), cbr_relation_text(reader))
			 : 0,
			 a->quantity || declared
			 ? errhint("cbreturn.verify_quantity_ledger() lists the lines that break R-EX-3 or R-IM-2 now.")
			 : OidIsValid(reader)
			 ? errhint("cbreturn.violations() and cbreturn.validate() of table %s judge its returns with the header's facts.",
					   cbr_relation_text(reader))
			 : 0));
}

/*
 * The caller may read the table: SELECT on it, or on every column the
 * checks read and every primary key column (as a query naming them would
 * need), and the columns they read in a declaration header.  Row security
 * is applied by cbr_scan_rows.
 */
void
cbr_require_select(Relation rel, const AttachedChecks *a)
{
	Oid			relid = RelationGetRelid(rel);
	Oid			role = GetUserId();
	Bitmapset  *pk = RelationGetIndexAttrBitmap(rel, INDEX_ATTR_BITMAP_PRIMARY_KEY);
	int			x = -1;
	int			i;
	bool		ok = true;

	if (pg_class_aclcheck(relid, role, ACL_SELECT) == ACLCHECK_OK)
	{
		cbr_header_require_select(relid, role);
		return;
	}
	for (i = 0; i < a->ncols && ok; i++)
		ok = pg_attribute_aclcheck(relid, a->cols[i], role, ACL_SELECT) == ACLCHECK_OK;
	while (ok && (x = bms_next_member(pk, x)) >= 0)
		if (x + FirstLowInvalidHeapAttributeNumber > 0)
			ok = pg_attribute_aclcheck(relid, x + FirstLowInvalidHeapAttributeNumber, role,
									   ACL_SELECT) == ACLCHECK_OK;
	if (!ok)
		ereport(ERROR,
				(errcode(ERRCODE_INSUFFICIENT_PRIVILEGE),
				 errmsg("permission denied for table %s", cbr_relation_text(relid)),
				 errdetail("Reading the stored rows as the attached checks read them (to list the rows that break them, or to assess them) reads the columns the checks read and the primary key.")));
	cbr_header_require_select(relid, role);
}
