/*
 * header_link.c
 *		Resolving the link of a returns table to its declaration header (see
 *		header.h), once per cached check configuration: the header key
 *		columns on both sides, the unique index the row is found by and the
 *		key types' equality, the header's columns for the check's roles, and
 *		the rights of the header's owner to read them (attach checked them;
 *		the build checks again, as the header may have changed since).  Also
 *		cbreturn._header_validate, attach's check of the same link.  Finding
 *		and locking a row through the link is header.c.
 */
#include "enforce/header_int.h"
#include "enforce/violation.h"

#include "access/genam.h"
#include "access/htup_details.h"
#include "access/nbtree.h"
#include "access/relation.h"
#include "access/table.h"
#include "catalog/pg_class.h"
#include "catalog/pg_index.h"
#include "catalog/pg_inherits.h"
#include "catalog/pg_operator.h"
#include "catalog/pg_type.h"
#include "commands/defrem.h"
#include "executor/tuptable.h"
#include "miscadmin.h"
#include "utils/acl.h"
#include "utils/builtins.h"
#include "utils/lsyscache.h"
#include "utils/memutils.h"
#include "utils/rel.h"
#include "utils/rls.h"
#include "utils/syscache.h"

/* The metadata of a header link cannot work: refuse the write (55000). */
pg_noreturn static void
header_broken(Oid relid, const char *why)
{
	ereport(ERROR,
			(errcode(ERRCODE_OBJECT_NOT_IN_PREREQUISITE_STATE),
			 errmsg("the header of table %s cannot be read: %s", cbr_header_rel_text(relid), _(why)),
			 errhint("Detach the checks and the header with cbreturn.detach() and attach them again.")));
}

bool
cbr_header_has(const CbrHeaderUse *u, int r)
{
	return u != NULL && r >= 0 && r < u->nroles && u->hcol[r] != InvalidAttrNumber;
}

Oid
cbr_header_type(const CbrHeaderUse *u, int r)
{
	return cbr_header_has(u, r) ? u->htype[r] : InvalidOid;
}

/* May a role read from the header have a column of type t? */
static bool
header_role_type_ok(const char *role, Oid t)
{
	bool		text = t == TEXTOID || t == VARCHAROID || t == BPCHAROID;

	if (strcmp(role, "exported_on") == 0 || strcmp(role, "left_special_area_on") == 0 ||
		strcmp(role, "released_on") == 0)
		return t == DATEOID || t == TIMESTAMPOID || t == TIMESTAMPTZOID;
	if (strcmp(role, "supervision_code") == 0)
		return text || t == cbr_type_oid("supervision_code");
	if (strcmp(role, "export_office") == 0)
		return text || t == cbr_type_oid("customs_code");
	/* a return request's status (rules section 6), as the status check reads one */
	if (strcmp(role, "status") == 0)
		return text || t == NAMEOID || get_typtype(t) == TYPTYPE_ENUM;
	return false;
}

/* The column of the header table attached as role in hm (0: none). */
static AttrNumber
header_meta_column(const CbrCheckMeta *m, const char *role, Oid colrel)
{
	int			i;

	for (i = 0; i < m->ncols; i++)
		if (strcmp(m->role[i], role) == 0 && m->colrel[i] == colrel)
			return m->attnum[i];
	return InvalidAttrNumber;
}

/* A live column of rel, or 0. */
static Form_pg_attribute
header_live_column(Relation rel, AttrNumber attnum)
{
	TupleDesc	desc = RelationGetDescr(rel);

	if (attnum <= 0 || attnum > desc->natts || TupleDescAttr(desc, attnum - 1)->attisdropped)
		return NULL;
	return TupleDescAttr(desc, attnum - 1);
}

/* The owner of the header must be able to read column attnum of it. */
static void
header_owner_reads(CbrHeaderUse *u, Relation hrel, AttrNumber attnum)
{
	if (pg_class_aclcheck(u->relid, u->owner, ACL_SELECT) != ACLCHECK_OK &&
		pg_attribute_aclcheck(u->relid, attnum, u->owner, ACL_SELECT) != ACLCHECK_OK)
		ereport(ERROR,
				(errcode(ERRCODE_INSUFFICIENT_PRIVILEGE),
				 errmsg("the owner of table %s may not read its column %s",
						cbr_header_rel_text(u->relid),
						quote_identifier(NameStr(TupleDescAttr(RelationGetDescr(hrel), attnum - 1)->attname))),
				 errdetail("The checks read the header with the rights of its owner."),
				 errhint("Grant SELECT on the column to the owner of the table.")));
}

/*
 * The unique btree index whose key columns are exactly keys[] (any order),
 * default operator classes, each column under its own collation.
 */
static Oid
header_index(Relation hrel, const AttrNumber *keys, int nkeys)
{
	List	   *indexes = RelationGetIndexList(hrel);
	ListCell   *lc;

	foreach(lc, indexes)
	{
		Relation	irel = index_open(lfirst_oid(lc), AccessShareLock);
		Form_pg_index ix = irel->rd_index;
		bool		fits = ix->indisunique && ix->indimmediate && ix->indisvalid &&
			irel->rd_rel->relam == BTREE_AM_OID && ix->indnkeyatts == nkeys &&
			heap_attisnull(irel->rd_indextuple, Anum_pg_index_indpred, NULL) &&
			heap_attisnull(irel->rd_indextuple, Anum_pg_index_indexprs, NULL);
		bool		isnull;
		oidvector  *indclass = (oidvector *) DatumGetPointer(SysCacheGetAttr(INDEXRELID, irel->rd_indextuple,
																			 Anum_pg_index_indclass, &isnull));
		int			i;

		for (i = 0; fits && i < nkeys; i++)
		{
			AttrNumber	a = ix->indkey.values[i];
			int			k;

			for (k = 0; k < nkeys && keys[k] != a; k++)
				;
			/* under the column's own collation, as the recounts compare (_collate_of) */
			fits = k < nkeys &&
				GetDefaultOpClass(TupleDescAttr(RelationGetDescr(hrel), a - 1)->atttypid, BTREE_AM_OID) ==
				indclass->values[i] &&
				irel->rd_indcollation[i] == TupleDescAttr(RelationGetDescr(hrel), a - 1)->attcollation;
		}
		index_close(irel, AccessShareLock);
		if (fits)
			return lfirst_oid(lc);
	}
	return InvalidOid;
}

/*
 * Resolve the link of the returns table rel to its header (hrel, open) from
 * the metadata hm of its header kind: key columns, unique index, equality.
 */
void
cbr_header_resolve_link(CbrHeaderUse *u, const CbrCheckMeta *hm, Relation rel, Relation hrel,
					MemoryContext cxt)
{
	Relation	irel;
	int			i;

	u->relid = RelationGetRelid(hrel);
	u->owner = hrel->rd_rel->relowner;
	/* a partitioned header (issue 12): its rows are found leaf by leaf (header_parts.c) */
	if (hrel->rd_rel->relkind != RELKIND_RELATION && hrel->rd_rel->relkind != RELKIND_PARTITIONED_TABLE)
		header_broken(RelationGetRelid(rel), gettext_noop("the header is not an ordinary table"));
	for (i = 0; i < CBR_HEADER_MAX_KEYS; i++)
	{
		char		role[NAMEDATALEN];
		Form_pg_attribute a;
		Form_pg_attribute h;

		snprintf(role, sizeof(role), "key_%d", i + 1);
		u->key[i] = header_meta_column(hm, role, RelationGetRelid(rel));
		snprintf(role, sizeof(role), "header_key_%d", i + 1);
		u->hkey[i] = header_meta_column(hm, role, u->relid);
		if (u->key[i] == InvalidAttrNumber && u->hkey[i] == InvalidAttrNumber)
			break;
		a = header_live_column(rel, u->key[i]);
		h = header_live_column(hrel, u->hkey[i]);
		if (a == NULL || h == NULL || a->atttypid != h->atttypid)
			header_broken(RelationGetRelid(rel), gettext_noop("its key columns are missing or of other types"));
		u->keytype[i] = h->atttypid;
		header_owner_reads(u, hrel, u->hkey[i]);
	}
	u->nkeys = i;
	if (u->nkeys == 0)
		header_broken(RelationGetRelid(rel), gettext_noop("it names no key column"));

	u->index_oid = header_index(hrel, u->hkey, u->nkeys);
	if (!OidIsValid(u->index_oid))
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_FOREIGN_KEY),
				 errmsg("there is no unique constraint matching the key of header %s",
						cbr_header_rel_text(u->relid)),
				 errdetail("The checks find the header row of a return with the equality of its key types, as a foreign key does."),
				 errhint("Add a primary key or unique constraint on exactly the header key columns, each under its own collation.")));
	if (check_enable_rls(u->relid, u->owner, true) == RLS_ENABLED)
		ereport(ERROR,
				(errcode(ERRCODE_FEATURE_NOT_SUPPORTED),
				 errmsg("row security applies to the owner of header %s", cbr_header_rel_text(u->relid)),
				 errdetail("The checks read the header with the rights of its owner; its policies could hide the row of a return."),
				 errhint("Turn FORCE ROW LEVEL SECURITY off on the header table, or keep the facts on the returns table.")));

	irel = index_open(u->index_oid, AccessShareLock);
	for (i = 0; i < u->nkeys; i++)
	{
		int			k;
		Oid			t = irel->rd_opcintype[i];
		Oid			op;

		for (k = 0; u->hkey[k] != irel->rd_index->indkey.values[i]; k++)
			;
		u->by_index[i] = k;
		op = get_opfamily_member(irel->rd_opfamily[i], t, t, BTEqualStrategyNumber);
		if (!OidIsValid(op))
			ereport(ERROR,
					(errcode(ERRCODE_UNDEFINED_FUNCTION),
					 errmsg("type %s of a header key has no equality operator", format_type_be(t))));
		u->eqop[k] = op;
		u->eqproc[k] = get_opcode(op);
		u->subtype[k] = t;
		u->collation[k] = irel->rd_indcollation[i];
		fmgr_info_cxt(u->eqproc[k], &u->eqfn[k], cxt);
	}
	index_close(irel, AccessShareLock);
}

/* What the transaction's cache of locked rows must know of the link (header_cache.c). */
static void
header_cache_shape(CbrHeaderUse *u, Relation hrel)
{
	CbrHeaderCacheShape *s = &u->shape;
	int			i;

	s->id = cbr_header_cache_new_id();
	s->relid = u->relid;
	s->nkeys = u->nkeys;
	for (i = 0; i < u->nkeys; i++)
	{
		Form_pg_attribute a = TupleDescAttr(RelationGetDescr(hrel), u->hkey[i] - 1);

		s->keylen[i] = a->attlen;
		s->keybyval[i] = a->attbyval;
	}
	s->nroles = u->nroles;
	for (i = 0; i < u->nroles; i++)
	{
		Form_pg_attribute a;

		s->from_header[i] = u->hcol[i] != InvalidAttrNumber;
		if (!s->from_header[i])
			continue;
		a = TupleDescAttr(RelationGetDescr(hrel), u->hcol[i] - 1);
		/* a timestamp is read as a DateADT (header_role_value) */
		s->valbyval[i] = a->attbyval || u->htype[i] == TIMESTAMPOID || u->htype[i] == TIMESTAMPTZOID;
		s->vallen[i] = s->valbyval[i] ? (int16) sizeof(Datum) : a->attlen;
	}
}

CbrHeaderUse *
cbr_header_use(const CbrCheckMeta *meta, Relation rel, const char *const *roles, int nroles,
			   MemoryContext cxt)
{
	Oid			relid = RelationGetRelid(rel);
	Oid			header = InvalidOid;
	CbrCheckMeta hm;
	CbrHeaderUse *u;
	Relation	hrel;
	int			i;
	int			r;

	for (i = 0; i < meta->ncols; i++)
	{
		if (meta->colrel[i] == relid)
			continue;
		if (OidIsValid(header) && meta->colrel[i] != header)
			header_broken(relid, gettext_noop("the check reads columns of two other tables"));
		header = meta->colrel[i];
	}
	if (!OidIsValid(header))
		return NULL;

	cbr_load_check(relid, "header", &hm, cxt);
	if (hm.declared_relid != header)
		header_broken(relid, gettext_noop("the check reads a table that is not its header"));
	hrel = try_table_open(header, AccessShareLock);
	if (hrel == NULL)
		header_broken(relid, gettext_noop("the header table no longer exists"));

	u = MemoryContextAllocZero(cxt, sizeof(CbrHeaderUse));
	/* its index, owner, grants and columns are cached with the check's config */
	cbr_check_cache_depend(header);
	cbr_header_resolve_link(u, &hm, rel, hrel, cxt);
	{
		MemoryContext old = MemoryContextSwitchTo(cxt);

		u->slot = MakeSingleTupleTableSlot(CreateTupleDescCopy(RelationGetDescr(hrel)),
										   table_slot_callbacks(hrel));
		MemoryContextSwitchTo(old);
	}
	u->nroles = nroles;
	for (i = 0; i < meta->ncols; i++)
	{
		Form_pg_attribute att;

		if (meta->colrel[i] != header)
			continue;
		for (r = 0; r < nroles && strcmp(roles[r], meta->role[i]) != 0; r++)
			;
		att = header_live_column(hrel, meta->attnum[i]);
		if (r == nroles || att == NULL || !header_role_type_ok(roles[r], att->atttypid))
			header_broken(relid, gettext_noop("a column it reads from the header is missing or of another type"));
		header_owner_reads(u, hrel, meta->attnum[i]);
		u->hcol[r] = meta->attnum[i];
		u->htype[r] = att->atttypid;
	}
	header_cache_shape(u, hrel);
	if (hrel->rd_rel->relkind == RELKIND_PARTITIONED_TABLE)
		u->parts = cbr_header_parts_new(hrel, u->index_oid, cxt);
	table_close(hrel, AccessShareLock);
	return u;
}

/*
 * cbreturn._header_validate(rel regclass): attach_header's test that the
 * link it recorded works (unique key, the owner's rights, no row security
 * applying to the owner), by the code the checks resolve it with.
 */
PG_FUNCTION_INFO_V1(cbr_header_validate);
Datum
cbr_header_validate(PG_FUNCTION_ARGS)
{
	Oid			relid = PG_GETARG_OID(0);
	Relation	rel;
	CbrCheckMeta hm;
	CbrHeaderUse u;
	Relation	hrel;
	int			i;

	/* attach_header's caller owns the table: anyone else learns nothing, locks nothing */
	if (get_rel_name(relid) == NULL)
		ereport(ERROR,
				(errcode(ERRCODE_UNDEFINED_TABLE),
				 errmsg("relation with OID %u does not exist", relid)));
	if (!cbr_owns_class(relid, GetUserId()))
		ereport(ERROR,
				(errcode(ERRCODE_INSUFFICIENT_PRIVILEGE),
				 errmsg("must be owner of table %s", cbr_header_rel_text(relid))));
	rel = table_open(relid, AccessShareLock);
	memset(&u, 0, sizeof(u));
	cbr_load_check(relid, "header", &hm, CurrentMemoryContext);
	hrel = table_open(hm.declared_relid, AccessShareLock);
	cbr_header_resolve_link(&u, &hm, rel, hrel, CurrentMemoryContext);
	for (i = 0; i < hm.ncols; i++)
	{
		Form_pg_attribute att;

		if (hm.colrel[i] != hm.declared_relid || strncmp(hm.role[i], "header_key_", 11) == 0)
			continue;
		att = header_live_column(hrel, hm.attnum[i]);
		if (att == NULL || !header_role_type_ok(hm.role[i], att->atttypid))
			header_broken(relid, gettext_noop("a column it reads from the header is missing or of another type"));
		header_owner_reads(&u, hrel, hm.attnum[i]);
	}
	table_close(hrel, AccessShareLock);
	table_close(rel, AccessShareLock);
	PG_RETURN_VOID();
}
