/*
 * quantity_write.c
 *		Moving a declared line's counter in the quantity ledger for one
 *		return, and deciding R-EX-3 / R-IM-2 on the line once its ledger
 *		row is the write's (see quantity.c for the design).
 *
 * Shared by the check on a returns table (quantity.c) and by the status of
 * a return request that frees or charges its lines (quantity_request.c).
 * The ledger row is moved in place when it exists (quantity_ledger_row.c),
 * through prepared SPI statements otherwise (a line's first return, a
 * ledger the direct path does not know).
 */
#include "enforce/quantity_int.h"

#include "access/xact.h"
#include "common/int.h"
#include "executor/spi.h"
#include "miscadmin.h"
#include "utils/builtins.h"
#include "utils/fmgrprotos.h"
#include "utils/numeric.h"
#include "utils/snapmgr.h"

static void
write_connect(QtyWrite *w)
{
	if (w->connected)
		return;
	if (SPI_connect() != SPI_OK_CONNECT)
		elog(ERROR, "SPI_connect failed");
	w->connected = true;
}

/*
 * Set while a write reads a declared line through the row security of the
 * declared table (cbr_qty_write_find): the policies run code of the table's
 * owner between the ledger row found (or locked) and its new version.
 */
static bool reading_declared = false;

/*
 * R-EX-3, R-IM-2: a return or a declared line written by a policy of the
 * declared table while a write reads it would move the ledger row that
 * write decided on, under its feet (the write would then fail on a row
 * version its own transaction replaced): refused with a clear error.
 */
void
cbr_qty_refuse_nested(Relation rel)
{
	if (reading_declared)
		ereport(ERROR,
				(errcode(ERRCODE_S_R_E_PROHIBITED_SQL_STATEMENT_ATTEMPTED),
				 errmsg("table %s cannot be written while the quantity check reads a declared line (R-EX-3, R-IM-2)",
						cbr_qty_rel_text(RelationGetRelid(rel))),
				 errdetail("A row security policy of the declared table, or a function it calls, writes to it."),
				 errhint("Let the policies of the declared table only read: the quantity check reads declared lines through them.")));
}

/* The declared line of keys, under the write's snapshot (or the latest). */
bool
cbr_qty_write_find(QtyWrite *w, const Datum *keys, CbrLine *line, bool latest)
{
	volatile bool found = false;
	bool		save = reading_declared;

	if (w->c->declared.rls_plan == NULL)
		return cbr_declared_find(&w->c->declared, keys, line, latest ? NULL : w->snap);
	write_connect(w);
	reading_declared = true;
	PG_TRY();
	{
		found = cbr_declared_find(&w->c->declared, keys, line, latest ? NULL : w->snap);
	}
	PG_FINALLY();
	{
		reading_declared = save;
	}
	PG_END_TRY();
	return found;
}

/*
 * The line's new total as a quantity.  One that cannot be counted exactly
 * (past 18 significant digits) is refused naming this row's quantity only:
 * the total would tell the writer what the line's other returns hold.
 */
static CbrQty
line_total(QtyWrite *w, QtySide *s, Datum total)
{
	CbrQty		q;

	if (!cbr_qty_parse(DatumGetCString(DirectFunctionCall1(numeric_out, total)), &q))
		cbr_qty_report_return(w->c, w->rel, s, &(CbrQtyVerdict) {.outcome = CBR_QTY_OUT_OF_RANGE, .row = s->qty});
	return q;
}

/*
 * The SPI statements that move the counter of the line of s by (delta,
 * rows): the update, or for a line's first return the upsert; the total
 * afterwards.  For what the direct path (quantity_ledger_row.c) leaves.
 */
static CbrQty
ledger_statements(QtyWrite *w, QtySide *s, Datum delta, int64 rows, bool grows)
{
	QuantityCache *c = w->c;
	Datum		args[4];
	Oid			save_userid;
	int			save_sec;
	int			ret;
	bool		isnull;

	write_connect(w);
	args[0] = ObjectIdGetDatum(c->declared.relid);
	args[1] = PointerGetDatum(s->line.image);
	args[2] = delta;
	args[3] = Int64GetDatum(rows);
	GetUserIdAndSecContext(&save_userid, &save_sec);
	SetUserIdAndSecContext(c->ledger_owner,
						   save_sec | SECURITY_LOCAL_USERID_CHANGE | SECURITY_NOFORCE_RLS);
	ret = SPI_execute_plan(c->update_plan, args, NULL, false, 1);
	if (ret == SPI_OK_UPDATE_RETURNING && SPI_processed == 0 && grows)
		ret = SPI_execute_plan(c->upsert_plan, args, NULL, false, 1);
	SetUserIdAndSecContext(save_userid, save_sec);
	if ((ret != SPI_OK_UPDATE_RETURNING && ret != SPI_OK_INSERT_RETURNING) || SPI_processed != 1)
		cbr_qty_ledger_broken(c, w->rel, s);
	return line_total(w, s, SPI_getbinval(SPI_tuptable->vals[0], SPI_tuptable->tupdesc, 1, &isnull));
}

/*
 * Decide on a return that adds delta to its line, total being the line's
 * new total, once the line's ledger row is ours: the verdict's error, or
 * nothing.
 *
 * READ COMMITTED: the write's snapshot was taken before the ledger row was
 * locked.  If nobody changed that row since (no return, no guard: the guard
 * on the declared table moves the same row before it lowers, deletes or
 * re-keys a line), the declared line read under the snapshot is the one a
 * fresh read would give as far as over-returns go (a line inserted or a
 * quantity raised just now may be missed, as if the return came first);
 * otherwise (moved) it is read again under the latest snapshot.
 * REPEATABLE READ and SERIALIZABLE: a ledger row changed since the
 * transaction's snapshot is 40001 already; the declared line is read under
 * the latest snapshot.
 */
static void
decide_on_line(QtyWrite *w, QtySide *s, CbrQty delta, CbrQty total, bool moved)
{
	CbrQtyVerdict v;
	bool		has_line = true;
	CbrQty		declared = s->line.declared;

	if (moved || IsolationUsesXactSnapshot() || !s->line.found)
	{
		CbrLine		again;

		has_line = cbr_qty_write_find(w, s->keys, &again, moved || IsolationUsesXactSnapshot()) &&
			cbr_qty_image_cmp(again.image, s->line.image) == 0;
		if (has_line)
		{
			declared = again.declared;
			/* read as of the write's snapshot: good until the ledger row moves */
			s->line.declared = declared;
			s->line.found = !moved && !IsolationUsesXactSnapshot();
		}
	}
	cbr_quantity_decide(s->qty, delta, total, has_line, declared, &v);
	cbr_qty_report_return(w->c, w->rel, s, &v);
}

/*
 * Move the counter of the line of s by (delta, rows); when the line gains a
 * row or quantity, decide first.  The ledger row is locked, the rule
 * decided, and only then written (a refused return leaves no new row
 * version behind); a line without a ledger row yet goes through the SPI
 * statements, which write first and decide after, in the same transaction.
 *
 * READ COMMITTED: when the version of the ledger row the snapshot sees is
 * its latest (no transaction has locked, updated or deleted it), the rule
 * is decided on it before the row is locked, so that a refused return takes
 * no lock and writes nothing: the refusals on a full line neither queue
 * behind each other nor dirty the ledger page (docs/performance.md).  The
 * verdict is the one the lock would give, as of that moment.  A return that
 * passes replaces that very version (cbr_ledger_try_write), as UPDATE
 * replaces the version it locked; if another transaction changed the row
 * meanwhile (a return, a recount, the guard, which always writes a new
 * version before it lowers, deletes or re-keys a line), the row's latest
 * version is locked and the return decided again on it (the declared line
 * read again since the row moved).
 */
void
cbr_qty_apply_delta(QtyWrite *w, QtySide *s, CbrQty delta, int64 rows)
{
	QuantityCache *c = w->c;
	CbrLedgerLock lk;
	Datum		delta_d = cbr_qty_numeric(delta);
	Datum		zero_d = NumericGetDatum(int64_to_numeric(0));
	bool		grows;
	int			sign;

	cbr_qty_refuse_nested(w->rel);
	(void) cbr_qty_cmp(delta, (CbrQty) {0, 0}, &sign);
	grows = sign > 0 || rows > 0;
	if (cbr_ledger_find(&c->ledger, c->declared.relid, s->line.image, w->snap, &lk))
	{
		Datum		total;
		int64		total_rows;

		if (grows && lk.untouched && !IsolationUsesXactSnapshot())
		{
			total = DirectFunctionCall2(numeric_add, lk.returned, delta_d);
			if (!DatumGetBool(DirectFunctionCall2(numeric_lt, total, zero_d)) &&
				!pg_add_s64_overflow(lk.rows, rows, &total_rows) && total_rows >= 0)
			{
				decide_on_line(w, s, delta, line_total(w, s, total), false);
				/* passed: written if the version decided on is still the latest */
				if (cbr_ledger_try_write(&lk, total, total_rows))
					return;
			}
		}
		if (cbr_ledger_lock_found(&lk, c->declared.relid, s->line.image, w->snap))
		{
			total = DirectFunctionCall2(numeric_add, lk.returned, delta_d);
			if (pg_add_s64_overflow(lk.rows, rows, &total_rows) || total_rows < 0 ||
				DatumGetBool(DirectFunctionCall2(numeric_lt, total, zero_d)))
				cbr_qty_ledger_broken(c, w->rel, s);
			if (grows)
				decide_on_line(w, s, delta, line_total(w, s, total), lk.moved);
			cbr_ledger_write(&lk, total, total_rows);
			return;
		}
	}
	/* no row yet, or not one the direct path knows: the statements decide */
	{
		CbrQty		total = ledger_statements(w, s, delta_d, rows, grows);

		if (grows)
			decide_on_line(w, s, delta, total, true);
	}
}


/*
 * Begin a write: one snapshot for it, taken after a command counter
 * increment so that the ledger rows moved for earlier rows of this
 * statement are seen (as SPI does before each statement): the
 * transaction's in REPEATABLE READ and SERIALIZABLE, the latest in READ
 * COMMITTED.
 */
void
cbr_qty_write_begin(QtyWrite *w)
{
	CommandCounterIncrement();
	if (IsolationUsesXactSnapshot())
	{
		PushCopiedSnapshot(GetTransactionSnapshot());
		UpdateActiveSnapshotCommandId();
	}
	else
		PushActiveSnapshot(GetLatestSnapshot());
	w->snap = GetActiveSnapshot();
}

/* End the write cbr_qty_write_begin began. */
void
cbr_qty_write_end(QtyWrite *w)
{
	PopActiveSnapshot();
	if (w->connected)
		SPI_finish();
	w->connected = false;
}

/*
 * The ledger name of the line of side s (the new row's when is_new).  With
 * byte-equal keys it is the image of the row's own key values, and the new
 * line is looked up once, under its ledger row lock (cbr_qty_apply_delta);
 * otherwise it is the image of the declared row the keys equal, looked up
 * first: a new row naming no line is refused, an old one whose line is gone
 * means a broken ledger (the guard keeps a line with returns).
 */
void
cbr_qty_name_line(QtyWrite *w, QtySide *s, bool is_new)
{
	QuantityCache *c = w->c;
	CbrQty		zero = {0, 0};
	CbrQtyVerdict v;

	if (!s->counted)
		return;
	if (c->declared.canonical)
		s->line.image = cbr_line_image(c->nkeys, s->keys, c->declared.typlen, c->declared.typbyval);
	else if (!(s->line.found = cbr_qty_write_find(w, s->keys, &s->line, false)))
	{
		if (!is_new)
			cbr_qty_ledger_broken(c, w->rel, s);
		cbr_quantity_decide(s->qty, s->qty, s->qty, false, zero, &v);
		cbr_qty_report_return(c, w->rel, s, &v);
	}
}
