/*
 * header.c
 *		Facts read from a declaration header (see header.h): resolving the
 *		link a check reads through, finding and locking a return's header
 *		row.  The guard on the header table is header_guard.c.
 *
 * Finding the row.  The header key must carry a unique constraint on
 * exactly its columns (as a foreign key's referenced columns do); the row
 * is found through that index with the key types' equality, read as the
 * header's owner may read it (attach checked that the owner holds SELECT on
 * every column read; the cache build checks again), and locked FOR KEY
 * SHARE, as a foreign key locks the row it references.  READ COMMITTED: the
 * latest snapshot, and a row being changed is waited for and read in its
 * newest version (its key checked again).  REPEATABLE READ and
 * SERIALIZABLE: the transaction's snapshot, and a row changed since is a
 * serialization failure (40001), as for SELECT ... FOR KEY SHARE.
 *
 * Why KEY SHARE is enough.  A DELETE or a change of the key takes the
 * strongest tuple lock and waits for every return that read the row.  A
 * correction of a fact (the export date, a code) is an ordinary UPDATE,
 * which KEY SHARE does not block; so the guard (cbr_header_guard, BEFORE
 * UPDATE OR DELETE on the header) raises its own lock on the row to FOR
 * UPDATE before it re-checks the returns: it waits for every transaction
 * that read the old facts, and sees their returns (latest snapshot) once
 * they commit; a return written after that waits for the correction and
 * reads the corrected row.  A correction that changes nothing a check reads
 * costs the guard a comparison and takes no further lock.
 *
 * Row security on the header that applies to its owner (FORCE ROW LEVEL
 * SECURITY) is not supported: attach and the checks refuse it (0A000)
 * rather than read rows the policies would hide.
 */
#include "enforce/header_int.h"
#include "enforce/violation.h"

#include "access/genam.h"
#include "access/htup_details.h"
#include "access/nbtree.h"
#include "access/relation.h"
#include "access/table.h"
#include "access/tableam.h"
#include "access/xact.h"
#include "catalog/namespace.h"
#include "catalog/pg_class.h"
#include "catalog/pg_index.h"
#include "catalog/pg_inherits.h"
#include "catalog/pg_operator.h"
#include "catalog/pg_type.h"
#include "commands/defrem.h"
#include "executor/spi.h"
#include "executor/tuptable.h"
#include "lib/stringinfo.h"
#include "miscadmin.h"
#include "utils/acl.h"
#include "utils/builtins.h"
#include "utils/datum.h"
#include "utils/lsyscache.h"
#include "utils/memutils.h"
#include "utils/rel.h"
#include "utils/rls.h"
#include "utils/snapmgr.h"
#include "utils/syscache.h"


/* A relation's schema-qualified, quoted name for messages. */
char *
cbr_header_rel_text(Oid relid)
{
	char	   *name = get_rel_name(relid);

	if (name == NULL)
		return psprintf("%u", relid);
	return quote_qualified_identifier(get_namespace_name(get_rel_namespace(relid)), name);
}

/* The metadata of a header link cannot work: refuse the write (55000). */
pg_noreturn static void
header_broken(Oid relid, const char *why)
{
	ereport(ERROR,
			(errcode(ERRCODE_OBJECT_NOT_IN_PREREQUISITE_STATE),
			 errmsg("the declaration header of table %s cannot be read: %s", cbr_header_rel_text(relid), _(why)),
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
				 errdetail("The checks read the declaration header with the rights of its owner."),
				 errhint("Grant SELECT on the column to the owner of the table.")));
}

/* The unique btree index whose key columns are exactly keys[] (any order), default operator classes. */
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
			fits = k < nkeys &&
				GetDefaultOpClass(TupleDescAttr(RelationGetDescr(hrel), a - 1)->atttypid, BTREE_AM_OID) ==
				indclass->values[i];
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
	if (hrel->rd_rel->relkind != RELKIND_RELATION)
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
				 errmsg("there is no unique constraint matching the key of declaration header %s",
						cbr_header_rel_text(u->relid)),
				 errdetail("The checks find the header row of a return with the equality of its key types, as a foreign key does."),
				 errhint("Add a primary key or unique constraint on exactly the header key columns.")));
	if (check_enable_rls(u->relid, u->owner, true) == RLS_ENABLED)
		ereport(ERROR,
				(errcode(ERRCODE_FEATURE_NOT_SUPPORTED),
				 errmsg("row security applies to the owner of declaration header %s", cbr_header_rel_text(u->relid)),
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
					 errmsg("type %s of a declaration header key has no equality operator", format_type_be(t))));
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
		header_broken(relid, gettext_noop("the check reads a table that is not its declaration header"));
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
	Relation	rel = table_open(relid, AccessShareLock);
	CbrCheckMeta hm;
	CbrHeaderUse u;
	Relation	hrel;
	int			i;

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

/* The value of role r in a header tuple, as a check reads it (R-T-1 dates). */
static void
header_role_value(const CbrHeaderUse *u, int r, TupleDesc hdesc, HeapTuple htuple, Datum *v, bool *isnull)
{
	Form_pg_attribute att = TupleDescAttr(hdesc, u->hcol[r] - 1);
	Datum		d = cbr_getattr_fact(htuple, hdesc, u->hcol[r], isnull);

	if (*isnull)
		*v = (Datum) 0;
	else if (att->attbyval || u->htype[r] == TIMESTAMPOID || u->htype[r] == TIMESTAMPTZOID)
		*v = d;					/* by value (a timestamp is read as a DateADT) */
	else
		*v = datumCopy(d, false, att->attlen);	/* may point into a buffer released later */
}

void
cbr_header_values(const CbrHeaderUse *u, TupleDesc hdesc, HeapTuple htuple, Datum *v, bool *isnull)
{
	int			r;

	for (r = 0; r < u->nroles; r++)
		if (u->hcol[r] != InvalidAttrNumber)
			header_role_value(u, r, hdesc, htuple, &v[r], &isnull[r]);
}

/* Are the header key values of htuple equal to keys[] by the key types' equality? */
static bool
header_keys_equal(const CbrHeaderUse *u, TupleDesc hdesc, HeapTuple htuple, const Datum *keys)
{
	int			i;

	for (i = 0; i < u->nkeys; i++)
	{
		bool		isnull;
		Datum		d = heap_getattr(htuple, u->hkey[i], hdesc, &isnull);

		if (isnull ||
			!DatumGetBool(FunctionCall2Coll((FmgrInfo *) &u->eqfn[i], u->collation[i], d, keys[i])))
			return false;
	}
	return true;
}

/*
 * Find the header row whose key equals keys[] in hrel, lock it FOR KEY SHARE
 * and read the roles into v/isnull, using u->slot.  false when there is none.
 */
static bool
header_fetch_locked(const CbrHeaderUse *u, Relation hrel, Snapshot snap, bool xact_snapshot,
					const Datum *keys, Datum *v, bool *isnull, bool *locked)
{
	Relation	irel = index_open(u->index_oid, AccessShareLock);
	TupleDesc	hdesc = RelationGetDescr(hrel);
	TupleTableSlot *slot = u->slot;
	ScanKeyData sk[CBR_HEADER_MAX_KEYS];
	IndexScanDesc scan;
	ItemPointerData tid;
	TM_FailureData tmfd;
	TM_Result	res;
	bool		found;
	int			i;

	for (i = 0; i < u->nkeys; i++)
	{
		int			k = u->by_index[i];

		ScanKeyEntryInitialize(&sk[i], 0, i + 1, BTEqualStrategyNumber, u->subtype[k],
							   u->collation[k], u->eqproc[k], keys[k]);
	}
	scan = cbr_index_beginscan(hrel, irel, snap, u->nkeys, 0);
	index_rescan(scan, sk, u->nkeys, NULL, 0);
	found = index_getnext_slot(scan, ForwardScanDirection, slot);
	index_endscan(scan);
	/* kept to the end of the transaction, as the lock on the header is */
	index_close(irel, NoLock);
	if (!found)
		return false;

	tid = slot->tts_tid;
	cbr_header_values(u, hdesc, ExecFetchSlotHeapTuple(slot, false, NULL), v, isnull);
	res = table_tuple_lock(hrel, &tid, snap, slot, GetCurrentCommandId(false), LockTupleKeyShare,
						   LockWaitBlock, xact_snapshot ? 0 : TUPLE_LOCK_FLAG_FIND_LAST_VERSION, &tmfd);
	*locked = res == TM_Ok;
	switch (res)
	{
		case TM_Ok:
			/* READ COMMITTED: the row may have changed while we waited */
			if (tmfd.traversed)
			{
				HeapTuple	newest = ExecFetchSlotHeapTuple(slot, false, NULL);

				if (!header_keys_equal(u, hdesc, newest, keys))
					return false;
				cbr_header_values(u, hdesc, newest, v, isnull);
			}
			return true;
		case TM_SelfModified:
			/* changed by this very statement: it reads the row as it found it */
			return true;
		case TM_Updated:
			if (xact_snapshot)
				ereport(ERROR,
						(errcode(ERRCODE_T_R_SERIALIZATION_FAILURE),
						 errmsg("could not serialize access due to concurrent update")));
			return false;
		case TM_Deleted:
			if (xact_snapshot)
				ereport(ERROR,
						(errcode(ERRCODE_T_R_SERIALIZATION_FAILURE),
						 errmsg("could not serialize access due to concurrent delete")));
			return false;
		default:
			elog(ERROR, "unexpected result %d locking a declaration header row", (int) res);
	}
	return false;
}

/*
 * The same, opening the header (RowShareLock, kept to the end of the
 * transaction as the row lock is) under the snapshot of the isolation level:
 * READ COMMITTED the latest, REPEATABLE READ and SERIALIZABLE the
 * transaction's.  The slot is cleared whatever happens, so that it never
 * holds a buffer pin an aborted transaction has already released.
 */
static bool
header_fetch(const CbrHeaderUse *u, const Datum *keys, Datum *v, bool *isnull, bool *locked)
{
	bool		xact_snapshot = IsolationUsesXactSnapshot();
	Relation	hrel = table_open(u->relid, RowShareLock);
	Snapshot	snap = RegisterSnapshot(xact_snapshot ? GetTransactionSnapshot() : GetLatestSnapshot());
	bool		found;

	PG_TRY();
	{
		found = header_fetch_locked(u, hrel, snap, xact_snapshot, keys, v, isnull, locked);
	}
	PG_CATCH();
	{
		ExecClearTuple(u->slot);
		PG_RE_THROW();
	}
	PG_END_TRY();
	ExecClearTuple(u->slot);
	UnregisterSnapshot(snap);
	table_close(hrel, NoLock);
	return found;
}

/* "(a, b)=(1, 2)" of the key columns of a returns tuple. */
static char *
header_key_text(const CbrHeaderUse *u, Relation rel, HeapTuple tuple)
{
	StringInfoData names;
	StringInfoData values;
	int			i;

	initStringInfo(&names);
	initStringInfo(&values);
	for (i = 0; i < u->nkeys; i++)
	{
		bool		isnull;
		Datum		d = heap_getattr(tuple, u->key[i], RelationGetDescr(rel), &isnull);
		Oid			out;
		bool		varlena;

		appendStringInfo(&names, "%s%s", i ? ", " : "",
						 quote_identifier(NameStr(TupleDescAttr(RelationGetDescr(rel), u->key[i] - 1)->attname)));
		getTypeOutputInfo(u->keytype[i], &out, &varlena);
		appendStringInfo(&values, "%s%s", i ? ", " : "", isnull ? "null" : OidOutputFunctionCall(out, d));
	}
	return psprintf("(%s)=(%s)", names.data, values.data);
}

int
cbr_header_keys(const CbrHeaderUse *u, AttrNumber *key)
{
	memcpy(key, u->key, sizeof(AttrNumber) * u->nkeys);
	return u->nkeys;
}

bool
cbr_header_lookup(const CbrHeaderUse *u, const Datum *keys, const bool *knull, Datum *v, bool *isnull)
{
	bool		locked = false;
	int			i;
	int			r;

	for (r = 0; r < u->nroles; r++)
		if (u->hcol[r] != InvalidAttrNumber)
		{
			v[r] = (Datum) 0;
			isnull[r] = true;
		}
	/* a return naming no header yet: its facts are not known yet */
	for (i = 0; i < u->nkeys; i++)
		if (knull[i])
			return true;
	/* a row this transaction has locked already cannot have changed (header_cache.c) */
	if (cbr_header_cache_get(&u->shape, keys, v, isnull))
		return true;
	if (!header_fetch(u, keys, v, isnull, &locked))
		return false;
	if (locked)
		cbr_header_cache_put(&u->shape, keys, v, isnull);
	return true;
}

/* The arguments of header_report_missing, for cbr_violation_report_input. */
typedef struct HeaderMissing
{
	const CbrHeaderUse *u;
	TriggerData *trigdata;
	HeapTuple	tuple;
} HeaderMissing;

/* CB014: the key of the return names no row of the header. */
static void
header_report_missing(void *arg)
{
	HeaderMissing *a = (HeaderMissing *) arg;
	const CbrHeaderUse *u = a->u;
	Relation	rel = a->trigdata->tg_relation;
	bool		seen = true;
	int			i;

	for (i = 0; i < u->nkeys; i++)
		seen = seen && cbr_writer_may_see(a->trigdata, u->key[i]);
	ereport(ERROR,
			(errcode(ERRCODE_CBRETURN_HEADER),
			 errmsg("the return names no row of declaration header %s", cbr_header_rel_text(u->relid)),
			 seen
			 ? errdetail("%sits key %s matches no row of %s.", cbr_row_identity_seen(a->trigdata, a->tuple),
						 header_key_text(u, rel, a->tuple), cbr_header_rel_text(u->relid))
			 : errdetail("%sits key matches no row of %s.", cbr_row_identity_seen(a->trigdata, a->tuple),
						 cbr_header_rel_text(u->relid)),
			 errhint("Write the header row first, or correct the key of the return: its checks read the export or release date and the codes from the header row."),
			 errtable(rel)));
}

bool
cbr_header_read(const CbrHeaderUse *u, TriggerData *trigdata, HeapTuple tuple, Datum *v, bool *isnull,
				CbrCheckKind kind)
{
	Relation	rel = trigdata->tg_relation;
	Datum		keys[CBR_HEADER_MAX_KEYS];
	bool		knull[CBR_HEADER_MAX_KEYS];
	HeaderMissing a = {u, trigdata, tuple};
	int			i;

	for (i = 0; i < u->nkeys; i++)
		keys[i] = heap_getattr(tuple, u->key[i], RelationGetDescr(rel), &knull[i]);
	if (cbr_header_lookup(u, keys, knull, v, isnull))
		return true;
	/*
	 * Refused by a write in either mode; listed by cbreturn.violations().
	 * The quantity check (CBR_CHECK_KINDS: a request's status) always refuses.
	 */
	cbr_violation_report_input(kind == CBR_CHECK_KINDS ? NULL : cbr_violations_begin(rel, kind),
							   tuple, "header", header_report_missing, &a);
	return false;
}

bool
cbr_header_visible(const CbrHeaderUse *u)
{
	Oid			user = GetUserId();
	int			r;

	if (check_enable_rls(u->relid, InvalidOid, true) == RLS_ENABLED)
		return false;
	if (pg_class_aclcheck(u->relid, user, ACL_SELECT) == ACLCHECK_OK)
		return true;
	for (r = 0; r < u->nroles; r++)
		if (u->hcol[r] != InvalidAttrNumber &&
			pg_attribute_aclcheck(u->relid, u->hcol[r], user, ACL_SELECT) != ACLCHECK_OK)
			return false;
	return true;
}

void
cbr_header_report_code(const CbrHeaderUse *u, int r, const char *str)
{
	int16		code;
	CbrParseError err;
	const char *col = get_attname(u->relid, u->hcol[r], false);

	if (cbr_parse_code4(str, &code, &err))
		elog(ERROR, "code \"%s\" was unreadable and is now read", str);
	if (!cbr_header_visible(u))
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_TEXT_REPRESENTATION),
				 errmsg("column \"%s\" of declaration header %s holds a code that is not 4 digits",
						col, cbr_header_rel_text(u->relid)),
				 errhint("Customs office and supervision codes have 4 digits, e.g. 2924 or 9610 (R-ID-2, R-ID-3).")));
	ereport(ERROR,
			(errcode(ERRCODE_INVALID_TEXT_REPRESENTATION),
			 errmsg("invalid 4-digit code \"%s\" in column \"%s\" of declaration header %s: %s", str, col,
					cbr_header_rel_text(u->relid), cbr_parse_error_text(&err, str)),
			 errhint("Customs office and supervision codes have 4 digits, e.g. 2924 or 9610 (R-ID-2, R-ID-3).")));
}
