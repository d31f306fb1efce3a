/*
 * header.c
 *		Facts read from a declaration header (see header.h): resolving the
 *		link a check reads through, finding and locking a return's header
 *		row, and the guard on the header table.
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
#include "enforce/header.h"
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

struct CbrHeaderUse
{
	Oid			relid;			/* the header table */
	Oid			owner;			/* its owner, whose rights read it */
	Oid			index_oid;		/* unique btree index on exactly the header key */
	int			nkeys;
	AttrNumber	key[CBR_HEADER_MAX_KEYS];	/* the returns table's key columns */
	AttrNumber	hkey[CBR_HEADER_MAX_KEYS];	/* the header's, in the same order */
	Oid			keytype[CBR_HEADER_MAX_KEYS];
	int			by_index[CBR_HEADER_MAX_KEYS];	/* key of index column i + 1 */
	Oid			eqop[CBR_HEADER_MAX_KEYS];	/* by key: the type's equality */
	Oid			eqproc[CBR_HEADER_MAX_KEYS];
	Oid			subtype[CBR_HEADER_MAX_KEYS];
	Oid			collation[CBR_HEADER_MAX_KEYS];
	FmgrInfo	eqfn[CBR_HEADER_MAX_KEYS];
	/*
	 * A slot for the header's rows, over a copy of its row type that is not
	 * reference-counted: made once with the config, so that a lookup does
	 * not pin and release a tuple descriptor (resource owner bookkeeping was
	 * the largest cost of a lookup).  Cleared after every use, so it never
	 * keeps a buffer pinned between rows.
	 */
	TupleTableSlot *slot;
	int			nroles;			/* the check's roles */
	AttrNumber	hcol[CBR_MAX_ROLES];	/* header column of role r, 0: not from the header */
	Oid			htype[CBR_MAX_ROLES];
};

/* A relation's schema-qualified, quoted name for messages. */
static char *
header_rel_text(Oid relid)
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
			 errmsg("the declaration header of table %s cannot be read: %s", header_rel_text(relid), _(why)),
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
						header_rel_text(u->relid),
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
static void
header_resolve_link(CbrHeaderUse *u, const CbrCheckMeta *hm, Relation rel, Relation hrel,
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
						header_rel_text(u->relid)),
				 errdetail("The checks find the header row of a return with the equality of its key types, as a foreign key does."),
				 errhint("Add a primary key or unique constraint on exactly the header key columns.")));
	if (check_enable_rls(u->relid, u->owner, true) == RLS_ENABLED)
		ereport(ERROR,
				(errcode(ERRCODE_FEATURE_NOT_SUPPORTED),
				 errmsg("row security applies to the owner of declaration header %s", header_rel_text(u->relid)),
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
	header_resolve_link(u, &hm, rel, hrel, cxt);
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
	header_resolve_link(&u, &hm, rel, hrel, CurrentMemoryContext);
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
					const Datum *keys, Datum *v, bool *isnull)
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
	scan = index_beginscan(hrel, irel, snap, u->nkeys, 0);
	index_rescan(scan, sk, u->nkeys, NULL, 0);
	found = index_getnext_slot(scan, ForwardScanDirection, slot);
	index_endscan(scan);
	index_close(irel, AccessShareLock);
	if (!found)
		return false;

	tid = slot->tts_tid;
	cbr_header_values(u, hdesc, ExecFetchSlotHeapTuple(slot, false, NULL), v, isnull);
	res = table_tuple_lock(hrel, &tid, snap, slot, GetCurrentCommandId(false), LockTupleKeyShare,
						   LockWaitBlock, xact_snapshot ? 0 : TUPLE_LOCK_FLAG_FIND_LAST_VERSION, &tmfd);
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
header_fetch(const CbrHeaderUse *u, const Datum *keys, Datum *v, bool *isnull)
{
	bool		xact_snapshot = IsolationUsesXactSnapshot();
	Relation	hrel = table_open(u->relid, RowShareLock);
	Snapshot	snap = RegisterSnapshot(xact_snapshot ? GetTransactionSnapshot() : GetLatestSnapshot());
	bool		found;

	PG_TRY();
	{
		found = header_fetch_locked(u, hrel, snap, xact_snapshot, keys, v, isnull);
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
			 errmsg("the return names no row of declaration header %s", header_rel_text(u->relid)),
			 seen
			 ? errdetail("%sits key %s matches no row of %s.", cbr_row_identity_seen(a->trigdata, a->tuple),
						 header_key_text(u, rel, a->tuple), header_rel_text(u->relid))
			 : errdetail("%sits key matches no row of %s.", cbr_row_identity_seen(a->trigdata, a->tuple),
						 header_rel_text(u->relid)),
			 errhint("Write the header row first, or correct the key of the return: its checks read the export or release date and the codes from the header row."),
			 errtable(rel)));
}

bool
cbr_header_read(const CbrHeaderUse *u, TriggerData *trigdata, HeapTuple tuple, Datum *v, bool *isnull,
				CbrCheckKind kind)
{
	Relation	rel = trigdata->tg_relation;
	Datum		keys[CBR_HEADER_MAX_KEYS];
	HeaderMissing a = {u, trigdata, tuple};
	int			i;
	int			r;

	for (r = 0; r < u->nroles; r++)
		if (u->hcol[r] != InvalidAttrNumber)
		{
			v[r] = (Datum) 0;
			isnull[r] = true;
		}
	for (i = 0; i < u->nkeys; i++)
	{
		bool		knull;

		keys[i] = heap_getattr(tuple, u->key[i], RelationGetDescr(rel), &knull);
		/* a return naming no header yet: its facts are not known yet */
		if (knull)
			return true;
	}
	if (header_fetch(u, keys, v, isnull))
		return true;
	/* refused by a write in either mode; listed by cbreturn.violations() */
	cbr_violation_report_input(cbr_violations_begin(rel, kind), tuple, "header",
							   header_report_missing, &a);
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
						col, header_rel_text(u->relid)),
				 errhint("Customs office and supervision codes have 4 digits, e.g. 2924 or 9610 (R-ID-2, R-ID-3).")));
	ereport(ERROR,
			(errcode(ERRCODE_INVALID_TEXT_REPRESENTATION),
			 errmsg("invalid 4-digit code \"%s\" in column \"%s\" of declaration header %s: %s", str, col,
					header_rel_text(u->relid), cbr_parse_error_text(&err, str)),
			 errhint("Customs office and supervision codes have 4 digits, e.g. 2924 or 9610 (R-ID-2, R-ID-3).")));
}

/* ---------------------------------------------------------------------
 * The guard on a header table
 * --------------------------------------------------------------------- */

/* "OPERATOR(schema.=)" for an operator, for SQL built here. */
static char *
header_operator_sql(Oid op)
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

/*
 * "row (k)=(v) of s.t" naming a returns tuple by its primary key, when the
 * role writing the header may read every key column and no row security
 * applies to it there; "a row of s.t" otherwise.
 */
static char *
header_return_text(Relation rel, HeapTuple tuple)
{
	Bitmapset  *pk = RelationGetIndexAttrBitmap(rel, INDEX_ATTR_BITMAP_PRIMARY_KEY);
	TupleDesc	desc = RelationGetDescr(rel);
	Oid			relid = RelationGetRelid(rel);
	Oid			user = GetUserId();
	StringInfoData names;
	StringInfoData values;
	int			x = -1;
	bool		first = true;

	if (pk == NULL || check_enable_rls(relid, InvalidOid, true) == RLS_ENABLED)
		return psprintf(_("a row of %s"), header_rel_text(relid));
	initStringInfo(&names);
	initStringInfo(&values);
	while ((x = bms_next_member(pk, x)) >= 0)
	{
		AttrNumber	attnum = x + FirstLowInvalidHeapAttributeNumber;
		bool		isnull;
		Datum		d;
		Oid			out;
		bool		varlena;

		if (attnum <= 0)
			continue;
		if (pg_class_aclcheck(relid, user, ACL_SELECT) != ACLCHECK_OK &&
			pg_attribute_aclcheck(relid, attnum, user, ACL_SELECT) != ACLCHECK_OK)
			return psprintf(_("a row of %s"), header_rel_text(relid));
		d = heap_getattr(tuple, attnum, desc, &isnull);
		getTypeOutputInfo(TupleDescAttr(desc, attnum - 1)->atttypid, &out, &varlena);
		appendStringInfo(&names, "%s%s", first ? "" : ", ",
						 quote_identifier(NameStr(TupleDescAttr(desc, attnum - 1)->attname)));
		appendStringInfo(&values, "%s%s", first ? "" : ", ", isnull ? "null" : OidOutputFunctionCall(out, d));
		first = false;
	}
	return psprintf(_("row (%s)=(%s) of %s"), names.data, values.data, header_rel_text(relid));
}

/* The returns of rel whose key equals the header key values keys[] (latest snapshot), as TIDs. */
static List *
header_returns(const CbrHeaderUse *u, Relation rel, const Datum *keys)
{
	MemoryContext into = CurrentMemoryContext;
	StringInfoData sql;
	Oid			save_userid;
	int			save_sec;
	SPIPlanPtr	plan;
	List	   *tids = NIL;
	int			ret;
	uint64		j;
	int			i;

	initStringInfo(&sql);
	appendStringInfo(&sql, "SELECT r.ctid FROM ONLY %s r WHERE ", header_rel_text(RelationGetRelid(rel)));
	for (i = 0; i < u->nkeys; i++)
		appendStringInfo(&sql, "%sr.%s %s $%d", i ? " AND " : "",
						 quote_identifier(NameStr(TupleDescAttr(RelationGetDescr(rel), u->key[i] - 1)->attname)),
						 header_operator_sql(u->eqop[i]), i + 1);

	/* read as the returns table's owner, past its row security, as a foreign key's check is */
	GetUserIdAndSecContext(&save_userid, &save_sec);
	SetUserIdAndSecContext(rel->rd_rel->relowner,
						   save_sec | SECURITY_LOCAL_USERID_CHANGE | SECURITY_NOFORCE_RLS);
	if (SPI_connect() != SPI_OK_CONNECT)
		elog(ERROR, "SPI_connect failed");
	plan = SPI_prepare(sql.data, u->nkeys, (Oid *) u->subtype);
	if (plan == NULL)
		elog(ERROR, "preparing the returns of a declaration header failed: %s",
			 SPI_result_code_string(SPI_result));
	ret = SPI_execute_snapshot(plan, (Datum *) keys, NULL, GetLatestSnapshot(), InvalidSnapshot,
							   true, false, 0);
	if (ret != SPI_OK_SELECT)
		elog(ERROR, "reading the returns of a declaration header failed: %s", SPI_result_code_string(ret));
	for (j = 0; j < SPI_processed; j++)
	{
		bool		isnull;
		ItemPointer tid = (ItemPointer) DatumGetPointer(SPI_getbinval(SPI_tuptable->vals[j],
																	 SPI_tuptable->tupdesc, 1, &isnull));
		ItemPointer copy = MemoryContextAlloc(into, sizeof(ItemPointerData));
		MemoryContext spicxt = MemoryContextSwitchTo(into);

		ItemPointerCopy(tid, copy);
		tids = lappend(tids, copy);
		MemoryContextSwitchTo(spicxt);
	}
	SPI_finish();
	SetUserIdAndSecContext(save_userid, save_sec);
	return tids;
}

/* The check kinds on rel that read from the header hrelid. */
static List *
header_kinds(Oid relid, Oid hrelid)
{
	MemoryContext into = CurrentMemoryContext;
	Oid			argtypes[2] = {OIDOID, OIDOID};
	Datum		args[2];
	List	   *kinds = NIL;
	uint64		j;
	int			ret;

	args[0] = ObjectIdGetDatum(relid);
	args[1] = ObjectIdGetDatum(hrelid);
	if (SPI_connect() != SPI_OK_CONNECT)
		elog(ERROR, "SPI_connect failed");
	ret = SPI_execute_with_args(
		"SELECT DISTINCT c.check_kind FROM cbreturn.attached_column c"
		" WHERE c.relation::pg_catalog.oid OPERATOR(pg_catalog.=) $1"
		"   AND c.column_relation::pg_catalog.oid OPERATOR(pg_catalog.=) $2"
		"   AND c.check_kind OPERATOR(pg_catalog.=) ANY ('{export,import}'::pg_catalog.text[])"
		" ORDER BY 1",
		2, argtypes, args, NULL, true, 0);
	if (ret != SPI_OK_SELECT)
		elog(ERROR, "reading cbreturn.attached_column failed: %s", SPI_result_code_string(ret));
	for (j = 0; j < SPI_processed; j++)
	{
		char	   *kind = MemoryContextStrdup(into, SPI_getvalue(SPI_tuptable->vals[j], SPI_tuptable->tupdesc, 1));
		MemoryContext spicxt = MemoryContextSwitchTo(into);

		kinds = lappend(kinds, kind);
		MemoryContextSwitchTo(spicxt);
	}
	SPI_finish();
	return kinds;
}

/* The returns tables linked to the header hrelid. */
static List *
header_links(Oid hrelid)
{
	MemoryContext into = CurrentMemoryContext;
	Oid			argtypes[1] = {OIDOID};
	Datum		args[1];
	List	   *links = NIL;
	uint64		j;
	int			ret;

	args[0] = ObjectIdGetDatum(hrelid);
	if (SPI_connect() != SPI_OK_CONNECT)
		elog(ERROR, "SPI_connect failed");
	ret = SPI_execute_with_args(
		"SELECT k.relation::pg_catalog.oid FROM cbreturn.attached_check k"
		" WHERE k.check_kind OPERATOR(pg_catalog.=) 'header'"
		"   AND k.declared_relation::pg_catalog.oid OPERATOR(pg_catalog.=) $1"
		" ORDER BY 1",
		1, argtypes, args, NULL, true, 0);
	if (ret != SPI_OK_SELECT)
		elog(ERROR, "reading cbreturn.attached_check failed: %s", SPI_result_code_string(ret));
	for (j = 0; j < SPI_processed; j++)
	{
		bool		isnull;
		Oid			relid = DatumGetObjectId(SPI_getbinval(SPI_tuptable->vals[j], SPI_tuptable->tupdesc, 1, &isnull));
		MemoryContext spicxt = MemoryContextSwitchTo(into);

		links = lappend_oid(links, relid);
		MemoryContextSwitchTo(spicxt);
	}
	SPI_finish();
	return links;
}

/* Did any of the header columns attnums[] change between the two rows (stored bytes)? */
static bool
header_changed(TupleDesc desc, HeapTuple a, HeapTuple b, const AttrNumber *attnums, int n)
{
	int			i;

	for (i = 0; i < n; i++)
	{
		Form_pg_attribute att = TupleDescAttr(desc, attnums[i] - 1);
		bool		anull;
		bool		bnull;
		Datum		av = heap_getattr(a, attnums[i], desc, &anull);
		Datum		bv = heap_getattr(b, attnums[i], desc, &bnull);

		if (anull != bnull || (!anull && !datumIsEqual(av, bv, att->attbyval, att->attlen)))
			return true;
	}
	return false;
}

/*
 * Raise the lock the UPDATE holds on the header row to FOR UPDATE, which
 * waits for every transaction that read the row FOR KEY SHARE (see top).
 */
static void
header_lock_exclusive(Relation hrel, HeapTuple tuple)
{
	TupleTableSlot *slot = table_slot_create(hrel, NULL);
	Snapshot	snap = RegisterSnapshot(GetLatestSnapshot());
	TM_FailureData tmfd;
	TM_Result	res;

	res = table_tuple_lock(hrel, &tuple->t_self, snap, slot, GetCurrentCommandId(false),
						   LockTupleExclusive, LockWaitBlock, 0, &tmfd);
	/* a row this statement wrote itself has no other reader to wait for */
	if (res != TM_Ok && res != TM_SelfModified && res != TM_Invisible)
		ereport(ERROR,
				(errcode(ERRCODE_T_R_SERIALIZATION_FAILURE),
				 errmsg("could not serialize access due to concurrent update")));
	UnregisterSnapshot(snap);
	ExecDropSingleTupleTableSlot(slot);
}

/*
 * cbreturn.header_guard(): BEFORE UPDATE OR DELETE FOR EACH ROW on a
 * declaration header table.  A row that returns name may not be deleted or
 * re-keyed (CB014, as a foreign key's NO ACTION); a correction of a column
 * a check reads is refused (CB014) when a return of the row that passes
 * its checks with the row as it was would fail them with the row as
 * corrected.
 */
PG_FUNCTION_INFO_V1(cbr_header_guard);
Datum
cbr_header_guard(PG_FUNCTION_ARGS)
{
	TriggerData *trigdata = cbr_trigger_protocol(fcinfo, "header_guard", CBR_FIRE_BEFORE, true);
	Relation	hrel = trigdata->tg_relation;
	TupleDesc	hdesc = RelationGetDescr(hrel);
	bool		deleting = TRIGGER_FIRED_BY_DELETE(trigdata->tg_event);
	HeapTuple	oldt = trigdata->tg_trigtuple;
	HeapTuple	newt = deleting ? NULL : trigdata->tg_newtuple;
	bool		escalated = false;
	MemoryContext cxt = AllocSetContextCreate(CurrentMemoryContext, "cbreturn header guard",
											  ALLOCSET_SMALL_SIZES);
	MemoryContext oldcxt = MemoryContextSwitchTo(cxt);
	ListCell   *lc;

	foreach(lc, header_links(RelationGetRelid(hrel)))
	{
		Oid			relid = lfirst_oid(lc);
		Relation	rel = try_table_open(relid, AccessShareLock);
		CbrCheckMeta hm;
		CbrHeaderUse u;
		AttrNumber	facts[CBR_MAX_ROLES];
		int			nfacts = 0;
		bool		rekey;
		Datum		keys[CBR_HEADER_MAX_KEYS];
		List	   *tids;
		List	   *kinds;
		ListCell   *tc;
		int			i;

		if (rel == NULL)
			continue;
		memset(&u, 0, sizeof(u));
		cbr_load_check(relid, "header", &hm, cxt);
		header_resolve_link(&u, &hm, rel, hrel, cxt);
		for (i = 0; i < hm.ncols; i++)
			if (hm.colrel[i] == RelationGetRelid(hrel) && strncmp(hm.role[i], "header_key_", 11) != 0)
				facts[nfacts++] = hm.attnum[i];

		rekey = deleting || header_changed(hdesc, oldt, newt, u.hkey, u.nkeys);
		if (!rekey && !header_changed(hdesc, oldt, newt, facts, nfacts))
		{
			table_close(rel, AccessShareLock);
			continue;
		}
		if (!rekey && !escalated)
		{
			header_lock_exclusive(hrel, oldt);
			escalated = true;
		}
		for (i = 0; i < u.nkeys; i++)
		{
			bool		isnull;

			keys[i] = heap_getattr(oldt, u.hkey[i], hdesc, &isnull);
			if (isnull)
				break;
		}
		/* a header row with a NULL key is named by no return */
		if (i < u.nkeys)
		{
			table_close(rel, AccessShareLock);
			continue;
		}
		tids = header_returns(&u, rel, keys);
		if (tids == NIL)
		{
			table_close(rel, AccessShareLock);
			continue;
		}
		if (rekey)
		{
			TupleTableSlot *slot = table_slot_create(rel, NULL);
			Snapshot	snap = RegisterSnapshot(GetLatestSnapshot());
			char	   *which = psprintf(_("a row of %s"), header_rel_text(relid));

			if (table_tuple_fetch_row_version(rel, (ItemPointer) linitial(tids), snap, slot))
				which = header_return_text(rel, ExecFetchSlotHeapTuple(slot, false, NULL));
			ereport(ERROR,
					(errcode(ERRCODE_CBRETURN_HEADER),
					 deleting
					 ? errmsg("cannot delete a row of declaration header %s: returns read their facts from it",
							  header_rel_text(RelationGetRelid(hrel)))
					 : errmsg("cannot change the key of a row of declaration header %s: returns read their facts from it",
							  header_rel_text(RelationGetRelid(hrel))),
					 errdetail("%s%s names it.", cbr_row_identity_seen(trigdata, oldt), which),
					 errhint("Correct or delete its returns first, or detach the header from them: SELECT cbreturn.detach(%s, 'header');",
							 quote_literal_cstr(header_rel_text(relid))),
					 errtable(hrel)));
		}
		kinds = header_kinds(relid, RelationGetRelid(hrel));
		foreach(tc, tids)
		{
			TupleTableSlot *slot = table_slot_create(rel, NULL);
			Snapshot	snap = RegisterSnapshot(GetLatestSnapshot());
			ListCell   *kc;

			if (!table_tuple_fetch_row_version(rel, (ItemPointer) lfirst(tc), snap, slot))
			{
				UnregisterSnapshot(snap);
				ExecDropSingleTupleTableSlot(slot);
				continue;
			}
			foreach(kc, kinds)
			{
				const char *kind = (const char *) lfirst(kc);
				HeapTuple	rt = ExecFetchSlotHeapTuple(slot, false, NULL);
				bool		(*recheck) (Relation, HeapTuple, TupleDesc, HeapTuple, const char **, int *) =
					strcmp(kind, "export") == 0 ? cbr_export_header_recheck : cbr_import_header_recheck;
				const char *rule = NULL;
				const char *was_rule = NULL;
				int			code = 0;
				int			was_code = 0;

				if (recheck(rel, rt, hdesc, newt, &rule, &code) ||
					!recheck(rel, rt, hdesc, oldt, &was_rule, &was_code))
					continue;
				ereport(ERROR,
						(errcode(ERRCODE_CBRETURN_HEADER),
						 errmsg("correcting a row of declaration header %s would break a return: %s (%s)",
								header_rel_text(RelationGetRelid(hrel)), rule, unpack_sql_state(code)),
						 errdetail("%s%s passes the %s check with the header row as it was and would fail %s with the row as corrected.",
								   cbr_row_identity_seen(trigdata, oldt), header_return_text(rel, rt), kind, rule),
						 errhint("Correct the return first, or detach its check."),
						 errtable(hrel)));
			}
			UnregisterSnapshot(snap);
			ExecDropSingleTupleTableSlot(slot);
		}
		table_close(rel, AccessShareLock);
	}
	MemoryContextSwitchTo(oldcxt);
	MemoryContextDelete(cxt);
	return PointerGetDatum(deleting ? oldt : newt);
}
