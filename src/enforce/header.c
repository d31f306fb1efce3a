/*
 * header.c
 *		Facts read from a declaration header (see header.h): finding and
 *		locking a return's header row, and reading the roles a check takes
 *		from it.  Resolving the link a check reads through is
 *		header_link.c; the guard on the header table is header_guard.c.
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
 * The values of the roles in a row of t (read in t's row type), as the
 * header's row type gives them: a partition's row is mapped by column name
 * first (issue 12).
 */
static void
header_target_values(const CbrHeaderUse *u, const CbrHeaderTarget *t, HeapTuple tuple, Datum *v,
					 bool *isnull)
{
	HeapTuple	mapped;

	if (t->map == NULL)
	{
		cbr_header_values(u, RelationGetDescr(t->rel), tuple, v, isnull);
		return;
	}
	mapped = execute_attr_map_tuple(tuple, t->map);
	cbr_header_values(u, t->map->outdesc, mapped, v, isnull);
	heap_freetuple(mapped);
}

/* Does the key of a row of t equal keys[] (read in the header's row type)? */
static bool
header_target_keys_equal(const CbrHeaderUse *u, const CbrHeaderTarget *t, HeapTuple tuple,
						 const Datum *keys)
{
	HeapTuple	mapped;
	bool		equal;

	if (t->map == NULL)
		return header_keys_equal(u, RelationGetDescr(t->rel), tuple, keys);
	mapped = execute_attr_map_tuple(tuple, t->map);
	equal = header_keys_equal(u, t->map->outdesc, mapped, keys);
	heap_freetuple(mapped);
	return equal;
}

/*
 * Find the header row whose key equals keys[] in t (the header, or one leaf
 * partition of it), lock it FOR KEY SHARE and read the roles into v/isnull,
 * using t's slot.  false when there is none.
 */
static bool
header_fetch_locked(const CbrHeaderUse *u, const CbrHeaderTarget *t, Snapshot snap, bool xact_snapshot,
					const Datum *keys, Datum *v, bool *isnull, bool *locked)
{
	Relation	hrel = t->rel;
	Relation	irel = index_open(t->index_oid, AccessShareLock);
	TupleTableSlot *slot = t->slot;
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
	header_target_values(u, t, ExecFetchSlotHeapTuple(slot, false, NULL), v, isnull);
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

				if (!header_target_keys_equal(u, t, newest, keys))
					return false;
				header_target_values(u, t, newest, v, isnull);
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
			/* TM_Invisible: the row moved under the lock; retrying the transaction finds it */
			ereport(ERROR,
					(errcode(ERRCODE_T_R_SERIALIZATION_FAILURE),
					 errmsg("could not serialize access due to concurrent update"),
					 errdetail_internal("locking a header row gave result %d", (int) res)));
	}
	return false;
}

/*
 * The same; the slot is cleared whatever happens, so that it never holds a
 * buffer pin an aborted transaction has already released.
 */
bool
cbr_header_fetch_in(const CbrHeaderUse *u, const CbrHeaderTarget *t, Snapshot snap, bool xact_snapshot,
					const Datum *keys, Datum *v, bool *isnull, bool *locked)
{
	bool		found;

	PG_TRY();
	{
		found = header_fetch_locked(u, t, snap, xact_snapshot, keys, v, isnull, locked);
	}
	PG_CATCH();
	{
		ExecClearTuple(t->slot);
		PG_RE_THROW();
	}
	PG_END_TRY();
	ExecClearTuple(t->slot);
	return found;
}

/*
 * The same, opening the header (RowShareLock, kept to the end of the
 * transaction as the row lock is) under the snapshot of the isolation level:
 * READ COMMITTED the latest, REPEATABLE READ and SERIALIZABLE the
 * transaction's.  A partitioned header (issue 12) is read in whichever leaf
 * partition holds the row (header_parts.c).
 */
static bool
header_fetch(const CbrHeaderUse *u, const Datum *keys, Datum *v, bool *isnull, bool *locked)
{
	bool		xact_snapshot = IsolationUsesXactSnapshot();
	Relation	hrel = table_open(u->relid, RowShareLock);
	Snapshot	snap = RegisterSnapshot(xact_snapshot ? GetTransactionSnapshot() : GetLatestSnapshot());
	bool		found;

	if (u->parts != NULL)
		found = cbr_header_parts_fetch(u, hrel, snap, xact_snapshot, keys, v, isnull, locked);
	else
	{
		CbrHeaderTarget t = {hrel, u->index_oid, u->slot, NULL};

		found = cbr_header_fetch_in(u, &t, snap, xact_snapshot, keys, v, isnull, locked);
	}
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
			 errmsg("the return names no row of header %s", cbr_header_rel_text(u->relid)),
			 seen
			 ? errdetail("%sits key %s matches no row of %s.", cbr_row_identity_seen(a->trigdata, a->tuple),
						 header_key_text(u, rel, a->tuple), cbr_header_rel_text(u->relid))
			 : errdetail("%sits key matches no row of %s.", cbr_row_identity_seen(a->trigdata, a->tuple),
						 cbr_header_rel_text(u->relid)),
			 errhint("Write the header row first, or correct the key of the return: its checks read the export or release date and the codes from the header row."),
			 errtable(rel)));
}

void
cbr_header_row_missing(const CbrHeaderUse *u)
{
	ereport(ERROR,
			(errcode(ERRCODE_CBRETURN_HEADER),
			 errmsg("the return names no row of header %s", cbr_header_rel_text(u->relid))));
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

Oid
cbr_header_relid(const CbrHeaderUse *u)
{
	return u->relid;
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
cbr_header_report_code(const CbrHeaderUse *u, int r, const char *str, const char *row)
{
	int16		code;
	CbrParseError err;
	const char *col = get_attname(u->relid, u->hcol[r], false);

	if (cbr_parse_code4(str, &code, &err))
		elog(ERROR, "code \"%s\" was unreadable and is now read", str);
	if (!cbr_header_visible(u))
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_TEXT_REPRESENTATION),
				 errmsg("column \"%s\" of header %s holds a code that is not 4 digits",
						col, cbr_header_rel_text(u->relid)),
				 errdetail("%sthe code is read from its header row.", row),
				 errhint("Customs office and supervision codes have 4 digits, e.g. 2924 or 9610 (R-ID-2, R-ID-3).")));
	ereport(ERROR,
			(errcode(ERRCODE_INVALID_TEXT_REPRESENTATION),
			 errmsg("invalid 4-digit code \"%s\" in column \"%s\" of header %s: %s", str, col,
					cbr_header_rel_text(u->relid), cbr_parse_error_text(&err, str)),
			 errdetail("%sthe code is read from its header row.", row),
			 errhint("Customs office and supervision codes have 4 digits, e.g. 2924 or 9610 (R-ID-2, R-ID-3).")));
}

/*
 * The caller may read what the checks of relid read in a declaration header
 * (its key and the facts, cbreturn.attach_header): a verdict follows from
 * them (a late return tells how old the export date is), so a caller who
 * may not read them gets none (42501), as the assessments refuse one
 * (assess_scan.c).  Row security on the header hides its rows: refused too.
 */
void
cbr_header_require_select(Oid relid, Oid role)
{
	Oid			argtypes[1] = {OIDOID};
	Datum		args[1] = {ObjectIdGetDatum(relid)};
	Oid			denied = InvalidOid;
	uint64		i;

	if (SPI_connect() != SPI_OK_CONNECT)
		cbr_header_metadata_unreadable("SPI_connect failed");
	if (SPI_execute_with_args(
			"SELECT DISTINCT c.column_relation::pg_catalog.oid, c.column_attnum FROM cbreturn.attached_column c"
			" WHERE (c.relation::pg_catalog.oid OPERATOR(pg_catalog.=) $1"
			"        OR c.relation IN (SELECT pg_catalog.pg_partition_ancestors($1::pg_catalog.regclass)))"
			"   AND c.check_kind OPERATOR(pg_catalog.<>) 'quantity'"
			"   AND c.column_relation OPERATOR(pg_catalog.<>) c.relation"
			" ORDER BY 1, 2",
			1, argtypes, args, NULL, true, 0) != SPI_OK_SELECT)
		cbr_header_metadata_unreadable("reading cbreturn.attached_column failed");
	for (i = 0; i < SPI_processed && !OidIsValid(denied); i++)
	{
		bool		isnull;
		Oid			header = DatumGetObjectId(SPI_getbinval(SPI_tuptable->vals[i], SPI_tuptable->tupdesc, 1, &isnull));
		AttrNumber	att = DatumGetInt16(SPI_getbinval(SPI_tuptable->vals[i], SPI_tuptable->tupdesc, 2, &isnull));

		if (check_enable_rls(header, InvalidOid, true) == RLS_ENABLED ||
			(pg_class_aclcheck(header, role, ACL_SELECT) != ACLCHECK_OK &&
			 pg_attribute_aclcheck(header, att, role, ACL_SELECT) != ACLCHECK_OK))
			denied = header;
	}
	SPI_finish();
	if (OidIsValid(denied))
		ereport(ERROR,
				(errcode(ERRCODE_INSUFFICIENT_PRIVILEGE),
				 errmsg("permission denied for table %s", cbr_relation_text(denied)),
				 errdetail("The checks on table %s read facts of its returns from this header, and which rows break them follows from those facts.",
						   cbr_relation_text(relid))));
}

void
cbr_header_metadata_unreadable(const char *what)
{
	ereport(ERROR,
			(errcode(ERRCODE_OBJECT_NOT_IN_PREREQUISITE_STATE),
			 errmsg("cannot read the metadata of the header links"),
			 errdetail_internal("%s", what)));
}
