/*
 * messages.c
 *		The catalogued messages of the extension's PL/pgSQL functions
 *		(cbreturn._error, cbreturn._text), translated like every C message
 *		(i18n.c sets the language; docs/i18n.md is the guide).
 */
#include "postgres.h"

#include "catalog/pg_type.h"
#include "lib/stringinfo.h"
#include "utils/array.h"
#include "utils/builtins.h"

#include "cbreturn.h"

/* ---------------------------------------------------------------------
 * Catalogued messages for the extension's PL/pgSQL functions
 *
 * RAISE in PL/pgSQL cannot use cbreturn's catalogue.  Instead a PL/pgSQL
 * function calls
 *
 *		PERFORM cbreturn._error('attach.partitioned', what, rel::text);
 *
 * and the message, its SQLSTATE, DETAIL and HINT come from the table below,
 * translated like every C message.  Placeholders {1} .. {9} name the
 * arguments, so a translation may put them in any order; an argument is data
 * (a name, a value), never an English word: words come from the catalogue,
 * through cbreturn._text(key) when a message needs one (the fragments below).
 * xgettext finds the texts through gettext_noop.  docs/i18n.md lists the keys.
 * --------------------------------------------------------------------- */
typedef struct CbrCatalogued
{
	const char *key;
	int			sqlstate;
	const char *message;
	const char *detail;			/* NULL: none */
	const char *hint;			/* NULL: none */
} CbrCatalogued;

static const CbrCatalogued cbr_messages[] = {
	/* attach_* and the metadata triggers (sql/50_enforcement.sql) */
	{"attach.not_null", ERRCODE_NULL_VALUE_NOT_ALLOWED,
		gettext_noop("{1} must not be NULL"), NULL, NULL},
	{"attach.partitioned", ERRCODE_FEATURE_NOT_SUPPORTED,
		gettext_noop("{1} {2} is partitioned"), NULL,
		gettext_noop("Name an ordinary table: a checked table or a header may be partitioned, a quantity check's declared table may not.")},
	{"attach.partition_unchecked", ERRCODE_OBJECT_NOT_IN_PREREQUISITE_STATE,
		gettext_noop("partition {1} of {2} has no {3}, which other partitions of {2} carry"),
		gettext_noop("Partition {4}, for one, carries them; every partition of a checked table must carry the same checks, or rows written into it would not be checked."),
		gettext_noop("Attach the header and checks to the partition in the same transaction that creates or attaches it, or attach them to the table before ATTACH PARTITION.")},
	{"attach.partition_covered", ERRCODE_DUPLICATE_OBJECT,
		gettext_noop("the {1} of {2} already covers its partition {3}"),
		gettext_noop("A check attached to a partitioned table covers every partition, those created or attached later included."),
		gettext_noop("Leave partition {3} to the check of {2}, or detach that check first.")},
	{"attach.partition_has_own", ERRCODE_DUPLICATE_OBJECT,
		gettext_noop("partition {1} of {2} carries its own {3}"),
		gettext_noop("A check attached to a partitioned table covers every partition; no partition may carry it twice."),
		gettext_noop("Detach the partition's own check first: SELECT cbreturn.detach({4}, {5});")},
	{"detach.partition_covered", ERRCODE_UNDEFINED_OBJECT,
		gettext_noop("no {1} check is attached to partition {2}: the one of {3} covers it"), NULL,
		gettext_noop("Detach it from the partitioned table, which removes it from every partition: SELECT cbreturn.detach({4}, {5});")},
	{"attach.not_table", ERRCODE_WRONG_OBJECT_TYPE,
		gettext_noop("{1} {2} is not a table"), NULL, NULL},
	{"attach.no_relation", ERRCODE_UNDEFINED_TABLE,
		gettext_noop("relation with OID {1} does not exist"), NULL, NULL},
	{"attach.enum_label_held", ERRCODE_DEPENDENT_OBJECTS_STILL_EXIST,
		gettext_noop("cannot rename value \"{1}\" of enum {2} to \"{3}\": the {4} on {5} holds a label \"{3}\""),
		gettext_noop("The labels the check holds follow a rename; the rows of \"{1}\" would take the meaning of \"{3}\", or the check would hold one label twice."),
		gettext_noop("Rename the value to a label the check does not hold, or detach the check, rename, and attach it again with its labels.")},
	{"attach.key_no_equality", ERRCODE_INVALID_FOREIGN_KEY,
		gettext_noop("declared line key column \"{1}\" is of type {2}, which has no default equality operator of a btree operator class"), NULL,
		gettext_noop("Use key columns of scalar types (text, integer, numeric, date, the cbreturn identifier types); a line cannot be named by an array or a composite value.")},
	{"attach.not_owner", ERRCODE_INSUFFICIENT_PRIVILEGE,
		gettext_noop("must be owner of table {1}"), NULL, NULL},
	{"attach.column_unnamed", ERRCODE_NULL_VALUE_NOT_ALLOWED,
		gettext_noop("the column for {1} ({2}) must be named"), NULL, NULL},
	{"attach.column_missing", ERRCODE_UNDEFINED_COLUMN,
		gettext_noop("column \"{1}\" of relation {2} does not exist"),
		gettext_noop("It was named as {3} ({4})."),
		gettext_noop("Give the column name as it is stored, without quotes; case matters.")},
	{"attach.column_type", ERRCODE_DATATYPE_MISMATCH,
		gettext_noop("column \"{1}\" of relation {2} is of type {3}, but {4} must be of type {5}"), NULL,
		gettext_noop("Attach a column of an accepted type, for example a generated column that converts this one.")},
	{"attach.already_attached", ERRCODE_DUPLICATE_OBJECT,
		/* translator: {1} is a kind of check ("export check") */
		gettext_noop("the {1} is already attached to {2}"), NULL,
		gettext_noop("Detach it first: SELECT cbreturn.detach({3}, {4});")},
	{"attach.unknown_kind", ERRCODE_INVALID_PARAMETER_VALUE,
		gettext_noop("unknown check kind \"{1}\""), NULL,
		gettext_noop("The kinds are export, import, quantity, status and header.")},
	{"detach.not_attached", ERRCODE_UNDEFINED_OBJECT,
		gettext_noop("no check is attached to {1}"), NULL, NULL},
	{"detach.kind_not_attached", ERRCODE_UNDEFINED_OBJECT,
		gettext_noop("no {1} check is attached to {2}"), NULL, NULL},
	{"attach.export_needs_reason_or_remarks", ERRCODE_INVALID_PARAMETER_VALUE,
		gettext_noop("the export check needs a reason column, a remarks column or both"), NULL,
		gettext_noop("The R-EX-1 window depends on the reason; without a reason column it is read from the R-EX-2 code in the remarks.")},
	{"attach.import_needs_dates", ERRCODE_INVALID_PARAMETER_VALUE,
		gettext_noop("the import check needs an applied_on column, an arrived_on column or both"), NULL, NULL},
	/* attach_export_return_checks, attach_import_return_checks (registers, issue 11) */
	{"attach.fill_remarks_needs_both", ERRCODE_INVALID_PARAMETER_VALUE,
		gettext_noop("fill_remarks needs both a reason column and a remarks column"), NULL, NULL},
	{"attach.cross_customs_needs_three", ERRCODE_INVALID_PARAMETER_VALUE,
		gettext_noop("the R-EX-5 cross-customs check needs supervision_code, export_office and return_office together"), NULL, NULL},
	{"attach.cross_customs_needs_returned_on", ERRCODE_INVALID_PARAMETER_VALUE,
		gettext_noop("the R-EX-5 cross-customs check needs the returned_on column"), NULL, NULL},
	{"attach.deadline_own_column", ERRCODE_INVALID_PARAMETER_VALUE,
		gettext_noop("the deadline column must be a column of its own"), NULL, NULL},
	{"attach.site_needs_cross_customs", ERRCODE_INVALID_PARAMETER_VALUE,
		gettext_noop("the R-EX-6 return site check needs the R-EX-5 columns supervision_code, export_office and return_office"), NULL,
		gettext_noop("The site is checked for returns through another customs district, at the customs office of the return.")},
	{"attach.applicant_needs_returned_on", ERRCODE_INVALID_PARAMETER_VALUE,
		gettext_noop("the R-EX-4 applicant check needs the returned_on column"), NULL,
		gettext_noop("The applicant's CBEC export registration is checked on the return date.")},
	{"attach.departure_needs_code", ERRCODE_INVALID_PARAMETER_VALUE,
		gettext_noop("the departure column left_special_area_on needs the supervision_code column"), NULL,
		gettext_noop("The departure from the special area is read for 1210 rows only: it starts their tax relief period (R-TX-2) and must lie between the export and the return.")},
	{"attach.arrival_needs_original_and_code", ERRCODE_INVALID_PARAMETER_VALUE,
		gettext_noop("the arrival place check (R-IM-1) needs the original_place and supervision_code columns"), NULL, NULL},
	{"attach.place_needs_arrival", ERRCODE_INVALID_PARAMETER_VALUE,
		gettext_noop("original_place and declared_area are read only with arrival_place, original_place also with warehouse"), NULL, NULL},
	{"attach.import_applicant_needs", ERRCODE_INVALID_PARAMETER_VALUE,
		gettext_noop("the R-IM-7 applicant check needs the enterprise, applicant and applied_on columns together"), NULL, NULL},
	{"attach.column_in_use", ERRCODE_DEPENDENT_OBJECTS_STILL_EXIST,
		gettext_noop("column \"{1}\" of relation {2} is used by the cbreturn {3} on {4}"),
		gettext_noop("The column cannot be dropped while the check is attached."),
		gettext_noop("Detach the check first: SELECT cbreturn.detach({5}, {6});")},
	{"attach.column_type_in_use", ERRCODE_DEPENDENT_OBJECTS_STILL_EXIST,
		gettext_noop("column \"{1}\" of relation {2} is used by the cbreturn {3} on {4}"),
		gettext_noop("The type of the column cannot change while the check is attached."),
		gettext_noop("Detach the check first: SELECT cbreturn.detach({5}, {6});")},
	/* the rest of attach, detach and the metadata triggers (issue 13) */
	{"metadata.column_missing", ERRCODE_UNDEFINED_COLUMN,
		gettext_noop("column \"{1}\" of relation {2} does not exist"), NULL,
		gettext_noop("Give the column name as it is stored, without quotes; case matters.")},
	{"metadata.written_directly", ERRCODE_INSUFFICIENT_PRIVILEGE,
		gettext_noop("{1} is written only by the attach and detach functions of cbreturn"),
		gettext_noop("A role that wrote the check metadata could make the checks read tables it may not read."),
		gettext_noop("Attach and detach checks with the cbreturn functions, and revoke any write privilege granted on the table.")},
	{"metadata.foreign_trigger", ERRCODE_INSUFFICIENT_PRIVILEGE,
		gettext_noop("no trigger may be created on {1}, a table of cbreturn, nor a foreign key referencing it"),
		gettext_noop("The extension writes its tables with the rights of their owner; a trigger on them, or the action of a foreign key referencing them, would run with those rights."),
		gettext_noop("Revoke the TRIGGER and REFERENCES privileges granted on the table.")},
	{"attach.temporary", ERRCODE_FEATURE_NOT_SUPPORTED,
		gettext_noop("{1} {2} is a temporary table"),
		gettext_noop("A temporary table goes at the end of its session without the event triggers that remove the metadata of its checks."),
		gettext_noop("Attach the checks to a permanent table.")},
	{"attach.generated", ERRCODE_FEATURE_NOT_SUPPORTED,
		gettext_noop("column \"{1}\" of relation {2} is a generated column, which {3} cannot read"),
		gettext_noop("This check runs in a BEFORE ROW trigger, which PostgreSQL calls before it computes generated columns."),
		gettext_noop("Attach a plain column, or attach the export check without fill_remarks and deadline so that it runs AFTER the row is stored and sees generated columns.")},
	{"attach.status_labels", ERRCODE_INVALID_PARAMETER_VALUE,
		gettext_noop("labels must hold 7 distinct labels, for the stages in the order registered, declared, shipped, arrived, inspected, released, rejected"),
		NULL, NULL},
	{"attach.stage_types", ERRCODE_DATATYPE_MISMATCH,
		gettext_noop("stage time column \"{1}\" is of type {2}, but the others are of type {3}"), NULL,
		gettext_noop("All stage time columns must have the same type so that they can be compared.")},
	{"attach.declared_unlogged", ERRCODE_INVALID_TABLE_DEFINITION,
		gettext_noop("table {1} is unlogged, but the returns in {2} that name its rows are not"),
		gettext_noop("Crash recovery empties an unlogged table without firing a trigger: the returns would be left naming nothing."),
		gettext_noop("Keep the table logged (ALTER TABLE {1} SET LOGGED), as a foreign key requires.")},
	{"attach.declared_in_use", ERRCODE_DEPENDENT_OBJECTS_STILL_EXIST,
		gettext_noop("table {1} holds the declared lines of the cbreturn quantity check on {2}"), NULL,
		gettext_noop("Detach the check first: SELECT cbreturn.detach({3}, {4}); or use DROP ... CASCADE, which detaches it.")},
	/* attach_quantity_check and the declared table's guard (sql/55_enforce_quantity.sql) */
	{"quantity.counted_not_table", ERRCODE_WRONG_OBJECT_TYPE,
		gettext_noop("relation {1} is not a table: the quantity check of {2} counts returns in tables only"),
		gettext_noop("The ledger is counted with the rights of its owner; a view, or a foreign table, would run its owner's code or connections with them."),
		gettext_noop("Detach the quantity checks that name it with cbreturn.detach().")},
	{"quantity.truncate_declared", ERRCODE_CBRETURN_QUANTITY,
		gettext_noop("cannot truncate table {1}: returns are counted against its lines (R-EX-3, R-IM-2)"),
		gettext_noop("A quantity check counts returns against the declared lines of this table."),
		gettext_noop("Delete the returns first, or detach the quantity checks with cbreturn.detach().")},
	{"attach.quantity_same_table", ERRCODE_INVALID_PARAMETER_VALUE,
		gettext_noop("the returns and the declared lines must be in two tables"), NULL, NULL},
	{"attach.quantity_partition_attached", ERRCODE_DUPLICATE_OBJECT,
		gettext_noop("a partition or a partitioned ancestor of {1} already has a quantity check"), NULL,
		gettext_noop("Attach the check once, on the partitioned table: it covers every partition.")},
	{"attach.quantity_key_count", ERRCODE_INVALID_PARAMETER_VALUE,
		gettext_noop("line and declared_line must name the same number of key columns, 1 to 8"), NULL,
		gettext_noop("For example line => '{decl_no,item_no}', declared_line => '{decl_no,g_no}'.")},
	{"attach.quantity_key_types", ERRCODE_DATATYPE_MISMATCH,
		gettext_noop("line key column \"{1}\" is of type {2} but declared line key column \"{3}\" is of type {4}"), NULL,
		gettext_noop("The key columns of a return and of its declared line must have the same types.")},
	{"attach.quantity_declared_columns", ERRCODE_INVALID_PARAMETER_VALUE,
		gettext_noop("the quantity check on {1} counts against {2} with other declared columns"), NULL,
		gettext_noop("Every returns table of one declared table names the same declared_line and declared_quantity.")},
	/* attach_header and the declaration header's guards (sql/52_enforce_header.sql) */
	/* DROP ... CASCADE of a declaration header or declared table another table's checks read */
	{"drop.cascades", ERRCODE_SUCCESSFUL_COMPLETION,
		/* translator: {1} is a kind of check ("export check") */
		gettext_noop("drop cascades to the {1} on {2}"), NULL, NULL},
	{"attach.header_in_use", ERRCODE_DEPENDENT_OBJECTS_STILL_EXIST,
		gettext_noop("table {1} is the header of {2}"), NULL,
		gettext_noop("Detach it first: SELECT cbreturn.detach({3}, {4}); or use DROP ... CASCADE, which detaches it and the checks that read it.")},
	{"header.same_table", ERRCODE_INVALID_PARAMETER_VALUE,
		gettext_noop("the returns and their header must be in two tables"), NULL, NULL},
	{"header.after_checks", ERRCODE_OBJECT_NOT_IN_PREREQUISITE_STATE,
		gettext_noop("the {1} is already attached to {2}"),
		gettext_noop("A check reads from a header the roles it holds from the check's attach on."),
		gettext_noop("Detach the check, attach the header, then attach the check again: SELECT cbreturn.detach({3}, {4});")},
	{"header.key_count", ERRCODE_INVALID_PARAMETER_VALUE,
		gettext_noop("key and header_key must name the same number of columns, 1 to 8"), NULL,
		gettext_noop("For example key => '{orig_list_no}', header_key => '{list_no}'.")},
	{"header.no_role", ERRCODE_INVALID_PARAMETER_VALUE,
		gettext_noop("attach_header needs at least one column of the header"), NULL,
		gettext_noop("Name exported_on, supervision_code, export_office, left_special_area_on, released_on or status.")},
	{"header.key_types", ERRCODE_DATATYPE_MISMATCH,
		gettext_noop("key column \"{1}\" is of type {2} but header key column \"{3}\" is of type {4}"), NULL,
		gettext_noop("The key columns of a return and of its header must have the same types.")},
	{"header.key_no_equality", ERRCODE_INVALID_FOREIGN_KEY,
		gettext_noop("header key column \"{1}\" is of type {2}, which has no default equality operator of a btree operator class"), NULL,
		gettext_noop("Use key columns of scalar types (text, varchar, integer, numeric, date, a domain over one, the cbreturn identifier types); a header row cannot be named by an array or a composite value.")},
	{"header.role_twice", ERRCODE_INVALID_PARAMETER_VALUE,
		gettext_noop("{1} is read from the header {3}"),
		gettext_noop("Column \"{2}\" was named for it here, and attach_header named column \"{4}\" of the header."),
		gettext_noop("Leave {1} out here, or detach the header and attach it without that column.")},
	{"header.in_use", ERRCODE_DEPENDENT_OBJECTS_STILL_EXIST,
		gettext_noop("the {2} check on {3} reads {4} from header {1}"), NULL,
		gettext_noop("Detach the check first: SELECT cbreturn.detach({5}, {6});")},
	{"header.truncate", ERRCODE_CBRETURN_HEADER,
		gettext_noop("cannot truncate table {1}: returns in {2} name its rows"),
		gettext_noop("Returns read their export or release date and codes from this header."),
		gettext_noop("Delete the returns first, or detach the header with cbreturn.detach().")},
	{"header.detach_partition", ERRCODE_CBRETURN_HEADER,
		gettext_noop("cannot detach partition {1} of header {2}: returns in {3} name its rows"),
		gettext_noop("Those returns read their export or release date and codes from rows of this partition; detached, it would leave them naming no header row."),
		gettext_noop("Delete those returns first, or detach or drop the partition of {3} that holds them, then detach this partition.")},
	{"header.link_concurrent", ERRCODE_T_R_SERIALIZATION_FAILURE,
		gettext_noop("could not serialize access: a returns table was linked to the header of {1} after this transaction began"),
		gettext_noop("Under REPEATABLE READ and SERIALIZABLE the guard reads the links of the header with the transaction's snapshot, which does not show that one; it cannot tell whether its returns name rows of {1}."),
		gettext_noop("Retry the transaction.")},
	{"header.drop_partition", ERRCODE_CBRETURN_HEADER,
		gettext_noop("cannot drop partition {1} of header {2}: returns in {3} name its rows"),
		gettext_noop("Those returns read their export or release date and codes from rows of this partition; dropped, it would leave them naming no header row."),
		gettext_noop("Delete those returns first, or detach or drop the partition of {3} that holds them, then drop this partition.")},
	{"header.drop_partition_cascade", ERRCODE_CBRETURN_HEADER,
		gettext_noop("cannot drop partition {1} of header {2}: returns in {3} would name no header row"),
		gettext_noop("The DROP ... CASCADE takes this partition with it, and afterwards returns in {3} name no row of the header: they named rows of this partition, or named none already (a return stored before the header was attached, say)."),
		gettext_noop("Delete or correct the returns whose key names no header row first, or detach the checks of {3} that read the header, then drop.")},
	{"header.column_rewritten", ERRCODE_CBRETURN_HEADER,
		gettext_noop("cannot rewrite column \"{1}\" of {2}: the header link of {3} reads it"),
		gettext_noop("ALTER COLUMN ... TYPE with USING, to a collation that compares otherwise, or to a shorter length or precision (a shorter varchar drops trailing blanks; a numeric or timestamp rounds) changes the stored values without the header guard, which keeps the returns that read the header to their rules."),
		gettext_noop("Correct the values with UPDATE, which the guard checks; or detach the checks of {3} that read the header (SELECT cbreturn.detach({4});), alter the column, and attach them again.")},
	/* Citus: one source of truth for the policy (sql/66_citus.sql, docs/scale-out.md) */
	{"citus.policy_on_worker", ERRCODE_CBRETURN_DISTRIBUTED,
		gettext_noop("table {1} is edited on the Citus coordinator, not on a worker"),
		gettext_noop("The policy tables and registers of a Citus cluster are the coordinator's; a worker holds a copy that the next edit on the coordinator replaces."),
		gettext_noop("Make the change on the coordinator; it reaches every worker in the same transaction.")},
	{"citus.sync_on_worker", ERRCODE_CBRETURN_DISTRIBUTED,
		gettext_noop("cbreturn.citus_sync_policy() runs on the Citus coordinator"), NULL,
		gettext_noop("Connect to the coordinator and call it there.")},
	{"citus.rename_attached", ERRCODE_CBRETURN_DISTRIBUTED,
		gettext_noop("column \"{1}\" of Citus table {2} is used by the cbreturn {3}"),
		gettext_noop("The checks of a Citus table name their columns in the triggers that Citus carries to every shard, so a renamed column would leave them reading nothing."),
		gettext_noop("Detach the check, rename the column, then attach the check again: SELECT cbreturn.detach({4}, {5});")},
	/* the quantity check on Citus tables (sql/67_citus_quantity.sql, issue 14) */
	{"citus.quantity_key", ERRCODE_CBRETURN_DISTRIBUTED,
		gettext_noop("the returns in {1} and their declared lines in {2} are not distributed on one column of the line"),
		gettext_noop("Citus puts rows with equal distribution values on one shard, so the returns of a line are on the shard of their declared line only when both tables are distributed on the same column of the line's key (the declaration number)."),
		gettext_noop("Distribute {1} on one of its line columns ({3}) and {2} on the matching declared column, co-located.")},
	{"citus.quantity_one_returns_table", ERRCODE_CBRETURN_DISTRIBUTED,
		gettext_noop("the returns of declared table {1} are already counted in {2}"),
		gettext_noop("On Citus tables the quantity check counts the returns of a line in the one returns table co-located with it."),
		gettext_noop("Keep the returns of one declared table in one distributed table, or detach the quantity check of {2} first.")},
	{"citus.quantity_status", ERRCODE_CBRETURN_DISTRIBUTED,
		gettext_noop("rejected and withdrawn returns cannot give their quantity back on Citus table {1}"),
		gettext_noop("The quantity check on Citus tables counts every return of a line with its quantity; it reads no status column or freeing labels."),
		gettext_noop("Attach the quantity check without a status and freeing labels, and before any status check; or keep the tables on the coordinator, not distributed.")},
	{"citus.quantity_truncate_isolation", ERRCODE_CBRETURN_DISTRIBUTED,
		gettext_noop("cannot truncate Citus table {1} in a {2} transaction (R-EX-3, R-IM-2)"),
		gettext_noop("On Citus tables a TRUNCATE of declared lines is checked by looking for their returns in {3} on the workers, and a {2} transaction may not see a return committed after its snapshot was taken."),
		gettext_noop("Run the TRUNCATE in a READ COMMITTED transaction.")},
	{"citus.quantity_truncate_trigger", ERRCODE_OBJECT_NOT_IN_PREREQUISITE_STATE,
		gettext_noop("no quantity check is attached to table {1}"), NULL,
		gettext_noop("Create the trigger with cbreturn.attach_quantity_check, not by hand.")},
	{"citus.quantity_truncate_shard", ERRCODE_CBRETURN_DISTRIBUTED,
		gettext_noop("cannot truncate shard {1}: the shard of {2} co-located with it is not on this node (R-EX-3, R-IM-2)"),
		gettext_noop("A TRUNCATE of a shard of declared lines is checked against the returns in the co-located shard of the returns table, which Citus keeps on the same node."),
		gettext_noop("Truncate the distributed table {3}, not its shard.")},
	{"citus.quantity_truncate_copies", ERRCODE_LOCK_NOT_AVAILABLE,
		gettext_noop("the TRUNCATE guard of Citus table {1} could not be put on its shards"),
		gettext_noop("Each shard of the declared lines carries a copy of the guard, made in a connection of its own: {2}"),
		gettext_noop("Attach the quantity check in a transaction that has not written to {1}, when no long transaction is writing to it.")},
	{"citus.quantity_partitioned", ERRCODE_CBRETURN_DISTRIBUTED,
		gettext_noop("the quantity check on Citus tables cannot be attached to partitioned table {1}"),
		gettext_noop("On Citus tables the check finds the co-located shard of each shard it runs on, and is made for shards that are not partitioned."),
		gettext_noop("Distribute tables that are not partitioned, or keep the tables on the coordinator, not distributed.")},
	{"citus.quantity_no_index", ERRCODE_CBRETURN_DISTRIBUTED,
		gettext_noop("the returns in {1} have no index that begins with a column of the line"),
		gettext_noop("On a Citus table the quantity check sums the returns of the line at each write, through such an index, under the collation of the declared line key."),
		gettext_noop("Create one, for example: CREATE INDEX ON {1} ({2});")},
	{"citus.sync_no_citus", ERRCODE_CBRETURN_DISTRIBUTED,
		gettext_noop("cbreturn.citus_sync_policy() needs the extension citus"),
		gettext_noop("This database has no Citus cluster whose workers could take the policy."), NULL},
	/* the install takes the schema cbreturn over (sql/95_schema.sql, docs/security.md) */
	{"install.schema_not_own", ERRCODE_INSUFFICIENT_PRIVILEGE,
		gettext_noop("schema cbreturn holds objects that are not part of the extension"),
		gettext_noop("Objects: {1}."),
		gettext_noop("cbreturn's functions that run as a superuser name the objects of this schema, so it may hold nothing else: move or drop those objects, then run CREATE EXTENSION again.")},
	{"install.schema_create_granted", ERRCODE_INSUFFICIENT_PRIVILEGE,
		gettext_noop("roles other than its owner may create objects in schema cbreturn"),
		gettext_noop("CREATE is granted to: {1}."),
		gettext_noop("Revoke it (REVOKE CREATE ON SCHEMA cbreturn FROM ...), then try again.")},
	/* quantity and status together, rules section 6 (issue 12 item 6) */
	{"attach.status_withdrawn_label", ERRCODE_INVALID_PARAMETER_VALUE,
		gettext_noop("withdrawn label \"{1}\" must be a label of its own"),
		gettext_noop("A withdrawn return is neither one of the seven stages nor blank."),
		gettext_noop("Give the label the table uses for a withdrawn return, different from the labels of the stages.")},
	{"attach.quantity_status_column", ERRCODE_INVALID_PARAMETER_VALUE,
		gettext_noop("the quantity check on {1} must read status column \"{2}\" of the status check attached to it, not \"{3}\""),
		NULL,
		gettext_noop("Leave status out: the quantity check takes the status check's column and labels, so that the two checks agree.")},
	{"attach.quantity_status_labels", ERRCODE_INVALID_PARAMETER_VALUE,
		gettext_noop("freeing_labels {1} differ from the rejected and withdrawn labels {2} of the status check on {3}"),
		NULL,
		gettext_noop("Leave freeing_labels out: the quantity check takes the status check's labels, so that the two checks agree.")},
	{"attach.quantity_freeing_labels", ERRCODE_INVALID_PARAMETER_VALUE,
		gettext_noop("status and freeing_labels go together, and freeing_labels must hold at least one label that is neither NULL nor blank"),
		NULL,
		gettext_noop("For example status => 'zt', freeing_labels => '{BH,CX}': the labels of the returns customs rejected or that were withdrawn.")},
	{"attach.status_quantity_disagree", ERRCODE_INVALID_PARAMETER_VALUE,
		gettext_noop("the quantity check on {1} frees returns by status column \"{2}\" with labels {3}, not by column \"{4}\" with labels {5} as this status check would"),
		gettext_noop("A return that customs rejects, or that is withdrawn, frees its quantity; both checks must agree on which returns those are."),
		gettext_noop("Detach the quantity check (SELECT cbreturn.detach({6}, 'quantity');), attach the status check, then attach the quantity check again: it takes the status check's column and labels.")},
	{NULL, 0, NULL, NULL, NULL}
};

/* Words a catalogued message may need as an argument: cbreturn._text(key). */
typedef struct CbrFragment
{
	const char *key;
	const char *text;
} CbrFragment;

static const CbrFragment cbr_fragments[] = {
	{"the_table", gettext_noop("the table")},
	{"the_declared_table", gettext_noop("the declared table")},
	{"role.exported_on", gettext_noop("the export clearance date (R-EX-1)")},
	{"role.released_on", gettext_noop("the release date of the import list (R-IM-1)")},
	/* attach_status_check and attach_quantity_check (issue 13) */
	{"the_returns_table", gettext_noop("the returns table")},
	{"role.status", gettext_noop("the status (rules section 6)")},
	{"role.registered_at", gettext_noop("the time of the stage registered (rules section 6)")},
	{"role.declared_at", gettext_noop("the time of the stage declared (rules section 6)")},
	{"role.shipped_at", gettext_noop("the time of the stage shipped (rules section 6)")},
	{"role.arrived_at", gettext_noop("the time of the stage arrived (rules section 6)")},
	{"role.inspected_at", gettext_noop("the time of the stage inspected (rules section 6)")},
	{"role.released_at", gettext_noop("the time of the stage released (rules section 6)")},
	{"role.rejected_at", gettext_noop("the time of the stage rejected (rules section 6)")},
	{"check.status", gettext_noop("the status check")},
	{"role.line_key", gettext_noop("a line key column (R-EX-3, R-IM-2)")},
	{"role.declared_line_key", gettext_noop("a declared line key column (R-EX-3, R-IM-2)")},
	{"role.quantity", gettext_noop("the returned quantity (R-EX-3, R-IM-2)")},
	{"role.declared_quantity", gettext_noop("the declared quantity (R-EX-3, R-IM-2)")},
	{"role.freeing_status", gettext_noop("the status that frees a rejected or withdrawn return's quantity (rules section 6)")},
	{"role.reason", gettext_noop("the return reason (R-EX-1)")},
	{"role.returned_on", gettext_noop("the return date (R-EX-1)")},
	{"role.remarks", gettext_noop("the remarks (R-EX-2)")},
	{"role.supervision_code", gettext_noop("the supervision code (R-EX-5)")},
	{"role.export_office", gettext_noop("the customs office that cleared the export (R-EX-5)")},
	{"role.return_office", gettext_noop("the customs office of the return (R-EX-5)")},
	{"role.deadline", gettext_noop("the deadline to fill in (R-EX-1)")},
	{"role.applicant", gettext_noop("the applicant (R-EX-4)")},
	{"role.return_site", gettext_noop("the return site (R-EX-6)")},
	{"role.left_special_area_on", gettext_noop("the departure from the special area (R-TX-2)")},
	{"role.applied_on", gettext_noop("the date the return was applied for (R-IM-1)")},
	{"role.arrived_on", gettext_noop("the date the goods arrived back (R-IM-1)")},
	{"role.import_supervision_code", gettext_noop("the supervision code of the import list (R-IM-1)")},
	{"role.import_original_place", gettext_noop("the original site, special area or centre (R-IM-1)")},
	{"role.import_arrival_place", gettext_noop("the place the goods arrived at (R-IM-1)")},
	{"role.import_declared_area", gettext_noop("the special area at the place of declaration (R-IM-6)")},
	{"role.import_warehouse", gettext_noop("the return-centre warehouse (R-IM-5)")},
	{"role.import_enterprise", gettext_noop("the e-commerce enterprise (R-IM-7)")},
	{"role.import_applicant", gettext_noop("the applicant (R-IM-7)")},
	{"check.export_filling", gettext_noop("the export check that fills remarks or a deadline")},
	/* the kinds of check a partition lacks (attach.partition_unchecked) */
	{"kind.export", gettext_noop("export check")},
	{"kind.import", gettext_noop("import check")},
	{"kind.status", gettext_noop("status check")},
	{"kind.quantity", gettext_noop("quantity check")},
	{"kind.header", gettext_noop("header link")},
	/* translator: the separator between the items of a list in a message */
	{"list.separator", gettext_noop(", ")},
	/* attach_header (sql/52_enforce_header.sql) */
	{"the_header_table", gettext_noop("the header table")},
	{"header.key", gettext_noop("a key column of the return naming its header")},
	{"header.header_key", gettext_noop("a key column of the header")},
	{"header.exported_on", gettext_noop("the export clearance date on the declaration header (R-EX-1)")},
	{"header.supervision_code", gettext_noop("the supervision code on the declaration header (R-EX-5)")},
	{"header.export_office", gettext_noop("the customs office that cleared the export, on the declaration header (R-EX-5)")},
	{"header.left_special_area_on", gettext_noop("the date the goods left the special area, on the declaration header (R-TX-2)")},
	{"header.released_on", gettext_noop("the release date on the declaration header (R-IM-1)")},
	{"header.status", gettext_noop("the status of the return request, on its header (rules section 6)")},
	{NULL, NULL}
};

static const CbrCatalogued *
catalogued(const char *key)
{
	int			i;

	for (i = 0; cbr_messages[i].key != NULL; i++)
		if (strcmp(cbr_messages[i].key, key) == 0)
			return &cbr_messages[i];
	ereport(ERROR,
			(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
			 errmsg("no catalogued message has the key \"%s\"", key)));
	return NULL;				/* keep compiler quiet */
}

/*
 * Translates template (in the language of the moment) and puts the arguments
 * in place of {1} .. {9}; a placeholder without an argument stays as it is.
 */
static char *
expand(const char *template, int nargs, char **args)
{
	StringInfoData buf;
	const char *p;

	if (template == NULL)
		return NULL;
	initStringInfo(&buf);
	for (p = _(template); *p; p++)
	{
		if (p[0] == '{' && p[1] >= '1' && p[1] <= '9' && p[2] == '}')
		{
			int			n = p[1] - '1';

			if (n < nargs)
			{
				appendStringInfoString(&buf, args[n] ? args[n] : "NULL");
				p += 2;
				continue;
			}
		}
		appendStringInfoChar(&buf, *p);
	}
	return buf.data;
}

/*
 * cbreturn._error(key text, VARIADIC args text[]) -> void
 *		Raises the catalogued message key with its SQLSTATE, DETAIL and HINT,
 *		in the language of lc_messages or cbreturn.language; an entry whose
 *		SQLSTATE is 00000 is a NOTICE (as PostgreSQL's "drop cascades to").
 */
PG_FUNCTION_INFO_V1(cbreturn_error);
Datum
cbreturn_error(PG_FUNCTION_ARGS)
{
	const CbrCatalogued *m;
	char	  **args = NULL;
	int			nargs = 0;

	if (PG_ARGISNULL(0))
		ereport(ERROR,
				(errcode(ERRCODE_NULL_VALUE_NOT_ALLOWED),
				 errmsg("the key of a catalogued message must not be NULL")));
	m = catalogued(text_to_cstring(PG_GETARG_TEXT_PP(0)));
	if (PG_NARGS() > 1 && !PG_ARGISNULL(1))
	{
		ArrayType  *arr = PG_GETARG_ARRAYTYPE_P(1);
		Datum	   *elems;
		bool	   *nulls;
		int			i;

		deconstruct_array(arr, TEXTOID, -1, false, TYPALIGN_INT, &elems, &nulls, &nargs);
		args = palloc(sizeof(char *) * Max(nargs, 1));
		for (i = 0; i < nargs; i++)
			args[i] = nulls[i] ? NULL : TextDatumGetCString(elems[i]);
	}
	ereport(m->sqlstate == ERRCODE_SUCCESSFUL_COMPLETION ? NOTICE : ERROR,
			(errcode(m->sqlstate),
			 errmsg_internal("%s", expand(m->message, nargs, args)),
			 m->detail ? errdetail_internal("%s", expand(m->detail, nargs, args)) : 0,
			 m->hint ? errhint("%s", expand(m->hint, nargs, args)) : 0));
	PG_RETURN_VOID();
}

/*
 * cbreturn._text(key text) -> text
 *		A catalogued word or phrase, translated, for an argument of _error.
 */
PG_FUNCTION_INFO_V1(cbreturn_text);
Datum
cbreturn_text(PG_FUNCTION_ARGS)
{
	const char *key = text_to_cstring(PG_GETARG_TEXT_PP(0));
	const char *result = NULL;
	int			i;

	for (i = 0; cbr_fragments[i].key != NULL; i++)
		if (strcmp(cbr_fragments[i].key, key) == 0)
			break;
	if (cbr_fragments[i].key == NULL)
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
				 errmsg("no catalogued text has the key \"%s\"", key)));
	cbr_language_begin();
	result = _(cbr_fragments[i].text);
	cbr_language_end();
	PG_RETURN_TEXT_P(cstring_to_text(result));
}
