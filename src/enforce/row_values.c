/*
 * row_values.c
 *		Which values of the row being written an error may show, and how long
 *		they may be: the one helper every check reports through.
 *
 * A check's error names values of the row it refused (a date, a key, a
 * quantity) and the row's primary key.  The role that wrote the row may not
 * be allowed to read them: an UPDATE or DELETE needs no SELECT on the
 * columns it does not name, and the columns an UPDATE leaves alone, and
 * every column of the old row, come from the stored row.  PostgreSQL's own
 * errors follow one rule (BuildIndexValueDescription,
 * ExecBuildSlotValueDescription): a value is shown when the role may
 * SELECT its column, or supplied it itself, and no row security applies to
 * the role on the table.  So do these:
 *
 *   - SELECT on the table or on the column: shown;
 *   - the new row of an INSERT: the columns the role may INSERT (a trigger
 *     does not learn the INSERT's column list; a value a default or another
 *     BEFORE trigger put in such a column is shown too);
 *   - the new row of an UPDATE: the columns its SET list names
 *     (tg_updatedcols), as PostgreSQL shows them;
 *   - row security enabled for the role on the table: nothing.
 *
 * CBR_REPORT_VISIBLE() (trigger.h) runs a check's report so: when every
 * column the check read is visible the error is raised as it is; otherwise
 * the same SQLSTATE is raised with a message that shows no value.  The primary key
 * of a row (cbr_row_identity) is shown only when all of its columns are
 * visible.  Each value shown is cut at CBR_VALUE_MAX bytes (at a character
 * boundary, followed by "..."), as ExecBuildSlotValueDescription cuts them.
 */
#include "enforce/trigger.h"

#include "access/sysattr.h"
#include "mb/pg_wchar.h"
#include "miscadmin.h"
#include "nodes/bitmapset.h"
#include "utils/acl.h"
#include "utils/builtins.h"
#include "utils/lsyscache.h"
#include "utils/memutils.h"
#include "utils/rls.h"

/*
 * The trigger call the checks are in (cbr_trigger_protocol notes it): the
 * event tells whether a row is the new row of an INSERT or UPDATE.  A row
 * that is not this call's is judged by SELECT alone.
 */
static TriggerData *current_trigger = NULL;

void
cbr_note_trigger(TriggerData *trigdata)
{
	current_trigger = trigdata;
}

TriggerData *
cbr_noted_trigger(void)
{
	return current_trigger;
}

char *
cbr_clip_value(const char *s)
{
	int			len = strlen(s);
	int			keep;

	if (len <= CBR_VALUE_MAX)
		return (char *) s;
	keep = pg_mbcliplen(s, len, CBR_VALUE_MAX);
	return psprintf("%.*s...", keep, s);
}

bool
cbr_column_visible(Relation rel, HeapTuple tuple, AttrNumber attnum)
{
	Oid			relid = RelationGetRelid(rel);
	Oid			user = GetUserId();
	TriggerData *t = current_trigger;

	if (check_enable_rls(relid, InvalidOid, true) == RLS_ENABLED)
		return false;
	if (pg_class_aclcheck(relid, user, ACL_SELECT) == ACLCHECK_OK ||
		pg_attribute_aclcheck(relid, attnum, user, ACL_SELECT) == ACLCHECK_OK)
		return true;
	if (t == NULL || tuple == NULL || t->tg_relation != rel)
		return false;
	if (TRIGGER_FIRED_BY_INSERT(t->tg_event) && tuple == t->tg_trigtuple)
		return pg_class_aclcheck(relid, user, ACL_INSERT) == ACLCHECK_OK ||
			pg_attribute_aclcheck(relid, attnum, user, ACL_INSERT) == ACLCHECK_OK;
	if (TRIGGER_FIRED_BY_UPDATE(t->tg_event) && tuple == t->tg_newtuple)
		return bms_is_member(attnum - FirstLowInvalidHeapAttributeNumber, t->tg_updatedcols);
	return false;
}

bool
cbr_columns_visible(Relation rel, HeapTuple tuple, const AttrNumber *attnums, int n)
{
	int			i;

	for (i = 0; i < n; i++)
		if (attnums[i] > 0 && !cbr_column_visible(rel, tuple, attnums[i]))
			return false;
	return true;
}

/*
 * The error a report raised, raised again without its values: same
 * SQLSTATE (a failed rule or bad input), a message that names the check
 * and the table only.  Errors of another class (out of memory, a cancel)
 * go on as they are.
 */
void
cbr_rethrow_hidden(Relation rel, const char *check, MemoryContext cxt)
{
	ErrorData  *e;
	int			class;

	MemoryContextSwitchTo(cxt);
	e = CopyErrorData();
	class = ERRCODE_TO_CATEGORY(e->sqlerrcode);
	if (e->elevel != ERROR ||
		!(class == ERRCODE_TO_CATEGORY(ERRCODE_CBRETURN_QUANTITY) ||
		  class == ERRCODE_TO_CATEGORY(ERRCODE_DATA_EXCEPTION)))
		PG_RE_THROW();
	FlushErrorState();
	ereport(ERROR,
			(errcode(e->sqlerrcode),
			 errmsg("the %s check refuses a row of table %s", _(check),
					quote_qualified_identifier(get_namespace_name(RelationGetNamespace(rel)),
											   RelationGetRelationName(rel))),
			 errdetail("Why is not shown: it names values of columns the current role may not read."),
			 errhint("Ask a role that may read the row, or the owner of the table, what it holds."),
			 errtable(rel)));
}

/* cbreturn._clip(text): cbr_clip_value for the SQL that builds messages (line texts). */
PG_FUNCTION_INFO_V1(_clip);
Datum
_clip(PG_FUNCTION_ARGS)
{
	char	   *s = text_to_cstring(PG_GETARG_TEXT_PP(0));

	PG_RETURN_TEXT_P(cstring_to_text(cbr_clip_value(s)));
}
