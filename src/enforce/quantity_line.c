/*
 * quantity_line.c
 *		Finding a declared line and naming it in the ledger (R-EX-3, R-IM-2;
 *		see quantity.h).
 *
 * The declared table is read directly through its unique index, with the
 * equality of the key types and the latest snapshot, as its owner may read
 * it: attach checked that the owner holds SELECT on the columns read
 * (cbr_declared_resolve checks again when the cache is built), and when row
 * security applies to the owner (FORCE ROW LEVEL SECURITY) the line is read
 * through SPI as the owner instead, so that the policies apply.
 */
#include "enforce/quantity.h"

#include "access/genam.h"
#include "access/nbtree.h"
#include "access/table.h"
#include "access/tableam.h"
#include "access/htup_details.h"
#include "catalog/pg_operator.h"
#include "catalog/pg_type.h"
#include "commands/defrem.h"
#include "utils/syscache.h"
#include "executor/tuptable.h"
#include "lib/stringinfo.h"
#include "miscadmin.h"
#include "utils/acl.h"
#include "utils/builtins.h"
#include "catalog/namespace.h"
#include "utils/lsyscache.h"
#include "utils/numeric.h"
#include "utils/rel.h"
#include "utils/rls.h"
#include "utils/snapmgr.h"

/* ---------------------------------------------------------------------
 * The ledger key: a canonical image of stored key values
 *
 * Per key: its length (4 bytes) and its bytes (a pass-by-value datum's
 * typlen bytes, a varlena's data detoasted).  Two declared rows never have
 * equal keys (the unique index), and a return is mapped to the row it
 * equals, so the image of the declared row is the line's one name.
 * --------------------------------------------------------------------- */
bytea *
cbr_line_image(int n, const Datum *values, const int16 *typlen, const bool *typbyval)
{
	StringInfoData buf;
	bytea	   *result;
	int			i;

	initStringInfo(&buf);
	for (i = 0; i < n; i++)
	{
		const char *p;
		uint32		len;
		int16		i16;
		int32		i32;
		int64		i64;
		char		c;
		struct varlena *v = NULL;

		if (typbyval[i])
		{
			switch (typlen[i])
			{
				case 1:
					c = DatumGetChar(values[i]);
					p = &c;
					break;
				case 2:
					i16 = DatumGetInt16(values[i]);
					p = (const char *) &i16;
					break;
				case 4:
					i32 = DatumGetInt32(values[i]);
					p = (const char *) &i32;
					break;
				default:
					i64 = DatumGetInt64(values[i]);
					p = (const char *) &i64;
					break;
			}
			len = typlen[i];
		}
		else if (typlen[i] > 0)
		{
			p = DatumGetPointer(values[i]);
			len = typlen[i];
		}
		else if (typlen[i] == -1)
		{
			v = pg_detoast_datum_packed((struct varlena *) DatumGetPointer(values[i]));
			p = VARDATA_ANY(v);
			len = VARSIZE_ANY_EXHDR(v);
		}
		else
		{
			p = DatumGetCString(values[i]);
			len = strlen(p);
		}
		appendBinaryStringInfo(&buf, (const char *) &len, sizeof(len));
		appendBinaryStringInfo(&buf, p, len);
		if (v != NULL && (Pointer) v != DatumGetPointer(values[i]))
			pfree(v);
	}
	result = (bytea *) palloc(VARHDRSZ + buf.len);
	SET_VARSIZE(result, VARHDRSZ + buf.len);
	memcpy(VARDATA(result), buf.data, buf.len);
	pfree(buf.data);
	return result;
}

/*
 * cbreturn._quantity_line(VARIADIC "any"): the image of the key values given,
 * for the set-based ledger builds of sql/55_enforce_quantity.sql (attach,
 * rebuild, verify), which pass the declared row's columns as stored.
 */
PG_FUNCTION_INFO_V1(_quantity_line);
Datum
_quantity_line(PG_FUNCTION_ARGS)
{
	int			n = PG_NARGS();
	Datum		values[CBR_MAX_KEYS];
	int16		typlen[CBR_MAX_KEYS];
	bool		typbyval[CBR_MAX_KEYS];
	int			i;

	if (n < 1 || n > CBR_MAX_KEYS)
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
				 errmsg("a declared line has 1 to %d key columns", CBR_MAX_KEYS)));
	for (i = 0; i < n; i++)
	{
		Oid			t = get_fn_expr_argtype(fcinfo->flinfo, i);

		if (PG_ARGISNULL(i))
			PG_RETURN_NULL();
		if (!OidIsValid(t))
			ereport(ERROR,
					(errcode(ERRCODE_INDETERMINATE_DATATYPE),
					 errmsg("could not determine the type of key %d", i + 1)));
		get_typlenbyval(t, &typlen[i], &typbyval[i]);
		values[i] = PG_GETARG_DATUM(i);
	}
	PG_RETURN_BYTEA_P(cbr_line_image(n, values, typlen, typbyval));
}

/* ---------------------------------------------------------------------
 * Quantities
 * --------------------------------------------------------------------- */
CbrQty
cbr_qty_of_datum(Datum d, Oid type, Relation rel, AttrNumber attnum)
{
	CbrQty		q = {0, 0};
	char	   *text;

	switch (type)
	{
		case INT2OID:
			q.value = DatumGetInt16(d);
			return q;
		case INT4OID:
			q.value = DatumGetInt32(d);
			return q;
		case INT8OID:
			q.value = DatumGetInt64(d);
			return q;
		default:
			break;
	}
	/* numeric_out depends on no session setting */
	text = DatumGetCString(DirectFunctionCall1(numeric_out, d));
	if (!cbr_qty_parse(text, &q))
		ereport(ERROR,
				(errcode(ERRCODE_NUMERIC_VALUE_OUT_OF_RANGE),
				 errmsg("quantity %s cannot be counted (R-EX-3, R-IM-2)", text),
				 errdetail("A quantity is counted exactly with at most 18 significant digits; NaN and infinity are not quantities."),
				 rel != NULL ? errtablecol(rel, attnum) : 0));
	return q;
}

Datum
cbr_qty_numeric(CbrQty q)
{
	char		buf[CBR_QTY_TEXT_LEN];

	if (q.scale == 0)
		return NumericGetDatum(int64_to_numeric(q.value));
	cbr_qty_format(q, buf);
	return DirectFunctionCall3(numeric_in, CStringGetDatum(buf),
							   ObjectIdGetDatum(InvalidOid), Int32GetDatum(-1));
}

char *
cbr_key_text(int n, const Datum *values, const Oid *types)
{
	StringInfoData s;
	int			i;

	initStringInfo(&s);
	appendStringInfoChar(&s, '(');
	for (i = 0; i < n; i++)
	{
		Oid			out;
		bool		varlena;

		getTypeOutputInfo(types[i], &out, &varlena);
		appendStringInfo(&s, "%s%s", i ? ", " : "", cbr_clip_value(OidOutputFunctionCall(out, values[i])));
	}
	appendStringInfoChar(&s, ')');
	return s.data;
}

/* ---------------------------------------------------------------------
 * The declared table
 * --------------------------------------------------------------------- */

/*
 * The unique index whose key columns are exactly keys[] (any order), default
 * opclasses, each column under its own collation.
 */
static Oid
declared_index(Relation drel, const AttrNumber *keys, int nkeys)
{
	List	   *indexes = RelationGetIndexList(drel);
	ListCell   *lc;

	foreach(lc, indexes)
	{
		Relation	irel = index_open(lfirst_oid(lc), AccessShareLock);
		Form_pg_index ix = irel->rd_index;
		bool		fits = ix->indisunique && ix->indimmediate && ix->indisvalid &&
			irel->rd_rel->relam == BTREE_AM_OID &&
			ix->indnkeyatts == nkeys &&
			heap_attisnull(irel->rd_indextuple, Anum_pg_index_indpred, NULL) &&
			heap_attisnull(irel->rd_indextuple, Anum_pg_index_indexprs, NULL);
		int			i;
		bool		isnull;
		oidvector  *indclass = (oidvector *) DatumGetPointer(SysCacheGetAttr(INDEXRELID, irel->rd_indextuple,
																			 Anum_pg_index_indclass, &isnull));

		for (i = 0; fits && i < nkeys; i++)
		{
			int			k;
			AttrNumber	a = ix->indkey.values[i];
			Oid			t = TupleDescAttr(RelationGetDescr(drel), a - 1)->atttypid;

			for (k = 0; k < nkeys && keys[k] != a; k++)
				;
			/*
			 * under the column's own collation: the recounts group and join
			 * under it (_quantity_counts_sql), and an index of another would
			 * make the check and the recounts see other lines
			 */
			fits = k < nkeys && GetDefaultOpClass(t, BTREE_AM_OID) == indclass->values[i] &&
				irel->rd_indcollation[i] == TupleDescAttr(RelationGetDescr(drel), a - 1)->attcollation;
		}
		index_close(irel, AccessShareLock);
		if (fits)
			return lfirst_oid(lc);
	}
	return InvalidOid;
}

/*
 * Is equality of type t (under collation) the equality of its stored bytes?
 * Only for types known to be so: a wrong "yes" would make one line two.
 */
static bool
bytes_are_equality(Oid t, Oid collation)
{
	Oid			nsp;

	switch (t)
	{
		case INT2OID:
		case INT4OID:
		case INT8OID:
		case OIDOID:
		case BOOLOID:
		case CHAROID:
		case DATEOID:
		case TIMEOID:
		case TIMESTAMPOID:
		case TIMESTAMPTZOID:
		case UUIDOID:
			return true;
		case TEXTOID:
		case VARCHAROID:
			/* texteq compares bytes under a deterministic collation */
			return OidIsValid(collation) && get_collation_isdeterministic(collation);
		default:
			break;
	}
	/* the identifier types of this extension are packed integers (cbreturn.h) */
	{
		HeapTuple	tp = SearchSysCache1(TYPEOID, ObjectIdGetDatum(t));
		bool		byval;

		if (!HeapTupleIsValid(tp))
			return false;
		nsp = ((Form_pg_type) GETSTRUCT(tp))->typnamespace;
		byval = ((Form_pg_type) GETSTRUCT(tp))->typbyval;
		ReleaseSysCache(tp);
		return byval && nsp == get_namespace_oid("cbreturn", true);
	}
}

/*
 * The SPI read of a declared line, as the owner and through the row
 * security that applies to it (FORCE ROW LEVEL SECURITY), for a declared
 * table whose policies must decide which lines exist.
 */
static void
prepare_rls_read(CbrDeclared *d, Relation drel)
{
	TupleDesc	desc = RelationGetDescr(drel);
	const AttrNumber *keys = d->key;
	int			nkeys = d->nkeys;
	AttrNumber	quantity = d->quantity;
	int			i;
	StringInfoData sql;
	Oid			argtypes[CBR_MAX_KEYS];
	Oid			save_userid;
	int			save_sec;

	initStringInfo(&sql);
	appendStringInfoString(&sql, "SELECT ");
	for (i = 0; i < nkeys; i++)
		appendStringInfo(&sql, "d.%s, ", quote_identifier(NameStr(TupleDescAttr(desc, keys[i] - 1)->attname)));
	/* ONLY: an inheritance child's rows are no lines (the index, the recounts) */
	appendStringInfo(&sql, "d.%s FROM ONLY %s d WHERE ",
					 quote_identifier(NameStr(TupleDescAttr(desc, quantity - 1)->attname)),
					 quote_qualified_identifier(get_namespace_name(RelationGetNamespace(drel)),
												RelationGetRelationName(drel)));
	for (i = 0; i < nkeys; i++)
	{
		appendStringInfo(&sql, "%sd.%s %s $%d", i ? " AND " : "",
						 quote_identifier(NameStr(TupleDescAttr(desc, keys[i] - 1)->attname)),
						 cbr_operator_sql(d->eqop[i]), i + 1);
		argtypes[i] = d->subtype[i];
	}
	GetUserIdAndSecContext(&save_userid, &save_sec);
	SetUserIdAndSecContext(d->owner, save_sec | SECURITY_LOCAL_USERID_CHANGE);
	d->rls_plan = SPI_prepare(sql.data, nkeys, argtypes);
	SetUserIdAndSecContext(save_userid, save_sec);
	if (d->rls_plan == NULL)
		ereport(ERROR,
				(errcode(ERRCODE_OBJECT_NOT_IN_PREREQUISITE_STATE),
				 errmsg("cannot read the declared lines of table %s: %s",
						quote_identifier(RelationGetRelationName(drel)), SPI_result_code_string(SPI_result))));
}

void
cbr_declared_resolve(CbrDeclared *d, Relation drel, const AttrNumber *keys, int nkeys,
					 AttrNumber quantity, MemoryContext mcxt)
{
	TupleDesc	desc = RelationGetDescr(drel);
	Relation	irel;
	int			i;

	memset(d, 0, sizeof(*d));
	d->relid = RelationGetRelid(drel);
	d->owner = drel->rd_rel->relowner;
	d->nkeys = nkeys;
	d->quantity = quantity;
	d->quantity_type = TupleDescAttr(desc, quantity - 1)->atttypid;
	memcpy(d->key, keys, sizeof(AttrNumber) * nkeys);
	d->index_oid = declared_index(drel, keys, nkeys);
	if (!OidIsValid(d->index_oid))
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_FOREIGN_KEY),
				 errmsg("there is no unique constraint matching the declared line key of table %s",
						quote_identifier(RelationGetRelationName(drel))),
				 errdetail("The quantity check (R-EX-3, R-IM-2) finds a declared line with the equality of its key types, as a foreign key does."),
				 errhint("Add a primary key or unique constraint on exactly the declared line key columns, each under its own collation.")));

	/* Read as the owner may: SELECT on every column read (R-EX-3 confused deputy, docs/security.md). */
	for (i = 0; i <= nkeys; i++)
	{
		AttrNumber	a = i < nkeys ? keys[i] : quantity;

		if (pg_class_aclcheck(d->relid, d->owner, ACL_SELECT) != ACLCHECK_OK &&
			pg_attribute_aclcheck(d->relid, a, d->owner, ACL_SELECT) != ACLCHECK_OK)
			ereport(ERROR,
					(errcode(ERRCODE_INSUFFICIENT_PRIVILEGE),
					 errmsg("the owner of table %s may not read its column %s",
							quote_identifier(RelationGetRelationName(drel)),
							quote_identifier(NameStr(TupleDescAttr(desc, a - 1)->attname))),
					 errdetail("The quantity check reads the declared lines with the rights of their owner."),
					 errhint("Grant SELECT on the column to the owner of the table.")));
	}

	irel = index_open(d->index_oid, AccessShareLock);
	for (i = 0; i < nkeys; i++)
	{
		int			k;
		Oid			t = irel->rd_opcintype[i];
		Oid			op;

		for (k = 0; keys[k] != irel->rd_index->indkey.values[i]; k++)
			;
		d->by_index[i] = k;
		get_typlenbyval(TupleDescAttr(desc, keys[k] - 1)->atttypid, &d->typlen[k], &d->typbyval[k]);
		op = get_opfamily_member(irel->rd_opfamily[i], t, t, BTEqualStrategyNumber);
		if (!OidIsValid(op))
			ereport(ERROR,
					(errcode(ERRCODE_UNDEFINED_FUNCTION),
					 errmsg("type %s of a declared line key has no equality operator", format_type_be(t))));
		d->eqop[k] = op;
		d->eqproc[k] = get_opcode(op);
		d->subtype[k] = t;
		d->collation[k] = irel->rd_indcollation[i];
		fmgr_info_cxt(d->eqproc[k], &d->eqfn[k], mcxt);
	}
	index_close(irel, AccessShareLock);

	d->canonical = true;
	for (i = 0; i < nkeys; i++)
	{
		Form_pg_attribute att = TupleDescAttr(desc, keys[i] - 1);

		if (!bytes_are_equality(att->atttypid, att->attcollation))
			d->canonical = false;
	}

	/* Row security that applies to the owner applies to the check too. */
	if (check_enable_rls(d->relid, d->owner, true) == RLS_ENABLED)
		prepare_rls_read(d, drel);
}

static void
line_from_values(const CbrDeclared *d, const Datum *values, Datum qty, bool qty_null, CbrLine *line)
{
	line->image = cbr_line_image(d->nkeys, values, d->typlen, d->typbyval);
	line->found = true;
	if (qty_null)
	{
		line->declared.value = 0;
		line->declared.scale = 0;
	}
	else if (d->quantity_type != NUMERICOID)
		line->declared = cbr_qty_of_datum(qty, d->quantity_type, NULL, 0);
	else if (!cbr_qty_parse(DatumGetCString(DirectFunctionCall1(numeric_out, qty)), &line->declared))
		/* NaN, infinity, too many digits: the declared line's fault, not the return's (value not shown) */
		ereport(ERROR,
				(errcode(ERRCODE_NUMERIC_VALUE_OUT_OF_RANGE),
				 errmsg("the declared quantity of this return's line in table %s cannot be counted (R-EX-3, R-IM-2)",
						cbr_qty_rel_text(d->relid)),
				 errdetail("A declared quantity is counted exactly with at most 18 significant digits; NaN and infinity are not quantities."),
				 errhint("Ask the owner of table %s to correct the declared quantity of the line.",
						 cbr_qty_rel_text(d->relid))));
}

bool
cbr_declared_find(const CbrDeclared *d, const Datum *keys, CbrLine *line, Snapshot given)
{
	Datum		values[CBR_MAX_KEYS];
	bool		isnull;
	bool		found;
	int			i;

	if (d->rls_plan != NULL)
	{
		Oid			save_userid;
		int			save_sec;
		int			ret;

		GetUserIdAndSecContext(&save_userid, &save_sec);
		SetUserIdAndSecContext(d->owner, save_sec | SECURITY_LOCAL_USERID_CHANGE);
		ret = SPI_execute_plan(d->rls_plan, (Datum *) keys, NULL, false, 1);
		SetUserIdAndSecContext(save_userid, save_sec);
		if (ret != SPI_OK_SELECT)
			ereport(ERROR,
					(errcode(ERRCODE_OBJECT_NOT_IN_PREREQUISITE_STATE),
					 errmsg("reading the declared line failed: %s", SPI_result_code_string(ret))));
		if (SPI_processed == 0)
			return false;
		for (i = 0; i < d->nkeys; i++)
			values[i] = SPI_getbinval(SPI_tuptable->vals[0], SPI_tuptable->tupdesc, i + 1, &isnull);
		{
			Datum		q = SPI_getbinval(SPI_tuptable->vals[0], SPI_tuptable->tupdesc, d->nkeys + 1, &isnull);

			line_from_values(d, values, q, isnull, line);
		}
		return true;
	}
	else
	{
		Relation	drel = table_open(d->relid, AccessShareLock);
		Relation	irel = index_open(d->index_oid, AccessShareLock);
		Snapshot	snap = RegisterSnapshot(given != NULL ? given : GetLatestSnapshot());
		ScanKeyData sk[CBR_MAX_KEYS];
		IndexScanDesc scan;
		TupleTableSlot *slot;

		for (i = 0; i < d->nkeys; i++)
		{
			int			k = d->by_index[i];

			ScanKeyEntryInitialize(&sk[i], 0, i + 1, BTEqualStrategyNumber, d->subtype[k],
								   d->collation[k], d->eqproc[k], keys[k]);
		}
		slot = table_slot_create(drel, NULL);
		scan = cbr_index_beginscan(drel, irel, snap, d->nkeys, 0);
		index_rescan(scan, sk, d->nkeys, NULL, 0);
		found = index_getnext_slot(scan, ForwardScanDirection, slot);
		if (found)
		{
			Datum		q;

			for (i = 0; i < d->nkeys; i++)
				values[i] = slot_getattr(slot, d->key[i], &isnull);
			q = slot_getattr(slot, d->quantity, &isnull);
			line_from_values(d, values, q, isnull, line);
		}
		index_endscan(scan);
		ExecDropSingleTupleTableSlot(slot);
		UnregisterSnapshot(snap);
		/*
		 * The lock on the declared table is kept to the end of the
		 * transaction, as a query's would be: a TRUNCATE of the table waits
		 * for this return to commit, and its guard then sees it counted.
		 */
		index_close(irel, NoLock);
		table_close(drel, NoLock);
		return found;
	}
}

bool
cbr_keys_equal(const CbrDeclared *d, const Datum *a, const Datum *b)
{
	int			i;

	for (i = 0; i < d->nkeys; i++)
		if (!DatumGetBool(FunctionCall2Coll((FmgrInfo *) &d->eqfn[i], d->collation[i], a[i], b[i])))
			return false;
	return true;
}
