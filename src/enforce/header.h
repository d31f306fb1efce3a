/*
 * header.h
 *		Facts read from a declaration header (issue 12, item 2): the export
 *		date, supervision code, export office, 1210 departure date or
 *		release date of a return kept on the original declaration's header
 *		row rather than on the return (header.c, header_guard.c;
 *		sql/52_enforce_header.sql, docs/enforcement.md).
 *
 * cbreturn.attach_header records the link from a returns table to its
 * header table (check kind 'header': the key columns on both sides and the
 * header columns of each role).  An export or import check attached after
 * it takes the roles the header holds from there: its metadata names the
 * header's column (column_relation = the header table), and the check reads
 * the header row of each return, found with the key types' equality through
 * the unique index the header key must have and locked FOR KEY SHARE, as a
 * foreign key does.  A guard on the header table re-checks the returns of a
 * row whose key or facts are corrected, and refuses what would break one.
 * A transaction finds and locks a header row once: its later returns of the
 * row read it from the transaction's cache (header_cache.c).  The export
 * check's WHEN clause passes the header key and looks the row up itself
 * (cbr_header_lookup), so a return that passes queues no trigger event.
 */
#ifndef CBRETURN_ENFORCE_HEADER_H
#define CBRETURN_ENFORCE_HEADER_H

#include "enforce/trigger.h"

#define CBR_HEADER_MAX_KEYS 8

/* What a check resolved of its header (part of the check's cached config). */
typedef struct CbrHeaderUse CbrHeaderUse;

/*
 * The roles of a check (roles[0..nroles-1], the check's own order) that its
 * metadata reads from the header attached to rel; NULL when none does.
 * Raises when the header link cannot work (no unique index on its key, the
 * header's owner may not read a column, row security applies to the owner).
 */
extern CbrHeaderUse *cbr_header_use(const CbrCheckMeta *meta, Relation rel,
									const char *const *roles, int nroles, MemoryContext cxt);

/* Does the header give role r (an index into the check's roles)?  u may be NULL. */
/*
 * The parent of partition relid as pg_inherits has it now (InvalidOid when
 * it has none: detached or dropped meanwhile), and whether it is being
 * detached concurrently (header_parts.c).
 */
extern Oid	cbr_partition_parent(Oid relid, bool *detach_pending);

extern bool cbr_header_has(const CbrHeaderUse *u, int r);

/* The header table. */
extern Oid	cbr_header_relid(const CbrHeaderUse *u);
/* CB014: the return's header row is missing (where cbr_header_read did not raise it). */
pg_noreturn extern void cbr_header_row_missing(const CbrHeaderUse *u);

/* The type of the header column of role r. */
extern Oid	cbr_header_type(const CbrHeaderUse *u, int r);

/*
 * Find and lock (FOR KEY SHARE) the header row of the return tuple, and put
 * the value of each role the header gives into v[r] / isnull[r] as a check
 * reads it (a timestamp as its China date, R-T-1).  A NULL key: the roles
 * are NULL ("not known yet").  When the key names no header row: CB014,
 * refused by a write in either mode, listed by cbreturn.violations() (then
 * false: the row's rules are not decided).  True when the facts are read.
 */
/* (kind CBR_CHECK_KINDS: a quantity check reading a request's status, which always refuses) */
extern bool cbr_header_read(const CbrHeaderUse *u, TriggerData *trigdata, HeapTuple tuple,
							Datum *v, bool *isnull, CbrCheckKind kind);

/*
 * The same from the values of the return's key columns (keys[], knull[], in
 * the link's order): true with the roles set (NULL when a key is NULL);
 * false when the key names no header row.  A row this transaction has
 * locked already is not looked up again (header_cache.c).
 */
extern bool cbr_header_lookup(const CbrHeaderUse *u, const Datum *keys, const bool *knull,
							  Datum *v, bool *isnull);

/* The returns table's key columns of the link, in its order, into key[]; their number. */
extern int	cbr_header_keys(const CbrHeaderUse *u, AttrNumber *key);

/* The same from a given header row (the guard's old or new row). */
extern void cbr_header_values(const CbrHeaderUse *u, TupleDesc hdesc, HeapTuple htuple,
							  Datum *v, bool *isnull);

/*
 * May the writing role see what the check read from the header: SELECT on
 * every header column it reads, and no row security applies to it there.
 */
extern bool cbr_header_visible(const CbrHeaderUse *u);

/* 22P02: the header column of role r holds a code that is not 4 digits. */
pg_noreturn extern void cbr_header_report_code(const CbrHeaderUse *u, int r, const char *str, const char *row);

/*
 * What the export and import checks offer the header guard: does the return
 * tuple of rel fail, with the facts of the corrected header row newh, a rule
 * it did not fail with the row as it was (oldh)?  Then false, and *rule and
 * *sqlerrcode say which and, when why is not NULL, *why the message the
 * check would raise (NULL if none).
 */
extern bool cbr_export_header_recheck(Relation rel, HeapTuple tuple, TupleDesc hdesc,
									  HeapTuple oldh, HeapTuple newh, const char **rule,
									  int *sqlerrcode, char **why);
extern bool cbr_import_header_recheck(Relation rel, HeapTuple tuple, TupleDesc hdesc,
									  HeapTuple oldh, HeapTuple newh, const char **rule,
									  int *sqlerrcode, char **why);

/*
 * 42501 unless the caller may read what the checks of relid read in a
 * declaration header (cbreturn.violations(), validate(), the assessments).
 */
extern void cbr_header_require_select(Oid relid, Oid role);

#endif							/* CBRETURN_ENFORCE_HEADER_H */
