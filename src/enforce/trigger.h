/*
 * trigger.h
 *		What the write-time checks share: the trigger protocol and row access
 *		(trigger.c), the metadata of an attached check, and the per-backend
 *		cache of what each check resolved from it (check_cache.c), which the
 *		triggers and their WHEN functions read.
 *
 * One file per check adapts a row to the decision layer (src/rules/) and a
 * verdict to an error: export_check.c (R-EX-1, R-EX-2, R-EX-5),
 * import_check.c (R-IM-1), status_check.c (rules section 6); the quantity
 * check (R-EX-3, R-IM-2) is quantity.c.
 *
 * The metadata of a check lives in cbreturn.attached_check and
 * cbreturn.attached_column (sql/50_enforcement.sql).
 */
#ifndef CBRETURN_TRIGGER_H
#define CBRETURN_TRIGGER_H

#include "policy/policy.h"
#include "policy/facts.h"

#include "access/tupdesc.h"
#include "commands/trigger.h"
#include "utils/acl.h"
#include "utils/rel.h"

/* Whether roleid owns relation relid (PostgreSQL 16 renamed the call). */
#if PG_VERSION_NUM >= 160000
#define cbr_owns_class(relid, roleid) object_ownercheck(RelationRelationId, (relid), (roleid))
#define cbr_owns_namespace(nspid, roleid) object_ownercheck(NamespaceRelationId, (nspid), (roleid))
#define cbr_owns_extension(extid, roleid) object_ownercheck(ExtensionRelationId, (extid), (roleid))
#else
#define cbr_owns_class(relid, roleid) pg_class_ownercheck((relid), (roleid))
#define cbr_owns_namespace(nspid, roleid) pg_namespace_ownercheck((nspid), (roleid))
#define cbr_owns_extension(extid, roleid) pg_extension_ownercheck((extid), (roleid))
#endif

/* The owner of cbreturn.attached_check, who writes the metadata (metadata.c). */
extern Oid	cbr_metadata_owner(void);

#define CBR_MAX_ROLES	24

/* One attached check as stored, with the column roles resolved to attnums. */
typedef struct CbrCheckMeta
{
	Oid			registered_relid;	/* the table it is recorded on: the checked
									 * table or a partitioned ancestor */
	bool		fill_remarks;	/* export: fill an empty remarks column */
	Oid			declared_relid; /* quantity: the declared-lines table */
	int			nlabels;		/* status: 7, or 8 with a withdrawn label */
	char	   *labels[8];
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

/* ---------------------------------------------------------------------
 * trigger.c: protocol and row access
 * --------------------------------------------------------------------- */

/* Trigger protocol (as contrib/spi/moddatetime.c): raises 39P01 on misuse. */
extern TriggerData *cbr_trigger_protocol(FunctionCallInfo fcinfo, const char *funcname,
										 CbrTiming timing, bool allow_delete);

/*
 * The table the check of kind on relid is recorded on: relid itself or the
 * nearest partitioned ancestor carrying it (issue 12); InvalidOid if none.
 */
extern Oid	cbr_check_registered(Oid relid, const char *kind);

/* The number in partition relid of column attnum of registered (by name). */
extern AttrNumber cbr_partition_attnum(Oid registered, AttrNumber attnum, Oid relid);

/*
 * Loads the metadata of the check of the given kind on relid into *meta;
 * on a partition, that of its ancestor, columns in the partition's numbers.
 */
extern void cbr_load_check(Oid relid, const char *kind, CbrCheckMeta *meta,
						   MemoryContext mcxt);

/*
 * The attnum of a role of a check on rel, after checking that the column
 * still exists and has one of the accepted types (typids NULL: any type).
 * Returns 0 when the role was not attached and !required.
 */
extern AttrNumber cbr_role_column(const CbrCheckMeta *meta, const char *role, Relation rel,
								  const Oid *typids, int ntypids, bool required);

/* The OID of a type of schema cbreturn. */
extern Oid	cbr_type_oid(const char *name);

/*
 * "Row (id)=(42) of s.t: " naming the row by its primary key, or "" when
 * the table has none; only used when an error is being reported.
 */
extern char *cbr_row_identity(Relation rel, HeapTuple tuple);
/* "OPERATOR(schema.=)" for an operator, for SQL built here */
extern char *cbr_operator_sql(Oid op);
extern char *cbr_collate_sql(Oid coll);

/* ---------------------------------------------------------------------
 * row_values.c: which values of the row an error may show
 * --------------------------------------------------------------------- */

/* a value in a message is cut at this many bytes, then "..." */
#define CBR_VALUE_MAX 64

/* Noted by cbr_trigger_protocol: the trigger call the checks are in. */
extern void cbr_note_trigger(TriggerData *trigdata);
extern TriggerData *cbr_noted_trigger(void);

/* May the current role read column attnum of tuple (a row of rel the check sees)? */
extern bool cbr_column_visible(Relation rel, HeapTuple tuple, AttrNumber attnum);
/* Every column of attnums (0 entries are skipped)? */
extern bool cbr_columns_visible(Relation rel, HeapTuple tuple, const AttrNumber *attnums, int n);
/* s, or its first CBR_VALUE_MAX bytes (whole characters) and "..." */
extern char *cbr_clip_value(const char *s);
/* Raise the error being handled again without its values (see below). */
pg_noreturn extern void cbr_rethrow_hidden(Relation rel, const char *check, MemoryContext cxt);

/*
 * Run call, the report of a check's verdict on tuple, which raises an error
 * naming values of the columns attnums.  When the current role may not read
 * all of them, the error is raised with its SQLSTATE and without values
 * (check: the check's name, translated when shown).
 */
#define CBR_REPORT_VISIBLE(rel, tuple, attnums, n, check, call) \
	CBR_REPORT_SHOWN(cbr_columns_visible((rel), (tuple), (attnums), (n)), rel, check, call)

/* The same, with the answer to "may the role read them?" given as shown. */
#define CBR_REPORT_SHOWN(shown, rel, check, call) \
	do { \
		if (shown) \
		{ \
			call; \
		} \
		else \
		{ \
			MemoryContext cbr_report_cxt_ = CurrentMemoryContext; \
			\
			PG_TRY(); \
			{ \
				call; \
			} \
			PG_CATCH(); \
			{ \
				cbr_rethrow_hidden((rel), (check), cbr_report_cxt_); \
			} \
			PG_END_TRY(); \
		} \
	} while (0)

/* The row a check reads: the new row of an UPDATE, else the trigger tuple. */
static inline HeapTuple
cbr_checked_tuple(TriggerData *trigdata)
{
	return TRIGGER_FIRED_BY_UPDATE(trigdata->tg_event)
		? trigdata->tg_newtuple : trigdata->tg_trigtuple;
}

/*
 * Fetch a date role (0 = not attached: reported as NULL): a date column as
 * it is, a timestamp's date, a timestamptz's China date (R-T-1).
 */
extern bool cbr_get_date(HeapTuple tuple, TupleDesc tupdesc, AttrNumber attnum, DateADT *d);

/*
 * The value of a column as a check reads it: a timestamp or timestamptz as
 * the date of R-T-1 (a DateADT Datum), any other type as stored.
 */
extern Datum cbr_getattr_fact(HeapTuple tuple, TupleDesc tupdesc, AttrNumber attnum, bool *isnull);

/* The attnum of a date role: a date, timestamp or timestamptz column (R-T-1). */
extern AttrNumber cbr_date_role_column(const CbrCheckMeta *meta, const char *role, Relation rel,
									   bool required);

/*
 * May the writing role see the value of column attnum of the row a trigger
 * checks: it may SELECT the column, or the UPDATE being checked sets it.
 */
extern bool cbr_writer_may_see(TriggerData *trigdata, AttrNumber attnum);

/*
 * "Row (id)=(42) of s.t: " as cbr_row_identity, when the writing role may
 * see every key column (cbr_writer_may_see); "A row of s.t: " otherwise.
 */
extern char *cbr_row_identity_seen(TriggerData *trigdata, HeapTuple tuple);

/* ---------------------------------------------------------------------
 * register_errors.c: the errors of the register rules (CB008-CB012)
 * --------------------------------------------------------------------- */
pg_noreturn extern void cbr_report_uscc_text(TriggerData *td, HeapTuple tuple, AttrNumber col, const char *str);
pg_noreturn extern void cbr_report_code_text(TriggerData *td, HeapTuple tuple, AttrNumber col, const char *str);
pg_noreturn extern void cbr_report_applicant(TriggerData *td, HeapTuple tuple, AttrNumber col,
											 const CbrUscc *u, const CbrRegisterVerdict *v);
/* shown: the columns whose values the error names (0 for none); the first is the error's column */
pg_noreturn extern void cbr_report_site(TriggerData *td, HeapTuple tuple, const AttrNumber *shown,
										const char *site, int16 office, const CbrRegisterVerdict *v);
pg_noreturn extern void cbr_report_warehouse(TriggerData *td, HeapTuple tuple, const AttrNumber *shown,
											 const char *warehouse, const char *special_area,
											 const CbrRegisterVerdict *v, CbrDateRole date_role);
pg_noreturn extern void cbr_report_arrival(TriggerData *td, HeapTuple tuple, const AttrNumber *shown,
										   const char *original_place, const char *arrival_place,
										   const char *declared_area, const CbrRegisterVerdict *v,
										   CbrDateRole date_role);
pg_noreturn extern void cbr_report_import_applicant(TriggerData *td, HeapTuple tuple,
													const AttrNumber *shown, const char *enterprise,
													const CbrUscc *u, const CbrRegisterVerdict *v);

/* A text value as a C string (register keys); bpchar: its padding removed. */
extern char *cbr_text_value(Datum d, bool bpchar);

/* ---------------------------------------------------------------------
 * check_cache.c: the backend-lifetime cache of attached checks
 * --------------------------------------------------------------------- */
typedef enum CbrCheckKind
{
	CBR_CHECK_EXPORT,
	CBR_CHECK_IMPORT,
	CBR_CHECK_STATUS,
	CBR_CHECK_KINDS
} CbrCheckKind;

/* Resolves one kind of check on rel from its metadata, allocating in cxt. */
typedef void *(*CbrCheckBuilder) (const CbrCheckMeta *meta, Relation rel, MemoryContext cxt);

/*
 * The attnums of the roles a WHEN function receives, in argument order;
 * returns how many key columns of a declaration header follow them (their
 * attnums after the roles'), 0 for none.
 */
typedef int (*CbrCheckAttnums) (const void *config, AttrNumber *attnums);

/* The config of the check of the given kind on rel (kept in fn_extra). */
extern void *cbr_check_config(FunctionCallInfo fcinfo, Relation rel, CbrCheckKind kind,
							  CbrCheckBuilder build);

/* Cached configs depend on table relid too (a declaration header, header.c). */
extern void cbr_check_cache_depend(Oid relid);

/* The same outside a trigger call (the guard of a declaration header, header.c). */
extern void *cbr_check_config_rel(Relation rel, CbrCheckKind kind, CbrCheckBuilder build);

/*
 * The config of the check on the table named by argument 0 of a WHEN
 * function, verified against the function's arguments when it is new.
 */
extern void *cbr_row_ok_config(FunctionCallInfo fcinfo, CbrCheckKind kind, CbrCheckBuilder build,
							   CbrCheckAttnums attnums_of, const char *funcname,
							   const char *const *roles, int n);

/* Forget every cached quantity check and guard (quantity.c). */
extern void cbr_quantity_cache_invalidate_all(void);

/* distributed.c: Citus (docs/scale-out.md) */
/* CB015 for a Citus table or shard */
extern void cbr_refuse_citus_relation(Oid relid);
/* true: a Citus table, the check carried to its shards; CB015 where it cannot be */
extern bool cbr_citus_attach(Oid relid, const char *kind, Oid declared);
/* the check's columns from its trigger's arguments (a Citus table); false: none */
/* CB015: record mode, an ordinary-return column on a Citus table */
extern void cbr_citus_refuse_option(Oid relid, const char *option);
extern bool cbr_check_meta_from_trigger(Relation rel, const char *kind, CbrCheckMeta *meta,
										MemoryContext mcxt);

#endif							/* CBRETURN_TRIGGER_H */
