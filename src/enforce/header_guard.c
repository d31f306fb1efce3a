/*
 * header_guard.c
 *		The guard on a declaration header table (see header.h and the notes
 *		on locking in header.c): cbreturn.header_guard(), BEFORE UPDATE OR
 *		DELETE FOR EACH ROW, refuses to delete or re-key a header row that
 *		returns name (CB014) and re-checks the returns of a row whose facts
 *		are corrected, refusing a correction that would break one (CB014).
 *		A partitioned returns table (issue 12) is read leaf by leaf.  A
 *		quantity check reading a return request's status from the header
 *		(rules section 6) has its lines moved in the ledger when the status
 *		crosses its freeing labels (cbr_qty_request_changed, quantity.c).
 */
#include "enforce/header_int.h"
#include "enforce/quantity.h"

#include "access/htup_details.h"
#include "access/tupconvert.h"
#include "access/relation.h"
#include "access/table.h"
#include "access/tableam.h"
#include "access/xact.h"
#include "catalog/pg_class.h"
#include "catalog/partition.h"
#include "catalog/pg_inherits.h"
#include "catalog/pg_operator.h"
#include "executor/spi.h"
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

/* ---------------------------------------------------------------------
 * The guard on a header table
 * --------------------------------------------------------------------- */

/*
 * "row (k)=(v) of s.t" naming a returns tuple by its primary key, when the
 * role writing the header may read every key column and no row security
 * applies to it there; "a row of s.t" otherwise.
 */
static char *
header_return_text_lang(Relation rel, HeapTuple tuple)
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
		return psprintf(_("a row of %s"), cbr_header_rel_text(relid));
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
			return psprintf(_("a row of %s"), cbr_header_rel_text(relid));
		d = heap_getattr(tuple, attnum, desc, &isnull);
		getTypeOutputInfo(TupleDescAttr(desc, attnum - 1)->atttypid, &out, &varlena);
		appendStringInfo(&names, "%s%s", first ? "" : ", ",
						 quote_identifier(NameStr(TupleDescAttr(desc, attnum - 1)->attname)));
		appendStringInfo(&values, "%s%s", first ? "" : ", ", isnull ? "null" : OidOutputFunctionCall(out, d));
		first = false;
	}
	return psprintf(_("row (%s)=(%s) of %s"), names.data, values.data, cbr_header_rel_text(relid));
}

/* The same in the language of the session's messages (cbreturn.language). */
static char *
header_return_text(Relation rel, HeapTuple tuple)
{
	char	   *text;

	cbr_language_begin();
	text = header_return_text_lang(rel, tuple);
	cbr_language_end();
	return text;
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
	appendStringInfo(&sql, "SELECT r.ctid FROM ONLY %s r WHERE ", cbr_header_rel_text(RelationGetRelid(rel)));
	/*
	 * under the collation of the header's key, as the check found the row
	 * (and the recounts and the partition guards compare): a return of 'A'
	 * names the row 'a' of a case-insensitive header key
	 */
	for (i = 0; i < u->nkeys; i++)
		appendStringInfo(&sql, "%sr.%s %s $%d%s", i ? " AND " : "",
						 quote_identifier(NameStr(TupleDescAttr(RelationGetDescr(rel), u->key[i] - 1)->attname)),
						 cbr_operator_sql(u->eqop[i]), i + 1, cbr_collate_sql(u->collation[i]));

	/* read as the returns table's owner, past its row security, as a foreign key's check is */
	GetUserIdAndSecContext(&save_userid, &save_sec);
	SetUserIdAndSecContext(rel->rd_rel->relowner,
						   save_sec | SECURITY_LOCAL_USERID_CHANGE | SECURITY_NOFORCE_RLS);
	if (SPI_connect() != SPI_OK_CONNECT)
		cbr_header_metadata_unreadable("SPI_connect failed");
	plan = SPI_prepare(sql.data, u->nkeys, (Oid *) u->subtype);
	if (plan == NULL)
		cbr_header_metadata_unreadable(psprintf("preparing the returns of a header failed: %s",
												SPI_result_code_string(SPI_result)));
	ret = SPI_execute_snapshot(plan, (Datum *) keys, NULL, GetLatestSnapshot(), InvalidSnapshot,
							   true, false, 0);
	if (ret != SPI_OK_SELECT)
		cbr_header_metadata_unreadable(psprintf("reading the returns of a header failed: %s", SPI_result_code_string(ret)));
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
		cbr_header_metadata_unreadable("SPI_connect failed");
	ret = SPI_execute_with_args(
		"SELECT DISTINCT c.check_kind FROM cbreturn.attached_column c"
		" WHERE c.relation::pg_catalog.oid OPERATOR(pg_catalog.=) $1"
		"   AND c.column_relation::pg_catalog.oid OPERATOR(pg_catalog.=) $2"
		"   AND c.check_kind OPERATOR(pg_catalog.=) ANY ('{export,import}'::pg_catalog.text[])"
		" ORDER BY 1",
		2, argtypes, args, NULL, true, 0);
	if (ret != SPI_OK_SELECT)
		cbr_header_metadata_unreadable(psprintf("reading cbreturn.attached_column failed: %s", SPI_result_code_string(ret)));
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

/* Does the quantity check on relid read its status from the header hrelid (rules section 6)? */
static bool
header_quantity_status(Oid relid, Oid hrelid)
{
	Oid			argtypes[2] = {OIDOID, OIDOID};
	Datum		args[2];
	bool		found;
	int			ret;

	args[0] = ObjectIdGetDatum(relid);
	args[1] = ObjectIdGetDatum(hrelid);
	if (SPI_connect() != SPI_OK_CONNECT)
		cbr_header_metadata_unreadable("SPI_connect failed");
	ret = SPI_execute_with_args(
		"SELECT FROM cbreturn.attached_column c"
		" WHERE c.relation::pg_catalog.oid OPERATOR(pg_catalog.=) $1"
		"   AND c.column_relation::pg_catalog.oid OPERATOR(pg_catalog.=) $2"
		"   AND c.check_kind OPERATOR(pg_catalog.=) 'quantity'"
		"   AND c.role OPERATOR(pg_catalog.=) 'status'",
		2, argtypes, args, NULL, true, 1);
	if (ret != SPI_OK_SELECT)
		cbr_header_metadata_unreadable(psprintf("reading cbreturn.attached_column failed: %s", SPI_result_code_string(ret)));
	found = SPI_processed > 0;
	SPI_finish();
	return found;
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
		cbr_header_metadata_unreadable("SPI_connect failed");
	ret = SPI_execute_with_args(
		"SELECT k.relation::pg_catalog.oid FROM cbreturn.attached_check k"
		" WHERE k.check_kind OPERATOR(pg_catalog.=) 'header'"
		"   AND k.declared_relation::pg_catalog.oid OPERATOR(pg_catalog.=) $1"
		" ORDER BY 1",
		1, argtypes, args, NULL, true, 0);
	if (ret != SPI_OK_SELECT)
		cbr_header_metadata_unreadable(psprintf("reading cbreturn.attached_check failed: %s", SPI_result_code_string(ret)));
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
 * Where the guard raises its lock: the table the row is in (a partition of
 * a partitioned header, issue 12, or the header itself) and the row as it
 * is stored there; escalated once done.
 */
typedef struct GuardLock
{
	Relation	leaf;
	HeapTuple	tuple;
	bool		escalated;
} GuardLock;

pg_noreturn static void header_refuse_rekey(TriggerData *trigdata, Relation hrel, Relation rel, Oid link,
									  ItemPointer tid);
static void header_recheck_returns(TriggerData *trigdata, Relation hrel, Relation rel, List *kinds,
								   List *tids);

/*
 * The guard's work for the returns of one table relid (a leaf partition of
 * link, or link itself) that read their facts from the header row oldt.
 */
static void
header_guard_returns(TriggerData *trigdata, Relation hrel, Oid relid, Oid link, GuardLock *lock,
					 MemoryContext cxt)
{
	TupleDesc	hdesc = RelationGetDescr(hrel);
	bool		deleting = TRIGGER_FIRED_BY_DELETE(trigdata->tg_event);
	HeapTuple	oldt = trigdata->tg_trigtuple;
	HeapTuple	newt = deleting ? NULL : trigdata->tg_newtuple;
	Relation	rel = try_table_open(relid, AccessShareLock);
	CbrCheckMeta hm;
	CbrHeaderUse u;
	AttrNumber	facts[CBR_MAX_ROLES];
	int			nfacts = 0;
	bool		rekey;
	Datum		keys[CBR_HEADER_MAX_KEYS];
	List	   *tids;
	int			i;

	if (rel == NULL)
		return;
	memset(&u, 0, sizeof(u));
	cbr_load_check(relid, "header", &hm, cxt);
	cbr_header_resolve_link(&u, &hm, rel, hrel, cxt);
	for (i = 0; i < hm.ncols; i++)
		if (hm.colrel[i] == RelationGetRelid(hrel) && strncmp(hm.role[i], "header_key_", 11) != 0)
			facts[nfacts++] = hm.attnum[i];

	rekey = deleting || header_changed(hdesc, oldt, newt, u.hkey, u.nkeys);
	if (!rekey && !header_changed(hdesc, oldt, newt, facts, nfacts))
	{
		table_close(rel, AccessShareLock);
		return;
	}
	if (!rekey && !lock->escalated)
	{
		header_lock_exclusive(lock->leaf, lock->tuple);
		lock->escalated = true;
	}
	for (i = 0; i < u.nkeys; i++)
	{
		bool		isnull;

		keys[i] = heap_getattr(oldt, u.hkey[i], hdesc, &isnull);
		if (isnull)
			break;
	}
	/* a header row with a NULL key is named by no return */
	tids = i < u.nkeys ? NIL : header_returns(&u, rel, keys);
	if (tids != NIL && rekey)
		header_refuse_rekey(trigdata, hrel, rel, link, (ItemPointer) linitial(tids));
	if (tids != NIL)
		header_recheck_returns(trigdata, hrel, rel, header_kinds(link, RelationGetRelid(hrel)), tids);
	/* rules section 6: a request's status frees or takes again its returns' quantity */
	if (tids != NIL && !rekey && header_quantity_status(link, RelationGetRelid(hrel)))
		cbr_qty_request_changed(trigdata, rel, tids);
	table_close(rel, AccessShareLock);
}

/* CB014: a header row that returns name is deleted or re-keyed. */
pg_noreturn static void
header_refuse_rekey(TriggerData *trigdata, Relation hrel, Relation rel, Oid link, ItemPointer tid)
{
	bool		deleting = TRIGGER_FIRED_BY_DELETE(trigdata->tg_event);
	TupleTableSlot *slot = table_slot_create(rel, NULL);
	Snapshot	snap = RegisterSnapshot(GetLatestSnapshot());
	char	   *which;
	/* detach(t, 'header') is refused while a check of t reads the header */
	bool		read = header_kinds(link, RelationGetRelid(hrel)) != NIL ||
		header_quantity_status(link, RelationGetRelid(hrel));

	cbr_language_begin();
	which = psprintf(_("a row of %s"), cbr_header_rel_text(RelationGetRelid(rel)));
	cbr_language_end();

	if (table_tuple_fetch_row_version(rel, tid, snap, slot))
		which = header_return_text(rel, ExecFetchSlotHeapTuple(slot, false, NULL));
	ereport(ERROR,
			(errcode(ERRCODE_CBRETURN_HEADER),
			 deleting
			 ? errmsg("cannot delete a row of header %s: returns read their facts from it",
					  cbr_header_rel_text(RelationGetRelid(hrel)))
			 : errmsg("cannot change the key of a row of header %s: returns read their facts from it",
					  cbr_header_rel_text(RelationGetRelid(hrel))),
			 errdetail("%s%s names it.", cbr_row_identity_seen(trigdata, trigdata->tg_trigtuple), which),
			 read ? errhint("Correct or delete its returns first, or detach the checks of %s, which read the header, with the header: SELECT cbreturn.detach(%s);",
							cbr_header_rel_text(link), quote_literal_cstr(cbr_header_rel_text(link)))
			 : errhint("Correct or delete its returns first, or detach the header from them: SELECT cbreturn.detach(%s, 'header');",
					   quote_literal_cstr(cbr_header_rel_text(link))),
			 errtable(hrel)));
}

/*
 * CB014: a return of tids that would fail, with the row as corrected, a rule
 * it passed with the header row as it was (a return stored in record mode
 * may fail others already).
 */
static void
header_recheck_returns(TriggerData *trigdata, Relation hrel, Relation rel, List *kinds, List *tids)
{
	TupleDesc	hdesc = RelationGetDescr(hrel);
	HeapTuple	oldt = trigdata->tg_trigtuple;
	HeapTuple	newt = trigdata->tg_newtuple;
	ListCell   *tc;

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
			bool		(*recheck) (Relation, HeapTuple, TupleDesc, HeapTuple, HeapTuple,
									const char **, int *, char **) =
				strcmp(kind, "export") == 0 ? cbr_export_header_recheck : cbr_import_header_recheck;
			const char *rule = NULL;
			int			code = 0;
			char	   *why = NULL;

			/* a correction may not add a rule the return fails (record mode stores failing ones) */
			if (recheck(rel, rt, hdesc, oldt, newt, &rule, &code, &why))
				continue;
			ereport(ERROR,
					(errcode(ERRCODE_CBRETURN_HEADER),
					 errmsg("correcting a row of header %s would break a return: %s (%s)",
							cbr_header_rel_text(RelationGetRelid(hrel)), rule, unpack_sql_state(code)),
					 /* what the check would say of the return with the corrected row */
					 why != NULL
					 ? errdetail("%s%s passes %s of the %s with the header row as it was; with the row as corrected: %s.",
								 cbr_row_identity_seen(trigdata, oldt), header_return_text(rel, rt), rule,
								 strcmp(kind, "export") == 0 ? _("export check") : _("import check"), why)
					 : errdetail("%s%s passes %s of the %s with the header row as it was and would fail it with the row as corrected.",
								 cbr_row_identity_seen(trigdata, oldt), header_return_text(rel, rt), rule,
								 strcmp(kind, "export") == 0 ? _("export check") : _("import check")),
					 errhint("Correct the return first, or detach its check."),
					 errtable(hrel)));
		}
		UnregisterSnapshot(snap);
		ExecDropSingleTupleTableSlot(slot);
	}
}

/*
 * A partitioned header (issue 12): the guard, which PostgreSQL clones to
 * every partition (those created or attached later too), fires on the
 * partition that holds the row, while the links name the partitioned table.
 * The call as the linked table h sees it: its relation, the rows in its row
 * type (columns by name: a partition may number them otherwise), the
 * updated columns by its numbers.  The rows keep their place (t_self), for
 * the lock, which is taken in the partition.
 */
static TriggerData *
header_guard_as(TriggerData *trigdata, Relation h)
{
	Relation	leaf = trigdata->tg_relation;
	TriggerData *td = palloc(sizeof(TriggerData));
	TupleConversionMap *map;
	Bitmapset  *updated = NULL;
	int			i;

	*td = *trigdata;
	td->tg_relation = h;
	map = convert_tuples_by_name(RelationGetDescr(leaf), RelationGetDescr(h));
	if (map == NULL)
		return td;
	td->tg_trigtuple = execute_attr_map_tuple(trigdata->tg_trigtuple, map);
	td->tg_trigtuple->t_self = trigdata->tg_trigtuple->t_self;
	if (trigdata->tg_newtuple != NULL)
	{
		td->tg_newtuple = execute_attr_map_tuple(trigdata->tg_newtuple, map);
		td->tg_newtuple->t_self = trigdata->tg_newtuple->t_self;
	}
	for (i = 0; i < map->attrMap->maplen; i++)
		if (map->attrMap->attnums[i] > 0 &&
			bms_is_member(map->attrMap->attnums[i] - FirstLowInvalidHeapAttributeNumber,
						  trigdata->tg_updatedcols))
			updated = bms_add_member(updated, i + 1 - FirstLowInvalidHeapAttributeNumber);
	td->tg_updatedcols = updated;
	return td;
}

/*
 * The guard's work for the links of the header h (the table fired on, or a
 * partitioned ancestor of it): every returns table that reads h, leaf by
 * leaf when it is partitioned.
 */
static void
header_guard_links(TriggerData *trigdata, Oid h, GuardLock *lock, MemoryContext cxt)
{
	List	   *links = header_links(h);
	Relation	hrel;
	TriggerData *td;
	ListCell   *lc;

	if (links == NIL)
		return;
	hrel = h == RelationGetRelid(trigdata->tg_relation) ? trigdata->tg_relation
		: table_open(h, AccessShareLock);
	td = hrel == trigdata->tg_relation ? trigdata : header_guard_as(trigdata, hrel);
	foreach(lc, links)
	{
		Oid			link = lfirst_oid(lc);
		ListCell   *pc;

		if (get_rel_relkind(link) != RELKIND_PARTITIONED_TABLE)
		{
			header_guard_returns(td, hrel, link, link, lock, cxt);
			continue;
		}
		foreach(pc, find_all_inheritors(link, AccessShareLock, NULL))
			if (get_rel_relkind(lfirst_oid(pc)) == RELKIND_RELATION)
				header_guard_returns(td, hrel, lfirst_oid(pc), link, lock, cxt);
	}
	if (hrel != trigdata->tg_relation)
		table_close(hrel, AccessShareLock);
}

/*
 * cbreturn.header_guard(): BEFORE UPDATE OR DELETE FOR EACH ROW on a
 * declaration header table.  A row that returns name may not be deleted or
 * re-keyed (CB014, as a foreign key's NO ACTION); a correction of a column
 * a check reads is refused (CB014) when a return of the row that passes
 * its checks with the row as it was would fail them with the row as
 * corrected.  A partitioned returns table (issue 12) is read leaf by leaf,
 * each with its own column numbers.  A partitioned header (issue 12) is
 * guarded from each partition: the links of the partition and of its
 * ancestors.  An UPDATE that moves a row to another partition fires it as
 * an UPDATE and then as a DELETE on the partition the row leaves; the
 * header key holds the partition key (PostgreSQL's unique constraints on a
 * partitioned table must), so such a move re-keys the row, and is refused
 * while returns name it: no return, and no ledger row, is left naming a
 * row that moved.
 */
PG_FUNCTION_INFO_V1(cbr_header_guard);
Datum
cbr_header_guard(PG_FUNCTION_ARGS)
{
	TriggerData *trigdata = cbr_trigger_protocol(fcinfo, "header_guard", CBR_FIRE_BEFORE, true);
	Relation	hrel = trigdata->tg_relation;
	bool		deleting = TRIGGER_FIRED_BY_DELETE(trigdata->tg_event);
	GuardLock	lock = {hrel, trigdata->tg_trigtuple, false};
	MemoryContext cxt = AllocSetContextCreate(CurrentMemoryContext, "cbreturn header guard",
											  ALLOCSET_SMALL_SIZES);
	MemoryContext oldcxt = MemoryContextSwitchTo(cxt);
	ListCell   *lc;

	/* attach_header fires it for UPDATE and DELETE only; an INSERT has no returns to guard */
	if (TRIGGER_FIRED_BY_INSERT(trigdata->tg_event))
		ereport(ERROR,
				(errcode(ERRCODE_E_R_I_E_TRIGGER_PROTOCOL_VIOLATED),
				 errmsg("function \"%s\" must be fired for UPDATE or DELETE", "header_guard")));
	/* this transaction changes a header row: the rows it locked are read afresh (header_cache.c) */
	cbr_header_cache_forget();
	header_guard_links(trigdata, RelationGetRelid(hrel), &lock, cxt);
	if (hrel->rd_rel->relispartition)
		foreach(lc, get_partition_ancestors(RelationGetRelid(hrel)))
			header_guard_links(trigdata, lfirst_oid(lc), &lock, cxt);
	MemoryContextSwitchTo(oldcxt);
	MemoryContextDelete(cxt);
	return PointerGetDatum(deleting ? trigdata->tg_trigtuple : trigdata->tg_newtuple);
}
