/*
 * trigger.h
 *		What the write-time checks (trigger.c, trigger_quantity.c) share: the
 *		trigger-protocol check, the metadata of an attached check, and
 *		helpers for error reports.
 *
 * The metadata of a check lives in cbreturn.attached_check and
 * cbreturn.attached_column (sql/50_enforcement.sql).  A trigger reads it
 * on the first row it checks and keeps what it resolved in a backend-lifetime
 * cache (trigger.c; trigger_quantity.c for the quantity check), invalidated
 * when the tables or the metadata change, so the per-row work is attribute
 * fetches and plain C rules (and the quantity check's two prepared
 * statements).
 */
#ifndef CBRETURN_TRIGGER_H
#define CBRETURN_TRIGGER_H

#include "rules/rules.h"

#include "access/tupdesc.h"
#include "commands/trigger.h"
#include "utils/rel.h"

#define CBR_MAX_ROLES	24

/* One attached check as stored, with the column roles resolved to attnums. */
typedef struct CbrCheckMeta
{
	bool		fill_remarks;	/* export: fill an empty remarks column */
	Oid			declared_relid; /* quantity: the declared-lines table */
	int			nlabels;		/* status: 7 once loaded */
	char	   *labels[7];
	int			ncols;
	char	   *role[CBR_MAX_ROLES];
	char	   *colname[CBR_MAX_ROLES];
	Oid			colrel[CBR_MAX_ROLES];
	AttrNumber	attnum[CBR_MAX_ROLES];
} CbrCheckMeta;

/* When a trigger function may fire. */
typedef enum CbrTiming
{
	CBR_FIRE_BEFORE,			/* it changes the row, or must see the old one first */
	CBR_FIRE_AFTER,				/* it must see the row as written */
	CBR_FIRE_EITHER				/* it only reads the new row */
} CbrTiming;

/* Trigger protocol (as contrib/spi/moddatetime.c): raises 39P01 on misuse. */
extern TriggerData *cbr_statement_trigger_protocol(FunctionCallInfo fcinfo, const char *funcname);

/* Forget every cached quantity check and guard (trigger_quantity.c). */
extern void cbr_quantity_cache_invalidate_all(void);

extern TriggerData *cbr_trigger_protocol(FunctionCallInfo fcinfo, const char *funcname,
										 CbrTiming timing, bool allow_delete);

/* Loads the metadata of the check of the given kind on relid into *meta. */
extern void cbr_load_check(Oid relid, const char *kind, CbrCheckMeta *meta,
						   MemoryContext mcxt);

/*
 * The attnum of a role of a check on rel, after checking that the column
 * still exists and has one of the accepted types (0 when typids is NULL:
 * any type).  Returns 0 when the role was not attached and !required.
 */
extern AttrNumber cbr_role_column(const CbrCheckMeta *meta, const char *role, Relation rel,
								  const Oid *typids, int ntypids, bool required);

/* The OID of a type of schema cbreturn. */
extern Oid	cbr_type_oid(const char *name);

/* Text of a date for messages (honours DateStyle). */
extern char *cbr_date_text(DateADT d);

/*
 * "Row (id)=(42)" naming the row by its primary key, or "" when the table
 * has none; only used when an error is being reported.
 */
extern char *cbr_row_identity(Relation rel, HeapTuple tuple);

/* True for text, varchar and bpchar: types whose value is a text varlena. */
extern bool cbr_is_textual(Oid typid);

#endif							/* CBRETURN_TRIGGER_H */
