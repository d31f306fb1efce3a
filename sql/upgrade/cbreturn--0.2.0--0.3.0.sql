-- cbreturn 0.2.0 -> 0.3.0.  Run by ALTER EXTENSION cbreturn UPDATE; attached
-- checks (their triggers and metadata) are kept.  test/checks/upgrade.sh
-- requires the result to equal a fresh 0.3.0 install, from 0.2.0 and from
-- 0.1.0 alike.
--
-- Each object is created or replaced once, in its 0.3.0 form: (1) the old
-- signatures are dropped, (2) types and tables, (3) functions and operators
-- in the order of the install script (so that each finds what it names),
-- (4) triggers, event triggers and the view, (5) the data fixes.  A later
-- change appends its own block after the end marker.
--
-- What changed since 0.2.0:
--   * Chinese messages for clerks and DBAs (issue 13): the RAISEs of attach,
--     detach, the metadata triggers, the quantity check and the register
--     lookups go through cbreturn._error, so a zh_CN session reads them in
--     Chinese (docs/i18n.md); labels for people of enum values, statuses and
--     stages.
--   * Assessment, text keys and the schema (issue 12, items 7, 8, 9):
--     assess_export_return, assess_import_return; district(text) and
--     text = declaration_id for identifiers an ERP holds as text; the schema
--     belongs to the superuser that runs the update.
--   * Import-side rules and pilot data (issue 11 items 4, 5, 6, 8; issue 10):
--     import_return_on_time on NULL dates, the R-IM-3 effect of a recorded
--     return; the R-EX-5 pilot districts graded as the rules grade them.
--   * Beyond one server: logical replication, postgres_fdw (issue 14): the
--     policy tables and registers invalidate on a subscriber too, the
--     metadata of attached checks, the quantity ledger and the violation log
--     stay per node; rebuild_quantity_ledgers, district_number.
--   * Row facts: reason vocabularies (R-V-1) and China dates (R-T-1) (issue
--     12): china_date, reason_label_key, cbreturn.reason_labels with its
--     shipped labels, return_reason(label); attach accepts timestamp and
--     timestamptz date roles.  Checks attached before keep their triggers;
--     a text reason column is now read through cbreturn.reason_labels.
--   * Quantity check: safety and performance (issue 9, issue 10): values in
--     messages cut at 64 bytes (cbreturn._clip); a recount counts no
--     inheritance child and reads the declared table itself; a role that may
--     TRUNCATE a returns table may have its declared table counted again.
--   * Export tax relief answers, basis texts and Chinese explanations
--     (issues 10, 11, 13): the R-TX-3 certificate in tax_relief,
--     export_tax_relieved for scans, Chinese titles of the announcements;
--     the explanations follow the language setting (STABLE).
--   * Quantity and status together, rules section 6 (issue 12, item 6): a
--     rejected or withdrawn return frees its quantity (freeing_labels).
--   * Record mode, ordinary returns, existing rows (issue 12): the options
--     on_violation, ordinary_values, validated_at; cbreturn.violation_log;
--     set_on_violation, set_ordinary_return_column, violations, validate.
--   * Citus: one source of truth for the policy and registers (issue 14).
--   * Facts from the declaration header (issue 12): the check kind 'header',
--     attach_header, the header's guards.
--   * Chinese for the import-side texts (issue 13): import_return_effect
--     follows the language setting; explain_import_return_effect.
--   * Partitions of a checked partitioned table (issue 12): a leaf created or
--     attached without the checks its siblings carry is refused at commit.
--   * Registers in the write-time checks, the 1210 clock (issue 11): the
--     register lookups in C over a per-session snapshot reloaded by the
--     registers_changed triggers; the register roles of the attach
--     functions (a new signature); bonded_export_return_deadline.
\echo Use "ALTER EXTENSION cbreturn UPDATE" to load this file. \quit

-- ---------------------------------------------------------------------------
-- 1. Old signatures: functions whose arguments changed, and one gone
-- ---------------------------------------------------------------------------

-- Rules section 6: the status and quantity checks take their new arguments
-- last (issue 12, item 6).
DROP FUNCTION cbreturn.attach_status_check(regclass, name, name, name, name, name, name, name, name, text[]);
DROP FUNCTION cbreturn.attach_quantity_check(regclass, name[], name, regclass, name[], name);
-- The attach functions of the export and import checks take the register
-- roles and the departure from the special area last (issue 11).
DROP FUNCTION cbreturn.attach_export_return_checks(regclass, name, name, name, name, boolean, name, name, name, name);
DROP FUNCTION cbreturn.attach_import_return_checks(regclass, name, name, name);
-- The register lookups are C functions now (issue 11): explain_registers is
-- created again, register_date_guard is gone.
DROP FUNCTION cbreturn.explain_registers(date, cbreturn.uscc, text, cbreturn.customs_code, text, text,
                                            cbreturn.customs_registration_code, cbreturn.uscc);
DROP FUNCTION cbreturn.register_date_guard(date, text);

-- ---------------------------------------------------------------------------
-- 2. Types and tables
-- ---------------------------------------------------------------------------

-- R-TX-3: the tax authority's certificate is part of the evidence for every
-- relief.  ALTER TYPE adds the attribute last (a fresh install has it last
-- too); values stored before the upgrade read it as NULL.
ALTER TYPE cbreturn.tax_relief ADD ATTRIBUTE tax_certificate_required boolean;
COMMENT ON TYPE cbreturn.tax_relief IS
    'answer of export_tax_relief: which taxes are exempt or refunded, rebate repayment and the tax certificate (R-TX-3), evidence (R-TX-5), legal basis, rule ids not met';

-- sql/45_assess.sql: the one-call assessment
-- The one-call assessment of a return, for reporting (docs/reporting.md).
-- The C side is src/sql_api/assess.c: every field is the verdict of the rule
-- function that decides it, so the assessment cannot disagree with them.
-- Over a table: a LATERAL join in the caller's own query (docs/reporting.md).

CREATE TYPE cbreturn.export_assessment AS (
    deadline              date,
    days_left             integer,
    status                text,
    remark_code           text,
    cross_customs_allowed boolean,
    tax_relief            cbreturn.tax_relief,
    evidence              text[],
    missing               text[]
);
COMMENT ON TYPE cbreturn.export_assessment IS
    'answer of assess_export_return: R-EX-1 deadline, days left and status on a day, R-EX-2 remark code, R-EX-5 verdict, R-TX relief with its R-TX-5 evidence items, the inputs that were missing';

CREATE TYPE cbreturn.import_assessment AS (
    apply_deadline     date,
    arrival_deadline   date,
    apply_days_left    integer,
    arrival_days_left  integer,
    apply_status       text,
    arrival_status     text,
    status             text,
    days_left          integer,
    on_time            boolean,
    missing            text[]
);
COMMENT ON TYPE cbreturn.import_assessment IS
    'answer of assess_import_return: both R-IM-1 deadlines, each window''s days left and status on a day, the return''s status over both, on_time so far, the inputs that were missing';

CREATE TYPE cbreturn.import_effect AS (
    effect          text,
    tax_refunded    boolean,
    quota_year      integer,
    quota_restored  numeric,
    basis           text
);
COMMENT ON TYPE cbreturn.import_effect IS
    'answer of import_return_effect: not_yet, applied or never; whether the tax is refunded; the calendar year whose annual amount is restored and by how much (R-IM-3)';

ALTER TABLE cbreturn.attached_check
    DROP CONSTRAINT attached_check_status_labels_check,
    ADD CONSTRAINT attached_check_status_labels_check
        CHECK (status_labels IS NULL OR pg_catalog.cardinality(status_labels) IN (7, 8)),
    ADD COLUMN freeing_labels text[],
    ADD CONSTRAINT attached_check_freeing_labels_check
        CHECK (freeing_labels IS NULL
               OR (check_kind = 'quantity' AND pg_catalog.cardinality(freeing_labels) > 0));

ALTER TABLE cbreturn.attached_check
    -- what the check does with a row that breaks a rule: refuse it (raise)
    -- or record it (store the row, log the rule in cbreturn.violation_log);
    -- the quantity check only refuses
    ADD COLUMN on_violation text NOT NULL DEFAULT 'refuse'
        CHECK (on_violation IN ('refuse', 'record')),
    -- export, import: the values of the column attached as role
    -- ordinary_return that mark an ordinary (taxed) return
    ADD COLUMN ordinary_values text[],
    -- when cbreturn.validate() last found every existing row within the rules
    ADD COLUMN validated_at timestamptz,
    ADD CONSTRAINT attached_check_record_kind
        CHECK (on_violation = 'refuse' OR check_kind <> 'quantity'),
    ADD CONSTRAINT attached_check_ordinary_kind
        CHECK (ordinary_values IS NULL OR check_kind IN ('export', 'import'));

-- A check kind 'header': the link from a returns table to its declaration
-- header (sql/52_enforce_header.sql), which has a declared relation too.
ALTER TABLE cbreturn.attached_check DROP CONSTRAINT attached_check_check_kind_check;
ALTER TABLE cbreturn.attached_check ADD CONSTRAINT attached_check_check_kind_check
    CHECK (check_kind IN ('export', 'import', 'quantity', 'status', 'header'));
ALTER TABLE cbreturn.attached_check DROP CONSTRAINT attached_check_check;
ALTER TABLE cbreturn.attached_check ADD CONSTRAINT attached_check_check
    CHECK ((check_kind IN ('quantity', 'header')) = (declared_relation IS NOT NULL));

-- The Chinese official titles of the tax policy announcements (R-TX-1), named
-- by the Chinese bases; a row the DBA edited keeps its own title if it has one.
ALTER TABLE cbreturn.tax_policy_periods ADD COLUMN title_zh text CHECK (title_zh <> '');
COMMENT ON COLUMN cbreturn.tax_policy_periods.title_zh IS
    'Chinese official title of the announcement (e.g. 财政部 海关总署 税务总局公告2026年第16号), named in Chinese bases; NULL: the announcement column is named';

-- R-V-1: reason vocabularies
-- The key labels are compared by: no blanks around (ASCII, U+3000, U+00A0),
-- Latin letters in lower case, full-width letters and signs as ASCII
-- (src/rules/label.c).  IMMUTABLE: it depends only on its argument (and on
-- the database's encoding, which never changes).
CREATE FUNCTION cbreturn.reason_label_key(label text) RETURNS text
    AS 'MODULE_PATHNAME', 'reason_label_key' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;

SELECT pg_catalog.set_config('cbreturn.loading_policy', 'on', true);

CREATE TABLE cbreturn.reason_labels (
    label           text PRIMARY KEY
                    CHECK (cbreturn.reason_label_key(label) OPERATOR(pg_catalog.<>) ''),
    -- NULL: the label is known and refused (how a shipped label is withdrawn)
    reason          cbreturn.return_reason,
    shipped         boolean NOT NULL DEFAULT false
);
COMMENT ON TABLE cbreturn.reason_labels IS
    'the labels an ERP stores in a reason column and the return reason each names (R-V-1); compared by cbreturn.reason_label_key';
COMMENT ON COLUMN cbreturn.reason_labels.label IS
    'a label as an ERP writes it; blanks around it, Latin letter case and full-width letters do not matter';
COMMENT ON COLUMN cbreturn.reason_labels.reason IS
    'the return reason the label names; NULL: the label is refused (a withdrawn shipped label)';
COMMENT ON COLUMN cbreturn.reason_labels.shipped IS
    'true for rows as shipped by cbreturn; false once added or changed locally (these are dumped)';
-- Two labels with one key would be one label with two reasons.
CREATE UNIQUE INDEX reason_labels_key ON cbreturn.reason_labels (cbreturn.reason_label_key(label));

-- The remark codes of R-EX-2 (seed 002), the Chinese names of the three
-- kinds of return (滞销退运, 退货退运, 品质规格退运, seed 002) and their short
-- forms, and the enum's own labels.
INSERT INTO cbreturn.reason_labels (label, reason, shipped) VALUES
    ('ZXTY', 'unsold', true),
    ('THTY', 'consumer_return', true),
    ('PGTY', 'quality_or_spec', true),
    ('滞销', 'unsold', true),
    ('滞销退运', 'unsold', true),
    ('退货', 'consumer_return', true),
    ('退货退运', 'consumer_return', true),
    ('品质', 'quality_or_spec', true),
    ('规格', 'quality_or_spec', true),
    ('品质规格退运', 'quality_or_spec', true),
    ('unsold', 'unsold', true),
    ('consumer_return', 'consumer_return', true),
    ('quality_or_spec', 'quality_or_spec', true),
    -- the English words of R-EX-2 for the three kinds (rules R-V-1)
    ('unsold stock', 'unsold', true),
    ('consumer return', 'consumer_return', true),
    ('product return', 'consumer_return', true),
    ('quality', 'quality_or_spec', true),
    ('specification', 'quality_or_spec', true),
    ('quality or specification', 'quality_or_spec', true);

SELECT pg_catalog.set_config('cbreturn.loading_policy', 'off', true);

SELECT pg_catalog.pg_extension_config_dump('cbreturn.reason_labels', 'WHERE NOT shipped');
REVOKE ALL ON cbreturn.reason_labels FROM PUBLIC;
GRANT SELECT ON cbreturn.reason_labels TO PUBLIC;

-- The violation log
-- One row per broken rule of a row that a check in record mode stored.
-- Written only by the checks, as the owner of the metadata (the extension's
-- owner): no role is granted INSERT or UPDATE, so nobody forges an entry.
-- The owner of the checked table (or a member of its owning role) reads and
-- deletes its entries; row security hides every other entry, also from the
-- role that wrote the row.  Kept by pg_dump with the metadata; the entries
-- of a dropped table go with it (a regclass cannot name a table that is gone).
CREATE SEQUENCE cbreturn.violation_log_id_seq;
CREATE TABLE cbreturn.violation_log (
    id          bigint NOT NULL DEFAULT pg_catalog.nextval('cbreturn.violation_log_id_seq'::pg_catalog.regclass),
    -- the checked table and the kind of its check
    relation    regclass NOT NULL,
    check_kind  text NOT NULL,
    -- the primary key of the stored row, {"column": "value as text"}: only the
    -- key columns the writing role may read (NULL: none, no primary key, or
    -- row security applies to the writer)
    row_key     jsonb,
    -- R-EX-1, R-EX-2, R-EX-5, R-IM-1 or 'section 6' (status)
    rule_id     text NOT NULL,
    -- what a refused write would have been told, in the writer's language;
    -- detail without the "Row (…)=(…) of t:" it starts with there
    sqlstate    text NOT NULL,
    message     text NOT NULL,
    detail      text,
    hint        text,
    logged_at   timestamptz NOT NULL DEFAULT pg_catalog.statement_timestamp(),
    -- the role that wrote the row (current_user of the write)
    logged_by   name NOT NULL,
    PRIMARY KEY (id)
);
CREATE INDEX violation_log_relation ON cbreturn.violation_log (relation, id);
COMMENT ON TABLE cbreturn.violation_log IS
    'rows stored by a check in record mode, one per broken rule; readable by the owner of the checked table only (docs/enforcement.md)';
SELECT pg_catalog.pg_extension_config_dump('cbreturn.violation_log', '');
SELECT pg_catalog.pg_extension_config_dump('cbreturn.violation_log_id_seq', '');

ALTER TABLE cbreturn.violation_log ENABLE ROW LEVEL SECURITY;
CREATE POLICY owner_reads ON cbreturn.violation_log FOR SELECT USING (cbreturn._owns(relation));
CREATE POLICY owner_deletes ON cbreturn.violation_log FOR DELETE USING (cbreturn._owns(relation));
REVOKE ALL ON cbreturn.violation_log, cbreturn.violation_log_id_seq FROM PUBLIC;
GRANT SELECT, DELETE ON cbreturn.violation_log TO PUBLIC;
-- Leaves of checked partition trees that DDL touched, looked at on commit.
CREATE TABLE cbreturn.partition_pending (
    relid   oid NOT NULL                           -- a leaf partition to look at on commit
);
COMMENT ON TABLE cbreturn.partition_pending IS
    'internal: leaf partitions of checked partition trees touched by DDL in open transactions; empty between transactions';
REVOKE ALL ON cbreturn.partition_pending FROM PUBLIC;

CREATE TABLE cbreturn.citus_policy (
    table_name  text PRIMARY KEY
                CHECK (table_name IN ('districts', 'supervision_codes', 'tax_policy_periods',
                                      'rule_parameters', 'holidays', 'reason_labels', 'applicants',
                                      'return_sites', 'return_warehouses', 'operator_credit_ratings',
                                      'import_agents')),
    generation  bigint NOT NULL CHECK (generation > 0),
    rows        jsonb NOT NULL CHECK (pg_catalog.jsonb_typeof(rows) OPERATOR(pg_catalog.=) 'array')
);
COMMENT ON TABLE cbreturn.citus_policy IS
    'Citus: the coordinator''s rows of each policy table and register, as a reference table; its triggers apply them on every worker (docs/scale-out.md)';
REVOKE ALL ON cbreturn.citus_policy FROM PUBLIC;
GRANT SELECT ON cbreturn.citus_policy TO PUBLIC;

-- The generation of each table a worker has applied: its own, never
-- distributed (src/policy/citus.c compares it with the placement).
CREATE TABLE cbreturn.citus_policy_applied (
    table_name  text PRIMARY KEY,
    generation  bigint NOT NULL
);
COMMENT ON TABLE cbreturn.citus_policy_applied IS
    'Citus, on a worker: the generation of cbreturn.citus_policy each policy table and register was last replaced with (docs/scale-out.md)';
REVOKE ALL ON cbreturn.citus_policy_applied FROM PUBLIC;
GRANT SELECT ON cbreturn.citus_policy_applied TO PUBLIC;

-- ---------------------------------------------------------------------------
-- 3. Functions and operators, in the order of the install script
-- ---------------------------------------------------------------------------

-- Identifiers held as text by an ERP (docs/types.md, "Text and varchar keys").
--
-- district('2924'): an untyped literal matched both district(customs_code)
-- and district(declaration_id) and was refused as ambiguous.  An overload on
-- text takes it (PostgreSQL prefers the string category for an unknown
-- literal), as well as text and varchar columns; typed arguments still take
-- the typed overloads.
CREATE FUNCTION cbreturn.district(code_or_declaration text) RETURNS text
    LANGUAGE sql IMMUTABLE STRICT PARALLEL SAFE
    SET search_path = pg_catalog, pg_temp
AS $$
    SELECT CASE WHEN pg_catalog.length(pg_catalog.btrim($1)) OPERATOR(pg_catalog.<=) 4
                THEN cbreturn.district($1::cbreturn.customs_code)
                ELSE cbreturn.district($1::cbreturn.declaration_id) END
$$;
COMMENT ON FUNCTION cbreturn.district(text) IS
    '2-digit customs district of a customs code (4 digits) or a declaration number (18 characters) given as text (R-ID-1, R-ID-2)';

-- varchar_key = declaration_id_column: the text is read as a declaration
-- number (hyphenated and lower-case forms included), so both sides compare
-- as declaration numbers; text that is not one raises 22P02 as the cast
-- does.  SQL-standard bodies (BEGIN ATOMIC): parsed when the extension is
-- installed, so no name is looked up when they run, and PostgreSQL inlines
-- them, so the planner sees the cast and declaration_id's own operator and
-- can use an index on the declaration_id column, or an expression index on
-- (varchar_col::cbreturn.declaration_id).
CREATE FUNCTION cbreturn.text_eq_declaration_id(text, cbreturn.declaration_id) RETURNS boolean
    LANGUAGE sql IMMUTABLE STRICT PARALLEL SAFE
BEGIN ATOMIC
    SELECT $1::cbreturn.declaration_id OPERATOR(cbreturn.=) $2;
END;
CREATE FUNCTION cbreturn.text_ne_declaration_id(text, cbreturn.declaration_id) RETURNS boolean
    LANGUAGE sql IMMUTABLE STRICT PARALLEL SAFE
BEGIN ATOMIC
    SELECT $1::cbreturn.declaration_id OPERATOR(cbreturn.<>) $2;
END;
CREATE FUNCTION cbreturn.declaration_id_eq_text(cbreturn.declaration_id, text) RETURNS boolean
    LANGUAGE sql IMMUTABLE STRICT PARALLEL SAFE
BEGIN ATOMIC
    SELECT $1 OPERATOR(cbreturn.=) $2::cbreturn.declaration_id;
END;
CREATE FUNCTION cbreturn.declaration_id_ne_text(cbreturn.declaration_id, text) RETURNS boolean
    LANGUAGE sql IMMUTABLE STRICT PARALLEL SAFE
BEGIN ATOMIC
    SELECT $1 OPERATOR(cbreturn.<>) $2::cbreturn.declaration_id;
END;
COMMENT ON FUNCTION cbreturn.text_eq_declaration_id(text, cbreturn.declaration_id) IS
    'text = declaration_id: the text read as a declaration number (22P02 when it is none)';
COMMENT ON FUNCTION cbreturn.text_ne_declaration_id(text, cbreturn.declaration_id) IS
    'text <> declaration_id: the text read as a declaration number (22P02 when it is none)';
COMMENT ON FUNCTION cbreturn.declaration_id_eq_text(cbreturn.declaration_id, text) IS
    'declaration_id = text: the text read as a declaration number (22P02 when it is none)';
COMMENT ON FUNCTION cbreturn.declaration_id_ne_text(cbreturn.declaration_id, text) IS
    'declaration_id <> text: the text read as a declaration number (22P02 when it is none)';

CREATE OPERATOR cbreturn.= (
    LEFTARG = text, RIGHTARG = cbreturn.declaration_id, PROCEDURE = cbreturn.text_eq_declaration_id,
    COMMUTATOR = OPERATOR(cbreturn.=), NEGATOR = OPERATOR(cbreturn.<>),
    RESTRICT = pg_catalog.eqsel, JOIN = pg_catalog.eqjoinsel
);
CREATE OPERATOR cbreturn.<> (
    LEFTARG = text, RIGHTARG = cbreturn.declaration_id, PROCEDURE = cbreturn.text_ne_declaration_id,
    COMMUTATOR = OPERATOR(cbreturn.<>), NEGATOR = OPERATOR(cbreturn.=),
    RESTRICT = pg_catalog.neqsel, JOIN = pg_catalog.neqjoinsel
);
CREATE OPERATOR cbreturn.= (
    LEFTARG = cbreturn.declaration_id, RIGHTARG = text, PROCEDURE = cbreturn.declaration_id_eq_text,
    COMMUTATOR = OPERATOR(cbreturn.=), NEGATOR = OPERATOR(cbreturn.<>),
    RESTRICT = pg_catalog.eqsel, JOIN = pg_catalog.eqjoinsel
);
CREATE OPERATOR cbreturn.<> (
    LEFTARG = cbreturn.declaration_id, RIGHTARG = text, PROCEDURE = cbreturn.declaration_id_ne_text,
    COMMUTATOR = OPERATOR(cbreturn.<>), NEGATOR = OPERATOR(cbreturn.=),
    RESTRICT = pg_catalog.neqsel, JOIN = pg_catalog.neqjoinsel
);
-- policy_row_guard keeps the publisher's "shipped" on a replicated row (as in 20_reference.sql).
CREATE OR REPLACE FUNCTION cbreturn.policy_row_guard() RETURNS trigger
    LANGUAGE plpgsql
    -- cbreturn is on the path for the key types' "=" operator (a
    -- supervision_code key); only the extension's owner can create objects
    -- there, and pg_catalog comes first.
    SET search_path = pg_catalog, cbreturn, pg_temp
AS $$
DECLARE
    -- Only the extension's own install and upgrade scripts set this, to
    -- insert rows that stay shipped.  An unset setting is NULL: compare with
    -- IS NOT DISTINCT FROM so that NULL means "not loading", never "keep".
    loading boolean := pg_catalog.current_setting('cbreturn.loading_policy', true)
                       IS NOT DISTINCT FROM 'on';
    -- A row applied by logical replication (the trigger is enabled ALWAYS,
    -- 65_scale_out.sql) keeps the "shipped" the publisher gave it: the
    -- publisher's shipped rows replace the subscriber's own below, and its
    -- edits stay edits (docs/scale-out.md).  Only a superuser can set this.
    replicated boolean := pg_catalog.current_setting('session_replication_role')
                          OPERATOR(pg_catalog.=) 'replica';
    same boolean;
BEGIN
    IF NOT (NEW.shipped AND (loading OR replicated)) THEN
        NEW.shipped := false;
    END IF;
    IF TG_OP = 'INSERT' THEN
        -- A row whose key matches a shipped row replaces it: this is how a
        -- restored DBA edit takes the place of the row CREATE EXTENSION has
        -- just inserted.  TG_ARGV[0] names the key column.
        EXECUTE pg_catalog.format(
            'DELETE FROM %I.%I AS t WHERE t.shipped AND t.%I = ($1).%I',
            TG_TABLE_SCHEMA, TG_TABLE_NAME, TG_ARGV[0], TG_ARGV[0])
            USING NEW;
        -- A restore into a database that already holds the same edit (the
        -- extension's data restored again, or over a database prepared with
        -- the same edits) finds the row there: an identical local row is
        -- kept and the restored copy skipped, instead of failing the COPY
        -- on the primary key.  A local row that differs still fails (23505):
        -- which edit is right is the DBA's call (docs/policy.md).
        EXECUTE pg_catalog.format(
            'SELECT EXISTS (SELECT FROM %I.%I AS t WHERE t.%I = ($1).%I AND NOT t.shipped'
            ' AND t IS NOT DISTINCT FROM $1)',
            TG_TABLE_SCHEMA, TG_TABLE_NAME, TG_ARGV[0], TG_ARGV[0])
            INTO same USING NEW;
        IF same THEN
            RETURN NULL;
        END IF;
    END IF;
    RETURN NEW;
END
$$;
CREATE FUNCTION cbreturn.registers_changed() RETURNS trigger
    AS 'MODULE_PATHNAME', 'registers_changed' LANGUAGE C;
COMMENT ON FUNCTION cbreturn.registers_changed() IS
    'statement trigger on every register: tells every session to reload its snapshot of the registers (docs/policy.md)';

CREATE OR REPLACE FUNCTION cbreturn.applicant_verdict(applicant cbreturn.uscc, on_date date)
    RETURNS cbreturn.register_verdict
    AS 'MODULE_PATHNAME', 'applicant_verdict'
    LANGUAGE C STABLE STRICT PARALLEL SAFE;
COMMENT ON FUNCTION cbreturn.applicant_verdict(cbreturn.uscc, date) IS
    'R-EX-4: is the applicant registered for CBEC export on the date (cbreturn.applicants)? With the reason; basis seed 002 export I';

CREATE OR REPLACE FUNCTION cbreturn.return_site_verdict(site text, office cbreturn.customs_code, on_date date)
    RETURNS cbreturn.register_verdict
    AS 'MODULE_PATHNAME', 'return_site_verdict'
    LANGUAGE C STABLE STRICT PARALLEL SAFE;
COMMENT ON FUNCTION cbreturn.return_site_verdict(text, cbreturn.customs_code, date) IS
    'R-EX-6: is the site authorised for CBEC retail export returns at that customs office on the date (cbreturn.return_sites)? With the reason; basis seeds 000, 001';

CREATE OR REPLACE FUNCTION cbreturn.credit_rating(enterprise cbreturn.uscc, on_date date)
    RETURNS cbreturn.customs_credit_rating
    AS 'MODULE_PATHNAME', 'credit_rating'
    LANGUAGE C STABLE STRICT PARALLEL SAFE;
COMMENT ON FUNCTION cbreturn.credit_rating(cbreturn.uscc, date) IS
    'customs credit rating of an enterprise in effect on the date, NULL if none recorded (R-IM-5; GACC Order No. 251)';

CREATE OR REPLACE FUNCTION cbreturn.return_warehouse_verdict(warehouse text, on_date date, special_area text DEFAULT NULL)
    RETURNS cbreturn.register_verdict
    AS 'MODULE_PATHNAME', 'return_warehouse_verdict'
    LANGUAGE C STABLE PARALLEL SAFE;
COMMENT ON FUNCTION cbreturn.return_warehouse_verdict(text, date, text) IS
    'R-IM-5: may a 1210 return go to this return-centre warehouse on the date (registered, in the area, operator not discredited, facilities)? With the reason; basis seed 002 import II-IV, GACC 2021 No. 70';

CREATE OR REPLACE FUNCTION cbreturn.import_applicant_verdict(enterprise cbreturn.customs_registration_code,
                                                  applicant cbreturn.uscc, on_date date)
    RETURNS cbreturn.register_verdict
    AS 'MODULE_PATHNAME', 'import_applicant_verdict'
    LANGUAGE C STABLE STRICT PARALLEL SAFE;
COMMENT ON FUNCTION cbreturn.import_applicant_verdict(cbreturn.customs_registration_code, cbreturn.uscc, date) IS
    'R-IM-7: may this applicant file a retail import return for the enterprise on the date (its domestic agent or an authorised broker, cbreturn.import_agents)? With the reason; basis seed 002 import I';

CREATE OR REPLACE FUNCTION cbreturn.import_arrival_place_verdict(code cbreturn.supervision_code, original_place text,
                                                      arrival_place text, returned_on date,
                                                      declared_area text DEFAULT NULL)
    RETURNS cbreturn.register_verdict
    AS 'MODULE_PATHNAME', 'import_arrival_place_verdict'
    LANGUAGE C STABLE PARALLEL SAFE;
COMMENT ON FUNCTION cbreturn.import_arrival_place_verdict(cbreturn.supervision_code, text, text, date, text) IS
    'R-IM-1, R-IM-5, R-IM-6: may an import return arrive at this place (original site; for 1210 a return-centre warehouse of the area or the special area of declaration)? Basis seed 002, seed 004, GACC 2020 No. 45, GACC 2021 No. 70';
CREATE FUNCTION cbreturn.explain_registers(on_date date, applicant cbreturn.uscc DEFAULT NULL,
                                           site text DEFAULT NULL, office cbreturn.customs_code DEFAULT NULL,
                                           warehouse text DEFAULT NULL, special_area text DEFAULT NULL,
                                           import_enterprise cbreturn.customs_registration_code DEFAULT NULL,
                                           import_applicant cbreturn.uscc DEFAULT NULL,
                                           arrival_code cbreturn.supervision_code DEFAULT NULL,
                                           original_place text DEFAULT NULL, arrival_place text DEFAULT NULL,
                                           declared_area text DEFAULT NULL)
    RETURNS TABLE (step integer, rule_id text, passed boolean, seen text, basis text)
    LANGUAGE plpgsql STABLE PARALLEL SAFE
    SET search_path = pg_catalog, cbreturn, pg_temp
AS $$
DECLARE
    v cbreturn.register_verdict;
    n integer := 0;
BEGIN
    IF on_date IS NULL THEN
        RETURN;
    END IF;
    IF applicant IS NOT NULL THEN
        v := cbreturn.applicant_verdict(applicant, on_date);
        n := n + 1;
        RETURN QUERY SELECT n, v.rule_id, v.ok, v.reason, v.basis;
    END IF;
    IF site IS NOT NULL AND office IS NOT NULL THEN
        v := cbreturn.return_site_verdict(site, office, on_date);
        n := n + 1;
        RETURN QUERY SELECT n, v.rule_id, v.ok, v.reason, v.basis;
    END IF;
    IF warehouse IS NOT NULL THEN
        v := cbreturn.return_warehouse_verdict(warehouse, on_date, special_area);
        n := n + 1;
        RETURN QUERY SELECT n, v.rule_id, v.ok, v.reason, v.basis;
    END IF;
    IF arrival_code IS NOT NULL AND original_place IS NOT NULL AND arrival_place IS NOT NULL THEN
        v := cbreturn.import_arrival_place_verdict(arrival_code, original_place, arrival_place, on_date,
                                                   declared_area);
        n := n + 1;
        RETURN QUERY SELECT n, v.rule_id, v.ok, v.reason, v.basis;
    END IF;
    IF import_enterprise IS NOT NULL AND import_applicant IS NOT NULL THEN
        v := cbreturn.import_applicant_verdict(import_enterprise, import_applicant, on_date);
        n := n + 1;
        RETURN QUERY SELECT n, v.rule_id, v.ok, v.reason, v.basis;
    END IF;
END
$$;
COMMENT ON FUNCTION cbreturn.explain_registers(date, cbreturn.uscc, text, cbreturn.customs_code, text, text,
                                               cbreturn.customs_registration_code, cbreturn.uscc,
                                               cbreturn.supervision_code, text, text, text) IS
    'explain the register checks (R-EX-4 applicant, R-EX-6 return site, R-IM-5 warehouse, R-IM-1/R-IM-5/R-IM-6 arrival place, R-IM-7 import applicant) for the inputs given: step, rule_id, passed, seen, basis';

-- R-T-1: customs dates are dates in China (Asia/Shanghai)
-- IMMUTABLE as PostgreSQL's own AT TIME ZONE is: the answer depends on the
-- server's time zone data, never on the session (TimeZone, DateStyle).
CREATE FUNCTION cbreturn.china_date(ts timestamptz) RETURNS date
    AS 'MODULE_PATHNAME', 'china_date' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
COMMENT ON FUNCTION cbreturn.china_date(timestamptz) IS
    'the date in China (Asia/Shanghai) of an instant, whatever the session''s TimeZone (R-T-1); infinity stays infinity';
CREATE FUNCTION cbreturn.china_date(ts timestamp) RETURNS date
    AS 'MODULE_PATHNAME', 'china_date_local' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
COMMENT ON FUNCTION cbreturn.china_date(timestamp) IS
    'the date of a timestamp without time zone, which is read as China local time (R-T-1)';

-- An argument of the WHEN clause of a reading check for a date role: NULL,
-- NEW."column" for a date column, cbreturn.china_date(NEW."column") for a
-- timestamp or timestamptz column (the WHEN functions take dates).
-- '' names a role read from the declaration header (cbreturn._header_role):
-- NULL in a WHEN clause too.
CREATE OR REPLACE FUNCTION cbreturn._new_date_column(rel regclass, col name) RETURNS text
    LANGUAGE sql STABLE PARALLEL SAFE
    SET search_path = pg_catalog, pg_temp
AS $$
    SELECT CASE WHEN col IS NULL OR col OPERATOR(pg_catalog.=) '' THEN 'NULL'
                WHEN (SELECT att.atttypid FROM pg_catalog.pg_attribute att
                       WHERE att.attrelid OPERATOR(pg_catalog.=) rel
                         AND att.attname OPERATOR(pg_catalog.=) col
                         AND att.attnum OPERATOR(pg_catalog.>) 0 AND NOT att.attisdropped)
                     OPERATOR(pg_catalog.=) ANY (ARRAY['pg_catalog.timestamp', 'pg_catalog.timestamptz']::pg_catalog.regtype[])
                THEN pg_catalog.format('cbreturn.china_date(NEW.%I)', col)
                ELSE pg_catalog.format('NEW.%I', col) END
$$;
COMMENT ON FUNCTION cbreturn._new_date_column(regclass, name) IS
    'internal: the argument of the WHEN clause attach writes for a date role, NEW."column", cbreturn.china_date(NEW."column") for a timestamp (R-T-1), or NULL';
COMMENT ON FUNCTION cbreturn.reason_label_key(text) IS
    'the key under which a reason label is looked up (R-V-1): without blanks around it, Latin letters in lower case, full-width letters as ASCII';

-- A label with the key of a shipped label replaces it, as policy_row_guard
-- does for the same label: so a restored edit 'zxty' takes the place of the
-- shipped 'ZXTY' instead of failing on the key.  (Fires before
-- policy_row_guard: triggers fire in name order.)
CREATE FUNCTION cbreturn._reason_label_replace() RETURNS trigger
    LANGUAGE plpgsql
    SET search_path = pg_catalog, pg_temp
AS $$
BEGIN
    DELETE FROM cbreturn.reason_labels r
     WHERE r.shipped AND r.label OPERATOR(pg_catalog.<>) NEW.label
       AND cbreturn.reason_label_key(r.label) OPERATOR(pg_catalog.=) cbreturn.reason_label_key(NEW.label);
    RETURN NEW;
END
$$;
COMMENT ON FUNCTION cbreturn._reason_label_replace() IS
    'internal: a label inserted with the key of a shipped label replaces it (dump and restore of cbreturn.reason_labels)';

-- Every session keeps the labels in memory (src/policy/reason_labels.c); a
-- change reaches this session at once and the others at their next
-- transaction after it commits, as for the policy tables.
CREATE FUNCTION cbreturn._reason_labels_changed() RETURNS trigger
    AS 'MODULE_PATHNAME', 'cbr_reason_labels_changed' LANGUAGE C;
COMMENT ON FUNCTION cbreturn._reason_labels_changed() IS
    'internal: statement trigger on cbreturn.reason_labels that makes every session read the labels again';

-- The reason a label names.  One function for text, varchar and char, and
-- one for a quoted literal: PostgreSQL reads return_reason('...') with an
-- untyped literal as a cast to the enum of the same name unless a function
-- takes exactly that argument type (unknown).
CREATE FUNCTION cbreturn.return_reason(label text) RETURNS cbreturn.return_reason
    AS 'MODULE_PATHNAME', 'return_reason' LANGUAGE C STABLE STRICT PARALLEL SAFE;
CREATE FUNCTION cbreturn.return_reason(label character varying) RETURNS cbreturn.return_reason
    AS 'MODULE_PATHNAME', 'return_reason' LANGUAGE C STABLE STRICT PARALLEL SAFE;
CREATE FUNCTION cbreturn.return_reason(label character) RETURNS cbreturn.return_reason
    AS 'MODULE_PATHNAME', 'return_reason' LANGUAGE C STABLE STRICT PARALLEL SAFE;
CREATE FUNCTION cbreturn.return_reason(label unknown) RETURNS cbreturn.return_reason
    AS 'MODULE_PATHNAME', 'return_reason_literal' LANGUAGE C STABLE STRICT PARALLEL SAFE;
COMMENT ON FUNCTION cbreturn.return_reason(text) IS
    'the return reason an ERP label names, by cbreturn.reason_labels (R-V-1); CB013 for a label that names none';
COMMENT ON FUNCTION cbreturn.return_reason(character varying) IS
    'the return reason an ERP label names, by cbreturn.reason_labels (R-V-1); CB013 for a label that names none';
COMMENT ON FUNCTION cbreturn.return_reason(character) IS
    'the return reason an ERP label names, by cbreturn.reason_labels (R-V-1); CB013 for a label that names none';
COMMENT ON FUNCTION cbreturn.return_reason(unknown) IS
    'the return reason a quoted label names, by cbreturn.reason_labels (R-V-1); CB013 for a label that names none';

-- R-EX-1 with R-TX-2: the 1210 clock (item 7)
CREATE FUNCTION cbreturn.bonded_export_return_deadline(exported_on date, left_special_area_on date,
                                                       reason cbreturn.return_reason)
    RETURNS date
    AS 'MODULE_PATHNAME', 'bonded_export_return_deadline'
    LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
COMMENT ON FUNCTION cbreturn.bonded_export_return_deadline(date, date, cbreturn.return_reason) IS
    'last day (inclusive) a 1210 export whose departure from the special area is known may re-enter: the R-EX-1 window counted from the export date, as for every code (R-P-1); the departure starts only the R-TX-2 relief period and may not precede the export';

-- The scalar accessor for scans.
CREATE FUNCTION cbreturn.export_tax_relieved(code cbreturn.supervision_code, exported_on date, returned_on date,
                                             reason cbreturn.return_reason, is_food boolean,
                                             original_state boolean,
                                             left_special_area_on date DEFAULT NULL,
                                             rebate_claimed boolean DEFAULT false)
    RETURNS boolean
    AS 'MODULE_PATHNAME', 'export_tax_relieved'
    LANGUAGE C STABLE CALLED ON NULL INPUT PARALLEL SAFE;
COMMENT ON FUNCTION cbreturn.export_tax_relieved(cbreturn.supervision_code, date, date, cbreturn.return_reason,
                                                 boolean, boolean, date, boolean) IS
    '(export_tax_relief(...)).relieved without forming the row, for scans: the same decision (R-TX-1 ... R-TX-6)';

-- R-IM-1: a late application is late whether or not the goods have arrived;
-- import_return_on_time reads a NULL date as "not recorded yet".
ALTER FUNCTION cbreturn.import_return_on_time(date, date, date) CALLED ON NULL INPUT;
COMMENT ON FUNCTION cbreturn.import_return_on_time(date, date, date) IS
    'true when the application is within 30 days and the arrival within 45 days of the release of the import list; false once a recorded date is late (a late application whether or not the goods arrived); NULL while a date that decides is not recorded (R-IM-1)';

-- R-IM-3 with the status of a recorded return (rules section 6): nothing is
-- refunded or restored before customs releases the return, nothing ever when
-- it is rejected; the quota restored is that of the purchase's calendar year.
CREATE FUNCTION cbreturn.import_annual_amount_after_return(annual_used numeric, returned_value numeric,
                                                           purchased_on date, amount_year integer,
                                                           status text)
    RETURNS numeric
    AS 'MODULE_PATHNAME', 'import_annual_amount_after_return_in_year'
    LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
COMMENT ON FUNCTION cbreturn.import_annual_amount_after_return(numeric, numeric, date, integer, text) IS
    'consumer''s annual cumulative amount of amount_year after a recorded return: reduced by returned_value once the return is released and amount_year is the calendar year of the purchase, unchanged otherwise (R-IM-3)';

CREATE FUNCTION cbreturn.import_return_effect(purchased_on date, returned_value numeric, status text)
    RETURNS cbreturn.import_effect
    AS 'MODULE_PATHNAME', 'import_return_effect'
    LANGUAGE C STABLE STRICT PARALLEL SAFE;
COMMENT ON FUNCTION cbreturn.import_return_effect(date, numeric, text) IS
    'what a recorded retail import return has done (R-IM-3, rules section 6): applied once released (tax refunded, quota of the purchase year restored), not_yet before, never when rejected';

-- The explanations follow the language setting: no longer IMMUTABLE.
ALTER FUNCTION cbreturn.explain_export_return_deadline(date, cbreturn.return_reason, date) STABLE;

CREATE FUNCTION cbreturn.explain_bonded_export_return_deadline(exported_on date, left_special_area_on date,
                                                               reason cbreturn.return_reason,
                                                               returned_on date DEFAULT NULL,
                                                               OUT step integer, OUT rule_id text, OUT passed boolean,
                                                               OUT seen text, OUT basis text)
    RETURNS SETOF record
    AS 'MODULE_PATHNAME', 'explain_bonded_export_return_deadline'
    LANGUAGE C IMMUTABLE CALLED ON NULL INPUT PARALLEL SAFE;
COMMENT ON FUNCTION cbreturn.explain_bonded_export_return_deadline(date, date, cbreturn.return_reason, date) IS
    'the rules behind bonded_export_return_deadline (R-EX-2, R-TX-2, R-P-1, R-EX-1), one row per rule checked';
ALTER FUNCTION cbreturn.explain_import_return(date, date, date) STABLE;
CREATE FUNCTION cbreturn.explain_import_return_effect(purchased_on date, returned_value numeric, status text,
                                                      OUT step integer, OUT rule_id text, OUT passed boolean,
                                                      OUT seen text, OUT basis text)
    RETURNS SETOF record
    AS 'MODULE_PATHNAME', 'explain_import_return_effect'
    LANGUAGE C STABLE STRICT PARALLEL SAFE;
COMMENT ON FUNCTION cbreturn.explain_import_return_effect(date, numeric, text) IS
    'the rules behind import_return_effect (R-IM-3, rules section 6): one row for the status, one for the annual amount';

CREATE FUNCTION cbreturn.assess_export_return(code cbreturn.supervision_code,
                                              exported_on date,
                                              reason cbreturn.return_reason,
                                              returned_on date,
                                              as_of date,
                                              export_office cbreturn.customs_code DEFAULT NULL,
                                              return_office cbreturn.customs_code DEFAULT NULL,
                                              is_food boolean DEFAULT NULL,
                                              original_state boolean DEFAULT NULL,
                                              left_special_area_on date DEFAULT NULL,
                                              rebate_claimed boolean DEFAULT false,
                                              due_soon_days integer DEFAULT 7)
    RETURNS cbreturn.export_assessment
    AS 'MODULE_PATHNAME', 'assess_export_return'
    LANGUAGE C STABLE CALLED ON NULL INPUT PARALLEL SAFE;
COMMENT ON FUNCTION cbreturn.assess_export_return(cbreturn.supervision_code, date, cbreturn.return_reason, date, date,
                                                  cbreturn.customs_code, cbreturn.customs_code, boolean, boolean,
                                                  date, boolean, integer) IS
    'every verdict on one export return as of a day (R-EX-1, R-EX-2, R-EX-5, R-TX); returned_on NULL = not returned yet; a NULL input leaves NULL only the fields that need it and is listed in missing';

CREATE FUNCTION cbreturn.assess_import_return(released_on date, applied_on date, arrived_on date, as_of date,
                                              due_soon_days integer DEFAULT 7)
    RETURNS cbreturn.import_assessment
    AS 'MODULE_PATHNAME', 'assess_import_return'
    LANGUAGE C IMMUTABLE CALLED ON NULL INPUT PARALLEL SAFE;
COMMENT ON FUNCTION cbreturn.assess_import_return(date, date, date, date, integer) IS
    'both R-IM-1 windows of one retail import return as of a day: overdue as soon as either is late, closed when both are; applied_on / arrived_on NULL = not yet';
CREATE OR REPLACE FUNCTION cbreturn._attached_column_resolve() RETURNS trigger
    LANGUAGE plpgsql
    SET search_path = pg_catalog, pg_temp
AS $$
DECLARE
    a record;
BEGIN
    SELECT att.attnum, att.atttypid INTO a
      FROM pg_catalog.pg_attribute att
     WHERE att.attrelid OPERATOR(pg_catalog.=) NEW.column_relation
       AND att.attname OPERATOR(pg_catalog.=) NEW.column_name
       AND att.attnum OPERATOR(pg_catalog.>) 0 AND NOT att.attisdropped;
    IF NOT FOUND THEN
        PERFORM cbreturn._error('metadata.column_missing', NEW.column_name::pg_catalog.text,
                                NEW.column_relation::pg_catalog.text);
    END IF;
    NEW.column_attnum := a.attnum;
    NEW.column_type := a.atttypid;
    RETURN NEW;
END
$$;

COMMENT ON FUNCTION cbreturn.export_return_check() IS
    'AFTER ROW trigger (BEFORE ROW when it fills remarks or a deadline): R-EX-1 window (R-TX-2 for 1210), R-EX-2 remark code, R-EX-5 cross-customs, R-EX-6 return site, R-EX-4 applicant; attach with cbreturn.attach_export_return_checks';
COMMENT ON FUNCTION cbreturn.import_return_check() IS
    'AFTER ROW trigger: R-IM-1 application and arrival windows and arrival place, R-IM-5 return-centre warehouse, R-IM-6, R-IM-7 applicant; attach with cbreturn.attach_import_return_checks';

-- Since 0.3.0 attach writes the forms below, with the register roles (R-EX-4,
-- R-EX-6, R-IM-5, R-IM-6, R-IM-7) and the departure of R-TX-2 last; the
-- shorter forms of 0.2.0 stay for the triggers attached before (and restored
-- from their dumps), which read no such role.
CREATE FUNCTION cbreturn._export_row_ok(checked regclass, exported_on date, reason "any",
                                        returned_on date, remarks "any", supervision_code "any",
                                        export_office "any", return_office "any", applicant "any",
                                        return_site "any", left_special_area_on date)
    RETURNS boolean
    AS 'MODULE_PATHNAME', 'cbr_export_row_ok' LANGUAGE C STABLE PARALLEL SAFE;
COMMENT ON FUNCTION cbreturn._export_row_ok(regclass, date, "any", date, "any", "any", "any", "any", "any", "any", date) IS
    'internal: WHEN clause of the reading export check; true when the row passes R-EX-1 (R-TX-2 for 1210), R-EX-2, R-EX-5, R-EX-6 and R-EX-4, so that no trigger event is queued for it';
CREATE FUNCTION cbreturn._import_row_ok(checked regclass, released_on date, applied_on date,
                                        arrived_on date, supervision_code "any", original_place "any",
                                        arrival_place "any", declared_area "any", warehouse "any",
                                        enterprise "any", applicant "any")
    RETURNS boolean
    AS 'MODULE_PATHNAME', 'cbr_import_row_ok' LANGUAGE C STABLE PARALLEL SAFE;
COMMENT ON FUNCTION cbreturn._import_row_ok(regclass, date, date, date, "any", "any", "any", "any", "any", "any", "any") IS
    'internal: WHEN clause of the import check; true when the row passes R-IM-1 and the register rules attached (R-IM-5, R-IM-6, R-IM-7), so that no trigger event is queued for it';

-- a declaration header need not be the caller's own (TRIGGER and SELECT on it are enough)
CREATE OR REPLACE FUNCTION cbreturn._check_table(rel regclass, what text) RETURNS void
    LANGUAGE plpgsql
    SET search_path = pg_catalog, pg_temp
AS $$
DECLARE
    kind "char";
    persistence "char";
    said text := CASE what WHEN 'table' THEN cbreturn._text('the_table')
                           WHEN 'returns table' THEN cbreturn._text('the_returns_table')
                           WHEN 'declared table' THEN cbreturn._text('the_declared_table')
                           WHEN 'header table' THEN cbreturn._text('the_header_table')
                           ELSE what END;
BEGIN
    IF rel IS NULL THEN
        PERFORM cbreturn._error('attach.not_null', said);
    END IF;
    SELECT c.relkind, c.relpersistence INTO kind, persistence
      FROM pg_catalog.pg_class c WHERE c.oid OPERATOR(pg_catalog.=) rel;
    IF NOT FOUND THEN
        PERFORM cbreturn._error('attach.no_relation', rel::pg_catalog.oid::pg_catalog.text);
    END IF;
    IF persistence OPERATOR(pg_catalog.=) 't' THEN
        PERFORM cbreturn._error('attach.temporary', said, rel::pg_catalog.text);
    END IF;
    -- A quantity check covers a partitioned returns table from its parent
    -- (R-EX-3, R-IM-2: the limit holds over every partition).
    IF kind OPERATOR(pg_catalog.=) 'p' AND what OPERATOR(pg_catalog.=) 'returns table' THEN
        NULL;
    ELSIF kind OPERATOR(pg_catalog.=) 'p' THEN
        PERFORM cbreturn._error('attach.partitioned', said, rel::pg_catalog.text);
    ELSIF kind OPERATOR(pg_catalog.<>) 'r' THEN
        PERFORM cbreturn._error('attach.not_table', said, rel::pg_catalog.text);
    END IF;
    -- (a declaration header need not be the caller's: TRIGGER and SELECT on
    -- it are enough, checked by _metadata_register and _metadata_column)
    IF what OPERATOR(pg_catalog.<>) 'header table' AND NOT cbreturn._owns(rel) THEN
        PERFORM cbreturn._error('attach.not_owner', rel::pg_catalog.text);
    END IF;
END
$$;

-- a header's column for a role, recorded for the check that reads it
CREATE OR REPLACE FUNCTION cbreturn._attach_column(rel regclass, kind text, col_role text,
                                        col_rel regclass, col name, accepted regtype[],
                                        meaning text) RETURNS void
    LANGUAGE plpgsql
    SET search_path = pg_catalog, pg_temp
AS $$
DECLARE
    typ regtype;
BEGIN
    -- '' (a name no column can have): the role is read from the declaration
    -- header attached to rel (cbreturn._header_role, sql/52_enforce_header.sql)
    IF col OPERATOR(pg_catalog.=) '' THEN
        SELECT c.column_relation, c.column_name INTO col_rel, col FROM cbreturn.attached_column c
         WHERE c.relation OPERATOR(pg_catalog.=) rel AND c.check_kind OPERATOR(pg_catalog.=) 'header'
           AND c.role OPERATOR(pg_catalog.=) col_role;
    END IF;
    IF col IS NULL OR col OPERATOR(pg_catalog.=) '' THEN
        PERFORM cbreturn._error('attach.column_unnamed', meaning, col_role);
    END IF;
    SELECT att.atttypid INTO typ FROM pg_catalog.pg_attribute att
     WHERE att.attrelid OPERATOR(pg_catalog.=) col_rel
       AND att.attname OPERATOR(pg_catalog.=) col
       AND att.attnum OPERATOR(pg_catalog.>) 0 AND NOT att.attisdropped;
    IF NOT FOUND THEN
        PERFORM cbreturn._error('attach.column_missing', col::pg_catalog.text, col_rel::pg_catalog.text,
                                meaning, col_role);
    END IF;
    IF accepted IS NOT NULL AND NOT typ OPERATOR(pg_catalog.=) ANY (accepted) THEN
        PERFORM cbreturn._error('attach.column_type', col::pg_catalog.text, col_rel::pg_catalog.text,
                                typ::pg_catalog.text, meaning,
                                pg_catalog.array_to_string(accepted::pg_catalog.text[], ' | '));
    END IF;
    -- A column of the declared table is read by the guard, a BEFORE UPDATE
    -- trigger, which sees no value of a generated column yet (issue 9, item 11).
    IF col_rel OPERATOR(pg_catalog.<>) rel THEN
        PERFORM cbreturn._refuse_generated(col_rel, ARRAY[col], meaning);
    END IF;
    PERFORM cbreturn._metadata_column(rel, kind, col_role, col_rel, col);
END
$$;

CREATE OR REPLACE FUNCTION cbreturn._refuse_generated(rel regclass, cols name[], meaning text) RETURNS void
    LANGUAGE plpgsql
    SET search_path = pg_catalog, pg_temp
AS $$
DECLARE
    g name;
BEGIN
    SELECT att.attname INTO g FROM pg_catalog.pg_attribute att
     WHERE att.attrelid OPERATOR(pg_catalog.=) rel
       AND att.attname OPERATOR(pg_catalog.=) ANY (cols)
       AND att.attgenerated OPERATOR(pg_catalog.<>) ''
     ORDER BY att.attnum LIMIT 1;
    IF FOUND THEN
        PERFORM cbreturn._error('attach.generated', g::pg_catalog.text, rel::pg_catalog.text, meaning);
    END IF;
END
$$;
CREATE OR REPLACE FUNCTION cbreturn._new_column(col name) RETURNS text
    LANGUAGE sql IMMUTABLE PARALLEL SAFE
    SET search_path = pg_catalog, pg_temp
AS $$
    SELECT CASE WHEN col IS NULL OR col OPERATOR(pg_catalog.=) '' THEN 'NULL' ELSE pg_catalog.format('NEW.%I', col) END
$$;

CREATE OR REPLACE FUNCTION cbreturn._register(rel regclass, kind text, fill boolean DEFAULT false,
                                   declared regclass DEFAULT NULL, labels text[] DEFAULT NULL)
    RETURNS void
    LANGUAGE plpgsql
    SET search_path = pg_catalog, pg_temp
AS $$
BEGIN
    IF EXISTS (SELECT FROM cbreturn.attached_check k
                WHERE k.relation OPERATOR(pg_catalog.=) rel
                  AND k.check_kind OPERATOR(pg_catalog.=) kind) THEN
        PERFORM cbreturn._error('attach.already_attached', kind, rel::pg_catalog.text,
                                pg_catalog.quote_literal(rel::pg_catalog.text), pg_catalog.quote_literal(kind));
    END IF;
    PERFORM cbreturn._drop_orphan_triggers(rel, kind);
    PERFORM cbreturn._metadata_register(rel, kind, fill, declared, labels);
END
$$;
-- attach_export_return_checks, attach_import_return_checks and
-- attach_status_check (old signatures dropped above) are created once, in
-- their final form, after "Existing rows at attach" below.

-- detach knows the header kind; a header table cannot be dropped while read
CREATE OR REPLACE FUNCTION cbreturn.detach("table" regclass, check_kind text DEFAULT NULL) RETURNS integer
    LANGUAGE plpgsql
    SET search_path = pg_catalog, pg_temp
AS $$
DECLARE
    k record;
    kind text;
    n int := 0;
BEGIN
    -- (a quantity check may be attached to a partitioned returns table)
    PERFORM cbreturn._check_table("table", 'returns table');
    IF check_kind IS NOT NULL AND check_kind NOT IN ('export', 'import', 'quantity', 'status', 'header') THEN
        PERFORM cbreturn._error('attach.unknown_kind', check_kind);
    END IF;
    -- a declaration header last: the checks that read it go first
    FOR k IN SELECT * FROM cbreturn.attached_check a
              WHERE a.relation OPERATOR(pg_catalog.=) "table"
                AND (detach.check_kind IS NULL OR a.check_kind OPERATOR(pg_catalog.=) detach.check_kind)
              ORDER BY a.check_kind OPERATOR(pg_catalog.=) 'header', a.check_kind
    LOOP
        EXECUTE pg_catalog.format('DROP TRIGGER IF EXISTS %I ON %s', 'cbreturn_' || k.check_kind || '_check', "table");
        IF k.check_kind = 'header' THEN
            -- refused while a check reads from it; its guards go with the last
            -- returns table that reads it (sql/52_enforce_header.sql)
            PERFORM cbreturn._header_detach("table", k.declared_relation);
        END IF;
        IF k.check_kind = 'quantity' THEN
            -- R-EX-3: triggers and ledger (sql/55_enforce_quantity.sql),
            -- while the check is still recorded: its owner may recount
            PERFORM cbreturn._quantity_detach("table", k.declared_relation);
        END IF;
        n := n + cbreturn._metadata_forget("table", k.check_kind);
    END LOOP;
    -- triggers restored without their metadata (pg_dump -n) go too
    FOREACH kind IN ARRAY CASE WHEN check_kind IS NULL THEN ARRAY['export', 'import', 'quantity', 'status']
                             ELSE ARRAY[check_kind] END LOOP
        n := n + cbreturn._drop_orphan_triggers("table", kind);
    END LOOP;
    IF n = 0 AND check_kind IS NULL THEN
        PERFORM cbreturn._error('detach.not_attached', "table"::pg_catalog.text);
    ELSIF n = 0 THEN
        PERFORM cbreturn._error('detach.kind_not_attached', check_kind, "table"::pg_catalog.text);
    END IF;
    RETURN n;
END
$$;

CREATE OR REPLACE FUNCTION cbreturn._follow_alter_table() RETURNS event_trigger
    LANGUAGE plpgsql SECURITY DEFINER
    SET search_path = pg_catalog, pg_temp
AS $$
DECLARE
    c record;
    touched oid[];
BEGIN
    -- Only the metadata of the tables this ALTER TABLE touched, and of their
    -- inheritance children (a recursing ALTER reports only the parent), is
    -- looked at: a stale or foreign row elsewhere must not make every ALTER
    -- TABLE of the database fail (issue 9, item 3).
    WITH RECURSIVE t(relid) AS (
        SELECT d.objid FROM pg_catalog.pg_event_trigger_ddl_commands() d
         WHERE d.classid OPERATOR(pg_catalog.=) 'pg_catalog.pg_class'::pg_catalog.regclass
        UNION
        SELECT i.inhrelid FROM pg_catalog.pg_inherits i JOIN t ON i.inhparent OPERATOR(pg_catalog.=) t.relid
    )
    SELECT pg_catalog.array_agg(t.relid) INTO touched FROM t;
    IF touched IS NULL THEN
        RETURN;
    END IF;
    -- A dropped attached column or a new type would leave a check reading
    -- nothing or the wrong thing: refuse (the ALTER TABLE is rolled back).
    FOR c IN SELECT ac.*, a.attisdropped, a.atttypid
               FROM cbreturn.attached_column ac
               JOIN pg_catalog.pg_attribute a
                 ON a.attrelid OPERATOR(pg_catalog.=) ac.column_relation
                AND a.attnum OPERATOR(pg_catalog.=) ac.column_attnum
              WHERE ac.column_relation::pg_catalog.oid OPERATOR(pg_catalog.=) ANY (touched)
                AND (a.attisdropped OR a.atttypid OPERATOR(pg_catalog.<>) ac.column_type)
    LOOP
        PERFORM cbreturn._error(CASE WHEN c.attisdropped THEN 'attach.column_in_use'
                                     ELSE 'attach.column_type_in_use' END,
                                c.column_name::pg_catalog.text, c.column_relation::pg_catalog.text,
                                c.check_kind, c.relation::pg_catalog.text,
                                pg_catalog.quote_literal(c.relation::pg_catalog.text),
                                pg_catalog.quote_literal(c.check_kind));
    END LOOP;
    -- Renamed columns: the attnum is the truth, the name follows it.
    UPDATE cbreturn.attached_column ac
       SET column_name = a.attname
      FROM pg_catalog.pg_attribute a
     WHERE ac.column_relation::pg_catalog.oid OPERATOR(pg_catalog.=) ANY (touched)
       AND a.attrelid OPERATOR(pg_catalog.=) ac.column_relation
       AND a.attnum OPERATOR(pg_catalog.=) ac.column_attnum
       AND a.attname OPERATOR(pg_catalog.<>) ac.column_name;
END
$$;
CREATE OR REPLACE FUNCTION cbreturn._follow_drop() RETURNS event_trigger
    LANGUAGE plpgsql SECURITY DEFINER
    SET search_path = pg_catalog, pg_temp
AS $$
DECLARE
    gone oid[];
    k record;
BEGIN
    SELECT pg_catalog.array_agg(d.objid) INTO gone
      FROM pg_catalog.pg_event_trigger_dropped_objects() d
     WHERE d.classid OPERATOR(pg_catalog.=) 'pg_catalog.pg_class'::pg_catalog.regclass
       AND d.objsubid OPERATOR(pg_catalog.=) 0;
    IF gone IS NULL THEN
        RETURN;
    END IF;
    -- A declared-lines table cannot go while a returns table still counts on
    -- it, nor a declaration header while a returns table reads it.
    FOR k IN SELECT a.relation, a.check_kind, d.object_identity
               FROM cbreturn.attached_check a
               JOIN pg_catalog.pg_event_trigger_dropped_objects() d
                 ON d.objid OPERATOR(pg_catalog.=) a.declared_relation::pg_catalog.oid
                AND d.classid OPERATOR(pg_catalog.=) 'pg_catalog.pg_class'::pg_catalog.regclass
                AND d.objsubid OPERATOR(pg_catalog.=) 0
              WHERE NOT a.relation::pg_catalog.oid OPERATOR(pg_catalog.=) ANY (gone)
                -- stale metadata of a table already gone blocks nothing
                AND EXISTS (SELECT FROM pg_catalog.pg_class c
                             WHERE c.oid OPERATOR(pg_catalog.=) a.relation::pg_catalog.oid)
    LOOP
        PERFORM cbreturn._error(CASE k.check_kind WHEN 'header' THEN 'attach.header_in_use'
                                                  ELSE 'attach.declared_in_use' END,
                                k.object_identity, k.relation::pg_catalog.text,
                                pg_catalog.quote_literal(k.relation::pg_catalog.text),
                                pg_catalog.quote_literal(k.check_kind));
    END LOOP;
    -- R-EX-3: the quantity ledger follows (sql/55_enforce_quantity.sql)
    PERFORM cbreturn._quantity_after_drop(gone);
    -- the guards of declaration headers no returns table reads any more
    PERFORM cbreturn._header_after_drop(gone);
    DELETE FROM cbreturn.attached_column c WHERE c.relation::pg_catalog.oid OPERATOR(pg_catalog.=) ANY (gone);
    DELETE FROM cbreturn.attached_check a WHERE a.relation::pg_catalog.oid OPERATOR(pg_catalog.=) ANY (gone);
END
$$;

-- The kinds a leaf must carry: those any other leaf of its tree carries.
CREATE FUNCTION cbreturn._partition_check() RETURNS trigger
    LANGUAGE plpgsql SECURITY DEFINER
    SET search_path = pg_catalog, pg_temp
AS $$
DECLARE
    leaf regclass;
    root regclass;
    missing text;
    sibling regclass;
BEGIN
    DELETE FROM cbreturn.partition_pending p WHERE p.relid OPERATOR(pg_catalog.=) NEW.relid;
    SELECT c.oid::pg_catalog.regclass INTO leaf FROM pg_catalog.pg_class c
     WHERE c.oid OPERATOR(pg_catalog.=) NEW.relid AND c.relispartition
       AND c.relkind OPERATOR(pg_catalog.<>) 'p';
    IF leaf IS NULL THEN
        RETURN NULL;                        -- dropped, detached, or itself partitioned
    END IF;
    root := pg_catalog.pg_partition_root(leaf);
    SELECT pg_catalog.string_agg(cbreturn._text('kind.' OPERATOR(pg_catalog.||) k.kind), cbreturn._text('list.separator') ORDER BY k.kind COLLATE "C"),
           (pg_catalog.array_agg(k.sibling ORDER BY k.kind COLLATE "C"))[1]
      INTO missing, sibling
      FROM (SELECT a.check_kind AS kind, pg_catalog.min(a.relation::pg_catalog.text)::pg_catalog.regclass AS sibling
              FROM cbreturn.attached_check a
             WHERE a.check_kind OPERATOR(pg_catalog.=) ANY ('{export,import,status,header}'::text[])
               AND a.relation::pg_catalog.oid IN (SELECT t.relid FROM pg_catalog.pg_partition_tree(root) t
                                                    WHERE t.isleaf)
               AND a.relation OPERATOR(pg_catalog.<>) leaf
             GROUP BY a.check_kind) k
     WHERE NOT EXISTS (SELECT FROM cbreturn.attached_check o
                        WHERE o.relation OPERATOR(pg_catalog.=) leaf
                          AND o.check_kind OPERATOR(pg_catalog.=) k.kind);
    IF missing IS NOT NULL THEN
        PERFORM cbreturn._error('attach.partition_unchecked', leaf::pg_catalog.text, root::pg_catalog.text,
                                missing, sibling::pg_catalog.text);
    END IF;
    RETURN NULL;
END
$$;
REVOKE ALL ON FUNCTION cbreturn._partition_check() FROM PUBLIC;
COMMENT ON FUNCTION cbreturn._partition_check() IS
    'internal: deferred trigger of cbreturn.partition_pending: refuses (55000) a leaf partition that lacks a check or header another leaf of its partition tree carries';

CREATE FUNCTION cbreturn._follow_partitions() RETURNS event_trigger
    LANGUAGE plpgsql SECURITY DEFINER
    SET search_path = pg_catalog, pg_temp
AS $$
BEGIN
    INSERT INTO cbreturn.partition_pending (relid)
    SELECT DISTINCT t.relid
      FROM (SELECT DISTINCT pg_catalog.pg_partition_root(d.objid) AS root
              FROM pg_catalog.pg_event_trigger_ddl_commands() d
              JOIN pg_catalog.pg_class c ON c.oid OPERATOR(pg_catalog.=) d.objid
             WHERE d.classid OPERATOR(pg_catalog.=) 'pg_catalog.pg_class'::pg_catalog.regclass
               AND d.objsubid OPERATOR(pg_catalog.=) 0
               AND (c.relispartition OR c.relkind OPERATOR(pg_catalog.=) 'p')) r
      CROSS JOIN LATERAL pg_catalog.pg_partition_tree(r.root) t
     WHERE t.isleaf
       -- only trees in which a leaf carries a check or a header
       AND EXISTS (SELECT FROM cbreturn.attached_check a
                    WHERE a.check_kind OPERATOR(pg_catalog.=) ANY ('{export,import,status,header}'::text[])
                      AND a.relation::pg_catalog.oid IN (SELECT s.relid FROM pg_catalog.pg_partition_tree(r.root) s));
END
$$;
REVOKE ALL ON FUNCTION cbreturn._follow_partitions() FROM PUBLIC;
COMMENT ON FUNCTION cbreturn._follow_partitions() IS
    'internal: event trigger queueing the leaf partitions of checked partition trees that CREATE TABLE or ALTER TABLE touched, for the check at commit';

-- the header's own objects (sql/52_enforce_header.sql)
CREATE FUNCTION cbreturn.header_guard() RETURNS trigger
    AS 'MODULE_PATHNAME', 'cbr_header_guard' LANGUAGE C;
COMMENT ON FUNCTION cbreturn.header_guard() IS
    'BEFORE ROW trigger on a declaration header table: a row returns name may not be deleted or re-keyed, and a correction may not break a return that reads its facts from it (CB014)';

CREATE FUNCTION cbreturn._header_validate(rel regclass) RETURNS void
    AS 'MODULE_PATHNAME', 'cbr_header_validate' LANGUAGE C STRICT;
COMMENT ON FUNCTION cbreturn._header_validate(regclass) IS
    'internal: refuses a declaration header link without a unique constraint on exactly its header key, whose owner may not read it, or under row security that applies to its owner';

-- What an attach function passes for a role: the column given, or '' (a
-- name no column can have) when the declaration header attached to rel
-- holds the role; _attach_column then records the header's column, and
-- _new_column writes NULL into the WHEN clause.  Naming the role on both is
-- refused.
CREATE FUNCTION cbreturn._header_role(rel regclass, col_role text, given name) RETURNS name
    LANGUAGE plpgsql
    SET search_path = pg_catalog, pg_temp
AS $$
DECLARE
    col name;
    hdr regclass;
BEGIN
    SELECT c.column_name, c.column_relation INTO col, hdr FROM cbreturn.attached_column c
     WHERE c.relation OPERATOR(pg_catalog.=) rel AND c.check_kind OPERATOR(pg_catalog.=) 'header'
       AND c.role OPERATOR(pg_catalog.=) col_role;
    IF NOT FOUND THEN
        RETURN given;
    END IF;
    IF given IS NOT NULL THEN
        PERFORM cbreturn._error('header.role_twice', col_role, given::pg_catalog.text, hdr::pg_catalog.text,
                                col::pg_catalog.text);
    END IF;
    RETURN '';
END
$$;
COMMENT ON FUNCTION cbreturn._header_role(regclass, text, name) IS
    'internal: the column an attach function records for a role: the one given, or the declaration header''s when attach_header named it';

-- attach_header
CREATE FUNCTION cbreturn.attach_header(
    "table"             regclass,
    header              regclass,
    key                 name[],
    header_key          name[],
    exported_on         name DEFAULT NULL,
    supervision_code    name DEFAULT NULL,
    export_office       name DEFAULT NULL,
    left_special_area_on name DEFAULT NULL,
    released_on         name DEFAULT NULL)
    RETURNS void
    LANGUAGE plpgsql
    SET search_path = pg_catalog, pg_temp
AS $$
DECLARE
    -- R-T-1: a timestamptz is read as its date in China
    days regtype[] := ARRAY['date', 'timestamp without time zone', 'timestamp with time zone']::regtype[];
    sup regtype[] := ARRAY['cbreturn.supervision_code', 'text', 'character varying', 'character']::regtype[];
    office regtype[] := ARRAY['cbreturn.customs_code', 'text', 'character varying', 'character']::regtype[];
    roles text[] := ARRAY['exported_on', 'supervision_code', 'export_office', 'left_special_area_on', 'released_on'];
    cols name[] := ARRAY[exported_on, supervision_code, export_office, left_special_area_on, released_on];
    n int;
    i int;
    t1 regtype;
    t2 regtype;
    k text;
BEGIN
    PERFORM cbreturn._check_table("table", 'table');
    PERFORM cbreturn._check_table(header, 'header table');
    IF "table" OPERATOR(pg_catalog.=) header THEN
        PERFORM cbreturn._error('header.same_table');
    END IF;
    -- the checks read the header from their attach on: attach it first
    SELECT a.check_kind INTO k FROM cbreturn.attached_check a
     WHERE a.relation OPERATOR(pg_catalog.=) "table"
       AND a.check_kind OPERATOR(pg_catalog.=) ANY ('{export,import}'::text[])
     ORDER BY 1 LIMIT 1;
    IF FOUND THEN
        PERFORM cbreturn._error('header.after_checks', k, "table"::pg_catalog.text,
                                pg_catalog.quote_literal("table"::pg_catalog.text), pg_catalog.quote_literal(k));
    END IF;
    n := pg_catalog.cardinality(key);
    IF n IS NULL OR n = 0 OR n > 8 OR n IS DISTINCT FROM pg_catalog.cardinality(header_key) THEN
        PERFORM cbreturn._error('header.key_count');
    END IF;
    IF (SELECT pg_catalog.count(c) FROM pg_catalog.unnest(cols) c) = 0 THEN
        PERFORM cbreturn._error('header.no_role');
    END IF;
    PERFORM cbreturn._register("table", 'header', false, header);
    FOR i IN 1 .. n LOOP
        PERFORM cbreturn._attach_column("table", 'header', 'key_' || i, "table", key[i], NULL,
                                        cbreturn._text('header.key'));
        PERFORM cbreturn._attach_column("table", 'header', 'header_key_' || i, header, header_key[i], NULL,
                                        cbreturn._text('header.header_key'));
        SELECT c.column_type INTO t1 FROM cbreturn.attached_column c
         WHERE c.relation OPERATOR(pg_catalog.=) "table" AND c.check_kind OPERATOR(pg_catalog.=) 'header'
           AND c.role OPERATOR(pg_catalog.=) ('key_' || i);
        SELECT c.column_type INTO t2 FROM cbreturn.attached_column c
         WHERE c.relation OPERATOR(pg_catalog.=) "table" AND c.check_kind OPERATOR(pg_catalog.=) 'header'
           AND c.role OPERATOR(pg_catalog.=) ('header_key_' || i);
        IF t1 OPERATOR(pg_catalog.<>) t2 THEN
            PERFORM cbreturn._error('header.key_types', key[i]::pg_catalog.text, t1::pg_catalog.text,
                                    header_key[i]::pg_catalog.text, t2::pg_catalog.text);
        END IF;
    END LOOP;
    FOR i IN 1 .. pg_catalog.cardinality(roles) LOOP
        CONTINUE WHEN cols[i] IS NULL;
        PERFORM cbreturn._attach_column("table", 'header', roles[i], header, cols[i],
                                        CASE roles[i] WHEN 'supervision_code' THEN sup
                                                      WHEN 'export_office' THEN office ELSE days END,
                                        cbreturn._text('header.' || roles[i]));
    END LOOP;
    -- a row is found as a foreign key finds it (unique constraint, the key
    -- types' equality) and read as the header's owner may read it
    PERFORM cbreturn._header_validate("table");
    -- one guard per header table serves every returns table that reads it
    IF NOT EXISTS (SELECT FROM pg_catalog.pg_trigger t
                    WHERE t.tgrelid OPERATOR(pg_catalog.=) header
                      AND t.tgname OPERATOR(pg_catalog.=) 'cbreturn_header_guard') THEN
        EXECUTE pg_catalog.format(
            'CREATE TRIGGER cbreturn_header_guard BEFORE UPDATE OR DELETE ON %s '
            'FOR EACH ROW EXECUTE FUNCTION cbreturn.header_guard()', header);
        EXECUTE pg_catalog.format(
            'CREATE TRIGGER cbreturn_header_truncate_guard BEFORE TRUNCATE ON %s '
            'FOR EACH STATEMENT EXECUTE FUNCTION cbreturn.header_truncate_guard()', header);
    END IF;
END
$$;
COMMENT ON FUNCTION cbreturn.attach_header(regclass, regclass, name[], name[], name, name, name, name, name) IS
    'name the declaration header of a returns table, its key and the header columns of the export date, supervision code, export office, 1210 departure date or release date; the export and import checks attached afterwards read those from the header row';

-- Detach (called by cbreturn.detach): refused while a check on rel reads
-- from the header; the guards go with the last returns table reading it.
CREATE FUNCTION cbreturn._header_detach(rel regclass, header regclass) RETURNS void
    LANGUAGE plpgsql
    SET search_path = pg_catalog, pg_temp
AS $$
DECLARE
    c record;
BEGIN
    SELECT a.check_kind, a.role INTO c FROM cbreturn.attached_column a
     WHERE a.relation OPERATOR(pg_catalog.=) rel AND a.check_kind OPERATOR(pg_catalog.<>) 'header'
       AND a.column_relation OPERATOR(pg_catalog.=) header
     ORDER BY 1, 2 LIMIT 1;
    IF FOUND THEN
        PERFORM cbreturn._error('header.in_use', header::pg_catalog.text, c.check_kind, rel::pg_catalog.text, c.role,
                                pg_catalog.quote_literal(rel::pg_catalog.text), pg_catalog.quote_literal(c.check_kind));
    END IF;
    -- (only the header's owner may drop its triggers; left to a role that
    -- attached with TRIGGER alone, a guard no returns table uses checks nothing)
    IF NOT EXISTS (SELECT FROM cbreturn.attached_check o
                    WHERE o.check_kind OPERATOR(pg_catalog.=) 'header'
                      AND o.declared_relation OPERATOR(pg_catalog.=) header
                      AND o.relation OPERATOR(pg_catalog.<>) rel)
       AND cbreturn._owns(header) THEN
        EXECUTE pg_catalog.format('DROP TRIGGER IF EXISTS cbreturn_header_guard ON %s', header);
        EXECUTE pg_catalog.format('DROP TRIGGER IF EXISTS cbreturn_header_truncate_guard ON %s', header);
    END IF;
END
$$;
COMMENT ON FUNCTION cbreturn._header_detach(regclass, regclass) IS
    'internal: the header part of cbreturn.detach: refused while a check reads from the header; drops its guards with the last returns table reading it';

-- DROP (called by cbreturn._follow_drop before it forgets the metadata of
-- the dropped tables): the guards of a header no remaining returns table
-- reads go.  (A header table itself cannot be dropped while a returns table
-- reads it: _follow_drop refuses that.)
CREATE FUNCTION cbreturn._header_after_drop(gone oid[]) RETURNS void
    LANGUAGE plpgsql
    SET search_path = pg_catalog, pg_temp
AS $$
DECLARE
    h regclass;
BEGIN
    FOR h IN SELECT DISTINCT a.declared_relation FROM cbreturn.attached_check a
              WHERE a.check_kind OPERATOR(pg_catalog.=) 'header'
                AND a.relation::pg_catalog.oid OPERATOR(pg_catalog.=) ANY (gone)
                AND NOT a.declared_relation::pg_catalog.oid OPERATOR(pg_catalog.=) ANY (gone)
                AND EXISTS (SELECT FROM pg_catalog.pg_class c
                             WHERE c.oid OPERATOR(pg_catalog.=) a.declared_relation::pg_catalog.oid)
                AND NOT EXISTS (SELECT FROM cbreturn.attached_check o
                                 WHERE o.check_kind OPERATOR(pg_catalog.=) 'header'
                                   AND o.declared_relation OPERATOR(pg_catalog.=) a.declared_relation
                                   AND NOT o.relation::pg_catalog.oid OPERATOR(pg_catalog.=) ANY (gone))
    LOOP
        EXECUTE pg_catalog.format('DROP TRIGGER IF EXISTS cbreturn_header_guard ON %s', h);
        EXECUTE pg_catalog.format('DROP TRIGGER IF EXISTS cbreturn_header_truncate_guard ON %s', h);
    END LOOP;
END
$$;
REVOKE ALL ON FUNCTION cbreturn._header_after_drop(oid[]) FROM PUBLIC;
COMMENT ON FUNCTION cbreturn._header_after_drop(oid[]) IS
    'internal: the header part of the DROP event trigger: drops the guards of declaration headers no remaining returns table reads';
-- Messages cut each value at 64 bytes, as the C checks do.
CREATE FUNCTION cbreturn._clip(value text) RETURNS text
    AS 'MODULE_PATHNAME', '_clip' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
COMMENT ON FUNCTION cbreturn._clip(text) IS
    'internal: a value cut at 64 bytes for a message, as the write-time checks cut the values they show';

-- The column recorded for a role of a check on rel, or NULL.
CREATE FUNCTION cbreturn._role_column(rel regclass, kind text, col_role text) RETURNS name
    LANGUAGE sql STABLE PARALLEL SAFE
    SET search_path = pg_catalog, pg_temp
AS $$
    SELECT c.column_name FROM cbreturn.attached_column c
     WHERE c.relation OPERATOR(pg_catalog.=) rel AND c.check_kind OPERATOR(pg_catalog.=) kind
       AND c.role OPERATOR(pg_catalog.=) col_role
$$;
COMMENT ON FUNCTION cbreturn._role_column(regclass, text, text) IS
    'internal: the column recorded for a role of the check of one kind on a table, or NULL';

-- The types a status column may have: text, varchar, char, name, or the
-- column's own type when it is an enum.
CREATE FUNCTION cbreturn._status_types(rel regclass, col name) RETURNS regtype[]
    LANGUAGE sql STABLE PARALLEL SAFE
    SET search_path = pg_catalog, pg_temp
AS $$
    SELECT ARRAY['text', 'character varying', 'character', 'name']::pg_catalog.regtype[] OPERATOR(pg_catalog.||)
           (SELECT pg_catalog.array_agg(ty.oid::pg_catalog.regtype) FROM pg_catalog.pg_type ty
             WHERE ty.oid OPERATOR(pg_catalog.=) (SELECT att.atttypid FROM pg_catalog.pg_attribute att
                                   WHERE att.attrelid OPERATOR(pg_catalog.=) rel
                                     AND att.attname OPERATOR(pg_catalog.=) col)
               AND ty.typtype OPERATOR(pg_catalog.=) 'e')
$$;
COMMENT ON FUNCTION cbreturn._status_types(regclass, name) IS
    'internal: the accepted types of a status column (text, varchar, char, name, or the column''s enum)';

-- The labels the status check on rel calls rejected and withdrawn, or NULL.
CREATE FUNCTION cbreturn._status_freeing_labels(rel regclass) RETURNS text[]
    LANGUAGE sql STABLE PARALLEL SAFE
    SET search_path = pg_catalog, pg_temp
AS $$
    SELECT k.status_labels[7:8] FROM cbreturn.attached_check k
     WHERE k.relation OPERATOR(pg_catalog.=) rel AND k.check_kind OPERATOR(pg_catalog.=) 'status'
$$;
COMMENT ON FUNCTION cbreturn._status_freeing_labels(regclass) IS
    'internal: the labels of rejected and withdrawn returns of the status check on a table (rules section 6), or NULL';

CREATE FUNCTION cbreturn._metadata_quantity_labels(rel regclass, labels text[]) RETURNS void
    AS 'MODULE_PATHNAME', 'cbr_metadata_quantity_labels' LANGUAGE C;
COMMENT ON FUNCTION cbreturn._metadata_quantity_labels(regclass, text[]) IS
    'internal: records, as the metadata owner, the status labels that free a return''s quantity for the quantity check on a table the caller owns (docs/security.md)';

-- Record the status column and the freeing labels of the quantity check on rel.
CREATE FUNCTION cbreturn._quantity_status_attach(rel regclass, status_column name, labels text[])
    RETURNS void
    LANGUAGE plpgsql
    SET search_path = pg_catalog, pg_temp
AS $$
BEGIN
    IF labels IS NULL OR pg_catalog.cardinality(labels) OPERATOR(pg_catalog.=) 0
       OR pg_catalog.array_position(labels, NULL) IS NOT NULL
       OR EXISTS (SELECT FROM pg_catalog.unnest(labels) l WHERE pg_catalog.btrim(l) OPERATOR(pg_catalog.=) '') THEN
        PERFORM cbreturn._error('attach.quantity_freeing_labels');
    END IF;
    PERFORM cbreturn._attach_column(rel, 'quantity', 'status', rel, status_column,
                                    cbreturn._status_types(rel, status_column),
                                    cbreturn._text('role.freeing_status'));
    PERFORM cbreturn._metadata_quantity_labels(rel, labels);
END
$$;
COMMENT ON FUNCTION cbreturn._quantity_status_attach(regclass, name, text[]) IS
    'internal: records the status column and the labels of rejected and withdrawn returns of a quantity check (rules section 6)';

CREATE OR REPLACE FUNCTION cbreturn._quantity_counts_sql(declared regclass, except_relation oid[])
    RETURNS text
    LANGUAGE plpgsql STABLE PARALLEL SAFE
    SET search_path = pg_catalog, pg_temp
AS $$
DECLARE
    k record;
    parts text[] := '{}';
    keys name[];
    dkeys name[];
    dq name;
    q name;
    st name;
    fl text[];
    n int;
BEGIN
    FOR k IN SELECT a.relation FROM cbreturn.attached_check a
              WHERE a.check_kind OPERATOR(pg_catalog.=) 'quantity'
                AND a.declared_relation OPERATOR(pg_catalog.=) declared
                AND NOT a.relation::pg_catalog.oid OPERATOR(pg_catalog.=) ANY (coalesce(except_relation, '{}'))
              ORDER BY a.relation::pg_catalog.oid
    LOOP
        keys := cbreturn._quantity_columns(k.relation, 'line_');
        dkeys := cbreturn._quantity_columns(k.relation, 'declared_line_');
        SELECT c.column_name INTO q FROM cbreturn.attached_column c
         WHERE c.relation OPERATOR(pg_catalog.=) k.relation AND c.check_kind OPERATOR(pg_catalog.=) 'quantity'
           AND c.role OPERATOR(pg_catalog.=) 'quantity';
        SELECT c.column_name INTO dq FROM cbreturn.attached_column c
         WHERE c.relation OPERATOR(pg_catalog.=) k.relation AND c.check_kind OPERATOR(pg_catalog.=) 'quantity'
           AND c.role OPERATOR(pg_catalog.=) 'declared_quantity';
        st := cbreturn._role_column(k.relation, 'quantity', 'status');
        SELECT a.freeing_labels INTO fl FROM cbreturn.attached_check a
         WHERE a.relation OPERATOR(pg_catalog.=) k.relation AND a.check_kind OPERATOR(pg_catalog.=) 'quantity';
        n := pg_catalog.cardinality(keys);
        -- ONLY: inheritance children are neither checked (row triggers
        -- are not inherited) nor counted; partitions are both.  Rules
        -- section 6: a rejected or withdrawn return counts as quantity 0
        -- (raw: its own quantity, for the negative ones)
        parts := parts OPERATOR(pg_catalog.||) pg_catalog.format(
            'SELECT %s, r.%I::pg_catalog.numeric AS raw, %s AS q FROM %s%s r WHERE %s',
            (SELECT pg_catalog.string_agg(pg_catalog.format('r.%I AS k%s', keys[i], i), ', ')
               FROM pg_catalog.generate_series(1, n) i),
            q,
            CASE WHEN st IS NULL THEN pg_catalog.format('r.%I::pg_catalog.numeric', q)
                 ELSE pg_catalog.format(
                     'CASE WHEN pg_catalog.rtrim(r.%I::pg_catalog.text, '' '') OPERATOR(pg_catalog.=) ANY (%L::pg_catalog.text[])'
                     ' THEN 0::pg_catalog.numeric ELSE r.%I::pg_catalog.numeric END', st, fl, q) END,
            CASE WHEN (SELECT c.relkind FROM pg_catalog.pg_class c
                        WHERE c.oid OPERATOR(pg_catalog.=) k.relation::pg_catalog.oid)
                      OPERATOR(pg_catalog.=) 'p' THEN '' ELSE 'ONLY ' END,
            k.relation,
            (SELECT pg_catalog.string_agg(pg_catalog.format('r.%I IS NOT NULL', keys[i]), ' AND ')
               FROM pg_catalog.generate_series(1, n) i));
    END LOOP;
    IF pg_catalog.cardinality(parts) OPERATOR(pg_catalog.=) 0 THEN
        RETURN NULL;
    END IF;
    RETURN pg_catalog.format(
        'SELECT cbreturn._quantity_line(%s) AS line, s.q AS returned, s.n AS return_rows, s.minq AS smallest,'
        ' ''('' OPERATOR(pg_catalog.||) pg_catalog.concat_ws('', '', %s) OPERATOR(pg_catalog.||) '')'' AS line_text,'
        ' coalesce(d.%I::pg_catalog.numeric, 0) AS declared_quantity'
        ' FROM (SELECT %s, coalesce(pg_catalog.sum(u.q), 0) AS q, pg_catalog.count(*) AS n,'
        '              pg_catalog.min(u.raw) AS minq'
        '         FROM (%s) u GROUP BY %s) s'
        ' LEFT JOIN ONLY %s d ON %s',
        (SELECT pg_catalog.string_agg(pg_catalog.format('d.%I', dkeys[i]), ', ') FROM pg_catalog.generate_series(1, n) i),
        -- each key value as text, cut at 64 bytes as the checks' messages cut them
        (SELECT pg_catalog.string_agg(pg_catalog.format('cbreturn._clip(s.k%s::pg_catalog.text)', i), ', ')
           FROM pg_catalog.generate_series(1, n) i),
        dq,
        (SELECT pg_catalog.string_agg(pg_catalog.format('u.k%s', i), ', ') FROM pg_catalog.generate_series(1, n) i),
        pg_catalog.array_to_string(parts, ' UNION ALL '),
        (SELECT pg_catalog.string_agg(pg_catalog.format('u.k%s', i), ', ') FROM pg_catalog.generate_series(1, n) i),
        declared,
        (SELECT pg_catalog.string_agg(pg_catalog.format('d.%I %s s.k%s', dkeys[i],
                    cbreturn._eq_operator(a.atttypid::pg_catalog.regtype), i), ' AND ')
           FROM pg_catalog.generate_series(1, n) i
           JOIN pg_catalog.pg_attribute a ON a.attrelid OPERATOR(pg_catalog.=) declared
                                         AND a.attname OPERATOR(pg_catalog.=) dkeys[i]));
END
$$;
COMMENT ON FUNCTION cbreturn._quantity_counts_sql(regclass, oid[]) IS
    'internal: the grouped query over every return of a declared table that the quantity ledger is built and verified from';

CREATE OR REPLACE FUNCTION cbreturn._quantity_may_act(declared regclass, except_relation oid[]) RETURNS boolean
    LANGUAGE sql STABLE PARALLEL SAFE
    SET search_path = pg_catalog, pg_temp
AS $$
    SELECT coalesce(pg_catalog.bool_or(cbreturn._owns(r::pg_catalog.regclass)), false)
           -- a role that may TRUNCATE a returns table (or a partition of one)
           -- may have its declared table counted again, leaving nothing out:
           -- its TRUNCATE does that, and a count can only tell the truth
           OR (coalesce(pg_catalog.cardinality(except_relation), 0) OPERATOR(pg_catalog.=) 0
               AND EXISTS (SELECT FROM cbreturn.attached_check a
                             CROSS JOIN LATERAL (SELECT a.relation::pg_catalog.oid AS relid
                                                 UNION SELECT t.relid FROM pg_catalog.pg_partition_tree(a.relation) t) p
                            WHERE a.check_kind OPERATOR(pg_catalog.=) 'quantity'
                              AND a.declared_relation OPERATOR(pg_catalog.=) declared
                              AND pg_catalog.has_table_privilege(p.relid, 'TRUNCATE')))
      FROM pg_catalog.unnest(ARRAY[declared::pg_catalog.oid]
               OPERATOR(pg_catalog.||) ARRAY(SELECT a.relation::pg_catalog.oid FROM cbreturn.attached_check a
                                               WHERE a.check_kind OPERATOR(pg_catalog.=) 'quantity'
                                                 AND a.declared_relation OPERATOR(pg_catalog.=) declared)) r
$$;
COMMENT ON FUNCTION cbreturn._quantity_may_act(regclass, oid[]) IS
    'internal: may the current role rebuild the quantity ledger of a declared table (it owns the table or a returns table of it, or may TRUNCATE a returns table of it and leaves nothing out)';

CREATE OR REPLACE FUNCTION cbreturn.declared_truncate_guard() RETURNS trigger
    LANGUAGE plpgsql SECURITY DEFINER
    SET search_path = pg_catalog, pg_temp
AS $$
BEGIN
    -- read with the latest snapshot (cbreturn._exists_latest): TRUNCATE
    -- holds its lock, so every writer of a return of the table has
    -- committed, and under REPEATABLE READ one that committed after the
    -- transaction's snapshot counts all the same
    IF cbreturn._exists_latest(pg_catalog.format(
           'SELECT EXISTS (SELECT FROM cbreturn.quantity_ledger l'
           ' WHERE l.declared_relation OPERATOR(pg_catalog.=) %s::pg_catalog.oid::pg_catalog.regclass'
           '   AND l.return_rows OPERATOR(pg_catalog.>) 0)', TG_RELID)) THEN
        PERFORM cbreturn._error('quantity.truncate_declared', TG_RELID::pg_catalog.regclass::pg_catalog.text);
    END IF;
    RETURN NULL;
END
$$;
CREATE FUNCTION cbreturn.attach_quantity_check(
    "table"             regclass,
    line                name[],
    quantity            name,
    declared_table      regclass,
    declared_line       name[],
    declared_quantity   name,
    status              name DEFAULT NULL,
    freeing_labels      text[] DEFAULT NULL)
    RETURNS void
    LANGUAGE plpgsql
    SET search_path = pg_catalog, pg_temp
AS $$
DECLARE
    quantities regtype[] := ARRAY['smallint', 'integer', 'bigint', 'numeric']::regtype[];
    n int;
    i int;
    t1 regtype;
    t2 regtype;
    other record;
    p record;
    status_labels text[] := cbreturn._status_freeing_labels("table");
    status_column name;
BEGIN
    -- A partitioned returns table is attached once, on its parent: the row
    -- trigger is cloned to every partition, those created later included.
    PERFORM cbreturn._check_table("table", 'returns table');
    PERFORM cbreturn._check_table(declared_table, 'declared table');
    IF "table" OPERATOR(pg_catalog.=) declared_table THEN
        PERFORM cbreturn._error('attach.quantity_same_table');
    END IF;
    IF EXISTS (SELECT FROM cbreturn.attached_check a
                WHERE a.check_kind OPERATOR(pg_catalog.=) 'quantity'
                  AND (a.relation::pg_catalog.oid IN (SELECT pg_catalog.pg_partition_ancestors("table"))
                       OR a.relation::pg_catalog.oid IN (SELECT t.relid FROM pg_catalog.pg_partition_tree("table") t))
                  AND a.relation OPERATOR(pg_catalog.<>) "table") THEN
        PERFORM cbreturn._error('attach.quantity_partition_attached', "table"::pg_catalog.text);
    END IF;
    n := pg_catalog.cardinality(line);
    IF n IS NULL OR n = 0 OR n > 8 OR n IS DISTINCT FROM pg_catalog.cardinality(declared_line) THEN
        PERFORM cbreturn._error('attach.quantity_key_count');
    END IF;
    -- Rules section 6: with a status check on the table, its status column
    -- and its rejected and withdrawn labels, so that the two checks agree;
    -- otherwise the ones given, or none (every return holds its quantity).
    IF status_labels IS NOT NULL THEN
        status_column := cbreturn._role_column("table", 'status', 'status');
        IF status IS NOT NULL AND status OPERATOR(pg_catalog.<>) status_column THEN
            PERFORM cbreturn._error('attach.quantity_status_column', "table"::pg_catalog.text,
                                    status_column::pg_catalog.text, status::pg_catalog.text);
        END IF;
        IF freeing_labels IS NOT NULL
           AND NOT (freeing_labels OPERATOR(pg_catalog.@>) status_labels
                    AND freeing_labels OPERATOR(pg_catalog.<@) status_labels) THEN
            PERFORM cbreturn._error('attach.quantity_status_labels', freeing_labels::pg_catalog.text,
                                    status_labels::pg_catalog.text, "table"::pg_catalog.text);
        END IF;
        freeing_labels := status_labels;
    ELSE
        status_column := status;
        IF (status_column IS NULL) OPERATOR(pg_catalog.<>) (freeing_labels IS NULL) THEN
            PERFORM cbreturn._error('attach.quantity_freeing_labels');
        END IF;
    END IF;
    PERFORM cbreturn._register("table", 'quantity', false, declared_table);
    FOR i IN 1 .. n LOOP
        PERFORM cbreturn._attach_column("table", 'quantity', 'line_' || i, "table", line[i], NULL,
                                        cbreturn._text('role.line_key'));
        PERFORM cbreturn._attach_column("table", 'quantity', 'declared_line_' || i, declared_table,
                                        declared_line[i], NULL, cbreturn._text('role.declared_line_key'));
        SELECT c.column_type INTO t1 FROM cbreturn.attached_column c
         WHERE c.relation OPERATOR(pg_catalog.=) "table" AND c.check_kind OPERATOR(pg_catalog.=) 'quantity'
           AND c.role OPERATOR(pg_catalog.=) ('line_' || i);
        SELECT c.column_type INTO t2 FROM cbreturn.attached_column c
         WHERE c.relation OPERATOR(pg_catalog.=) "table" AND c.check_kind OPERATOR(pg_catalog.=) 'quantity'
           AND c.role OPERATOR(pg_catalog.=) ('declared_line_' || i);
        IF t1 OPERATOR(pg_catalog.<>) t2 THEN
            PERFORM cbreturn._error('attach.quantity_key_types', line[i]::pg_catalog.text, t1::pg_catalog.text,
                                    declared_line[i]::pg_catalog.text, t2::pg_catalog.text);
        END IF;
        -- the line is found with the key type's own equality (R-EX-3): a
        -- type without a default btree equality cannot name a line
        IF cbreturn._eq_operator(t2) IS NULL THEN
            PERFORM cbreturn._error('attach.key_no_equality', declared_line[i]::pg_catalog.text, t2::pg_catalog.text);
        END IF;
    END LOOP;
    PERFORM cbreturn._attach_column("table", 'quantity', 'quantity', "table", quantity, quantities,
                                    cbreturn._text('role.quantity'));
    PERFORM cbreturn._attach_column("table", 'quantity', 'declared_quantity', declared_table,
                                    declared_quantity, quantities, cbreturn._text('role.declared_quantity'));
    -- R-EX-3: a line is found as a foreign key finds it (unique constraint,
    -- the key types' equality) and read as the declared table's owner may.
    PERFORM cbreturn._quantity_validate_declared(declared_table, declared_line, declared_quantity);
    IF status_column IS NOT NULL THEN
        PERFORM cbreturn._quantity_status_attach("table", status_column, freeing_labels);
    END IF;
    -- Every returns table of one declared table counts in one ledger row per
    -- line: they must name the same declared key and quantity.
    SELECT a.relation INTO other FROM cbreturn.attached_check a
     WHERE a.check_kind OPERATOR(pg_catalog.=) 'quantity' AND a.declared_relation OPERATOR(pg_catalog.=) declared_table
       AND a.relation OPERATOR(pg_catalog.<>) "table"
       AND (cbreturn._quantity_columns(a.relation, 'declared_line_') IS DISTINCT FROM declared_line
            OR (SELECT c.column_name FROM cbreturn.attached_column c
                 WHERE c.relation OPERATOR(pg_catalog.=) a.relation AND c.check_kind OPERATOR(pg_catalog.=) 'quantity'
                   AND c.role OPERATOR(pg_catalog.=) 'declared_quantity') IS DISTINCT FROM declared_quantity)
     LIMIT 1;
    IF FOUND THEN
        PERFORM cbreturn._error('attach.quantity_declared_columns', other.relation::pg_catalog.text,
                                declared_table::pg_catalog.text);
    END IF;

    -- One grouped pass over every return of the declared table (existing
    -- over-returns and returns naming no line are refused, not accepted).
    PERFORM cbreturn._quantity_rebuild(declared_table, '{}');

    EXECUTE pg_catalog.format(
        'CREATE TRIGGER cbreturn_quantity_check AFTER INSERT OR UPDATE OR DELETE ON %s '
        'FOR EACH ROW EXECUTE FUNCTION cbreturn.quantity_check()', "table");
    -- (pg_partition_tree lists no row for a table that is not partitioned)
    FOR p IN SELECT "table"::pg_catalog.regclass AS relid
             UNION SELECT t.relid FROM pg_catalog.pg_partition_tree("table") t LOOP
        -- one a restore of the tables alone (pg_dump -n) brought back is replaced
        IF EXISTS (SELECT FROM pg_catalog.pg_trigger g
                    WHERE g.tgrelid OPERATOR(pg_catalog.=) p.relid
                      AND g.tgname OPERATOR(pg_catalog.=) 'cbreturn_quantity_truncate') THEN
            EXECUTE pg_catalog.format('DROP TRIGGER cbreturn_quantity_truncate ON %s', p.relid);
        END IF;
        EXECUTE pg_catalog.format(
            'CREATE TRIGGER cbreturn_quantity_truncate AFTER TRUNCATE ON %s '
            'FOR EACH STATEMENT EXECUTE FUNCTION cbreturn.quantity_truncate()', p.relid);
    END LOOP;
    -- One guard per declared table serves every quantity check that uses it.
    IF NOT EXISTS (SELECT FROM pg_catalog.pg_trigger t
                    WHERE t.tgrelid OPERATOR(pg_catalog.=) declared_table
                      AND t.tgname OPERATOR(pg_catalog.=) 'cbreturn_quantity_guard') THEN
        EXECUTE pg_catalog.format(
            'CREATE TRIGGER cbreturn_quantity_guard BEFORE UPDATE OR DELETE ON %s '
            'FOR EACH ROW EXECUTE FUNCTION cbreturn.declared_quantity_guard()', declared_table);
        EXECUTE pg_catalog.format(
            'CREATE TRIGGER cbreturn_quantity_truncate_guard BEFORE TRUNCATE ON %s '
            'FOR EACH STATEMENT EXECUTE FUNCTION cbreturn.declared_truncate_guard()', declared_table);
    END IF;
END
$$;
COMMENT ON FUNCTION cbreturn.attach_quantity_check(regclass, name[], name, regclass, name[], name, name, text[]) IS
    'attach the partial-return quantity check (R-EX-3, R-IM-2): returns of one declared line, in every returns table attached to it, never exceed its declared quantity; rejected and withdrawn returns (status column and labels, or those of the status check on the table) hold none (rules section 6)';

-- The entries of a dropped table go with it.
CREATE FUNCTION cbreturn._violation_log_follow_drop() RETURNS event_trigger
    LANGUAGE plpgsql SECURITY DEFINER
    SET search_path = pg_catalog, pg_temp
AS $$
BEGIN
    DELETE FROM cbreturn.violation_log l
     WHERE l.relation::pg_catalog.oid OPERATOR(pg_catalog.=) ANY (
           SELECT d.objid FROM pg_catalog.pg_event_trigger_dropped_objects() d
            WHERE d.classid OPERATOR(pg_catalog.=) 'pg_catalog.pg_class'::pg_catalog.regclass
              AND d.objsubid OPERATOR(pg_catalog.=) 0);
END
$$;
REVOKE ALL ON FUNCTION cbreturn._violation_log_follow_drop() FROM PUBLIC;
COMMENT ON FUNCTION cbreturn._violation_log_follow_drop() IS
    'internal: event trigger removing the violation log entries of dropped tables';

-- Setting the options of an attached check (as the table's owner)
CREATE FUNCTION cbreturn.set_on_violation("table" regclass, check_kind text, mode text)
    RETURNS void
    AS 'MODULE_PATHNAME', 'cbr_set_on_violation' LANGUAGE C;
COMMENT ON FUNCTION cbreturn.set_on_violation(regclass, text, text) IS
    'what the export, import or status check of a table does with a row that breaks a rule: refuse (raise, the default) or record (store the row and log each broken rule in cbreturn.violation_log)';

CREATE FUNCTION cbreturn.set_ordinary_return_column("table" regclass, check_kind text,
                                                    "column" name, "values" text[] DEFAULT NULL)
    RETURNS void
    AS 'MODULE_PATHNAME', 'cbr_set_ordinary_return_column' LANGUAGE C;
COMMENT ON FUNCTION cbreturn.set_ordinary_return_column(regclass, text, name, text[]) IS
    'names the column whose values mark an ordinary (taxed) return, which the export or import check does not hold to R-EX-1, R-EX-2 or R-IM-1 (NULL column: none)';

-- Existing rows
CREATE FUNCTION cbreturn.violations("table" regclass)
    RETURNS TABLE (row_key jsonb, check_kind text, rule_id text, sqlstate text,
                   message text, detail text, hint text, row_ctid tid)
    AS 'MODULE_PATHNAME', 'cbr_violations' LANGUAGE C STRICT;
COMMENT ON FUNCTION cbreturn.violations(regclass) IS
    'every stored row of a table that breaks a rule of its export, import or status check, one row per broken rule, with the error a write of it gets; for a caller that may read the table (its row security applies)';

CREATE FUNCTION cbreturn.validate("table" regclass, check_kind text DEFAULT NULL)
    RETURNS TABLE (check_kind text, rows_checked bigint)
    AS 'MODULE_PATHNAME', 'cbr_validate' LANGUAGE C;
COMMENT ON FUNCTION cbreturn.validate(regclass, text) IS
    'checks the existing rows of a table against its export, import and status checks (or one kind), as VALIDATE CONSTRAINT: the first row that breaks a rule raises its error; else the checks are marked validated';

-- Labels for people (docs/i18n.md, "Labels"): what a report shows for a value
-- of cbreturn's enums, a status of return_status and a stage of rules
-- section 6, in the session's language.  The values stay what programs
-- compare; STABLE, as the answer follows lc_messages and cbreturn.language.
CREATE FUNCTION cbreturn.label(value anyenum)
RETURNS text
AS 'MODULE_PATHNAME', 'cbreturn_enum_label'
LANGUAGE C STABLE STRICT PARALLEL SAFE;
COMMENT ON FUNCTION cbreturn.label(anyenum) IS
    'the label for people of a value of return_reason, return_site_kind, customs_credit_rating or import_agent_role, in the session''s language (滞销退运（ZXTY） for unsold under zh_CN)';

CREATE FUNCTION cbreturn.return_status_label(status text)
RETURNS text
AS 'MODULE_PATHNAME', 'cbreturn_return_status_label'
LANGUAGE C STABLE STRICT PARALLEL SAFE;
COMMENT ON FUNCTION cbreturn.return_status_label(text) IS
    'the label for people of a status of return_status (open, due_soon, overdue, closed_on_time, closed_late), in the session''s language';

CREATE FUNCTION cbreturn.stage_label(stage text)
RETURNS text
AS 'MODULE_PATHNAME', 'cbreturn_stage_label'
LANGUAGE C STABLE STRICT PARALLEL SAFE;
COMMENT ON FUNCTION cbreturn.stage_label(text) IS
    'the label for people of a stage of rules section 6 (registered … rejected), in the session''s language';
-- Drops the rows logical replication applies to the per-node tables
-- (section 4, node_local).
CREATE FUNCTION cbreturn._node_local() RETURNS trigger
    AS 'MODULE_PATHNAME', '_node_local' LANGUAGE C;
COMMENT ON FUNCTION cbreturn._node_local() IS
    'internal: BEFORE ROW trigger, enabled REPLICA, on the per-node tables of cbreturn: drops the rows logical replication applies to them (docs/scale-out.md)';

-- R-EX-3, R-IM-2 after a failover: a subscriber's quantity checks do not
-- fire while replication applies the publisher's returns (unless enabled
-- ALWAYS), so its ledger does not follow them.  One call, before the
-- promoted node takes writes, counts every declared table's returns again
-- (and refuses, CB003, if a line breaks the rule).  The rights are those of
-- rebuild_quantity_ledger, checked per declared table.
CREATE FUNCTION cbreturn.rebuild_quantity_ledgers()
    RETURNS TABLE (declared_table regclass, returns_tables regclass[])
    LANGUAGE plpgsql
    SET search_path = pg_catalog, pg_temp
AS $$
DECLARE
    d regclass;
BEGIN
    FOR d IN SELECT s.declared_relation
               FROM (SELECT DISTINCT a.declared_relation FROM cbreturn.attached_check a
                      WHERE a.check_kind OPERATOR(pg_catalog.=) 'quantity') s
              ORDER BY s.declared_relation::pg_catalog.oid
    LOOP
        PERFORM cbreturn._quantity_rebuild(d, '{}');
        declared_table := d;
        returns_tables := ARRAY(SELECT a.relation FROM cbreturn.attached_check a
                                 WHERE a.check_kind OPERATOR(pg_catalog.=) 'quantity'
                                   AND a.declared_relation OPERATOR(pg_catalog.=) d
                                 ORDER BY a.relation::pg_catalog.oid);
        RETURN NEXT;
    END LOOP;
END
$$;
COMMENT ON FUNCTION cbreturn.rebuild_quantity_ledgers() IS
    'counts the returns of every declared table with a quantity check again (after a failover to a logical replica); refuses if a line breaks R-EX-3/R-IM-2';

-- postgres_fdw ships a function of a listed extension only when its result
-- has no collation; district() is text.  The district as a number ships.
CREATE FUNCTION cbreturn.district_number(cbreturn.customs_code) RETURNS integer
    AS 'MODULE_PATHNAME', 'customs_code_district_number' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
CREATE FUNCTION cbreturn.district_number(cbreturn.declaration_id) RETURNS integer
    AS 'MODULE_PATHNAME', 'declaration_id_district_number' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
COMMENT ON FUNCTION cbreturn.district_number(cbreturn.customs_code) IS
    'the customs district of an office as a number, 0 to 99 (R-ID-2); unlike district(), postgres_fdw can send it to the remote server';
COMMENT ON FUNCTION cbreturn.district_number(cbreturn.declaration_id) IS
    'the customs district of the declaring office as a number, 0 to 99 (R-ID-1, R-ID-2); unlike district(), postgres_fdw can send it to the remote server';

-- This node's role: 'off' (no Citus, or cbreturn.citus_policy not yet a
-- reference table), 'coordinator', or 'worker'.
CREATE FUNCTION cbreturn._citus_policy_role() RETURNS text
    LANGUAGE plpgsql STABLE PARALLEL SAFE
    SET search_path = pg_catalog, pg_temp
AS $$
DECLARE
    distributed boolean;
    grp integer;
BEGIN
    IF pg_catalog.to_regclass('pg_catalog.pg_dist_partition') IS NULL
       OR pg_catalog.to_regclass('pg_catalog.pg_dist_local_group') IS NULL THEN
        RETURN 'off';
    END IF;
    -- dynamic SQL: the Citus catalogues need not exist when this is planned
    EXECUTE 'SELECT EXISTS (SELECT FROM pg_catalog.pg_dist_partition p
                             WHERE p.logicalrelid OPERATOR(pg_catalog.=) ''cbreturn.citus_policy''::pg_catalog.regclass)'
        INTO distributed;
    IF NOT distributed THEN
        RETURN 'off';
    END IF;
    EXECUTE 'SELECT groupid FROM pg_catalog.pg_dist_local_group' INTO grp;
    RETURN CASE WHEN grp OPERATOR(pg_catalog.=) 0 THEN 'coordinator' ELSE 'worker' END;
END
$$;
COMMENT ON FUNCTION cbreturn._citus_policy_role() IS
    'internal: off, coordinator or worker: what this node does with the policy under Citus (docs/scale-out.md)';

-- The snapshot of one synced table, as citus_policy holds it.
CREATE FUNCTION cbreturn._citus_policy_rows(table_name text) RETURNS jsonb
    LANGUAGE plpgsql STABLE PARALLEL SAFE
    SET search_path = pg_catalog, pg_temp
AS $$
DECLARE
    r jsonb;
BEGIN
    EXECUTE pg_catalog.format('SELECT COALESCE(pg_catalog.jsonb_agg(pg_catalog.to_jsonb(t)), ''[]'')
                                 FROM cbreturn.%I AS t', table_name) INTO r;
    RETURN r;
END
$$;

COMMENT ON FUNCTION cbreturn._citus_policy_rows(text) IS
    'internal: the rows of a policy table or register as a jsonb array, as cbreturn.citus_policy holds them (docs/scale-out.md)';

-- Statement trigger on every synced table (below).
CREATE FUNCTION cbreturn._citus_policy_push() RETURNS trigger
    LANGUAGE plpgsql
    SET search_path = pg_catalog, pg_temp
AS $$
DECLARE
    role text := cbreturn._citus_policy_role();
BEGIN
    IF role OPERATOR(pg_catalog.=) 'coordinator' THEN
        -- A Citus DML on a reference table: every placement, this transaction.
        INSERT INTO cbreturn.citus_policy AS c (table_name, generation, rows)
        VALUES (TG_TABLE_NAME, 1, cbreturn._citus_policy_rows(TG_TABLE_NAME))
        ON CONFLICT (table_name) DO UPDATE
            SET generation = c.generation OPERATOR(pg_catalog.+) 1, rows = EXCLUDED.rows;
    ELSIF role OPERATOR(pg_catalog.=) 'worker'
          AND pg_catalog.current_setting('cbreturn.citus_applying', true) IS DISTINCT FROM 'on'
          AND pg_catalog.current_setting('cbreturn.loading_policy', true) IS DISTINCT FROM 'on' THEN
        PERFORM cbreturn._error('citus.policy_on_worker', pg_catalog.format('%I.%I', TG_TABLE_SCHEMA, TG_TABLE_NAME));
    END IF;
    RETURN NULL;
END
$$;
COMMENT ON FUNCTION cbreturn._citus_policy_push() IS
    'internal: statement trigger on the policy tables and registers: on a Citus coordinator, writes the new rows to every worker in the same transaction; on a worker, refuses a local edit (docs/scale-out.md)';

-- Row trigger on cbreturn.citus_policy, fired on each placement.
CREATE FUNCTION cbreturn._citus_policy_apply() RETURNS trigger
    LANGUAGE plpgsql
    SET search_path = pg_catalog, pg_temp
AS $$
DECLARE
    grp integer;
    cols text;
    applying text := pg_catalog.current_setting('cbreturn.citus_applying', true);
    loading text := pg_catalog.current_setting('cbreturn.loading_policy', true);
BEGIN
    IF pg_catalog.to_regclass('pg_catalog.pg_dist_local_group') IS NULL THEN
        RETURN NULL;
    END IF;
    EXECUTE 'SELECT groupid FROM pg_catalog.pg_dist_local_group' INTO grp;
    -- The coordinator holds the rows themselves: its placement is a copy.
    IF grp OPERATOR(pg_catalog.=) 0 THEN
        RETURN NULL;
    END IF;
    -- Every column a row can be given (not a generated one), by name.
    SELECT pg_catalog.string_agg(pg_catalog.quote_ident(a.attname), ', ' ORDER BY a.attnum)
      INTO cols
      FROM pg_catalog.pg_attribute a
     WHERE a.attrelid OPERATOR(pg_catalog.=) pg_catalog.format('cbreturn.%I', NEW.table_name)::pg_catalog.regclass
       AND a.attnum OPERATOR(pg_catalog.>) 0 AND NOT a.attisdropped AND a.attgenerated OPERATOR(pg_catalog.=) '';
    -- citus_applying: the worker's own guard lets this edit through;
    -- loading_policy: policy_row_guard keeps the coordinator's "shipped".
    PERFORM pg_catalog.set_config('cbreturn.citus_applying', 'on', true),
            pg_catalog.set_config('cbreturn.loading_policy', 'on', true);
    EXECUTE pg_catalog.format('DELETE FROM cbreturn.%I', NEW.table_name);
    EXECUTE pg_catalog.format('INSERT INTO cbreturn.%1$I (%2$s) SELECT %2$s FROM pg_catalog.jsonb_populate_recordset(NULL::cbreturn.%1$I, $1)',
                              NEW.table_name, cols)
        USING NEW.rows;
    INSERT INTO cbreturn.citus_policy_applied AS a (table_name, generation)
    VALUES (NEW.table_name, NEW.generation)
    ON CONFLICT (table_name) DO UPDATE SET generation = EXCLUDED.generation;
    PERFORM pg_catalog.set_config('cbreturn.citus_applying', COALESCE(applying, ''), true),
            pg_catalog.set_config('cbreturn.loading_policy', COALESCE(loading, ''), true);
    RETURN NULL;
END
$$;
COMMENT ON FUNCTION cbreturn._citus_policy_apply() IS
    'internal: row trigger on cbreturn.citus_policy: on a Citus worker, replaces the rows of the table named with the coordinator''s (docs/scale-out.md)';

-- Run once on the coordinator after CREATE EXTENSION on the cluster (again
-- after adding a worker, or ALTER EXTENSION UPDATE): makes citus_policy a
-- reference table if it is not one, copies it to every node, and writes the
-- coordinator's rows of every synced table to every worker.
CREATE FUNCTION cbreturn.citus_sync_policy()
    RETURNS TABLE (table_name text, generation bigint, row_count integer)
    LANGUAGE plpgsql
    SET search_path = pg_catalog, pg_temp
AS $$
DECLARE
    t text;
BEGIN
    IF pg_catalog.to_regclass('pg_catalog.pg_dist_local_group') IS NULL THEN
        PERFORM cbreturn._error('citus.sync_no_citus');
    END IF;
    IF cbreturn._citus_policy_role() OPERATOR(pg_catalog.=) 'worker' THEN
        PERFORM cbreturn._error('citus.sync_on_worker');
    END IF;
    IF cbreturn._citus_policy_role() OPERATOR(pg_catalog.=) 'off' THEN
        EXECUTE 'SELECT groupid OPERATOR(pg_catalog.<>) 0 FROM pg_catalog.pg_dist_local_group' INTO t;
        IF t::boolean THEN
            PERFORM cbreturn._error('citus.sync_on_worker');
        END IF;
        -- Citus carries a reference table's triggers to its placements only
        -- under this setting; the triggers of citus_policy are cbreturn's own.
        PERFORM pg_catalog.set_config('citus.enable_unsafe_triggers', 'on', true);
        EXECUTE 'SELECT pg_catalog.create_reference_table(''cbreturn.citus_policy'')';
        PERFORM pg_catalog.set_config('citus.enable_unsafe_triggers', 'off', true);
    END IF;
    EXECUTE 'SELECT pg_catalog.replicate_reference_tables(''block_writes'')';
    FOREACH t IN ARRAY ARRAY['districts', 'supervision_codes', 'tax_policy_periods', 'rule_parameters',
                             'holidays', 'reason_labels', 'applicants', 'return_sites',
                             'return_warehouses', 'operator_credit_ratings', 'import_agents']
    LOOP
        INSERT INTO cbreturn.citus_policy AS c (table_name, generation, rows)
        VALUES (t, 1, cbreturn._citus_policy_rows(t))
        ON CONFLICT ON CONSTRAINT citus_policy_pkey DO UPDATE
            SET generation = c.generation OPERATOR(pg_catalog.+) 1, rows = EXCLUDED.rows
        RETURNING c.table_name, c.generation, pg_catalog.jsonb_array_length(c.rows)
        INTO table_name, generation, row_count;
        RETURN NEXT;
    END LOOP;
END
$$;
COMMENT ON FUNCTION cbreturn.citus_sync_policy() IS
    'Citus, on the coordinator: makes the policy tables and registers one source of truth (every worker answers from the coordinator''s rows; docs/scale-out.md); run after CREATE EXTENSION, after adding a worker and after ALTER EXTENSION UPDATE';
REVOKE ALL ON FUNCTION cbreturn.citus_sync_policy() FROM PUBLIC;

-- ---------------------------------------------------------------------------
-- 4. Triggers, event triggers and the view of attached checks
-- ---------------------------------------------------------------------------

-- Beyond one server (docs/scale-out.md): logical replication and
-- postgres_fdw.
--
-- Logical replication applies a change with session_replication_role =
-- replica: it fires the row triggers enabled REPLICA or ALWAYS, and no
-- statement trigger (the initial copy fires both kinds, as COPY does).  So:
--
--   * policy_changed_replica, a row trigger enabled REPLICA, tells the
--     subscriber's sessions to reload their policy cache when a policy edit
--     arrives; the statement triggers policy_changed keep doing it in
--     ordinary sessions, where this one does not fire;
--   * policy_changed_truncate and policy_row_guard are enabled ALWAYS: a
--     replicated TRUNCATE invalidates too, and the initial copy of a
--     published policy table replaces the subscriber's shipped rows with the
--     publisher's rows instead of failing on their primary keys;
--   * node_local, enabled REPLICA on the metadata of attached checks and on
--     the quantity ledger, drops what a replication worker applies to them:
--     they describe this node's own tables (src/enforce/replication.c).

CREATE TRIGGER policy_changed_replica AFTER INSERT OR UPDATE OR DELETE ON cbreturn.districts
    FOR EACH ROW EXECUTE FUNCTION cbreturn.policy_changed();
CREATE TRIGGER policy_changed_replica AFTER INSERT OR UPDATE OR DELETE ON cbreturn.supervision_codes
    FOR EACH ROW EXECUTE FUNCTION cbreturn.policy_changed();
CREATE TRIGGER policy_changed_replica AFTER INSERT OR UPDATE OR DELETE ON cbreturn.tax_policy_periods
    FOR EACH ROW EXECUTE FUNCTION cbreturn.policy_changed();
CREATE TRIGGER policy_changed_replica AFTER INSERT OR UPDATE OR DELETE ON cbreturn.rule_parameters
    FOR EACH ROW EXECUTE FUNCTION cbreturn.policy_changed();
CREATE TRIGGER policy_changed_replica AFTER INSERT OR UPDATE OR DELETE ON cbreturn.holidays
    FOR EACH ROW EXECUTE FUNCTION cbreturn.policy_changed();
ALTER TABLE cbreturn.districts ENABLE REPLICA TRIGGER policy_changed_replica,
    ENABLE ALWAYS TRIGGER policy_changed_truncate, ENABLE ALWAYS TRIGGER policy_row_guard;
ALTER TABLE cbreturn.supervision_codes ENABLE REPLICA TRIGGER policy_changed_replica,
    ENABLE ALWAYS TRIGGER policy_changed_truncate, ENABLE ALWAYS TRIGGER policy_row_guard;
ALTER TABLE cbreturn.tax_policy_periods ENABLE REPLICA TRIGGER policy_changed_replica,
    ENABLE ALWAYS TRIGGER policy_changed_truncate, ENABLE ALWAYS TRIGGER policy_row_guard;
ALTER TABLE cbreturn.rule_parameters ENABLE REPLICA TRIGGER policy_changed_replica,
    ENABLE ALWAYS TRIGGER policy_changed_truncate, ENABLE ALWAYS TRIGGER policy_row_guard;
ALTER TABLE cbreturn.holidays ENABLE REPLICA TRIGGER policy_changed_replica,
    ENABLE ALWAYS TRIGGER policy_changed_truncate, ENABLE ALWAYS TRIGGER policy_row_guard;

CREATE TRIGGER node_local BEFORE INSERT OR UPDATE OR DELETE ON cbreturn.attached_check
    FOR EACH ROW EXECUTE FUNCTION cbreturn._node_local();
CREATE TRIGGER node_local BEFORE INSERT OR UPDATE OR DELETE ON cbreturn.attached_column
    FOR EACH ROW EXECUTE FUNCTION cbreturn._node_local();
CREATE TRIGGER node_local BEFORE INSERT OR UPDATE OR DELETE ON cbreturn.quantity_ledger
    FOR EACH ROW EXECUTE FUNCTION cbreturn._node_local();
ALTER TABLE cbreturn.attached_check ENABLE REPLICA TRIGGER node_local;
ALTER TABLE cbreturn.attached_column ENABLE REPLICA TRIGGER node_local;
ALTER TABLE cbreturn.quantity_ledger ENABLE REPLICA TRIGGER node_local;
CREATE TRIGGER label_key_guard BEFORE INSERT ON cbreturn.reason_labels
    FOR EACH ROW EXECUTE FUNCTION cbreturn._reason_label_replace();
CREATE TRIGGER policy_row_guard BEFORE INSERT OR UPDATE ON cbreturn.reason_labels
    FOR EACH ROW EXECUTE FUNCTION cbreturn.policy_row_guard('label');
CREATE TRIGGER reason_labels_changed AFTER INSERT OR UPDATE OR DELETE ON cbreturn.reason_labels
    FOR EACH STATEMENT EXECUTE FUNCTION cbreturn._reason_labels_changed();
CREATE TRIGGER reason_labels_changed_truncate AFTER TRUNCATE ON cbreturn.reason_labels
    FOR EACH STATEMENT EXECUTE FUNCTION cbreturn._reason_labels_changed();

-- cbreturn.reason_labels is a policy table too: the same treatment.
CREATE TRIGGER reason_labels_changed_replica AFTER INSERT OR UPDATE OR DELETE ON cbreturn.reason_labels
    FOR EACH ROW EXECUTE FUNCTION cbreturn._reason_labels_changed();
ALTER TABLE cbreturn.reason_labels ENABLE REPLICA TRIGGER reason_labels_changed_replica,
    ENABLE ALWAYS TRIGGER reason_labels_changed_truncate, ENABLE ALWAYS TRIGGER policy_row_guard,
    ENABLE ALWAYS TRIGGER label_key_guard;
CREATE EVENT TRIGGER cbreturn_violation_log_follow_drop ON sql_drop
    EXECUTE FUNCTION cbreturn._violation_log_follow_drop();

-- The log of recorded violations (sql/57_violations.sql) describes this
-- node's own writes too.
CREATE TRIGGER node_local BEFORE INSERT OR UPDATE OR DELETE ON cbreturn.violation_log
    FOR EACH ROW EXECUTE FUNCTION cbreturn._node_local();
ALTER TABLE cbreturn.violation_log ENABLE REPLICA TRIGGER node_local;

CREATE TRIGGER citus_policy_apply AFTER INSERT OR UPDATE ON cbreturn.citus_policy
    FOR EACH ROW EXECUTE FUNCTION cbreturn._citus_policy_apply();

CREATE TRIGGER citus_policy_push AFTER INSERT OR UPDATE OR DELETE OR TRUNCATE ON cbreturn.districts
    FOR EACH STATEMENT EXECUTE FUNCTION cbreturn._citus_policy_push();
CREATE TRIGGER citus_policy_push AFTER INSERT OR UPDATE OR DELETE OR TRUNCATE ON cbreturn.supervision_codes
    FOR EACH STATEMENT EXECUTE FUNCTION cbreturn._citus_policy_push();
CREATE TRIGGER citus_policy_push AFTER INSERT OR UPDATE OR DELETE OR TRUNCATE ON cbreturn.tax_policy_periods
    FOR EACH STATEMENT EXECUTE FUNCTION cbreturn._citus_policy_push();
CREATE TRIGGER citus_policy_push AFTER INSERT OR UPDATE OR DELETE OR TRUNCATE ON cbreturn.rule_parameters
    FOR EACH STATEMENT EXECUTE FUNCTION cbreturn._citus_policy_push();
CREATE TRIGGER citus_policy_push AFTER INSERT OR UPDATE OR DELETE OR TRUNCATE ON cbreturn.holidays
    FOR EACH STATEMENT EXECUTE FUNCTION cbreturn._citus_policy_push();
CREATE TRIGGER citus_policy_push AFTER INSERT OR UPDATE OR DELETE OR TRUNCATE ON cbreturn.reason_labels
    FOR EACH STATEMENT EXECUTE FUNCTION cbreturn._citus_policy_push();
CREATE TRIGGER citus_policy_push AFTER INSERT OR UPDATE OR DELETE OR TRUNCATE ON cbreturn.applicants
    FOR EACH STATEMENT EXECUTE FUNCTION cbreturn._citus_policy_push();
CREATE TRIGGER citus_policy_push AFTER INSERT OR UPDATE OR DELETE OR TRUNCATE ON cbreturn.return_sites
    FOR EACH STATEMENT EXECUTE FUNCTION cbreturn._citus_policy_push();
CREATE TRIGGER citus_policy_push AFTER INSERT OR UPDATE OR DELETE OR TRUNCATE ON cbreturn.return_warehouses
    FOR EACH STATEMENT EXECUTE FUNCTION cbreturn._citus_policy_push();
CREATE TRIGGER citus_policy_push AFTER INSERT OR UPDATE OR DELETE OR TRUNCATE ON cbreturn.operator_credit_ratings
    FOR EACH STATEMENT EXECUTE FUNCTION cbreturn._citus_policy_push();
CREATE TRIGGER citus_policy_push AFTER INSERT OR UPDATE OR DELETE OR TRUNCATE ON cbreturn.import_agents
    FOR EACH STATEMENT EXECUTE FUNCTION cbreturn._citus_policy_push();

-- What is attached where, with the options
CREATE OR REPLACE VIEW cbreturn.attached_checks AS
SELECT k.relation AS "table",
       k.check_kind,
       (SELECT pg_catalog.jsonb_object_agg(c.role, a.attname)
          FROM cbreturn.attached_column c
          JOIN pg_catalog.pg_attribute a
            ON a.attrelid OPERATOR(pg_catalog.=) c.column_relation
           AND a.attnum OPERATOR(pg_catalog.=) c.column_attnum
         WHERE c.relation OPERATOR(pg_catalog.=) k.relation
           AND c.check_kind OPERATOR(pg_catalog.=) k.check_kind) AS columns,
       k.fill_remarks,
       k.declared_relation AS declared_table,
       k.status_labels,
       t.tgname AS trigger_name,
       coalesce(t.tgenabled OPERATOR(pg_catalog.<>) 'D', false) AS enabled,
       k.attached_at,
       k.freeing_labels,
       k.on_violation,
       k.ordinary_values,
       k.validated_at
  FROM cbreturn.attached_check k
  -- a declaration header's trigger is its guard on the header table
  LEFT JOIN pg_catalog.pg_trigger t
    ON t.tgrelid OPERATOR(pg_catalog.=) CASE WHEN k.check_kind OPERATOR(pg_catalog.=) 'header'
                                             THEN k.declared_relation ELSE k.relation END
   AND t.tgname OPERATOR(pg_catalog.=) CASE WHEN k.check_kind OPERATOR(pg_catalog.=) 'header'
                                            THEN 'cbreturn_header_guard'
                                            ELSE 'cbreturn_' || k.check_kind || '_check' END;
CREATE CONSTRAINT TRIGGER cbreturn_partition_check AFTER INSERT ON cbreturn.partition_pending
    DEFERRABLE INITIALLY DEFERRED FOR EACH ROW EXECUTE FUNCTION cbreturn._partition_check();
CREATE EVENT TRIGGER cbreturn_follow_partitions ON ddl_command_end
    WHEN TAG IN ('CREATE TABLE', 'CREATE FOREIGN TABLE', 'ALTER TABLE', 'ALTER FOREIGN TABLE', 'CREATE SCHEMA')
    EXECUTE FUNCTION cbreturn._follow_partitions();

CREATE TRIGGER registers_changed AFTER INSERT OR UPDATE OR DELETE ON cbreturn.applicants
    FOR EACH STATEMENT EXECUTE FUNCTION cbreturn.registers_changed();
CREATE TRIGGER registers_changed_truncate AFTER TRUNCATE ON cbreturn.applicants
    FOR EACH STATEMENT EXECUTE FUNCTION cbreturn.registers_changed();
CREATE TRIGGER registers_changed AFTER INSERT OR UPDATE OR DELETE ON cbreturn.return_sites
    FOR EACH STATEMENT EXECUTE FUNCTION cbreturn.registers_changed();
CREATE TRIGGER registers_changed_truncate AFTER TRUNCATE ON cbreturn.return_sites
    FOR EACH STATEMENT EXECUTE FUNCTION cbreturn.registers_changed();
CREATE TRIGGER registers_changed AFTER INSERT OR UPDATE OR DELETE ON cbreturn.return_warehouses
    FOR EACH STATEMENT EXECUTE FUNCTION cbreturn.registers_changed();
CREATE TRIGGER registers_changed_truncate AFTER TRUNCATE ON cbreturn.return_warehouses
    FOR EACH STATEMENT EXECUTE FUNCTION cbreturn.registers_changed();
CREATE TRIGGER registers_changed AFTER INSERT OR UPDATE OR DELETE ON cbreturn.operator_credit_ratings
    FOR EACH STATEMENT EXECUTE FUNCTION cbreturn.registers_changed();
CREATE TRIGGER registers_changed_truncate AFTER TRUNCATE ON cbreturn.operator_credit_ratings
    FOR EACH STATEMENT EXECUTE FUNCTION cbreturn.registers_changed();
CREATE TRIGGER registers_changed AFTER INSERT OR UPDATE OR DELETE ON cbreturn.import_agents
    FOR EACH STATEMENT EXECUTE FUNCTION cbreturn.registers_changed();
CREATE TRIGGER registers_changed_truncate AFTER TRUNCATE ON cbreturn.import_agents
    FOR EACH STATEMENT EXECUTE FUNCTION cbreturn.registers_changed();
-- Logical replication applies a change with session_replication_role =
-- replica: it fires the row triggers enabled REPLICA or ALWAYS and no
-- statement trigger (docs/scale-out.md).  So a register edit that arrives
-- by replication invalidates through registers_changed_replica, and a
-- replicated TRUNCATE through the truncate trigger enabled ALWAYS.
CREATE TRIGGER registers_changed_replica AFTER INSERT OR UPDATE OR DELETE ON cbreturn.applicants
    FOR EACH ROW EXECUTE FUNCTION cbreturn.registers_changed();
CREATE TRIGGER registers_changed_replica AFTER INSERT OR UPDATE OR DELETE ON cbreturn.return_sites
    FOR EACH ROW EXECUTE FUNCTION cbreturn.registers_changed();
CREATE TRIGGER registers_changed_replica AFTER INSERT OR UPDATE OR DELETE ON cbreturn.return_warehouses
    FOR EACH ROW EXECUTE FUNCTION cbreturn.registers_changed();
CREATE TRIGGER registers_changed_replica AFTER INSERT OR UPDATE OR DELETE ON cbreturn.operator_credit_ratings
    FOR EACH ROW EXECUTE FUNCTION cbreturn.registers_changed();
CREATE TRIGGER registers_changed_replica AFTER INSERT OR UPDATE OR DELETE ON cbreturn.import_agents
    FOR EACH ROW EXECUTE FUNCTION cbreturn.registers_changed();
ALTER TABLE cbreturn.applicants ENABLE REPLICA TRIGGER registers_changed_replica,
    ENABLE ALWAYS TRIGGER registers_changed_truncate;
ALTER TABLE cbreturn.return_sites ENABLE REPLICA TRIGGER registers_changed_replica,
    ENABLE ALWAYS TRIGGER registers_changed_truncate;
ALTER TABLE cbreturn.return_warehouses ENABLE REPLICA TRIGGER registers_changed_replica,
    ENABLE ALWAYS TRIGGER registers_changed_truncate;
ALTER TABLE cbreturn.operator_credit_ratings ENABLE REPLICA TRIGGER registers_changed_replica,
    ENABLE ALWAYS TRIGGER registers_changed_truncate;
ALTER TABLE cbreturn.import_agents ENABLE REPLICA TRIGGER registers_changed_replica,
    ENABLE ALWAYS TRIGGER registers_changed_truncate;

-- ---------------------------------------------------------------------------
-- 5. Data: rows as shipped, ledgers, the schema
-- ---------------------------------------------------------------------------

-- Pilot data (R-EX-5): the rules grade the list of 20 pilot districts M;
-- where a seed names the district too, H.  Only rows still as shipped are
-- changed; a DBA's edits are kept.
SELECT pg_catalog.set_config('cbreturn.loading_policy', 'on', true);
UPDATE cbreturn.districts SET
    pilot_confidence = CASE
        WHEN code IN ('01', '02', '09', '19', '22', '23', '29', '79', '94') THEN 'H'
        ELSE 'M' END,
    pilot_source = CASE
        WHEN code IN ('01', '02', '09', '29')
            THEN 'GACC 2024 No. 167 (pilot from 2024-12-15), named in seeds 001 and 002'
        WHEN code IN ('19', '22', '23', '79', '94')
            THEN 'GACC 2024 No. 167 (pilot from 2024-12-15), named in seed 001'
        ELSE 'GACC 2024 No. 167 (pilot from 2024-12-15) as listed in the rules (R-EX-5); named in no seed' END
 WHERE cross_return_pilot_from IS NOT NULL AND shipped;
SELECT pg_catalog.set_config('cbreturn.loading_policy', 'off', true);

-- Ledgers that counted the rows of inheritance children are counted again.
DO $$
DECLARE
    d record;
BEGIN
    FOR d IN SELECT DISTINCT a.declared_relation FROM cbreturn.attached_check a
              WHERE a.check_kind OPERATOR(pg_catalog.=) 'quantity'
                AND EXISTS (SELECT FROM pg_catalog.pg_inherits i
                              JOIN pg_catalog.pg_class c ON c.oid OPERATOR(pg_catalog.=) i.inhparent
                             WHERE i.inhparent OPERATOR(pg_catalog.=) a.relation::pg_catalog.oid
                               AND c.relkind OPERATOR(pg_catalog.=) 'r')
    LOOP
        PERFORM cbreturn._quantity_rebuild(d.declared_relation, '{}', false);
    END LOOP;
END
$$;
SELECT pg_catalog.set_config('cbreturn.loading_policy', 'on', true);
UPDATE cbreturn.tax_policy_periods AS t
   SET title_zh = v.title_zh
  FROM (VALUES ('MoF/GACC/STA 2023 No. 4', '财政部 海关总署 税务总局公告2023年第4号'),
               ('MoF/GACC/STA 2023 No. 34', '财政部 海关总署 税务总局公告2023年第34号'),
               ('MoF/GACC/STA 2026 No. 16', '财政部 海关总署 税务总局公告2026年第16号')) AS v(announcement, title_zh)
 WHERE t.announcement = v.announcement AND t.title_zh IS NULL;
SELECT pg_catalog.set_config('cbreturn.loading_policy', 'off', true);

-- sql/95_schema.sql: the schema cbreturn belongs to the superuser that runs
-- the update (docs/security.md, "The schema"); no other role may create in
-- it.  Objects of others already in it are not judged here: the install
-- refuses them, an update cannot tell a DBA's view from a planted one.
DO $$
DECLARE
    creators text;
BEGIN
    EXECUTE 'ALTER SCHEMA cbreturn OWNER TO CURRENT_USER';
    SELECT pg_catalog.string_agg(DISTINCT coalesce(pg_catalog.quote_ident(r.rolname), 'PUBLIC'), ', ') INTO creators
      FROM pg_catalog.pg_namespace n, pg_catalog.aclexplode(n.nspacl) a
      LEFT JOIN pg_catalog.pg_roles r ON r.oid OPERATOR(pg_catalog.=) a.grantee
     WHERE n.oid OPERATOR(pg_catalog.=) 'cbreturn'::pg_catalog.regnamespace
       AND a.privilege_type OPERATOR(pg_catalog.=) 'CREATE'
       AND a.grantee OPERATOR(pg_catalog.<>) n.nspowner;
    IF creators IS NOT NULL THEN
        PERFORM cbreturn._error('install.schema_create_granted', creators);
    END IF;
END
$$;
-- ==== end of the compacted script ====

-- ==== A partitioned table attached once, on its parent (issue 12, issue 9 item 7) ====

-- The export, import and status checks and a declaration header may be
-- attached to a partitioned table: PostgreSQL clones the row trigger to every
-- partition, and the WHEN clause passes NEW.tableoid, not the parent's OID.
-- Checks attached to each partition under 0.2.0 keep their own metadata and
-- triggers and keep working.

CREATE OR REPLACE FUNCTION cbreturn._partition_covered(rel regclass, kind text) RETURNS void
    LANGUAGE plpgsql
    SET search_path = pg_catalog, pg_temp
AS $$
DECLARE
    other regclass;
BEGIN
    IF kind OPERATOR(pg_catalog.<>) ALL ('{export,import,status,header}'::text[]) THEN
        RETURN;
    END IF;
    SELECT a.relation INTO other FROM cbreturn.attached_check a
     WHERE a.check_kind OPERATOR(pg_catalog.=) kind
       AND a.relation OPERATOR(pg_catalog.<>) rel
       AND a.relation IN (SELECT pg_catalog.pg_partition_ancestors(rel))
     LIMIT 1;
    IF FOUND THEN
        PERFORM cbreturn._error('attach.partition_covered', cbreturn._text('kind.' OPERATOR(pg_catalog.||) kind),
                                other::pg_catalog.text, rel::pg_catalog.text);
    END IF;
    SELECT a.relation INTO other FROM cbreturn.attached_check a
     WHERE a.check_kind OPERATOR(pg_catalog.=) kind
       AND a.relation OPERATOR(pg_catalog.<>) rel
       AND a.relation IN (SELECT t.relid FROM pg_catalog.pg_partition_tree(rel) t)
     ORDER BY a.relation::pg_catalog.text COLLATE "C" LIMIT 1;
    IF FOUND THEN
        PERFORM cbreturn._error('attach.partition_has_own', other::pg_catalog.text, rel::pg_catalog.text,
                                cbreturn._text('kind.' OPERATOR(pg_catalog.||) kind),
                                pg_catalog.quote_literal(other::pg_catalog.text), pg_catalog.quote_literal(kind));
    END IF;
END
$$;

COMMENT ON FUNCTION cbreturn._partition_covered(regclass, text) IS
    'internal: refuses to attach a check to a partition an ancestor''s check of the kind covers, or to a partitioned table a partition of which carries the kind itself';

CREATE OR REPLACE FUNCTION cbreturn._register(rel regclass, kind text, fill boolean DEFAULT false,
                                   declared regclass DEFAULT NULL, labels text[] DEFAULT NULL)
    RETURNS void
    LANGUAGE plpgsql
    SET search_path = pg_catalog, pg_temp
AS $$
BEGIN
    IF EXISTS (SELECT FROM cbreturn.attached_check k
                WHERE k.relation OPERATOR(pg_catalog.=) rel
                  AND k.check_kind OPERATOR(pg_catalog.=) kind) THEN
        PERFORM cbreturn._error('attach.already_attached', kind, rel::pg_catalog.text,
                                pg_catalog.quote_literal(rel::pg_catalog.text), pg_catalog.quote_literal(kind));
    END IF;
    PERFORM cbreturn._partition_covered(rel, kind);
    PERFORM cbreturn._drop_orphan_triggers(rel, kind);
    PERFORM cbreturn._metadata_register(rel, kind, fill, declared, labels);
END
$$;

CREATE OR REPLACE FUNCTION cbreturn._partition_check() RETURNS trigger
    LANGUAGE plpgsql SECURITY DEFINER
    SET search_path = pg_catalog, pg_temp
AS $$
DECLARE
    leaf regclass;
    root regclass;
    missing text;
    sibling regclass;
BEGIN
    DELETE FROM cbreturn.partition_pending p WHERE p.relid OPERATOR(pg_catalog.=) NEW.relid;
    SELECT c.oid::pg_catalog.regclass INTO leaf FROM pg_catalog.pg_class c
     WHERE c.oid OPERATOR(pg_catalog.=) NEW.relid AND c.relispartition
       AND c.relkind OPERATOR(pg_catalog.<>) 'p';
    IF leaf IS NULL THEN
        RETURN NULL;                        -- dropped, detached, or itself partitioned
    END IF;
    root := pg_catalog.pg_partition_root(leaf);
    SELECT pg_catalog.string_agg(cbreturn._text('kind.' OPERATOR(pg_catalog.||) k.kind), cbreturn._text('list.separator') ORDER BY k.kind COLLATE "C"),
           (pg_catalog.array_agg(k.sibling ORDER BY k.kind COLLATE "C"))[1]
      INTO missing, sibling
      FROM (SELECT a.check_kind AS kind, pg_catalog.min(a.relation::pg_catalog.text)::pg_catalog.regclass AS sibling
              FROM cbreturn.attached_check a
             WHERE a.check_kind OPERATOR(pg_catalog.=) ANY ('{export,import,status,header}'::text[])
               AND a.relation::pg_catalog.oid IN (SELECT t.relid FROM pg_catalog.pg_partition_tree(root) t
                                                    WHERE t.isleaf)
               AND a.relation OPERATOR(pg_catalog.<>) leaf
             GROUP BY a.check_kind) k
     -- a leaf carries its own checks and those of its partitioned ancestors
     -- (issue 12: attached once, on the parent)
     WHERE NOT EXISTS (SELECT FROM cbreturn.attached_check o
                        WHERE o.relation IN (SELECT pg_catalog.pg_partition_ancestors(leaf))
                          AND o.check_kind OPERATOR(pg_catalog.=) k.kind);
    IF missing IS NOT NULL THEN
        PERFORM cbreturn._error('attach.partition_unchecked', leaf::pg_catalog.text, root::pg_catalog.text,
                                missing, sibling::pg_catalog.text);
    END IF;
    RETURN NULL;
END
$$;

-- ==== Citus: write-time checks on every shard (issue 14) ====
-- The export, import and status checks of a Citus table carry their columns
-- by name in their triggers' arguments, and their WHEN clause passes
-- NEW.tableoid, so that Citus carries them to every shard, moved, split or
-- copied to a new node (docs/scale-out.md).  Triggers attached before are
-- unchanged (no Citus table could have a check).

CREATE FUNCTION cbreturn._citus_table(rel regclass) RETURNS boolean
    LANGUAGE plpgsql STABLE PARALLEL SAFE
    SET search_path = pg_catalog, pg_temp
AS $$
DECLARE
    found boolean;
BEGIN
    IF pg_catalog.to_regclass('pg_catalog.pg_dist_partition') IS NULL THEN
        RETURN false;
    END IF;
    -- dynamic SQL: the Citus catalogue need not exist when this is planned
    EXECUTE 'SELECT EXISTS (SELECT FROM pg_catalog.pg_dist_partition p
                             WHERE p.logicalrelid OPERATOR(pg_catalog.=) $1)'
       INTO found USING rel;
    RETURN found;
END
$$;
COMMENT ON FUNCTION cbreturn._citus_table(regclass) IS
    'internal: does Citus distribute this table (its checks are carried to the shards by their trigger text; docs/scale-out.md)';

CREATE FUNCTION cbreturn._check_trigger_args(rel regclass, kind text) RETURNS text
    LANGUAGE plpgsql STABLE PARALLEL SAFE
    SET search_path = pg_catalog, pg_temp
AS $$
DECLARE
    args text;
BEGIN
    IF NOT cbreturn._citus_table(rel) THEN
        RETURN '';
    END IF;
    SELECT pg_catalog.string_agg(pg_catalog.format('%L, %L', c.role, c.column_name), ', ' ORDER BY c.role)
      INTO args
      FROM cbreturn.attached_column c
     WHERE c.relation OPERATOR(pg_catalog.=) rel AND c.check_kind OPERATOR(pg_catalog.=) kind
       AND c.column_relation OPERATOR(pg_catalog.=) rel;
    SELECT pg_catalog.concat_ws(', ', '''cbreturn:1''', args,
                                CASE WHEN k.fill_remarks THEN '''fill_remarks'', ''true''' END,
                                (SELECT pg_catalog.string_agg(pg_catalog.format('''label'', %L', l.l), ', '
                                                              ORDER BY l.n)
                                   FROM pg_catalog.unnest(k.status_labels) WITH ORDINALITY l(l, n)))
      INTO args
      FROM cbreturn.attached_check k
     WHERE k.relation OPERATOR(pg_catalog.=) rel AND k.check_kind OPERATOR(pg_catalog.=) kind;
    RETURN args;
END
$$;
COMMENT ON FUNCTION cbreturn._check_trigger_args(regclass, text) IS
    'internal: the trigger arguments of a check on a Citus table, its columns by name (docs/scale-out.md)';

CREATE FUNCTION cbreturn._trigger_ddl(rel regclass, ddl text) RETURNS void
    LANGUAGE plpgsql
    SET search_path = pg_catalog, pg_temp
AS $$
DECLARE
    was text;
BEGIN
    IF NOT cbreturn._citus_table(rel) THEN
        EXECUTE ddl;
        RETURN;
    END IF;
    was := pg_catalog.current_setting('citus.enable_unsafe_triggers');
    PERFORM pg_catalog.set_config('citus.enable_unsafe_triggers', 'on', true);
    EXECUTE ddl;
    PERFORM pg_catalog.set_config('citus.enable_unsafe_triggers', was, true);
END
$$;
COMMENT ON FUNCTION cbreturn._trigger_ddl(regclass, text) IS
    'internal: CREATE or DROP TRIGGER of a check, carried by Citus to every shard of a Citus table (docs/scale-out.md)';

CREATE OR REPLACE FUNCTION cbreturn._when_table(rel regclass) RETURNS text
    LANGUAGE sql STABLE PARALLEL SAFE
    SET search_path = pg_catalog, pg_temp
AS $$
    SELECT CASE WHEN c.relkind OPERATOR(pg_catalog.=) 'p' OR cbreturn._citus_table(rel)
                THEN 'NEW.tableoid::pg_catalog.regclass'
                ELSE pg_catalog.format('%L::pg_catalog.regclass', c.oid) END
      FROM pg_catalog.pg_class c WHERE c.oid OPERATOR(pg_catalog.=) rel
$$;
COMMENT ON FUNCTION cbreturn._when_table(regclass) IS
    'internal: the first argument of the WHEN clause attach writes: the table''s OID, or NEW.tableoid on a partitioned table or a Citus table';

CREATE OR REPLACE FUNCTION cbreturn._drop_orphan_triggers(rel regclass, kind text) RETURNS integer
    LANGUAGE plpgsql
    SET search_path = pg_catalog, pg_temp
AS $$
DECLARE
    t name;
    n int := 0;
BEGIN
    IF EXISTS (SELECT FROM cbreturn.attached_check k
                WHERE k.relation OPERATOR(pg_catalog.=) rel
                  AND k.check_kind OPERATOR(pg_catalog.=) kind) THEN
        RETURN 0;
    END IF;
    FOR t IN SELECT tg.tgname FROM pg_catalog.pg_trigger tg
               JOIN pg_catalog.pg_proc p ON p.oid OPERATOR(pg_catalog.=) tg.tgfoid
              WHERE tg.tgrelid OPERATOR(pg_catalog.=) rel AND NOT tg.tgisinternal
                -- a clone of a partitioned ancestor's trigger goes with it
                AND tg.tgparentid OPERATOR(pg_catalog.=) 0
                AND p.pronamespace OPERATOR(pg_catalog.=) 'cbreturn'::pg_catalog.regnamespace
                AND (tg.tgname OPERATOR(pg_catalog.=) ('cbreturn_' OPERATOR(pg_catalog.||) kind OPERATOR(pg_catalog.||) '_check')
                     OR (kind OPERATOR(pg_catalog.=) 'quantity'
                         AND tg.tgname OPERATOR(pg_catalog.=) 'cbreturn_quantity_truncate'))
    LOOP
        PERFORM cbreturn._trigger_ddl(rel, pg_catalog.format('DROP TRIGGER %I ON %s', t, rel));
        n := 1;
    END LOOP;
    RETURN n;
END
$$;

-- (cbreturn.attach_export_return_checks: re-created below, in its final form)

-- (cbreturn.attach_import_return_checks: re-created below, in its final form)

-- (cbreturn.attach_status_check: re-created below, in its final form)

CREATE OR REPLACE FUNCTION cbreturn.detach("table" regclass, check_kind text DEFAULT NULL) RETURNS integer
    LANGUAGE plpgsql
    SET search_path = pg_catalog, pg_temp
AS $$
DECLARE
    k record;
    kind text;
    n int := 0;
BEGIN
    -- (a quantity check may be attached to a partitioned returns table)
    PERFORM cbreturn._check_table("table", 'returns table');
    IF check_kind IS NOT NULL AND check_kind NOT IN ('export', 'import', 'quantity', 'status', 'header') THEN
        PERFORM cbreturn._error('attach.unknown_kind', check_kind);
    END IF;
    -- a declaration header last: the checks that read it go first
    FOR k IN SELECT * FROM cbreturn.attached_check a
              WHERE a.relation OPERATOR(pg_catalog.=) "table"
                AND (detach.check_kind IS NULL OR a.check_kind OPERATOR(pg_catalog.=) detach.check_kind)
              ORDER BY a.check_kind OPERATOR(pg_catalog.=) 'header', a.check_kind
    LOOP
        -- (a header link has no trigger on the returns table: its guard is on the header)
        IF k.check_kind OPERATOR(pg_catalog.<>) 'header' THEN
            PERFORM cbreturn._trigger_ddl("table", pg_catalog.format('DROP TRIGGER IF EXISTS %I ON %s',
                                                                     'cbreturn_' || k.check_kind || '_check', "table"));
        END IF;
        IF k.check_kind = 'header' THEN
            -- refused while a check reads from it; its guards go with the last
            -- returns table that reads it (sql/52_enforce_header.sql)
            PERFORM cbreturn._header_detach("table", k.declared_relation);
        END IF;
        IF k.check_kind = 'quantity' THEN
            -- R-EX-3: triggers and ledger (sql/55_enforce_quantity.sql),
            -- while the check is still recorded: its owner may recount
            PERFORM cbreturn._quantity_detach("table", k.declared_relation);
        END IF;
        n := n + cbreturn._metadata_forget("table", k.check_kind);
    END LOOP;
    -- triggers restored without their metadata (pg_dump -n) go too
    FOREACH kind IN ARRAY CASE WHEN check_kind IS NULL THEN ARRAY['export', 'import', 'quantity', 'status']
                             ELSE ARRAY[check_kind] END LOOP
        n := n + cbreturn._drop_orphan_triggers("table", kind);
    END LOOP;
    -- a partition covered by its ancestor's check (issue 12): say which
    IF n = 0 AND check_kind IS NOT NULL THEN
        SELECT a.relation INTO k FROM cbreturn.attached_check a
         WHERE a.check_kind OPERATOR(pg_catalog.=) detach.check_kind
           AND a.relation IN (SELECT pg_catalog.pg_partition_ancestors("table"))
         LIMIT 1;
        IF FOUND THEN
            PERFORM cbreturn._error('detach.partition_covered', check_kind, "table"::pg_catalog.text,
                                    k.relation::pg_catalog.text, pg_catalog.quote_literal(k.relation::pg_catalog.text),
                                    pg_catalog.quote_literal(check_kind));
        END IF;
    END IF;
    IF n = 0 AND check_kind IS NULL THEN
        PERFORM cbreturn._error('detach.not_attached', "table"::pg_catalog.text);
    ELSIF n = 0 THEN
        PERFORM cbreturn._error('detach.kind_not_attached', check_kind, "table"::pg_catalog.text);
    END IF;
    RETURN n;
END
$$;

-- A declared-lines table (quantity check) or a declaration header, or a
-- partition of one, must be as lasting as the returns that name its rows:
-- crash recovery empties an UNLOGGED table without firing a trigger, and
-- permanent returns would be left naming nothing (a foreign key refuses the
-- same).  Refused (42P16) for the links touching rels: at attach (the
-- trigger on cbreturn.attached_check below) and at ALTER TABLE ... SET
-- UNLOGGED (cbreturn._follow_alter_table).  Walks pg_inherits, no locks.
CREATE FUNCTION cbreturn._refuse_unlogged(rels oid[]) RETURNS void
    LANGUAGE plpgsql
    SET search_path = pg_catalog, pg_temp
AS $$
DECLARE
    c record;
BEGIN
    FOR c IN
        WITH RECURSIVE tree (relid, root, link) AS (
            SELECT a.declared_relation::pg_catalog.oid, a.declared_relation::pg_catalog.oid,
                   a.relation::pg_catalog.oid
              FROM cbreturn.attached_check a
             WHERE a.check_kind OPERATOR(pg_catalog.=) ANY (ARRAY['quantity', 'header'])
               AND a.declared_relation IS NOT NULL
            UNION
            -- partitions only: the rows of a plain inheritance child are
            -- no declared line and no header row (the checks read ONLY)
            SELECT i.inhrelid, t.root, t.link
              FROM tree t JOIN pg_catalog.pg_inherits i ON i.inhparent OPERATOR(pg_catalog.=) t.relid
              JOIN pg_catalog.pg_class ch ON ch.oid OPERATOR(pg_catalog.=) i.inhrelid AND ch.relispartition),
        relevant AS (
            SELECT DISTINCT t.root, t.link FROM tree t
             WHERE t.relid OPERATOR(pg_catalog.=) ANY (rels) OR t.link OPERATOR(pg_catalog.=) ANY (rels))
        SELECT t.relid::pg_catalog.regclass AS unlogged, t.link::pg_catalog.regclass AS returns_table
          FROM tree t
          JOIN relevant v ON v.root OPERATOR(pg_catalog.=) t.root AND v.link OPERATOR(pg_catalog.=) t.link
          JOIN pg_catalog.pg_class d ON d.oid OPERATOR(pg_catalog.=) t.relid
          JOIN pg_catalog.pg_class r ON r.oid OPERATOR(pg_catalog.=) t.link
         WHERE d.relpersistence OPERATOR(pg_catalog.=) 'u' AND r.relpersistence OPERATOR(pg_catalog.=) 'p'
         LIMIT 1
    LOOP
        PERFORM cbreturn._error('attach.declared_unlogged', c.unlogged::pg_catalog.text,
                                c.returns_table::pg_catalog.text);
    END LOOP;
END
$$;
COMMENT ON FUNCTION cbreturn._refuse_unlogged(oid[]) IS
    'internal: refuses (42P16) an unlogged declared-lines or declaration header table, or partition of one, whose rows permanent returns name';

CREATE FUNCTION cbreturn._attached_persistence() RETURNS trigger
    LANGUAGE plpgsql
    SET search_path = pg_catalog, pg_temp
AS $$
BEGIN
    PERFORM cbreturn._refuse_unlogged(ARRAY[NEW.relation::pg_catalog.oid]);
    RETURN NULL;
END
$$;
COMMENT ON FUNCTION cbreturn._attached_persistence() IS
    'internal: AFTER INSERT trigger of cbreturn.attached_check: a quantity or header link to an unlogged table is refused (42P16)';
CREATE TRIGGER attached_persistence AFTER INSERT ON cbreturn.attached_check
    FOR EACH ROW EXECUTE FUNCTION cbreturn._attached_persistence();

CREATE OR REPLACE FUNCTION cbreturn._follow_alter_table() RETURNS event_trigger
    LANGUAGE plpgsql SECURITY DEFINER
    SET search_path = pg_catalog, pg_temp
AS $$
DECLARE
    c record;
    touched oid[];
BEGIN
    -- Only the metadata of the tables this ALTER TABLE touched, and of their
    -- inheritance children (a recursing ALTER reports only the parent), is
    -- looked at: a stale or foreign row elsewhere must not make every ALTER
    -- TABLE of the database fail (issue 9, item 3).
    WITH RECURSIVE t(relid) AS (
        SELECT d.objid FROM pg_catalog.pg_event_trigger_ddl_commands() d
         WHERE d.classid OPERATOR(pg_catalog.=) 'pg_catalog.pg_class'::pg_catalog.regclass
        UNION
        SELECT i.inhrelid FROM pg_catalog.pg_inherits i JOIN t ON i.inhparent OPERATOR(pg_catalog.=) t.relid
    )
    SELECT pg_catalog.array_agg(t.relid) INTO touched FROM t;
    IF touched IS NULL THEN
        RETURN;
    END IF;
    -- SET UNLOGGED of a table whose rows permanent returns name (42P16)
    PERFORM cbreturn._refuse_unlogged(touched);
    -- A dropped attached column or a new type would leave a check reading
    -- nothing or the wrong thing: refuse (the ALTER TABLE is rolled back).
    FOR c IN SELECT ac.*, a.attisdropped, a.atttypid
               FROM cbreturn.attached_column ac
               JOIN pg_catalog.pg_attribute a
                 ON a.attrelid OPERATOR(pg_catalog.=) ac.column_relation
                AND a.attnum OPERATOR(pg_catalog.=) ac.column_attnum
              WHERE ac.column_relation::pg_catalog.oid OPERATOR(pg_catalog.=) ANY (touched)
                AND (a.attisdropped OR a.atttypid OPERATOR(pg_catalog.<>) ac.column_type)
    LOOP
        PERFORM cbreturn._error(CASE WHEN c.attisdropped THEN 'attach.column_in_use'
                                     ELSE 'attach.column_type_in_use' END,
                                c.column_name::pg_catalog.text, c.column_relation::pg_catalog.text,
                                c.check_kind, c.relation::pg_catalog.text,
                                pg_catalog.quote_literal(c.relation::pg_catalog.text),
                                pg_catalog.quote_literal(c.check_kind));
    END LOOP;
    -- Citus: the checks of a Citus table name their columns in the triggers
    -- Citus carries to the shards (sql/66_citus.sql): refuse a rename there.
    FOR c IN SELECT ac.*
               FROM cbreturn.attached_column ac
               JOIN pg_catalog.pg_attribute a
                 ON a.attrelid OPERATOR(pg_catalog.=) ac.column_relation
                AND a.attnum OPERATOR(pg_catalog.=) ac.column_attnum
              WHERE ac.column_relation::pg_catalog.oid OPERATOR(pg_catalog.=) ANY (touched)
                AND a.attname OPERATOR(pg_catalog.<>) ac.column_name
                AND cbreturn._citus_table(ac.relation)
    LOOP
        PERFORM cbreturn._error('citus.rename_attached', c.column_name::pg_catalog.text,
                                c.relation::pg_catalog.text, c.check_kind,
                                pg_catalog.quote_literal(c.relation::pg_catalog.text),
                                pg_catalog.quote_literal(c.check_kind));
    END LOOP;
    -- Renamed columns: the attnum is the truth, the name follows it.
    UPDATE cbreturn.attached_column ac
       SET column_name = a.attname
      FROM pg_catalog.pg_attribute a
     WHERE ac.column_relation::pg_catalog.oid OPERATOR(pg_catalog.=) ANY (touched)
       AND a.attrelid OPERATOR(pg_catalog.=) ac.column_relation
       AND a.attnum OPERATOR(pg_catalog.=) ac.column_attnum
       AND a.attname OPERATOR(pg_catalog.<>) ac.column_name;
END
$$;

-- ==== COPY through a header lookup: the transaction's cache of header rows, the WHEN clause with the header key (issue 12) ====
-- The WHEN clause of an export check that reads a declaration header (issue
-- 12, COPY through a header lookup): the roles, then the returns table's key
-- columns, with which the function finds and locks the header row as the
-- trigger would, so that a row that passes queues no trigger event.
-- VOLATILE and PARALLEL UNSAFE: it locks the row (FOR KEY SHARE); it refuses
-- a caller that may not write the checked table.
CREATE FUNCTION cbreturn._export_row_ok(checked regclass, exported_on date, reason "any",
                                        returned_on date, remarks "any", supervision_code "any",
                                        export_office "any", return_office "any", applicant "any",
                                        return_site "any", left_special_area_on date,
                                        VARIADIC header_key "any")
    RETURNS boolean
    AS 'MODULE_PATHNAME', 'cbr_export_row_ok' LANGUAGE C VOLATILE PARALLEL UNSAFE;
COMMENT ON FUNCTION cbreturn._export_row_ok(regclass, date, "any", date, "any", "any", "any", "any", "any", "any", date,
                                            VARIADIC "any") IS
    'internal: WHEN clause of the reading export check on a table whose facts are on a declaration header: finds and locks the header row by the key passed last; true when the row passes, so that no trigger event is queued for it';

-- The header key arguments of that WHEN clause: ', NEW."k1", NEW."k2"' in
-- the link's order, or '' when no declaration header is attached to rel.
CREATE FUNCTION cbreturn._header_when_keys(rel regclass) RETURNS text
    LANGUAGE sql STABLE PARALLEL SAFE
    SET search_path = pg_catalog, pg_temp
AS $$
    SELECT COALESCE(pg_catalog.string_agg(pg_catalog.format(', NEW.%I', c.column_name),
                                                     '' ORDER BY pg_catalog.substr(c.role, 5)::pg_catalog.int4), '')
      FROM cbreturn.attached_column c
     WHERE c.relation OPERATOR(pg_catalog.=) rel
       AND c.check_kind OPERATOR(pg_catalog.=) 'header'
       AND c.role OPERATOR(pg_catalog.~) '^key_[0-9]+$'
$$;
COMMENT ON FUNCTION cbreturn._header_when_keys(regclass) IS
    'internal: the declaration header key columns an export check''s WHEN clause passes, NEW."column" each';

-- attach_export_return_checks writes the header key into the WHEN clause of a
-- check reading a declaration header (a check attached before keeps its
-- clause and decides in its trigger, as it did).
-- (cbreturn.attach_export_return_checks: re-created below, in its final form)

-- ==== Quantity freeing labels read from a return request header (issue 12) ====
-- attach_header takes the request's status (a new last argument, so the
-- function is dropped and created again); the quantity check reads it from
-- the header (_quantity_status_attach, attach_quantity_check) and the
-- recounts join the header (_quantity_counts_sql).  The C side (quantity.c,
-- quantity_request.c, header_guard.c, metadata.c) comes with the new module.
DROP FUNCTION cbreturn.attach_header(regclass, regclass, name[], name[], name, name, name, name, name);


-- A status check attached after a quantity check that reads a return
-- request's status on the declaration header does not agree with it.
-- (cbreturn.attach_status_check: created below, in its final form)

-- ==== Existing rows at attach, violations() that lists and goes on, ordinary returns taxed (issue 12, items 4 and 5) ====
-- attach_export_return_checks, attach_import_return_checks and
-- attach_status_check take validate and say what became of the existing
-- rows: the return type changes (void to text); their 0.2.0 forms were
-- dropped at the top of this script.  The checks they attached are triggers
-- and metadata, which do not depend on these functions: they stay attached.

CREATE FUNCTION cbreturn._attach_validate("table" regclass, check_kind text, validate boolean)
    RETURNS text
    AS 'MODULE_PATHNAME', 'cbr_attach_validate' LANGUAGE C;
COMMENT ON FUNCTION cbreturn._attach_validate(regclass, text, boolean) IS
    'internal: the existing rows at attach, checked (validate) or left, and the answer that says which';

CREATE FUNCTION cbreturn.attach_export_return_checks(
    "table"             regclass,
    exported_on         name,
    reason              name DEFAULT NULL,
    returned_on         name DEFAULT NULL,
    remarks             name DEFAULT NULL,
    fill_remarks        boolean DEFAULT false,
    supervision_code    name DEFAULT NULL,
    export_office       name DEFAULT NULL,
    return_office       name DEFAULT NULL,
    deadline            name DEFAULT NULL,
    applicant           name DEFAULT NULL,
    return_site         name DEFAULT NULL,
    left_special_area_on name DEFAULT NULL,
    validate            boolean DEFAULT false)
    RETURNS text
    LANGUAGE plpgsql
    SET search_path = pg_catalog, pg_temp
AS $$
DECLARE
    textual regtype[] := ARRAY['text', 'character varying', 'character']::regtype[];
    reasons regtype[] := ARRAY['cbreturn.return_reason', 'text', 'character varying', 'character']::regtype[];
    sup regtype[] := ARRAY['cbreturn.supervision_code', 'text', 'character varying', 'character']::regtype[];
    office regtype[] := ARRAY['cbreturn.customs_code', 'text', 'character varying', 'character']::regtype[];
    codes regtype[] := ARRAY['cbreturn.uscc', 'text', 'character varying', 'character']::regtype[];
    dates regtype[] := ARRAY['date']::regtype[];
    -- R-T-1: a timestamptz is read as its date in China
    days regtype[] := ARRAY['date', 'timestamp without time zone', 'timestamp with time zone']::regtype[];
    offices int := 0;
BEGIN
    PERFORM cbreturn._check_table("table", 'table');
    -- roles read from a declaration header (cbreturn.attach_header): ''
    exported_on := cbreturn._header_role("table", 'exported_on', exported_on);
    supervision_code := cbreturn._header_role("table", 'supervision_code', supervision_code);
    export_office := cbreturn._header_role("table", 'export_office', export_office);
    left_special_area_on := cbreturn._header_role("table", 'left_special_area_on', left_special_area_on);
    IF reason IS NULL AND remarks IS NULL THEN
        PERFORM cbreturn._error('attach.export_needs_reason_or_remarks');
    END IF;
    IF fill_remarks AND (remarks IS NULL OR reason IS NULL) THEN
        PERFORM cbreturn._error('attach.fill_remarks_needs_both');
    END IF;
    offices := (supervision_code IS NOT NULL)::int + (export_office IS NOT NULL)::int
               + (return_office IS NOT NULL)::int;
    IF offices NOT IN (0, 3) THEN
        PERFORM cbreturn._error('attach.cross_customs_needs_three');
    END IF;
    IF offices = 3 AND returned_on IS NULL THEN
        PERFORM cbreturn._error('attach.cross_customs_needs_returned_on');
    END IF;
    IF return_site IS NOT NULL AND offices <> 3 THEN
        PERFORM cbreturn._error('attach.site_needs_cross_customs');
    END IF;
    IF applicant IS NOT NULL AND returned_on IS NULL THEN
        PERFORM cbreturn._error('attach.applicant_needs_returned_on');
    END IF;
    IF left_special_area_on IS NOT NULL AND supervision_code IS NULL THEN
        PERFORM cbreturn._error('attach.departure_needs_code');
    END IF;
    IF deadline IS NOT NULL AND deadline IN (exported_on, reason, returned_on, remarks, supervision_code,
                                             export_office, return_office, applicant, return_site,
                                             left_special_area_on) THEN
        PERFORM cbreturn._error('attach.deadline_own_column');
    END IF;

    PERFORM cbreturn._register("table", 'export', fill_remarks);
    PERFORM cbreturn._attach_column("table", 'export', 'exported_on', "table", exported_on, days,
                                    cbreturn._text('role.exported_on'));
    IF reason IS NOT NULL THEN
        PERFORM cbreturn._attach_column("table", 'export', 'reason', "table", reason, reasons,
                                        cbreturn._text('role.reason'));
    END IF;
    IF returned_on IS NOT NULL THEN
        PERFORM cbreturn._attach_column("table", 'export', 'returned_on', "table", returned_on, days,
                                        cbreturn._text('role.returned_on'));
    END IF;
    IF remarks IS NOT NULL THEN
        PERFORM cbreturn._attach_column("table", 'export', 'remarks', "table", remarks, textual,
                                        cbreturn._text('role.remarks'));
    END IF;
    IF offices = 3 THEN
        PERFORM cbreturn._attach_column("table", 'export', 'supervision_code', "table", supervision_code, sup,
                                        cbreturn._text('role.supervision_code'));
        PERFORM cbreturn._attach_column("table", 'export', 'export_office', "table", export_office, office,
                                        cbreturn._text('role.export_office'));
        PERFORM cbreturn._attach_column("table", 'export', 'return_office', "table", return_office, office,
                                        cbreturn._text('role.return_office'));
    END IF;
    IF deadline IS NOT NULL THEN
        PERFORM cbreturn._attach_column("table", 'export', 'deadline', "table", deadline, dates,
                                        cbreturn._text('role.deadline'));
    END IF;
    IF applicant IS NOT NULL THEN
        PERFORM cbreturn._attach_column("table", 'export', 'applicant', "table", applicant, codes,
                                        cbreturn._text('role.applicant'));
    END IF;
    IF return_site IS NOT NULL THEN
        PERFORM cbreturn._attach_column("table", 'export', 'return_site', "table", return_site, textual,
                                        cbreturn._text('role.return_site'));
    END IF;
    IF left_special_area_on IS NOT NULL THEN
        PERFORM cbreturn._attach_column("table", 'export', 'left_special_area_on', "table",
                                        left_special_area_on, days, cbreturn._text('role.left_special_area_on'));
    END IF;
    -- A check that only reads the row fires AFTER it is written, so that COPY
    -- keeps inserting in batches (PostgreSQL falls back to one row at a time
    -- when a table has any BEFORE ROW trigger); an error still aborts the
    -- statement and leaves nothing behind.  Its WHEN clause names the checked
    -- columns (by number once created, so RENAME COLUMN keeps it right), and
    -- a row that passes every rule queues no trigger event at all (with the
    -- key of a declaration header, whose row it finds and locks).  Filling
    -- the remarks or the deadline changes the row, which only a BEFORE
    -- trigger can do, and it must see every row: no WHEN clause.
    IF fill_remarks OR deadline IS NOT NULL THEN
        PERFORM cbreturn._refuse_generated("table",
            ARRAY[exported_on, reason, returned_on, remarks, supervision_code, export_office,
                  return_office, deadline, applicant, return_site, left_special_area_on],
            cbreturn._text('check.export_filling'));
        -- (on a Citus table: the columns by name in the arguments, and
        -- carried to every shard; sql/66_citus.sql)
        PERFORM cbreturn._trigger_ddl("table", pg_catalog.format(
            'CREATE TRIGGER cbreturn_export_check BEFORE INSERT OR UPDATE ON %s '
            'FOR EACH ROW EXECUTE FUNCTION cbreturn.export_return_check(%s)', "table",
            cbreturn._check_trigger_args("table", 'export')));
    ELSE
        PERFORM cbreturn._trigger_ddl("table", pg_catalog.format(
            'CREATE TRIGGER cbreturn_export_check AFTER INSERT OR UPDATE ON %s FOR EACH ROW '
            'WHEN (NOT cbreturn._export_row_ok(%s, %s, %s, %s, %s, %s, %s, %s, %s, %s, %s%s)) '
            'EXECUTE FUNCTION cbreturn.export_return_check(%s)',
            "table", cbreturn._when_table("table"),
            cbreturn._new_date_column("table", exported_on), cbreturn._new_column(reason),
            cbreturn._new_date_column("table", returned_on), cbreturn._new_column(remarks),
            cbreturn._new_column(supervision_code), cbreturn._new_column(export_office),
            cbreturn._new_column(return_office), cbreturn._new_column(applicant),
            cbreturn._new_column(return_site), cbreturn._new_date_column("table", left_special_area_on),
            cbreturn._header_when_keys("table"), cbreturn._check_trigger_args("table", 'export')));
    END IF;
    -- existing rows: checked now (validate), or left and said so (issue 12, item 5)
    RETURN cbreturn._attach_validate("table", 'export', validate);
END
$$;
COMMENT ON FUNCTION cbreturn.attach_export_return_checks(regclass, name, name, name, name, boolean, name, name, name, name,
                                                         name, name, name, boolean) IS
    'attach the export-return checks (R-EX-1 window from the export date, the 1210 departure between it and the return per R-TX-2; R-EX-2 remark code; R-EX-5 cross-customs; R-EX-6 return site; R-EX-4 applicant) to a table, naming its columns; validate => true checks the existing rows too; returns whether they were validated';

CREATE FUNCTION cbreturn.attach_import_return_checks(
    "table"             regclass,
    released_on         name,
    applied_on          name DEFAULT NULL,
    arrived_on          name DEFAULT NULL,
    supervision_code    name DEFAULT NULL,
    original_place      name DEFAULT NULL,
    arrival_place       name DEFAULT NULL,
    declared_area       name DEFAULT NULL,
    warehouse           name DEFAULT NULL,
    enterprise          name DEFAULT NULL,
    applicant           name DEFAULT NULL,
    validate            boolean DEFAULT false)
    RETURNS text
    LANGUAGE plpgsql
    SET search_path = pg_catalog, pg_temp
AS $$
DECLARE
    -- R-T-1: a timestamptz is read as its date in China
    dates regtype[] := ARRAY['date', 'timestamp without time zone', 'timestamp with time zone']::regtype[];
    textual regtype[] := ARRAY['text', 'character varying', 'character']::regtype[];
    sup regtype[] := ARRAY['cbreturn.supervision_code', 'text', 'character varying', 'character']::regtype[];
    codes regtype[] := ARRAY['cbreturn.uscc', 'text', 'character varying', 'character']::regtype[];
    enterprises regtype[] := ARRAY['cbreturn.customs_registration_code', 'text', 'character varying',
                                   'character']::regtype[];
    places name[] := ARRAY[supervision_code, original_place, arrival_place, declared_area, warehouse,
                           enterprise, applicant];
    roles text[] := ARRAY['supervision_code', 'original_place', 'arrival_place', 'declared_area', 'warehouse',
                          'enterprise', 'applicant'];
    i int;
BEGIN
    PERFORM cbreturn._check_table("table", 'table');
    -- the release date read from a declaration header (cbreturn.attach_header): ''
    released_on := cbreturn._header_role("table", 'released_on', released_on);
    IF applied_on IS NULL AND arrived_on IS NULL THEN
        PERFORM cbreturn._error('attach.import_needs_dates');
    END IF;
    IF arrival_place IS NOT NULL AND (original_place IS NULL OR supervision_code IS NULL) THEN
        PERFORM cbreturn._error('attach.arrival_needs_original_and_code');
    END IF;
    IF (original_place IS NOT NULL AND arrival_place IS NULL AND warehouse IS NULL)
       OR (declared_area IS NOT NULL AND arrival_place IS NULL) THEN
        PERFORM cbreturn._error('attach.place_needs_arrival');
    END IF;
    IF (enterprise IS NULL) <> (applicant IS NULL) OR (applicant IS NOT NULL AND applied_on IS NULL) THEN
        PERFORM cbreturn._error('attach.import_applicant_needs');
    END IF;
    PERFORM cbreturn._register("table", 'import');
    PERFORM cbreturn._attach_column("table", 'import', 'released_on', "table", released_on, dates,
                                    cbreturn._text('role.released_on'));
    IF applied_on IS NOT NULL THEN
        PERFORM cbreturn._attach_column("table", 'import', 'applied_on', "table", applied_on, dates,
                                        cbreturn._text('role.applied_on'));
    END IF;
    IF arrived_on IS NOT NULL THEN
        PERFORM cbreturn._attach_column("table", 'import', 'arrived_on', "table", arrived_on, dates,
                                        cbreturn._text('role.arrived_on'));
    END IF;
    FOR i IN 1 .. pg_catalog.cardinality(places) LOOP
        CONTINUE WHEN places[i] IS NULL;
        PERFORM cbreturn._attach_column("table", 'import', roles[i], "table", places[i],
                                        CASE roles[i] WHEN 'supervision_code' THEN sup
                                                      WHEN 'enterprise' THEN enterprises
                                                      WHEN 'applicant' THEN codes ELSE textual END,
                                        cbreturn._text('role.import_' || roles[i]));
    END LOOP;
    -- AFTER, with a WHEN clause naming the checked columns (as the export check).
    PERFORM cbreturn._trigger_ddl("table", pg_catalog.format(
        'CREATE TRIGGER cbreturn_import_check AFTER INSERT OR UPDATE ON %s FOR EACH ROW '
        'WHEN (NOT cbreturn._import_row_ok(%s, %s, %s, %s, %s, %s, %s, %s, %s, %s, %s)) '
        'EXECUTE FUNCTION cbreturn.import_return_check(%s)',
        "table", cbreturn._when_table("table"), cbreturn._new_date_column("table", released_on),
        cbreturn._new_date_column("table", applied_on), cbreturn._new_date_column("table", arrived_on),
        cbreturn._new_column(supervision_code), cbreturn._new_column(original_place),
        cbreturn._new_column(arrival_place), cbreturn._new_column(declared_area),
        cbreturn._new_column(warehouse), cbreturn._new_column(enterprise),
        cbreturn._new_column(applicant), cbreturn._check_trigger_args("table", 'import')));
    -- existing rows: checked now (validate), or left and said so (issue 12, item 5)
    RETURN cbreturn._attach_validate("table", 'import', validate);
END
$$;
COMMENT ON FUNCTION cbreturn.attach_import_return_checks(regclass, name, name, name, name, name, name, name, name,
                                                         name, name, boolean) IS
    'attach the import-return checks (R-IM-1: application within 30 days, arrival within 45 days of release, at the original place; R-IM-5 return-centre warehouse; R-IM-6 special area of declaration; R-IM-7 applicant) to a table; validate => true checks the existing rows too; returns whether they were validated';

CREATE FUNCTION cbreturn.attach_status_check(
    "table"             regclass,
    status              name,
    registered_at       name DEFAULT NULL,
    declared_at         name DEFAULT NULL,
    shipped_at          name DEFAULT NULL,
    arrived_at          name DEFAULT NULL,
    inspected_at        name DEFAULT NULL,
    released_at         name DEFAULT NULL,
    rejected_at         name DEFAULT NULL,
    labels              text[] DEFAULT ARRAY['registered', 'declared', 'shipped', 'arrived',
                                             'inspected', 'released', 'rejected'],
    withdrawn           text DEFAULT NULL,
    validate            boolean DEFAULT false)
    RETURNS text
    LANGUAGE plpgsql
    SET search_path = pg_catalog, pg_temp
AS $$
DECLARE
    stages text[] := ARRAY['registered', 'declared', 'shipped', 'arrived', 'inspected', 'released', 'rejected'];
    cols name[] := ARRAY[registered_at, declared_at, shipped_at, arrived_at, inspected_at, released_at, rejected_at];
    stamp_types regtype[] := ARRAY['date', 'timestamp without time zone', 'timestamp with time zone']::regtype[];
    first_type regtype;
    t regtype;
    i int;
    q record;
    q_status text;
BEGIN
    PERFORM cbreturn._check_table("table", 'table');
    IF labels IS NULL OR pg_catalog.cardinality(labels) <> 7 OR pg_catalog.array_position(labels, NULL) IS NOT NULL
       OR (SELECT pg_catalog.count(DISTINCT l) FROM pg_catalog.unnest(labels) l
            WHERE pg_catalog.btrim(l) OPERATOR(pg_catalog.<>) '') <> 7 THEN
        PERFORM cbreturn._error('attach.status_labels');
    END IF;
    -- rules section 6: a withdrawn return, when the table records one, has a
    -- label of its own
    IF withdrawn IS NOT NULL THEN
        IF pg_catalog.btrim(withdrawn) OPERATOR(pg_catalog.=) '' OR withdrawn OPERATOR(pg_catalog.=) ANY (labels) THEN
            PERFORM cbreturn._error('attach.status_withdrawn_label', withdrawn);
        END IF;
        labels := labels OPERATOR(pg_catalog.||) withdrawn;
    END IF;
    PERFORM cbreturn._register("table", 'status', false, NULL, labels);
    PERFORM cbreturn._attach_column("table", 'status', 'status', "table", status,
        cbreturn._status_types("table", status), cbreturn._text('role.status'));
    FOR i IN 1 .. 7 LOOP
        CONTINUE WHEN cols[i] IS NULL;
        PERFORM cbreturn._attach_column("table", 'status', stages[i] || '_at', "table", cols[i], stamp_types,
                                        cbreturn._text('role.' || stages[i] || '_at'));
        SELECT c.column_type INTO t FROM cbreturn.attached_column c
         WHERE c.relation OPERATOR(pg_catalog.=) "table" AND c.check_kind OPERATOR(pg_catalog.=) 'status'
           AND c.role OPERATOR(pg_catalog.=) (stages[i] || '_at');
        IF first_type IS NULL THEN
            first_type := t;
        ELSIF t OPERATOR(pg_catalog.<>) first_type THEN
            PERFORM cbreturn._error('attach.stage_types', cols[i]::pg_catalog.text, t::pg_catalog.text,
                                    first_type::pg_catalog.text);
        END IF;
    END LOOP;
    PERFORM cbreturn._refuse_generated("table", ARRAY[status] || cols, cbreturn._text('check.status'));
    -- Rules section 6: a quantity check on this table frees the quantity of
    -- the returns this check calls rejected or withdrawn.  One without a
    -- status column takes this one's column and labels (and counts its
    -- returns again); one with them must read the same.
    SELECT k.declared_relation, k.freeing_labels INTO q FROM cbreturn.attached_check k
     WHERE k.relation OPERATOR(pg_catalog.=) "table" AND k.check_kind OPERATOR(pg_catalog.=) 'quantity';
    IF FOUND THEN
        -- (a quantity check reading a return request's status on the
        -- declaration header never agrees with a status column of the table)
        SELECT CASE WHEN c.column_relation OPERATOR(pg_catalog.=) "table" THEN c.column_name::pg_catalog.text
                    ELSE c.column_relation::pg_catalog.text OPERATOR(pg_catalog.||) '.'
                         OPERATOR(pg_catalog.||) pg_catalog.quote_ident(c.column_name) END
          INTO q_status FROM cbreturn.attached_column c
         WHERE c.relation OPERATOR(pg_catalog.=) "table" AND c.check_kind OPERATOR(pg_catalog.=) 'quantity'
           AND c.role OPERATOR(pg_catalog.=) 'status';
        IF q_status IS NULL THEN
            PERFORM cbreturn._quantity_status_attach("table", status, labels[7:8]);
            PERFORM cbreturn._quantity_rebuild(q.declared_relation, '{}', false);
        ELSIF q_status OPERATOR(pg_catalog.<>) status::pg_catalog.text
              OR NOT (q.freeing_labels OPERATOR(pg_catalog.@>) labels[7:8]
                      AND q.freeing_labels OPERATOR(pg_catalog.<@) labels[7:8]) THEN
            PERFORM cbreturn._error('attach.status_quantity_disagree', "table"::pg_catalog.text,
                                    q_status::pg_catalog.text, q.freeing_labels::pg_catalog.text,
                                    status::pg_catalog.text, labels[7:8]::pg_catalog.text,
                                    pg_catalog.quote_literal("table"::pg_catalog.text));
        END IF;
    END IF;
    -- A quantity check reading a return request's status from this table
    -- (its declaration header, attach_header's status) over this column must
    -- free by the same labels: one attached after this check takes them.
    FOR q IN SELECT k.relation, k.freeing_labels FROM cbreturn.attached_check k
               JOIN cbreturn.attached_column c
                 ON c.relation OPERATOR(pg_catalog.=) k.relation AND c.check_kind OPERATOR(pg_catalog.=) 'quantity'
                AND c.role OPERATOR(pg_catalog.=) 'status'
              WHERE k.check_kind OPERATOR(pg_catalog.=) 'quantity'
                AND c.column_relation OPERATOR(pg_catalog.=) "table"
                AND c.column_name OPERATOR(pg_catalog.=) status
                AND NOT (k.freeing_labels OPERATOR(pg_catalog.@>) labels[7:8]
                         AND k.freeing_labels OPERATOR(pg_catalog.<@) labels[7:8])
              ORDER BY k.relation::pg_catalog.text
    LOOP
        PERFORM cbreturn._error('attach.status_quantity_disagree', q.relation::pg_catalog.text,
                                "table"::pg_catalog.text OPERATOR(pg_catalog.||) '.' OPERATOR(pg_catalog.||)
                                pg_catalog.quote_ident(status), q.freeing_labels::pg_catalog.text,
                                status::pg_catalog.text, labels[7:8]::pg_catalog.text,
                                pg_catalog.quote_literal(q.relation::pg_catalog.text));
    END LOOP;
    PERFORM cbreturn._trigger_ddl("table", pg_catalog.format(
        'CREATE TRIGGER cbreturn_status_check BEFORE INSERT OR UPDATE ON %s '
        'FOR EACH ROW EXECUTE FUNCTION cbreturn.status_check(%s)', "table",
        cbreturn._check_trigger_args("table", 'status')));
    -- existing rows: checked now (validate), or left and said so (issue 12, item 5)
    RETURN cbreturn._attach_validate("table", 'status', validate);
END
$$;
COMMENT ON FUNCTION cbreturn.attach_status_check(regclass, name, name, name, name, name, name, name, name, text[], text, boolean) IS
    'attach the status check (rules section 6): the status only moves forward, through the stages whose times are recorded, and stage times never go backwards; validate => true checks the existing rows too; returns whether they were validated';

-- The tax functions take ordinary (issue 12, item 4): an ordinary (taxed)
-- return, declared as ordinary returned goods (e.g. 4561), is not relieved by
-- the announcements (R-TX-2) and restores nothing under R-IM-3.  A trailing
-- defaulted argument changes the signature, so the functions are dropped and
-- created again; calls without it answer as before.  A view or BEGIN ATOMIC
-- function of the database that calls one of them stops this update
-- (CHANGELOG.md says what to do).
DROP FUNCTION cbreturn.export_tax_relief(cbreturn.supervision_code, date, date, cbreturn.return_reason,
                                         boolean, boolean, date, boolean);
DROP FUNCTION cbreturn.export_tax_relieved(cbreturn.supervision_code, date, date, cbreturn.return_reason,
                                           boolean, boolean, date, boolean);
DROP FUNCTION cbreturn.explain_export_tax_relief(cbreturn.supervision_code, date, date, cbreturn.return_reason,
                                                 boolean, boolean, date, boolean);
DROP FUNCTION cbreturn.import_annual_amount_after_return(numeric, numeric, date, integer, text);
DROP FUNCTION cbreturn.import_return_effect(date, numeric, text);
DROP FUNCTION cbreturn.assess_export_return(cbreturn.supervision_code, date, cbreturn.return_reason, date, date,
                                            cbreturn.customs_code, cbreturn.customs_code, boolean, boolean,
                                            date, boolean, integer);
-- ordinary: the return is declared as ordinary returned goods (e.g. 4561),
-- outside the CBEC return procedure; the announcements do not relieve it
-- (R-TX-2) and the answer says so in its basis (issue 12, item 4).
CREATE FUNCTION cbreturn.export_tax_relief(code cbreturn.supervision_code, exported_on date, returned_on date,
                                           reason cbreturn.return_reason, is_food boolean,
                                           original_state boolean,
                                           left_special_area_on date DEFAULT NULL,
                                           rebate_claimed boolean DEFAULT false,
                                           ordinary boolean DEFAULT false)
    RETURNS cbreturn.tax_relief
    AS 'MODULE_PATHNAME', 'export_tax_relief'
    LANGUAGE C STABLE CALLED ON NULL INPUT PARALLEL SAFE;
COMMENT ON FUNCTION cbreturn.export_tax_relief(cbreturn.supervision_code, date, date, cbreturn.return_reason,
                                               boolean, boolean, date, boolean, boolean) IS
    'tax relief on a returned export: announcement route for unsold/consumer returns (R-TX-1, R-TX-2, R-TX-4), statutory route for quality/spec (R-TX-6); R-TX-3, R-TX-5; an ordinary return (ordinary => true) is taxed outside R-TX-6, its basis says why';

CREATE FUNCTION cbreturn.export_tax_relieved(code cbreturn.supervision_code, exported_on date, returned_on date,
                                             reason cbreturn.return_reason, is_food boolean,
                                             original_state boolean,
                                             left_special_area_on date DEFAULT NULL,
                                             rebate_claimed boolean DEFAULT false,
                                             ordinary boolean DEFAULT false)
    RETURNS boolean
    AS 'MODULE_PATHNAME', 'export_tax_relieved'
    LANGUAGE C STABLE CALLED ON NULL INPUT PARALLEL SAFE;
COMMENT ON FUNCTION cbreturn.export_tax_relieved(cbreturn.supervision_code, date, date, cbreturn.return_reason,
                                                 boolean, boolean, date, boolean, boolean) IS
    '(export_tax_relief(...)).relieved without forming the row, for scans: the same decision (R-TX-1 ... R-TX-6)';

CREATE FUNCTION cbreturn.explain_export_tax_relief(code cbreturn.supervision_code, exported_on date,
                                                   returned_on date, reason cbreturn.return_reason,
                                                   is_food boolean, original_state boolean,
                                                   left_special_area_on date DEFAULT NULL,
                                                   rebate_claimed boolean DEFAULT false,
                                                   ordinary boolean DEFAULT false,
                                                   OUT step integer, OUT rule_id text, OUT passed boolean,
                                                   OUT seen text, OUT basis text)
    RETURNS SETOF record
    AS 'MODULE_PATHNAME', 'explain_export_tax_relief'
    LANGUAGE C STABLE CALLED ON NULL INPUT PARALLEL SAFE;
COMMENT ON FUNCTION cbreturn.explain_export_tax_relief(cbreturn.supervision_code, date, date,
                                                       cbreturn.return_reason, boolean, boolean, date, boolean,
                                                       boolean) IS
    'the rules behind export_tax_relief (R-TX-1 ... R-TX-6), one row per check';

-- ordinary: an ordinary (taxed) return, declared outside the CBEC retail
-- import return procedure, restores nothing (issue 12, item 4).
CREATE FUNCTION cbreturn.import_annual_amount_after_return(annual_used numeric, returned_value numeric,
                                                           purchased_on date, amount_year integer,
                                                           status text, ordinary boolean DEFAULT false)
    RETURNS numeric
    AS 'MODULE_PATHNAME', 'import_annual_amount_after_return_in_year'
    LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
COMMENT ON FUNCTION cbreturn.import_annual_amount_after_return(numeric, numeric, date, integer, text, boolean) IS
    'consumer''s annual cumulative amount of amount_year after a recorded return: reduced by returned_value once the return is released and amount_year is the calendar year of the purchase, unchanged otherwise and for an ordinary return (R-IM-3)';

CREATE FUNCTION cbreturn.import_return_effect(purchased_on date, returned_value numeric, status text,
                                              ordinary boolean DEFAULT false)
    RETURNS cbreturn.import_effect
    AS 'MODULE_PATHNAME', 'import_return_effect'
    LANGUAGE C STABLE STRICT PARALLEL SAFE;
COMMENT ON FUNCTION cbreturn.import_return_effect(date, numeric, text, boolean) IS
    'what a recorded retail import return has done (R-IM-3, rules section 6): applied once released (tax refunded, quota of the purchase year restored), not_yet before, never when rejected or an ordinary (taxed) return';

CREATE FUNCTION cbreturn.assess_export_return(code cbreturn.supervision_code,
                                              exported_on date,
                                              reason cbreturn.return_reason,
                                              returned_on date,
                                              as_of date,
                                              export_office cbreturn.customs_code DEFAULT NULL,
                                              return_office cbreturn.customs_code DEFAULT NULL,
                                              is_food boolean DEFAULT NULL,
                                              original_state boolean DEFAULT NULL,
                                              left_special_area_on date DEFAULT NULL,
                                              rebate_claimed boolean DEFAULT false,
                                              due_soon_days integer DEFAULT 7,
                                              ordinary boolean DEFAULT false)
    RETURNS cbreturn.export_assessment
    AS 'MODULE_PATHNAME', 'assess_export_return'
    LANGUAGE C STABLE CALLED ON NULL INPUT PARALLEL SAFE;
COMMENT ON FUNCTION cbreturn.assess_export_return(cbreturn.supervision_code, date, cbreturn.return_reason, date, date,
                                                  cbreturn.customs_code, cbreturn.customs_code, boolean, boolean,
                                                  date, boolean, integer, boolean) IS
    'every verdict on one export return as of a day (R-EX-1, R-EX-2, R-EX-5, R-TX); returned_on NULL = not returned yet; a NULL input leaves NULL only the fields that need it and is listed in missing; ordinary => true: an ordinary (taxed) return, whose tax_relief says so';

-- ==== quantity ledger: room for the versions of hot lines (issue 9) ====
ALTER TABLE cbreturn.quantity_ledger SET (fillfactor = 50);

-- ==== ERP fit, last items (issue 12) ====
-- explain_import_return_effect takes ordinary, as import_return_effect does,
-- and gives the same verdict (issue 12, item 4); assess_import_return takes
-- ordinary too, and both assessments report an ordinary return outside the
-- CBEC windows (status 'ordinary', no deadline).  Both functions are new in
-- 0.3.0, so no object of a 0.2.0 database depends on them; a trailing
-- defaulted argument keeps the earlier calls working.
DROP FUNCTION cbreturn.explain_import_return_effect(date, numeric, text);
-- ordinary: as import_return_effect's (issue 12, item 4), for the same verdict.
CREATE FUNCTION cbreturn.explain_import_return_effect(purchased_on date, returned_value numeric, status text,
                                                      ordinary boolean DEFAULT false,
                                                      OUT step integer, OUT rule_id text, OUT passed boolean,
                                                      OUT seen text, OUT basis text)
    RETURNS SETOF record
    AS 'MODULE_PATHNAME', 'explain_import_return_effect'
    LANGUAGE C STABLE STRICT PARALLEL SAFE;
COMMENT ON FUNCTION cbreturn.explain_import_return_effect(date, numeric, text, boolean) IS
    'the rules behind import_return_effect (R-IM-3, rules section 6): one row for the status (or the ordinary return), one for the annual amount';

COMMENT ON FUNCTION cbreturn.assess_export_return(cbreturn.supervision_code, date, cbreturn.return_reason, date, date,
                                                  cbreturn.customs_code, cbreturn.customs_code, boolean, boolean,
                                                  date, boolean, integer, boolean) IS
    'every verdict on one export return as of a day (R-EX-1, R-EX-2, R-EX-5, R-TX); returned_on NULL = not returned yet; a NULL input leaves NULL only the fields that need it and is listed in missing; ordinary => true: an ordinary (taxed) return, outside R-EX-1 and R-EX-2 (no deadline nor remark code, status ordinary), whose tax_relief says it is taxed';

DROP FUNCTION cbreturn.assess_import_return(date, date, date, date, integer);
CREATE FUNCTION cbreturn.assess_import_return(released_on date, applied_on date, arrived_on date, as_of date,
                                              due_soon_days integer DEFAULT 7,
                                              ordinary boolean DEFAULT false)
    RETURNS cbreturn.import_assessment
    AS 'MODULE_PATHNAME', 'assess_import_return'
    LANGUAGE C IMMUTABLE CALLED ON NULL INPUT PARALLEL SAFE;
COMMENT ON FUNCTION cbreturn.assess_import_return(date, date, date, date, integer, boolean) IS
    'both R-IM-1 windows of one retail import return as of a day: overdue as soon as either is late, closed when both are; applied_on / arrived_on NULL = not yet; ordinary => true: an ordinary (taxed) return, outside R-IM-1 (no deadlines, status ordinary)';

-- A partitioned declaration header or return request table (issue 12, items
-- 2 and 6): attach_header accepts it (_check_table); each leaf partition
-- gets the TRUNCATE guard, those created or attached later too
-- (_header_truncate_guards, from _follow_partitions); the guards go with
-- every partition's (_header_drop_guards); header_truncate_guard answers for
-- a partition; the ledger's recount reads the request's status through the
-- partitions (_quantity_counts_sql).
CREATE OR REPLACE FUNCTION cbreturn._check_table(rel regclass, what text) RETURNS void
    LANGUAGE plpgsql
    SET search_path = pg_catalog, pg_temp
AS $$
DECLARE
    kind "char";
    persistence "char";
    said text := CASE what WHEN 'table' THEN cbreturn._text('the_table')
                           WHEN 'returns table' THEN cbreturn._text('the_returns_table')
                           WHEN 'declared table' THEN cbreturn._text('the_declared_table')
                           WHEN 'header table' THEN cbreturn._text('the_header_table')
                           ELSE what END;
BEGIN
    IF rel IS NULL THEN
        PERFORM cbreturn._error('attach.not_null', said);
    END IF;
    SELECT c.relkind, c.relpersistence INTO kind, persistence
      FROM pg_catalog.pg_class c WHERE c.oid OPERATOR(pg_catalog.=) rel;
    IF NOT FOUND THEN
        PERFORM cbreturn._error('attach.no_relation', rel::pg_catalog.oid::pg_catalog.text);
    END IF;
    IF persistence OPERATOR(pg_catalog.=) 't' THEN
        PERFORM cbreturn._error('attach.temporary', said, rel::pg_catalog.text);
    END IF;
    -- A check covers a partitioned table from its parent (issue 12; R-EX-3,
    -- R-IM-2: the quantity limit holds over every partition): PostgreSQL
    -- clones its row trigger to every partition, those created later too.
    -- A declaration header (or return request) may be partitioned too
    -- (issue 12): its row is found in whichever partition holds it.
    IF kind OPERATOR(pg_catalog.=) 'p'
       AND what OPERATOR(pg_catalog.=) ANY ('{table,returns table,header table}'::text[]) THEN
        NULL;
    ELSIF kind OPERATOR(pg_catalog.=) 'p' THEN
        PERFORM cbreturn._error('attach.partitioned', said, rel::pg_catalog.text);
    ELSIF kind OPERATOR(pg_catalog.<>) 'r' THEN
        PERFORM cbreturn._error('attach.not_table', said, rel::pg_catalog.text);
    END IF;
    -- (a declaration header need not be the caller's: TRIGGER and SELECT on
    -- it are enough, checked by _metadata_register and _metadata_column)
    IF what OPERATOR(pg_catalog.<>) 'header table' AND NOT cbreturn._owns(rel) THEN
        PERFORM cbreturn._error('attach.not_owner', rel::pg_catalog.text);
    END IF;
END
$$;

-- A guard of TRUNCATE or of a partition leaving its table asks whether a
-- return is counted against, or names, a row that would go, with the
-- latest snapshot: under REPEATABLE READ a return committed after the
-- transaction's snapshot counts as well (src/enforce/trigger.c).
CREATE FUNCTION cbreturn._exists_latest(query text) RETURNS boolean
    AS 'MODULE_PATHNAME', 'cbr_exists_latest' LANGUAGE C STRICT;
REVOKE ALL ON FUNCTION cbreturn._exists_latest(text) FROM PUBLIC;
COMMENT ON FUNCTION cbreturn._exists_latest(text) IS
    'internal: the boolean a guard''s query gives, read with the latest snapshot';
-- " COLLATE schema.name": the collation of column col of rel, to compare a
-- key of rel with a key of another table under it, as a foreign key compares
-- under the referenced column's and a unique index finds its rows ('' for a
-- type without collation).  The two keys may have different collations, and
-- then a comparison without one is an error (42P22).
CREATE FUNCTION cbreturn._collate_of(rel regclass, col name) RETURNS text
    LANGUAGE sql STABLE PARALLEL SAFE
    SET search_path = pg_catalog, pg_temp
AS $$
    SELECT coalesce((SELECT pg_catalog.format(' COLLATE %I.%I', n.nspname, co.collname)
                       FROM pg_catalog.pg_attribute a
                       JOIN pg_catalog.pg_collation co ON co.oid OPERATOR(pg_catalog.=) a.attcollation
                       JOIN pg_catalog.pg_namespace n ON n.oid OPERATOR(pg_catalog.=) co.collnamespace
                      WHERE a.attrelid OPERATOR(pg_catalog.=) rel AND a.attname OPERATOR(pg_catalog.=) col
                        AND NOT a.attisdropped), '')
$$;
COMMENT ON FUNCTION cbreturn._collate_of(regclass, name) IS
    'internal: the COLLATE clause of a key column, for the key comparisons of built SQL';


-- The first returns table (in OID order) with a return that names a row of
-- part: the header table, or a partition of a partitioned one with its own
-- partitions; NULL when no return does.  A return names a row when each of
-- its key columns equals the row's header key column, by the key type's
-- equality (attach_header requires one type on both sides).  SECURITY
-- DEFINER to look into the returns tables; the callers say only whether a
-- return names a row, never a value.
CREATE FUNCTION cbreturn._header_rows_named(part regclass, orphaned boolean DEFAULT false) RETURNS regclass
    LANGUAGE plpgsql SECURITY DEFINER
    SET search_path = pg_catalog, pg_temp
AS $$
DECLARE
    k record;
    leaf regclass;
    header_from text;
    cond text;
    given text;
    named boolean;
    seen pg_catalog.oid[] := '{}';
BEGIN
    -- Only tables are read, never a view or a foreign table: a table a
    -- role owns may have become a view since it was linked (CREATE RULE
    -- "_RETURN" on PostgreSQL 15), and a view would run that role's
    -- functions with this function's rights.  The returns table is read
    -- leaf by leaf for the same reason.
    SELECT CASE c.relkind WHEN 'p' THEN '' ELSE 'ONLY ' END OPERATOR(pg_catalog.||) part::pg_catalog.text
      INTO header_from
      FROM pg_catalog.pg_class c
     WHERE c.oid OPERATOR(pg_catalog.=) part::pg_catalog.oid AND c.relkind IN ('r', 'p');
    IF header_from IS NULL THEN
        RETURN NULL;
    END IF;
    FOR k IN SELECT a.relation FROM cbreturn.attached_check a
              WHERE a.check_kind OPERATOR(pg_catalog.=) 'header'
                -- a partition of a partitioned header (issue 12): the links
                -- name the partitioned table
                -- (pg_partition_ancestors gives nothing for a table that is
                -- neither a partition nor partitioned)
                AND (a.declared_relation::pg_catalog.oid OPERATOR(pg_catalog.=) part
                     OR a.declared_relation::pg_catalog.oid IN (SELECT pg_catalog.pg_partition_ancestors(part)))
                AND EXISTS (SELECT FROM pg_catalog.pg_class c
                             WHERE c.oid OPERATOR(pg_catalog.=) a.relation::pg_catalog.oid)
              ORDER BY a.relation::pg_catalog.oid
    LOOP
      seen := seen OPERATOR(pg_catalog.||) k.relation::pg_catalog.oid;
      -- a return names a header row: each key column equals the row's
      -- header key column, by the key type's equality
      -- (under the collation of the header's key column, as its unique
      -- index compares and a foreign key would: the return's key column may
      -- have another)
      SELECT pg_catalog.string_agg(pg_catalog.format('h.%I %s r.%I%s', hk.column_name,
                                                     cbreturn._eq_operator(hk.column_type), rk.column_name,
                                                     cbreturn._collate_of(hk.column_relation, hk.column_name)),
                                   ' AND '),
             pg_catalog.string_agg(pg_catalog.format('r.%I IS NOT NULL', rk.column_name), ' AND ')
        INTO cond, given
        FROM cbreturn.attached_column rk
        JOIN cbreturn.attached_column hk
          ON hk.relation OPERATOR(pg_catalog.=) rk.relation
         AND hk.check_kind OPERATOR(pg_catalog.=) 'header'
         AND hk.role OPERATOR(pg_catalog.=) ('header_' OPERATOR(pg_catalog.||) rk.role)
       WHERE rk.relation OPERATOR(pg_catalog.=) k.relation
         AND rk.check_kind OPERATOR(pg_catalog.=) 'header'
         AND rk.role OPERATOR(pg_catalog.~) '^key_[0-9]+$';
      -- a key whose equality is gone (an operator class dropped with the
      -- header's primary key, in the statement being checked): no return
      -- can be shown to name a row, nor not to: counted as named
      IF cond IS NULL THEN
          RETURN k.relation;
      END IF;
      FOR leaf IN SELECT c.oid::pg_catalog.regclass FROM pg_catalog.pg_class c
                   WHERE c.oid OPERATOR(pg_catalog.=) k.relation::pg_catalog.oid
                     AND c.relkind OPERATOR(pg_catalog.=) 'r'
                  UNION
                  SELECT t.relid FROM pg_catalog.pg_partition_tree(k.relation) t
                    JOIN pg_catalog.pg_class c ON c.oid OPERATOR(pg_catalog.=) t.relid::pg_catalog.oid
                   WHERE c.relkind OPERATOR(pg_catalog.=) 'r'
      LOOP
        -- held first, then asked again what it is, as committed: a role
        -- could turn it into a view in a transaction still open when it was
        -- listed above
        EXECUTE pg_catalog.format('LOCK TABLE ONLY %s IN ACCESS SHARE MODE', leaf);
        CONTINUE WHEN NOT cbreturn._exists_latest(pg_catalog.format(
            'SELECT EXISTS (SELECT FROM pg_catalog.pg_class c WHERE c.oid OPERATOR(pg_catalog.=) %s'
            ' AND c.relkind OPERATOR(pg_catalog.=) ''r'')', leaf::pg_catalog.oid));
        -- (a partitioned table: every partition, issue 12); read with the
        -- latest snapshot, as every writer of such a return has committed
        -- by now (cbreturn._exists_latest)
        named := cbreturn._exists_latest(CASE WHEN orphaned THEN pg_catalog.format(
            'SELECT EXISTS (SELECT FROM ONLY %s r WHERE %s AND NOT EXISTS (SELECT FROM %s h WHERE %s))',
            leaf, given, header_from, cond) ELSE pg_catalog.format(
            'SELECT EXISTS (SELECT FROM ONLY %s r WHERE EXISTS (SELECT FROM %s h WHERE %s))',
            leaf, header_from, cond) END);
        IF named THEN
            RETURN k.relation;
        END IF;
      END LOOP;
    END LOOP;
    -- REPEATABLE READ, SERIALIZABLE: the links above were read with the
    -- transaction's snapshot, so a returns table linked by a transaction
    -- that committed after it was taken was not looked at: refused (40001,
    -- retry), never decided without it
    IF pg_catalog.current_setting('transaction_isolation') OPERATOR(pg_catalog.<>) 'read committed'
       AND cbreturn._exists_latest(pg_catalog.format(
           'SELECT EXISTS (SELECT FROM cbreturn.attached_check a'
           ' WHERE a.check_kind OPERATOR(pg_catalog.=) ''header'''
           '   AND (a.declared_relation::pg_catalog.oid OPERATOR(pg_catalog.=) %s'
           '        OR a.declared_relation::pg_catalog.oid IN (SELECT pg_catalog.pg_partition_ancestors(%s)))'
           '   AND NOT a.relation::pg_catalog.oid OPERATOR(pg_catalog.=) ANY (%L::pg_catalog.oid[])'
           '   AND EXISTS (SELECT FROM pg_catalog.pg_class c'
           '                WHERE c.oid OPERATOR(pg_catalog.=) a.relation::pg_catalog.oid))',
           part::pg_catalog.oid, part::pg_catalog.oid, seen)) THEN
        PERFORM cbreturn._error('header.link_concurrent', part::pg_catalog.text);
    END IF;
    RETURN NULL;
END
$$;
REVOKE ALL ON FUNCTION cbreturn._header_rows_named(regclass, boolean) FROM PUBLIC;
COMMENT ON FUNCTION cbreturn._header_rows_named(regclass, boolean) IS
    'internal: the first returns table with a return that names a row of a declaration header table or of a partition of one, or (orphaned) a row of none (NULL: none)';

CREATE FUNCTION cbreturn.header_truncate_guard() RETURNS trigger
    LANGUAGE plpgsql SECURITY DEFINER
    SET search_path = pg_catalog, pg_temp
AS $$
DECLARE
    named regclass := cbreturn._header_rows_named(TG_RELID::pg_catalog.regclass);
BEGIN
    IF named IS NOT NULL THEN
        PERFORM cbreturn._error('header.truncate', TG_RELID::pg_catalog.regclass::pg_catalog.text,
                                named::pg_catalog.text);
    END IF;
    RETURN NULL;
END
$$;
COMMENT ON FUNCTION cbreturn.header_truncate_guard() IS
    'internal: BEFORE TRUNCATE trigger of a declaration header table (and of each partition of a partitioned one): refused while returns name its rows (CB014)';

CREATE FUNCTION cbreturn._header_truncate_guards(header regclass) RETURNS void
    LANGUAGE plpgsql
    SET search_path = pg_catalog, pg_temp
AS $$
DECLARE
    leaf regclass;
BEGIN
    FOR leaf IN SELECT t.relid FROM pg_catalog.pg_partition_tree(header) t
                  JOIN pg_catalog.pg_class c ON c.oid OPERATOR(pg_catalog.=) t.relid::pg_catalog.oid
                 WHERE t.relid OPERATOR(pg_catalog.<>) header
                   AND c.relkind OPERATOR(pg_catalog.=) 'r'
                   AND NOT EXISTS (SELECT FROM pg_catalog.pg_trigger g
                                    WHERE g.tgrelid OPERATOR(pg_catalog.=) c.oid
                                      AND g.tgname OPERATOR(pg_catalog.=) 'cbreturn_header_truncate_guard')
                 ORDER BY c.oid
    LOOP
        EXECUTE pg_catalog.format(
            'CREATE TRIGGER cbreturn_header_truncate_guard BEFORE TRUNCATE ON %s '
            'FOR EACH STATEMENT EXECUTE FUNCTION cbreturn.header_truncate_guard()', leaf);
    END LOOP;
END
$$;
COMMENT ON FUNCTION cbreturn._header_truncate_guards(regclass) IS
    'internal: gives each leaf partition of a partitioned declaration header the TRUNCATE guard it lacks';

CREATE FUNCTION cbreturn._header_drop_guards(header regclass) RETURNS void
    LANGUAGE plpgsql
    SET search_path = pg_catalog, pg_temp
AS $$
DECLARE
    leaf regclass;
BEGIN
    EXECUTE pg_catalog.format('DROP TRIGGER IF EXISTS cbreturn_header_guard ON %s', header);
    EXECUTE pg_catalog.format('DROP TRIGGER IF EXISTS cbreturn_header_truncate_guard ON %s', header);
    FOR leaf IN SELECT g.tgrelid::pg_catalog.regclass FROM pg_catalog.pg_partition_tree(header) t
                  JOIN pg_catalog.pg_trigger g ON g.tgrelid OPERATOR(pg_catalog.=) t.relid::pg_catalog.oid
                 WHERE t.relid OPERATOR(pg_catalog.<>) header
                   AND g.tgname OPERATOR(pg_catalog.=) 'cbreturn_header_truncate_guard'
                 ORDER BY g.tgrelid
    LOOP
        EXECUTE pg_catalog.format('DROP TRIGGER cbreturn_header_truncate_guard ON %s', leaf);
    END LOOP;
END
$$;
COMMENT ON FUNCTION cbreturn._header_drop_guards(regclass) IS
    'internal: drops the guards of a declaration header, those of its partitions included';

CREATE OR REPLACE FUNCTION cbreturn.attach_header(
    "table"             regclass,
    header              regclass,
    key                 name[],
    header_key          name[],
    exported_on         name DEFAULT NULL,
    supervision_code    name DEFAULT NULL,
    export_office       name DEFAULT NULL,
    left_special_area_on name DEFAULT NULL,
    released_on         name DEFAULT NULL,
    status              name DEFAULT NULL)
    RETURNS void
    LANGUAGE plpgsql
    SET search_path = pg_catalog, pg_temp
AS $$
DECLARE
    -- R-T-1: a timestamptz is read as its date in China
    days regtype[] := ARRAY['date', 'timestamp without time zone', 'timestamp with time zone']::regtype[];
    sup regtype[] := ARRAY['cbreturn.supervision_code', 'text', 'character varying', 'character']::regtype[];
    office regtype[] := ARRAY['cbreturn.customs_code', 'text', 'character varying', 'character']::regtype[];
    -- status: a return request's status (rules section 6), read by the
    -- quantity check attached afterwards with its freeing labels
    roles text[] := ARRAY['exported_on', 'supervision_code', 'export_office', 'left_special_area_on', 'released_on',
                          'status'];
    cols name[] := ARRAY[exported_on, supervision_code, export_office, left_special_area_on, released_on, status];
    n int;
    i int;
    t1 regtype;
    t2 regtype;
    k text;
BEGIN
    PERFORM cbreturn._check_table("table", 'table');
    PERFORM cbreturn._check_table(header, 'header table');
    IF "table" OPERATOR(pg_catalog.=) header THEN
        PERFORM cbreturn._error('header.same_table');
    END IF;
    -- the checks read the header from their attach on: attach it first
    SELECT a.check_kind INTO k FROM cbreturn.attached_check a
     WHERE a.relation OPERATOR(pg_catalog.=) "table"
       AND a.check_kind OPERATOR(pg_catalog.=) ANY ('{export,import}'::text[])
     ORDER BY 1 LIMIT 1;
    IF FOUND THEN
        PERFORM cbreturn._error('header.after_checks', k, "table"::pg_catalog.text,
                                pg_catalog.quote_literal("table"::pg_catalog.text), pg_catalog.quote_literal(k));
    END IF;
    n := pg_catalog.cardinality(key);
    IF n IS NULL OR n = 0 OR n > 8 OR n IS DISTINCT FROM pg_catalog.cardinality(header_key) THEN
        PERFORM cbreturn._error('header.key_count');
    END IF;
    IF (SELECT pg_catalog.count(c) FROM pg_catalog.unnest(cols) c) = 0 THEN
        PERFORM cbreturn._error('header.no_role');
    END IF;
    PERFORM cbreturn._register("table", 'header', false, header);
    FOR i IN 1 .. n LOOP
        PERFORM cbreturn._attach_column("table", 'header', 'key_' || i, "table", key[i], NULL,
                                        cbreturn._text('header.key'));
        PERFORM cbreturn._attach_column("table", 'header', 'header_key_' || i, header, header_key[i], NULL,
                                        cbreturn._text('header.header_key'));
        SELECT c.column_type INTO t1 FROM cbreturn.attached_column c
         WHERE c.relation OPERATOR(pg_catalog.=) "table" AND c.check_kind OPERATOR(pg_catalog.=) 'header'
           AND c.role OPERATOR(pg_catalog.=) ('key_' || i);
        SELECT c.column_type INTO t2 FROM cbreturn.attached_column c
         WHERE c.relation OPERATOR(pg_catalog.=) "table" AND c.check_kind OPERATOR(pg_catalog.=) 'header'
           AND c.role OPERATOR(pg_catalog.=) ('header_key_' || i);
        IF t1 OPERATOR(pg_catalog.<>) t2 THEN
            PERFORM cbreturn._error('header.key_types', key[i]::pg_catalog.text, t1::pg_catalog.text,
                                    header_key[i]::pg_catalog.text, t2::pg_catalog.text);
        END IF;
    END LOOP;
    FOR i IN 1 .. pg_catalog.cardinality(roles) LOOP
        CONTINUE WHEN cols[i] IS NULL;
        PERFORM cbreturn._attach_column("table", 'header', roles[i], header, cols[i],
                                        CASE roles[i] WHEN 'supervision_code' THEN sup
                                                      WHEN 'export_office' THEN office
                                                      WHEN 'status' THEN cbreturn._status_types(header, cols[i])
                                                      ELSE days END,
                                        cbreturn._text('header.' || roles[i]));
    END LOOP;
    -- a row is found as a foreign key finds it (unique constraint, the key
    -- types' equality) and read as the header's owner may read it
    PERFORM cbreturn._header_validate("table");
    -- one guard per header table serves every returns table that reads it
    IF NOT EXISTS (SELECT FROM pg_catalog.pg_trigger t
                    WHERE t.tgrelid OPERATOR(pg_catalog.=) header
                      AND t.tgname OPERATOR(pg_catalog.=) 'cbreturn_header_guard') THEN
        EXECUTE pg_catalog.format(
            'CREATE TRIGGER cbreturn_header_guard BEFORE UPDATE OR DELETE ON %s '
            'FOR EACH ROW EXECUTE FUNCTION cbreturn.header_guard()', header);
        EXECUTE pg_catalog.format(
            'CREATE TRIGGER cbreturn_header_truncate_guard BEFORE TRUNCATE ON %s '
            'FOR EACH STATEMENT EXECUTE FUNCTION cbreturn.header_truncate_guard()', header);
    END IF;
    -- a partitioned header: each partition's TRUNCATE too (issue 12)
    PERFORM cbreturn._header_truncate_guards(header);
END
$$;
COMMENT ON FUNCTION cbreturn.attach_header(regclass, regclass, name[], name[], name, name, name, name, name, name) IS
    'name the declaration header (or return request) of a returns table, its key and the header columns of the export date, supervision code, export office, 1210 departure date, release date or request status; the export, import and quantity checks attached afterwards read those from the header row';

CREATE OR REPLACE FUNCTION cbreturn._header_detach(rel regclass, header regclass) RETURNS void
    LANGUAGE plpgsql
    SET search_path = pg_catalog, pg_temp
AS $$
DECLARE
    c record;
BEGIN
    SELECT a.check_kind, a.role INTO c FROM cbreturn.attached_column a
     WHERE a.relation OPERATOR(pg_catalog.=) rel AND a.check_kind OPERATOR(pg_catalog.<>) 'header'
       AND a.column_relation OPERATOR(pg_catalog.=) header
     ORDER BY 1, 2 LIMIT 1;
    IF FOUND THEN
        PERFORM cbreturn._error('header.in_use', header::pg_catalog.text, c.check_kind, rel::pg_catalog.text, c.role,
                                pg_catalog.quote_literal(rel::pg_catalog.text), pg_catalog.quote_literal(c.check_kind));
    END IF;
    -- (only the header's owner may drop its triggers; left to a role that
    -- attached with TRIGGER alone, a guard no returns table uses checks nothing)
    IF NOT EXISTS (SELECT FROM cbreturn.attached_check o
                    WHERE o.check_kind OPERATOR(pg_catalog.=) 'header'
                      AND o.declared_relation OPERATOR(pg_catalog.=) header
                      AND o.relation OPERATOR(pg_catalog.<>) rel)
       AND cbreturn._owns(header) THEN
        PERFORM cbreturn._header_drop_guards(header);
    END IF;
END
$$;

CREATE OR REPLACE FUNCTION cbreturn._header_after_drop(gone oid[]) RETURNS void
    LANGUAGE plpgsql
    SET search_path = pg_catalog, pg_temp
AS $$
DECLARE
    h regclass;
BEGIN
    FOR h IN SELECT DISTINCT a.declared_relation FROM cbreturn.attached_check a
              WHERE a.check_kind OPERATOR(pg_catalog.=) 'header'
                AND a.relation::pg_catalog.oid OPERATOR(pg_catalog.=) ANY (gone)
                AND NOT a.declared_relation::pg_catalog.oid OPERATOR(pg_catalog.=) ANY (gone)
                AND EXISTS (SELECT FROM pg_catalog.pg_class c
                             WHERE c.oid OPERATOR(pg_catalog.=) a.declared_relation::pg_catalog.oid)
                AND NOT EXISTS (SELECT FROM cbreturn.attached_check o
                                 WHERE o.check_kind OPERATOR(pg_catalog.=) 'header'
                                   AND o.declared_relation OPERATOR(pg_catalog.=) a.declared_relation
                                   AND NOT o.relation::pg_catalog.oid OPERATOR(pg_catalog.=) ANY (gone))
    LOOP
        PERFORM cbreturn._header_drop_guards(h);
    END LOOP;
END
$$;

CREATE OR REPLACE FUNCTION cbreturn._follow_partitions() RETURNS event_trigger
    LANGUAGE plpgsql SECURITY DEFINER
    SET search_path = pg_catalog, pg_temp
AS $$
BEGIN
    INSERT INTO cbreturn.partition_pending (relid)
    SELECT DISTINCT t.relid
      FROM (SELECT DISTINCT pg_catalog.pg_partition_root(d.objid) AS root
              FROM pg_catalog.pg_event_trigger_ddl_commands() d
              JOIN pg_catalog.pg_class c ON c.oid OPERATOR(pg_catalog.=) d.objid
             WHERE d.classid OPERATOR(pg_catalog.=) 'pg_catalog.pg_class'::pg_catalog.regclass
               AND d.objsubid OPERATOR(pg_catalog.=) 0
               AND (c.relispartition OR c.relkind OPERATOR(pg_catalog.=) 'p')) r
      CROSS JOIN LATERAL pg_catalog.pg_partition_tree(r.root) t
     WHERE t.isleaf
       -- only trees in which a leaf carries a check or a header
       AND EXISTS (SELECT FROM cbreturn.attached_check a
                    WHERE a.check_kind OPERATOR(pg_catalog.=) ANY ('{export,import,status,header}'::text[])
                      AND a.relation::pg_catalog.oid IN (SELECT s.relid FROM pg_catalog.pg_partition_tree(r.root) s));
    -- CREATE UNLOGGED TABLE ... PARTITION OF a table whose rows permanent
    -- returns name (42P16), as ALTER TABLE ... SET UNLOGGED and ATTACH
    -- PARTITION are refused (cbreturn._follow_alter_table)
    PERFORM cbreturn._refuse_unlogged(ARRAY(
        SELECT d.objid FROM pg_catalog.pg_event_trigger_ddl_commands() d
          JOIN pg_catalog.pg_class c ON c.oid OPERATOR(pg_catalog.=) d.objid
         WHERE d.classid OPERATOR(pg_catalog.=) 'pg_catalog.pg_class'::pg_catalog.regclass
           AND d.objsubid OPERATOR(pg_catalog.=) 0
           AND c.relpersistence OPERATOR(pg_catalog.=) 'u'));
    -- a partition created or attached under a partitioned declaration header
    -- (issue 12) gets the header's TRUNCATE guard (the row guard is cloned)
    PERFORM cbreturn._header_truncate_guards(h.declared_relation)
       FROM (SELECT DISTINCT a.declared_relation FROM cbreturn.attached_check a
              JOIN pg_catalog.pg_class c ON c.oid OPERATOR(pg_catalog.=) a.declared_relation::pg_catalog.oid
             WHERE a.check_kind OPERATOR(pg_catalog.=) 'header'
               AND c.relkind OPERATOR(pg_catalog.=) 'p'
               AND EXISTS (SELECT FROM pg_catalog.pg_trigger g
                            WHERE g.tgrelid OPERATOR(pg_catalog.=) c.oid
                              AND g.tgname OPERATOR(pg_catalog.=) 'cbreturn_header_guard')) h;
END
$$;
COMMENT ON FUNCTION cbreturn._follow_partitions() IS
    'internal: event trigger queueing the leaf partitions of checked partition trees that CREATE TABLE or ALTER TABLE touched, for the check at commit; gives new partitions of a partitioned declaration header its TRUNCATE guard';

CREATE OR REPLACE FUNCTION cbreturn._quantity_counts_sql(declared regclass, except_relation oid[])
    RETURNS text
    LANGUAGE plpgsql STABLE PARALLEL SAFE
    SET search_path = pg_catalog, pg_temp
AS $$
DECLARE
    k record;
    parts text[] := '{}';
    keys name[];
    dkeys name[];
    dq name;
    q name;
    st name;
    hdr regclass;
    hjoin text;
    salias text;
    fl text[];
    n int;
BEGIN
    FOR k IN SELECT a.relation FROM cbreturn.attached_check a
              WHERE a.check_kind OPERATOR(pg_catalog.=) 'quantity'
                AND a.declared_relation OPERATOR(pg_catalog.=) declared
                AND NOT a.relation::pg_catalog.oid OPERATOR(pg_catalog.=) ANY (coalesce(except_relation, '{}'))
              ORDER BY a.relation::pg_catalog.oid
    LOOP
        keys := cbreturn._quantity_columns(k.relation, 'line_');
        dkeys := cbreturn._quantity_columns(k.relation, 'declared_line_');
        SELECT c.column_name INTO q FROM cbreturn.attached_column c
         WHERE c.relation OPERATOR(pg_catalog.=) k.relation AND c.check_kind OPERATOR(pg_catalog.=) 'quantity'
           AND c.role OPERATOR(pg_catalog.=) 'quantity';
        SELECT c.column_name INTO dq FROM cbreturn.attached_column c
         WHERE c.relation OPERATOR(pg_catalog.=) k.relation AND c.check_kind OPERATOR(pg_catalog.=) 'quantity'
           AND c.role OPERATOR(pg_catalog.=) 'declared_quantity';
        SELECT c.column_name, c.column_relation INTO st, hdr FROM cbreturn.attached_column c
         WHERE c.relation OPERATOR(pg_catalog.=) k.relation AND c.check_kind OPERATOR(pg_catalog.=) 'quantity'
           AND c.role OPERATOR(pg_catalog.=) 'status';
        -- the status of the return's request, on its declaration header: the
        -- header row the return's key names (the check refuses a return
        -- naming none, the guard a header row going that returns name); a
        -- partitioned header (issue 12) is read with its partitions
        hjoin := '';
        IF hdr IS NOT NULL AND hdr OPERATOR(pg_catalog.<>) k.relation THEN
            SELECT pg_catalog.format(' LEFT JOIN %s%s h ON %s',
                       CASE WHEN (SELECT c.relkind FROM pg_catalog.pg_class c
                                   WHERE c.oid OPERATOR(pg_catalog.=) hdr::pg_catalog.oid)
                                 OPERATOR(pg_catalog.=) 'p' THEN '' ELSE 'ONLY ' END, hdr,
                       pg_catalog.string_agg(pg_catalog.format('h.%I %s r.%I%s', hc.column_name,
                           cbreturn._eq_operator(hc.column_type), rc.column_name,
                           cbreturn._collate_of(hdr, hc.column_name)), ' AND '))
              INTO hjoin
              FROM cbreturn.attached_column rc
              JOIN cbreturn.attached_column hc
                ON hc.relation OPERATOR(pg_catalog.=) rc.relation AND hc.check_kind OPERATOR(pg_catalog.=) 'header'
               AND hc.role OPERATOR(pg_catalog.=) ('header_' OPERATOR(pg_catalog.||) rc.role)
             WHERE rc.relation OPERATOR(pg_catalog.=) k.relation AND rc.check_kind OPERATOR(pg_catalog.=) 'header'
               AND rc.role OPERATOR(pg_catalog.~) '^key_[1-8]$';
            salias := 'h';
        ELSE
            salias := 'r';
        END IF;
        SELECT a.freeing_labels INTO fl FROM cbreturn.attached_check a
         WHERE a.relation OPERATOR(pg_catalog.=) k.relation AND a.check_kind OPERATOR(pg_catalog.=) 'quantity';
        n := pg_catalog.cardinality(keys);
        -- ONLY: inheritance children are neither checked (row triggers
        -- are not inherited) nor counted; partitions are both.  Rules
        -- section 6: a rejected or withdrawn return counts as quantity 0
        -- (raw: its own quantity, for the negative ones)
        parts := parts OPERATOR(pg_catalog.||) pg_catalog.format(
            'SELECT %s, r.%I::pg_catalog.numeric AS raw, %s AS q FROM %s%s r%s WHERE %s',
            -- each key under the declared key's collation, as the join
            -- below compares it: lines equal for the declared table are
            -- one group, lines it tells apart are two, whatever the
            -- collation of each returns table's own column
            (SELECT pg_catalog.string_agg(pg_catalog.format('r.%I%s AS k%s', keys[i],
                        cbreturn._collate_of(declared, dkeys[i]), i), ', ')
               FROM pg_catalog.generate_series(1, n) i),
            q,
            CASE WHEN st IS NULL THEN pg_catalog.format('r.%I::pg_catalog.numeric', q)
                 ELSE pg_catalog.format(
                     'CASE WHEN pg_catalog.rtrim(%s.%I::pg_catalog.text, '' '') COLLATE pg_catalog."C" OPERATOR(pg_catalog.=) ANY (%L::pg_catalog.text[])'
                     ' THEN 0::pg_catalog.numeric ELSE r.%I::pg_catalog.numeric END', salias, st, fl, q) END,
            CASE WHEN (SELECT c.relkind FROM pg_catalog.pg_class c
                        WHERE c.oid OPERATOR(pg_catalog.=) k.relation::pg_catalog.oid)
                      OPERATOR(pg_catalog.=) 'p' THEN '' ELSE 'ONLY ' END,
            k.relation, hjoin,
            (SELECT pg_catalog.string_agg(pg_catalog.format('r.%I IS NOT NULL', keys[i]), ' AND ')
               FROM pg_catalog.generate_series(1, n) i));
    END LOOP;
    IF pg_catalog.cardinality(parts) OPERATOR(pg_catalog.=) 0 THEN
        RETURN NULL;
    END IF;
    RETURN pg_catalog.format(
        'SELECT cbreturn._quantity_line(%s) AS line, s.q AS returned, s.n AS return_rows, s.minq AS smallest,'
        ' ''('' OPERATOR(pg_catalog.||) pg_catalog.concat_ws('', '', %s) OPERATOR(pg_catalog.||) '')'' AS line_text,'
        ' coalesce(d.%I::pg_catalog.numeric, 0) AS declared_quantity'
        ' FROM (SELECT %s, coalesce(pg_catalog.sum(u.q), 0) AS q, pg_catalog.count(*) AS n,'
        '              pg_catalog.min(u.raw) AS minq'
        '         FROM (%s) u GROUP BY %s) s'
        ' LEFT JOIN ONLY %s d ON %s',
        (SELECT pg_catalog.string_agg(pg_catalog.format('d.%I', dkeys[i]), ', ') FROM pg_catalog.generate_series(1, n) i),
        -- each key value as text, cut at 64 bytes as the checks' messages cut them
        (SELECT pg_catalog.string_agg(pg_catalog.format('cbreturn._clip(s.k%s::pg_catalog.text)', i), ', ')
           FROM pg_catalog.generate_series(1, n) i),
        dq,
        (SELECT pg_catalog.string_agg(pg_catalog.format('u.k%s', i), ', ') FROM pg_catalog.generate_series(1, n) i),
        pg_catalog.array_to_string(parts, ' UNION ALL '),
        (SELECT pg_catalog.string_agg(pg_catalog.format('u.k%s', i), ', ') FROM pg_catalog.generate_series(1, n) i),
        declared,
        (SELECT pg_catalog.string_agg(pg_catalog.format('d.%I %s s.k%s%s', dkeys[i],
                    cbreturn._eq_operator(a.atttypid::pg_catalog.regtype), i,
                    cbreturn._collate_of(declared, dkeys[i])), ' AND ')
           FROM pg_catalog.generate_series(1, n) i
           JOIN pg_catalog.pg_attribute a ON a.attrelid OPERATOR(pg_catalog.=) declared
                                         AND a.attname OPERATOR(pg_catalog.=) dkeys[i]));
END
$$;
COMMENT ON FUNCTION cbreturn._quantity_counts_sql(regclass, oid[]) IS
    'internal: the grouped query over every return of a declared table that the quantity ledger is built and verified from';

-- ==== quantity check on Citus tables (issue 14) ====
-- The quantity check on co-located Citus tables, with no ledger there
-- (sql/67_citus_quantity.sql): the functions it adds, and the quantity
-- functions that hand Citus tables to them (sql/55_enforce_quantity.sql).
CREATE OR REPLACE FUNCTION cbreturn._quantity_status_attach(rel regclass, status_column name, labels text[])
    RETURNS void
    LANGUAGE plpgsql
    SET search_path = pg_catalog, pg_temp
AS $$
BEGIN
    -- Citus: every return holds its quantity there (sql/67_citus_quantity.sql)
    IF cbreturn._citus_table(rel) THEN
        PERFORM cbreturn._error('citus.quantity_status', rel::pg_catalog.text);
    END IF;
    IF labels IS NULL OR pg_catalog.cardinality(labels) OPERATOR(pg_catalog.=) 0
       OR pg_catalog.array_position(labels, NULL) IS NOT NULL
       OR EXISTS (SELECT FROM pg_catalog.unnest(labels) l WHERE pg_catalog.btrim(l) OPERATOR(pg_catalog.=) '') THEN
        PERFORM cbreturn._error('attach.quantity_freeing_labels');
    END IF;
    -- '': the request's status on the declaration header, whose type
    -- attach_header checked already
    PERFORM cbreturn._attach_column(rel, 'quantity', 'status', rel, status_column,
                                    CASE WHEN status_column OPERATOR(pg_catalog.<>) ''
                                         THEN cbreturn._status_types(rel, status_column) END,
                                    cbreturn._text('role.freeing_status'));
    PERFORM cbreturn._metadata_quantity_labels(rel, labels);
END
$$;
COMMENT ON FUNCTION cbreturn._quantity_status_attach(regclass, name, text[]) IS
    'internal: records the status column and the labels of rejected and withdrawn returns of a quantity check (rules section 6)';
CREATE OR REPLACE FUNCTION cbreturn._quantity_rebuild_worker(declared regclass, except_relation oid[])
    RETURNS TABLE (problem text, line_text text, returned numeric, declared_quantity numeric, problems bigint)
    LANGUAGE plpgsql
    SET search_path = pg_catalog, pg_temp
AS $$
DECLARE
    counts text := cbreturn._quantity_counts_sql(declared, except_relation);
    k record;
BEGIN
    -- Writers of every table counted wait until the ledger is rebuilt.
    EXECUTE pg_catalog.format('LOCK TABLE %s IN SHARE ROW EXCLUSIVE MODE', declared);
    FOR k IN SELECT a.relation FROM cbreturn.attached_check a
              WHERE a.check_kind OPERATOR(pg_catalog.=) 'quantity'
                AND a.declared_relation OPERATOR(pg_catalog.=) declared
                AND NOT a.relation::pg_catalog.oid OPERATOR(pg_catalog.=) ANY (coalesce(except_relation, '{}'))
              ORDER BY a.relation::pg_catalog.oid
    LOOP
        EXECUTE pg_catalog.format('LOCK TABLE %s IN SHARE ROW EXCLUSIVE MODE', k.relation);
    END LOOP;
    DELETE FROM cbreturn.quantity_ledger l WHERE l.declared_relation OPERATOR(pg_catalog.=) declared;
    IF counts IS NULL THEN
        RETURN;
    END IF;
    RETURN QUERY EXECUTE pg_catalog.format(
        'WITH c AS MATERIALIZED (%s),'
        ' ins AS (INSERT INTO cbreturn.quantity_ledger (declared_relation, line, returned, return_rows)'
        '         SELECT $1, c.line, c.returned, c.return_rows FROM c'
        '          WHERE c.line IS NOT NULL AND c.returned OPERATOR(pg_catalog.>=) 0),'
        ' bad AS (SELECT CASE WHEN c.line IS NULL THEN ''returns name no declared line'''
        '                     WHEN c.smallest OPERATOR(pg_catalog.<) 0 THEN ''a return is negative'''
        '                     ELSE ''more returned than declared'' END AS problem,'
        '                c.line_text, c.returned, CASE WHEN c.line IS NOT NULL THEN c.declared_quantity END'
        '           FROM c WHERE c.line IS NULL OR c.smallest OPERATOR(pg_catalog.<) 0'
        '              OR c.returned OPERATOR(pg_catalog.>) c.declared_quantity)'
        ' SELECT b.*, pg_catalog.count(*) OVER () FROM bad b ORDER BY b.line_text LIMIT 1', counts)
        USING declared;
END
$$;
CREATE OR REPLACE FUNCTION cbreturn._quantity_verify(declared regclass)
    RETURNS TABLE (line text, problem text, ledger_returned numeric, ledger_rows bigint,
                   actual_returned numeric, actual_rows bigint, declared_quantity numeric)
    LANGUAGE plpgsql
    SET search_path = pg_catalog, pg_temp
AS $$
DECLARE
    counts text := cbreturn._quantity_counts_sql(declared, '{}');
BEGIN
    IF cbreturn._citus_table(declared) THEN
        -- no ledger on Citus (sql/67_citus_quantity.sql): only what breaks the rule
        RETURN QUERY SELECT p.line_text, p.problem, NULL::pg_catalog.numeric, NULL::pg_catalog.int8,
                            p.returned, p.return_rows, p.declared_quantity
                       FROM cbreturn._quantity_citus_problems(declared, '{}') p;
        RETURN;
    END IF;
    RETURN QUERY EXECUTE pg_catalog.format(
        'WITH c AS (%s),'
        ' l AS (SELECT l.line, l.returned, l.return_rows FROM cbreturn.quantity_ledger l'
        '        WHERE l.declared_relation OPERATOR(pg_catalog.=) $1)'
        ' SELECT coalesce(c.line_text, pg_catalog.encode(l.line, ''hex'')),'
        '        CASE WHEN c.line_text IS NOT NULL AND c.line IS NULL THEN ''returns name no declared line'''
        '             WHEN c.line IS NULL THEN ''ledger counts returns that do not exist'''
        '             WHEN l.line IS NULL THEN ''returns missing from the ledger'''
        '             WHEN l.returned OPERATOR(pg_catalog.<>) c.returned OR l.return_rows OPERATOR(pg_catalog.<>) c.return_rows'
        '                  THEN ''ledger differs from the returns'''
        '             WHEN c.smallest OPERATOR(pg_catalog.<) 0 THEN ''a return is negative'''
        '             ELSE ''more returned than declared'' END,'
        '        l.returned, l.return_rows, c.returned, c.return_rows, c.declared_quantity'
        '   FROM (SELECT * FROM c WHERE c.line IS NOT NULL) c FULL JOIN l ON l.line OPERATOR(pg_catalog.=) c.line'
        '  WHERE (l.line IS NULL OR c.line IS NULL) AND coalesce(l.return_rows, 1) OPERATOR(pg_catalog.<>) 0'
        '     OR l.returned OPERATOR(pg_catalog.<>) c.returned OR l.return_rows OPERATOR(pg_catalog.<>) c.return_rows'
        '     OR c.smallest OPERATOR(pg_catalog.<) 0 OR c.returned OPERATOR(pg_catalog.>) c.declared_quantity'
        ' UNION ALL'
        ' SELECT c.line_text, ''returns name no declared line'', NULL, NULL, c.returned, c.return_rows, NULL'
        '   FROM c WHERE c.line IS NULL'
        ' ORDER BY 1',
        coalesce(counts, 'SELECT NULL::pg_catalog.bytea AS line, NULL::pg_catalog.numeric AS returned,'
                         ' NULL::pg_catalog.int8 AS return_rows, NULL::pg_catalog.numeric AS smallest,'
                         ' NULL::pg_catalog.text AS line_text, NULL::pg_catalog.numeric AS declared_quantity WHERE false'))
        USING declared;
END
$$;
CREATE OR REPLACE FUNCTION cbreturn.attach_quantity_check(
    "table"             regclass,
    line                name[],
    quantity            name,
    declared_table      regclass,
    declared_line       name[],
    declared_quantity   name,
    status              name DEFAULT NULL,
    freeing_labels      text[] DEFAULT NULL)
    RETURNS void
    LANGUAGE plpgsql
    SET search_path = pg_catalog, pg_temp
AS $$
DECLARE
    quantities regtype[] := ARRAY['smallint', 'integer', 'bigint', 'numeric']::regtype[];
    n int;
    i int;
    t1 regtype;
    t2 regtype;
    other record;
    p record;
    status_labels text[] := cbreturn._status_freeing_labels("table");
    status_column name;
    hdr regclass;
    hdr_column name;
    hdr_labels text[];
BEGIN
    -- A partitioned returns table is attached once, on its parent: the row
    -- trigger is cloned to every partition, those created later included.
    PERFORM cbreturn._check_table("table", 'returns table');
    PERFORM cbreturn._check_table(declared_table, 'declared table');
    IF "table" OPERATOR(pg_catalog.=) declared_table THEN
        PERFORM cbreturn._error('attach.quantity_same_table');
    END IF;
    IF EXISTS (SELECT FROM cbreturn.attached_check a
                WHERE a.check_kind OPERATOR(pg_catalog.=) 'quantity'
                  AND (a.relation::pg_catalog.oid IN (SELECT pg_catalog.pg_partition_ancestors("table"))
                       OR a.relation::pg_catalog.oid IN (SELECT t.relid FROM pg_catalog.pg_partition_tree("table") t))
                  AND a.relation OPERATOR(pg_catalog.<>) "table") THEN
        PERFORM cbreturn._error('attach.quantity_partition_attached', "table"::pg_catalog.text);
    END IF;
    n := pg_catalog.cardinality(line);
    IF n IS NULL OR n = 0 OR n > 8 OR n IS DISTINCT FROM pg_catalog.cardinality(declared_line) THEN
        PERFORM cbreturn._error('attach.quantity_key_count');
    END IF;
    -- Rules section 6: with a status check on the table, its status column
    -- and its rejected and withdrawn labels, so that the two checks agree;
    -- otherwise the ones given, or none (every return holds its quantity).
    IF status_labels IS NOT NULL THEN
        status_column := cbreturn._role_column("table", 'status', 'status');
        IF status IS NOT NULL AND status OPERATOR(pg_catalog.<>) status_column THEN
            PERFORM cbreturn._error('attach.quantity_status_column', "table"::pg_catalog.text,
                                    status_column::pg_catalog.text, status::pg_catalog.text);
        END IF;
        IF freeing_labels IS NOT NULL
           AND NOT (freeing_labels OPERATOR(pg_catalog.@>) status_labels
                    AND freeing_labels OPERATOR(pg_catalog.<@) status_labels) THEN
            PERFORM cbreturn._error('attach.quantity_status_labels', freeing_labels::pg_catalog.text,
                                    status_labels::pg_catalog.text, "table"::pg_catalog.text);
        END IF;
        freeing_labels := status_labels;
    ELSE
        -- or the status of the return's request, on the declaration header
        -- attached before (attach_header's status): '' names it.  With a
        -- status check on the header table over that column, its rejected
        -- and withdrawn labels, so that the two checks agree, as on one table.
        SELECT c.column_relation, c.column_name INTO hdr, hdr_column FROM cbreturn.attached_column c
         WHERE c.relation OPERATOR(pg_catalog.=) "table" AND c.check_kind OPERATOR(pg_catalog.=) 'header'
           AND c.role OPERATOR(pg_catalog.=) 'status';
        IF FOUND AND status IS NULL
           AND cbreturn._role_column(hdr, 'status', 'status') OPERATOR(pg_catalog.=) hdr_column THEN
            hdr_labels := cbreturn._status_freeing_labels(hdr);
            IF freeing_labels IS NOT NULL
               AND NOT (freeing_labels OPERATOR(pg_catalog.@>) hdr_labels
                        AND freeing_labels OPERATOR(pg_catalog.<@) hdr_labels) THEN
                PERFORM cbreturn._error('attach.quantity_status_labels', freeing_labels::pg_catalog.text,
                                        hdr_labels::pg_catalog.text, hdr::pg_catalog.text);
            END IF;
            freeing_labels := hdr_labels;
        END IF;
        status_column := status;
        IF status IS NOT NULL OR freeing_labels IS NOT NULL THEN
            status_column := cbreturn._header_role("table", 'status', status);
        END IF;
        IF (status_column IS NULL) OPERATOR(pg_catalog.<>) (freeing_labels IS NULL) THEN
            PERFORM cbreturn._error('attach.quantity_freeing_labels');
        END IF;
    END IF;
    PERFORM cbreturn._register("table", 'quantity', false, declared_table);
    FOR i IN 1 .. n LOOP
        PERFORM cbreturn._attach_column("table", 'quantity', 'line_' || i, "table", line[i], NULL,
                                        cbreturn._text('role.line_key'));
        PERFORM cbreturn._attach_column("table", 'quantity', 'declared_line_' || i, declared_table,
                                        declared_line[i], NULL, cbreturn._text('role.declared_line_key'));
        SELECT c.column_type INTO t1 FROM cbreturn.attached_column c
         WHERE c.relation OPERATOR(pg_catalog.=) "table" AND c.check_kind OPERATOR(pg_catalog.=) 'quantity'
           AND c.role OPERATOR(pg_catalog.=) ('line_' || i);
        SELECT c.column_type INTO t2 FROM cbreturn.attached_column c
         WHERE c.relation OPERATOR(pg_catalog.=) "table" AND c.check_kind OPERATOR(pg_catalog.=) 'quantity'
           AND c.role OPERATOR(pg_catalog.=) ('declared_line_' || i);
        IF t1 OPERATOR(pg_catalog.<>) t2 THEN
            PERFORM cbreturn._error('attach.quantity_key_types', line[i]::pg_catalog.text, t1::pg_catalog.text,
                                    declared_line[i]::pg_catalog.text, t2::pg_catalog.text);
        END IF;
        -- the line is found with the key type's own equality (R-EX-3): a
        -- type without a default btree equality cannot name a line
        IF cbreturn._eq_operator(t2) IS NULL THEN
            PERFORM cbreturn._error('attach.key_no_equality', declared_line[i]::pg_catalog.text, t2::pg_catalog.text);
        END IF;
    END LOOP;
    PERFORM cbreturn._attach_column("table", 'quantity', 'quantity', "table", quantity, quantities,
                                    cbreturn._text('role.quantity'));
    PERFORM cbreturn._attach_column("table", 'quantity', 'declared_quantity', declared_table,
                                    declared_quantity, quantities, cbreturn._text('role.declared_quantity'));
    -- R-EX-3: a line is found as a foreign key finds it (unique constraint,
    -- the key types' equality) and read as the declared table's owner may.
    PERFORM cbreturn._quantity_validate_declared(declared_table, declared_line, declared_quantity);
    IF status_column IS NOT NULL THEN
        PERFORM cbreturn._quantity_status_attach("table", status_column, freeing_labels);
    END IF;
    -- Every returns table of one declared table counts in one ledger row per
    -- line: they must name the same declared key and quantity.
    SELECT a.relation INTO other FROM cbreturn.attached_check a
     WHERE a.check_kind OPERATOR(pg_catalog.=) 'quantity' AND a.declared_relation OPERATOR(pg_catalog.=) declared_table
       AND a.relation OPERATOR(pg_catalog.<>) "table"
       AND (cbreturn._quantity_columns(a.relation, 'declared_line_') IS DISTINCT FROM declared_line
            OR (SELECT c.column_name FROM cbreturn.attached_column c
                 WHERE c.relation OPERATOR(pg_catalog.=) a.relation AND c.check_kind OPERATOR(pg_catalog.=) 'quantity'
                   AND c.role OPERATOR(pg_catalog.=) 'declared_quantity') IS DISTINCT FROM declared_quantity)
     LIMIT 1;
    IF FOUND THEN
        PERFORM cbreturn._error('attach.quantity_declared_columns', other.relation::pg_catalog.text,
                                declared_table::pg_catalog.text);
    END IF;

    -- Citus: no ledger, triggers carried to the shards (sql/67_citus_quantity.sql)
    IF cbreturn._citus_table("table") THEN
        PERFORM cbreturn._quantity_citus_attach("table", line, quantity, declared_table, declared_line,
                                                declared_quantity, status_column);
        RETURN;
    END IF;
    -- One grouped pass over every return of the declared table (existing
    -- over-returns and returns naming no line are refused, not accepted).
    PERFORM cbreturn._quantity_rebuild(declared_table, '{}');

    EXECUTE pg_catalog.format(
        'CREATE TRIGGER cbreturn_quantity_check AFTER INSERT OR UPDATE OR DELETE ON %s '
        'FOR EACH ROW EXECUTE FUNCTION cbreturn.quantity_check()', "table");
    -- (pg_partition_tree lists no row for a table that is not partitioned)
    FOR p IN SELECT "table"::pg_catalog.regclass AS relid
             UNION SELECT t.relid FROM pg_catalog.pg_partition_tree("table") t LOOP
        -- one a restore of the tables alone (pg_dump -n) brought back is replaced
        IF EXISTS (SELECT FROM pg_catalog.pg_trigger g
                    WHERE g.tgrelid OPERATOR(pg_catalog.=) p.relid
                      AND g.tgname OPERATOR(pg_catalog.=) 'cbreturn_quantity_truncate') THEN
            EXECUTE pg_catalog.format('DROP TRIGGER cbreturn_quantity_truncate ON %s', p.relid);
        END IF;
        EXECUTE pg_catalog.format(
            'CREATE TRIGGER cbreturn_quantity_truncate AFTER TRUNCATE ON %s '
            'FOR EACH STATEMENT EXECUTE FUNCTION cbreturn.quantity_truncate()', p.relid);
    END LOOP;
    -- One guard per declared table serves every quantity check that uses it.
    IF NOT EXISTS (SELECT FROM pg_catalog.pg_trigger t
                    WHERE t.tgrelid OPERATOR(pg_catalog.=) declared_table
                      AND t.tgname OPERATOR(pg_catalog.=) 'cbreturn_quantity_guard') THEN
        EXECUTE pg_catalog.format(
            'CREATE TRIGGER cbreturn_quantity_guard BEFORE UPDATE OR DELETE ON %s '
            'FOR EACH ROW EXECUTE FUNCTION cbreturn.declared_quantity_guard()', declared_table);
        EXECUTE pg_catalog.format(
            'CREATE TRIGGER cbreturn_quantity_truncate_guard BEFORE TRUNCATE ON %s '
            'FOR EACH STATEMENT EXECUTE FUNCTION cbreturn.declared_truncate_guard()', declared_table);
    END IF;
END
$$;
COMMENT ON FUNCTION cbreturn.attach_quantity_check(regclass, name[], name, regclass, name[], name, name, text[]) IS
    'attach the partial-return quantity check (R-EX-3, R-IM-2): returns of one declared line, in every returns table attached to it, never exceed its declared quantity; rejected and withdrawn returns (status column and labels, or those of the status check on the table) hold none (rules section 6)';
CREATE OR REPLACE FUNCTION cbreturn._quantity_detach(rel regclass, declared regclass) RETURNS void
    LANGUAGE plpgsql
    SET search_path = pg_catalog, pg_temp
AS $$
DECLARE
    p record;
BEGIN
    IF cbreturn._citus_table(rel) THEN
        PERFORM cbreturn._quantity_citus_detach(rel, declared);   -- sql/67_citus_quantity.sql
        RETURN;
    END IF;
    FOR p IN SELECT rel AS relid UNION SELECT t.relid FROM pg_catalog.pg_partition_tree(rel) t LOOP
        EXECUTE pg_catalog.format('DROP TRIGGER IF EXISTS cbreturn_quantity_truncate ON %s', p.relid);
    END LOOP;
    -- (cbreturn.detach calls this before it forgets the check of rel)
    IF NOT EXISTS (SELECT FROM cbreturn.attached_check o
                    WHERE o.check_kind OPERATOR(pg_catalog.=) 'quantity'
                      AND o.declared_relation OPERATOR(pg_catalog.=) declared
                      AND o.relation OPERATOR(pg_catalog.<>) rel) THEN
        EXECUTE pg_catalog.format('DROP TRIGGER IF EXISTS cbreturn_quantity_guard ON %s', declared);
        EXECUTE pg_catalog.format('DROP TRIGGER IF EXISTS cbreturn_quantity_truncate_guard ON %s', declared);
    END IF;
    PERFORM cbreturn._quantity_rebuild(declared, ARRAY[rel::pg_catalog.oid], false);
END
$$;
CREATE OR REPLACE FUNCTION cbreturn._quantity_after_drop(gone oid[]) RETURNS void
    LANGUAGE plpgsql
    SET search_path = pg_catalog, pg_temp
AS $$
DECLARE
    d record;
    partitions_went boolean;
BEGIN
    -- (Citus: the guards whose returns table went are dropped before, by
    -- the event trigger cbreturn_citus_follow_drop, sql/67_citus_quantity.sql)
    DELETE FROM cbreturn.quantity_ledger l
     WHERE l.declared_relation::pg_catalog.oid OPERATOR(pg_catalog.=) ANY (gone);
    SELECT EXISTS (SELECT FROM pg_catalog.pg_event_trigger_dropped_objects() o
                    WHERE o.object_type OPERATOR(pg_catalog.=) 'trigger'
                      AND NOT o.is_temporary
                      AND o.object_identity OPERATOR(pg_catalog.~~) 'cbreturn\_quantity\_check on %')
      INTO partitions_went;
    FOR d IN SELECT DISTINCT a.declared_relation FROM cbreturn.attached_check a
              WHERE a.check_kind OPERATOR(pg_catalog.=) 'quantity'
                AND NOT a.declared_relation::pg_catalog.oid OPERATOR(pg_catalog.=) ANY (gone)
                AND EXISTS (SELECT FROM pg_catalog.pg_class c
                             WHERE c.oid OPERATOR(pg_catalog.=) a.declared_relation::pg_catalog.oid)
                -- a partition's clone of the trigger went: only partitioned
                -- returns tables can have lost one
                AND (a.relation::pg_catalog.oid OPERATOR(pg_catalog.=) ANY (gone)
                     OR (partitions_went AND EXISTS (SELECT FROM pg_catalog.pg_class rc
                                                      WHERE rc.oid OPERATOR(pg_catalog.=) a.relation::pg_catalog.oid
                                                        AND rc.relkind OPERATOR(pg_catalog.=) 'p')))
    LOOP
        PERFORM cbreturn._quantity_rebuild(d.declared_relation, gone, false);
    END LOOP;
END
$$;
-- The quantity check on Citus tables (docs/scale-out.md, "The quantity check
-- on Citus tables"; src/enforce/quantity_citus.c).  R-EX-3, R-IM-2 on every
-- shard, with no ledger: the returns and their declared lines are
-- distributed on the same key column of the line and co-located, so a
-- line's returns are in the returns shard of its shard group; each write
-- that makes a line grow locks the declared row in the co-located declared
-- shard and counts the line's returns there.  The triggers name the other
-- table and the columns in their arguments, never an OID, and Citus carries
-- them to every shard, through moves, splits and new workers.

CREATE FUNCTION cbreturn._quantity_check_citus() RETURNS trigger
    AS 'MODULE_PATHNAME', 'cbr_quantity_check_citus' LANGUAGE C;
COMMENT ON FUNCTION cbreturn._quantity_check_citus() IS
    'internal: the quantity check (R-EX-3, R-IM-2) on the shards of a Citus returns table: locks the declared line in the co-located shard and counts its returns';
CREATE FUNCTION cbreturn._quantity_guard_citus() RETURNS trigger
    AS 'MODULE_PATHNAME', 'cbr_quantity_guard_citus' LANGUAGE C;
COMMENT ON FUNCTION cbreturn._quantity_guard_citus() IS
    'internal: the declared-line guard (R-EX-3, R-IM-2) on the shards of a Citus declared-lines table';

-- TRUNCATE of a Citus declared table (issue 9, item 8): refused while
-- returns are counted against its lines, as on one server, wherever the
-- TRUNCATE runs.
--
-- On the distributed table: Citus fires a TRUNCATE trigger of a
-- distributed table on the node where the statement runs (it creates none
-- on the shards), so this guard, with the returns table and the line
-- columns in its arguments (as the guard's, cbreturn._quantity_citus_args),
-- serves the coordinator and any node with the metadata.  It locks the
-- returns table against writes (LOCK, which Citus takes on every node), so
-- a return being written has committed and none comes meanwhile, and then
-- looks for a return naming a line with one co-located join on the workers.
--
-- On a shard, for a TRUNCATE run on a worker directly on a shard (and
-- again, shard by shard, when Citus truncates the shards for a TRUNCATE of
-- the distributed table): attach puts a copy of the trigger on every shard
-- (cbreturn._quantity_citus_truncate_copy), named as Citus names the copies
-- it makes itself when it moves or splits a shard, with the shard id
-- appended.  A copy finds the co-located returns shard on its node in
-- pg_dist_shard, as the check does, and looks there.  It needs no lock on
-- the returns: a write of a return that names a line locks the declared
-- shard (RowExclusiveLock, to the end of its transaction) before it can
-- commit, so it has committed before the TRUNCATE holds the shard, or it
-- waits for the TRUNCATE and then finds no line.  A copy on a table whose
-- distributed table no longer carries the guard (left by a detach that could
-- not take the shard's lock in time) does nothing.
--
-- Under REPEATABLE READ or SERIALIZABLE a worker may answer with a snapshot
-- older than such a commit: refused (CB015), never decided on what it
-- cannot see.  It runs with the rights of the role that truncates, not the
-- extension owner's: its arguments are a trigger's, which any role may
-- write on a table of its own, and could name a view; that role must be
-- allowed to lock and read the returns table (42501 otherwise: refused,
-- never let through).  It says only whether a return names a line, never a
-- value.
CREATE FUNCTION cbreturn._quantity_citus_truncate_guard() RETURNS trigger
    LANGUAGE plpgsql
    SET search_path = pg_catalog, pg_temp
AS $$
DECLARE
    returns_table regclass;
    target regclass;            -- where the returns are read: the table, or its shard here
    shard pg_catalog.int8;
    logical regclass;
    cond text;
    named boolean;
BEGIN
    IF TG_NARGS OPERATOR(pg_catalog.<) 6 OR TG_ARGV[0] OPERATOR(pg_catalog.<>) 'cbreturn:1' THEN
        PERFORM cbreturn._error('citus.quantity_truncate_trigger', TG_RELID::pg_catalog.regclass::pg_catalog.text);
    END IF;
    IF TG_NAME OPERATOR(pg_catalog.<>) 'cbreturn_quantity_truncate_guard' THEN
        -- a copy on a shard: its distributed table, and the co-located
        -- returns shard on this node (dynamic SQL: the Citus catalogue need
        -- not exist where this is planned)
        shard := pg_catalog.substring(TG_NAME, '^cbreturn_quantity_truncate_guard_([0-9]{1,18})$')::pg_catalog.int8;
        IF shard IS NULL THEN
            PERFORM cbreturn._error('citus.quantity_truncate_trigger', TG_RELID::pg_catalog.regclass::pg_catalog.text);
        END IF;
        EXECUTE 'SELECT s.logicalrelid,
                        pg_catalog.to_regclass(pg_catalog.shard_name(o.logicalrelid, o.shardid, false))
                   FROM pg_catalog.pg_dist_shard s
                   LEFT JOIN pg_catalog.pg_dist_shard o
                     ON o.logicalrelid OPERATOR(pg_catalog.=) pg_catalog.to_regclass($2)
                    AND o.shardminvalue OPERATOR(pg_catalog.=) s.shardminvalue
                    AND o.shardmaxvalue OPERATOR(pg_catalog.=) s.shardmaxvalue
                  WHERE s.shardid OPERATOR(pg_catalog.=) $1
                    AND pg_catalog.to_regclass(pg_catalog.shard_name(s.logicalrelid, s.shardid, false))
                        OPERATOR(pg_catalog.=) $3'
           INTO logical, target USING shard, TG_ARGV[1], TG_RELID::pg_catalog.regclass;
        IF logical IS NULL OR NOT EXISTS (SELECT FROM pg_catalog.pg_trigger g
                                           WHERE g.tgrelid OPERATOR(pg_catalog.=) logical
                                             AND g.tgname OPERATOR(pg_catalog.=) 'cbreturn_quantity_truncate_guard') THEN
            RETURN NULL;        -- not a shard of a table with the guard (any more)
        END IF;
    END IF;
    -- 42P01 when the returns table is gone or renamed: refused, never let through
    returns_table := TG_ARGV[1]::pg_catalog.regclass;
    IF pg_catalog.current_setting('transaction_isolation') OPERATOR(pg_catalog.<>) 'read committed' THEN
        PERFORM cbreturn._error('citus.quantity_truncate_isolation', TG_RELID::pg_catalog.regclass::pg_catalog.text,
                                pg_catalog.upper(pg_catalog.current_setting('transaction_isolation')),
                                returns_table::pg_catalog.text);
    END IF;
    IF shard IS NULL THEN
        EXECUTE pg_catalog.format('LOCK TABLE %s IN SHARE MODE', returns_table);
        target := returns_table;
    ELSIF target IS NULL THEN
        PERFORM cbreturn._error('citus.quantity_truncate_shard', TG_RELID::pg_catalog.regclass::pg_catalog.text,
                                returns_table::pg_catalog.text, logical::pg_catalog.text);
    END IF;
    SELECT pg_catalog.string_agg(pg_catalog.format('r.%I %s d.%I%s', TG_ARGV[i],
                                                   cbreturn._eq_operator(a.atttypid::pg_catalog.regtype),
                                                   TG_ARGV[i OPERATOR(pg_catalog.+) 1],
                                                   cbreturn._collate_of(TG_RELID::pg_catalog.regclass,
                                                                        TG_ARGV[i OPERATOR(pg_catalog.+) 1])), ' AND ')
      INTO cond
      FROM pg_catalog.generate_series(4, TG_NARGS OPERATOR(pg_catalog.-) 2, 2) i
      JOIN pg_catalog.pg_attribute a ON a.attrelid OPERATOR(pg_catalog.=) TG_RELID
                                    AND a.attname OPERATOR(pg_catalog.=) TG_ARGV[i OPERATOR(pg_catalog.+) 1]
                                    AND NOT a.attisdropped;
    IF cond IS NULL THEN
        PERFORM cbreturn._error('citus.quantity_truncate_trigger', TG_RELID::pg_catalog.regclass::pg_catalog.text);
    END IF;
    -- (a target list: Citus plans a query with none wrongly; LIMIT 1, which
    -- Citus pushes to each shard, so no more than a row a shard comes back)
    EXECUTE pg_catalog.format('SELECT EXISTS (SELECT 1 FROM %s r JOIN %s d ON %s LIMIT 1)',
                              target, TG_RELID::pg_catalog.regclass, cond)
       INTO named;
    IF named THEN
        PERFORM cbreturn._error('quantity.truncate_declared', TG_RELID::pg_catalog.regclass::pg_catalog.text);
    END IF;
    RETURN NULL;
END
$$;
COMMENT ON FUNCTION cbreturn._quantity_citus_truncate_guard() IS
    'internal: BEFORE TRUNCATE trigger of a Citus declared-lines table and of its shards: refused while returns are counted against its lines (R-EX-3, R-IM-2), and under REPEATABLE READ or SERIALIZABLE (CB015)';

-- The copy of the TRUNCATE guard on one shard of a declared table, made by
-- attach on every shard placement (cbreturn._quantity_citus_make_truncate_copies,
-- on the placement's node) and named as Citus names the copies it makes on
-- a move or a split.  The arguments are the guard's, quoted here.  It runs
-- with the rights of the caller (run_command_on_placements connects as the
-- role that attaches); OR REPLACE: a copy left by an earlier attach.
CREATE FUNCTION cbreturn._quantity_citus_truncate_copy(shard regclass, args text[]) RETURNS void
    LANGUAGE plpgsql
    SET search_path = pg_catalog, pg_temp
    SET lock_timeout = '10s'
AS $$
DECLARE
    id text := pg_catalog.substring(shard::pg_catalog.text, '_([0-9]{1,18})"?$');
BEGIN
    IF id IS NULL OR args[1] OPERATOR(pg_catalog.<>) 'cbreturn:1' THEN
        PERFORM cbreturn._error('citus.quantity_truncate_trigger', shard::pg_catalog.text);
    END IF;
    EXECUTE pg_catalog.format(
        'CREATE OR REPLACE TRIGGER %I BEFORE TRUNCATE ON %s '
        'FOR EACH STATEMENT EXECUTE FUNCTION cbreturn._quantity_citus_truncate_guard(%s)',
        'cbreturn_quantity_truncate_guard_' OPERATOR(pg_catalog.||) id, shard,
        (SELECT pg_catalog.string_agg(pg_catalog.quote_literal(a), ', ' ORDER BY n)
           FROM pg_catalog.unnest(args) WITH ORDINALITY AS u(a, n)));
END
$$;
COMMENT ON FUNCTION cbreturn._quantity_citus_truncate_copy(regclass, text[]) IS
    'internal: puts the copy of the TRUNCATE guard of a Citus declared table on one of its shards';

-- The distribution column of a Citus table (NULL for a reference table).
CREATE FUNCTION cbreturn._citus_distribution_column(rel regclass) RETURNS name
    LANGUAGE plpgsql STABLE PARALLEL SAFE
    SET search_path = pg_catalog, pg_temp
AS $$
DECLARE
    col name;
BEGIN
    -- dynamic SQL: the Citus catalogue need not exist when this is planned
    EXECUTE 'SELECT pg_catalog.column_to_column_name(p.logicalrelid, p.partkey)
               FROM pg_catalog.pg_dist_partition p
              WHERE p.logicalrelid OPERATOR(pg_catalog.=) $1 AND p.partkey IS NOT NULL'
       INTO col USING rel;
    RETURN col;
END
$$;
COMMENT ON FUNCTION cbreturn._citus_distribution_column(regclass) IS
    'internal: the distribution column of a Citus table';

-- The arguments of the two triggers: 'cbreturn:1', the other table, the
-- returns' quantity column, the declared quantity column, then per line key
-- its column in the returns and in the declared table.
CREATE FUNCTION cbreturn._quantity_citus_args(other regclass, line name[], quantity name,
                                              declared_line name[], declared_quantity name) RETURNS text
    LANGUAGE sql IMMUTABLE PARALLEL SAFE
    SET search_path = pg_catalog, pg_temp
AS $$
    SELECT pg_catalog.concat_ws(', ', '''cbreturn:1''', pg_catalog.quote_literal(other::pg_catalog.text),
                                pg_catalog.quote_literal(quantity), pg_catalog.quote_literal(declared_quantity),
                                (SELECT pg_catalog.string_agg(pg_catalog.format('%L, %L', line[i], declared_line[i]), ', ' ORDER BY i)
                                   FROM pg_catalog.generate_subscripts(line, 1) i))
$$;
COMMENT ON FUNCTION cbreturn._quantity_citus_args(regclass, name[], name, name[], name) IS
    'internal: the trigger arguments of the quantity check and guard on Citus tables, columns by name';

-- The copies of the TRUNCATE guard of a declared table on all its shard
-- placements (cbreturn._quantity_citus_truncate_copy), made at attach in
-- connections of their own by run_command_on_placements, as the role that
-- attaches (who may create triggers on the shards it owns, nothing more).  Each waits at most
-- lock_timeout (10 s) for its shard: should this transaction hold the shard
-- already (a write to the declared table earlier in it), the attach is
-- refused (55P03) rather than wait for itself, and so is it when a copy
-- cannot be made: never a declared table with shards left unguarded.  One
-- statement a placement: run_command_on_placements reports how the first
-- statement of several went.
CREATE FUNCTION cbreturn._quantity_citus_make_truncate_copies(declared regclass, args text[]) RETURNS void
    LANGUAGE plpgsql
    SET search_path = pg_catalog, pg_temp
AS $fn$
DECLARE
    failed text;
BEGIN
    EXECUTE 'SELECT pg_catalog.string_agg(pg_catalog.format($f$%s:%s %s$f$, r.nodename, r.nodeport, r.result), $s$; $s$)
                      FILTER (WHERE NOT r.success)
               FROM pg_catalog.run_command_on_placements($1, $2) r'
       INTO failed
      USING declared,
            'SELECT cbreturn._quantity_citus_truncate_copy(%1$L, '
            OPERATOR(pg_catalog.||) pg_catalog.replace(pg_catalog.quote_literal(args::pg_catalog.text), '%', '%%')
            OPERATOR(pg_catalog.||) '::pg_catalog.text[])';
    IF failed IS NOT NULL THEN
        -- (those made are dropped again; one this transaction's lock keeps
        -- is left, and does nothing without the guard)
        PERFORM cbreturn._quantity_citus_drop_truncate_copies(declared);
        PERFORM cbreturn._error('citus.quantity_truncate_copies', declared::pg_catalog.text, failed);
    END IF;
END
$fn$;
COMMENT ON FUNCTION cbreturn._quantity_citus_make_truncate_copies(regclass, text[]) IS
    'internal: puts the copies of the TRUNCATE guard of a Citus declared table on every placement of its shards';

-- Attach on Citus tables (called by attach_quantity_check once the columns
-- are validated and recorded, with the tables' co-location checked by
-- cbreturn._register): what the shards need, the triggers, then the existing
-- returns counted (cbreturn._quantity_rebuild, which refuses an over-return).
CREATE FUNCTION cbreturn._quantity_citus_attach("table" regclass, line name[], quantity name,
                                                declared_table regclass, declared_line name[],
                                                declared_quantity name, status_column name) RETURNS void
    LANGUAGE plpgsql
    SET search_path = pg_catalog, pg_temp
AS $$
DECLARE
    rcol name := cbreturn._citus_distribution_column("table");
    dcol name := cbreturn._citus_distribution_column(declared_table);
    other regclass;
BEGIN
    IF status_column IS NOT NULL THEN
        PERFORM cbreturn._error('citus.quantity_status', "table"::pg_catalog.text);
    END IF;
    IF EXISTS (SELECT FROM pg_catalog.pg_class c
                WHERE c.oid OPERATOR(pg_catalog.=) ANY (ARRAY["table", declared_table]::pg_catalog.oid[])
                  AND c.relkind OPERATOR(pg_catalog.=) 'p') THEN
        PERFORM cbreturn._error('citus.quantity_partitioned',
                                (SELECT c.oid::pg_catalog.regclass::pg_catalog.text FROM pg_catalog.pg_class c
                                  WHERE c.oid OPERATOR(pg_catalog.=) ANY (ARRAY["table", declared_table]::pg_catalog.oid[])
                                    AND c.relkind OPERATOR(pg_catalog.=) 'p' LIMIT 1));
    END IF;
    -- R-EX-3: a line's returns are on its shard only when both tables are
    -- distributed on the same column of the line's key
    IF rcol IS NULL OR dcol IS NULL
       OR NOT EXISTS (SELECT FROM pg_catalog.generate_subscripts(line, 1) i
                       WHERE line[i] OPERATOR(pg_catalog.=) rcol AND declared_line[i] OPERATOR(pg_catalog.=) dcol) THEN
        PERFORM cbreturn._error('citus.quantity_key', "table"::pg_catalog.text, declared_table::pg_catalog.text,
                                pg_catalog.array_to_string(line, ', '));
    END IF;
    SELECT a.relation INTO other FROM cbreturn.attached_check a
     WHERE a.check_kind OPERATOR(pg_catalog.=) 'quantity'
       AND a.declared_relation OPERATOR(pg_catalog.=) declared_table
       AND a.relation OPERATOR(pg_catalog.<>) "table";
    IF other IS NOT NULL THEN
        PERFORM cbreturn._error('citus.quantity_one_returns_table', declared_table::pg_catalog.text,
                                other::pg_catalog.text);
    END IF;
    -- each write sums the line's returns through an index (never a scan),
    -- under the collation of the declared key (the line a return names is
    -- the declared row its key finds: an index of another collation would
    -- miss returns of the line)
    IF NOT EXISTS (SELECT FROM pg_catalog.pg_index x
                    JOIN pg_catalog.pg_am am ON am.oid OPERATOR(pg_catalog.=)
                         (SELECT c.relam FROM pg_catalog.pg_class c WHERE c.oid OPERATOR(pg_catalog.=) x.indexrelid)
                    JOIN pg_catalog.pg_attribute a ON a.attrelid OPERATOR(pg_catalog.=) x.indrelid
                                                  AND a.attnum OPERATOR(pg_catalog.=) x.indkey[0]
                   WHERE x.indrelid OPERATOR(pg_catalog.=) "table" AND x.indisvalid AND x.indpred IS NULL
                     AND am.amname OPERATOR(pg_catalog.=) 'btree'
                     AND a.attname OPERATOR(pg_catalog.=) ANY (line)
                     AND x.indcollation[0] OPERATOR(pg_catalog.=)
                         (SELECT da.attcollation FROM pg_catalog.pg_attribute da
                           WHERE da.attrelid OPERATOR(pg_catalog.=) declared_table
                             AND da.attname OPERATOR(pg_catalog.=)
                                 declared_line[pg_catalog.array_position(line, a.attname)])) THEN
        PERFORM cbreturn._error('citus.quantity_no_index', "table"::pg_catalog.text,
            (SELECT pg_catalog.string_agg(pg_catalog.format('%I%s', line[i],
                        CASE WHEN ra.attcollation OPERATOR(pg_catalog.=) da.attcollation THEN ''
                             ELSE cbreturn._collate_of(declared_table, declared_line[i]) END), ', ' ORDER BY i)
               FROM pg_catalog.generate_subscripts(line, 1) i
               JOIN pg_catalog.pg_attribute ra ON ra.attrelid OPERATOR(pg_catalog.=) "table"
                                              AND ra.attname OPERATOR(pg_catalog.=) line[i]
               JOIN pg_catalog.pg_attribute da ON da.attrelid OPERATOR(pg_catalog.=) declared_table
                                              AND da.attname OPERATOR(pg_catalog.=) declared_line[i]));
    END IF;
    -- the copies of the TRUNCATE guard on the declared shards first: they
    -- are made in connections of their own, which must not wait for a shard
    -- lock this transaction takes below; they commit at once, so should the
    -- attach fail below they are dropped again (the shards' locks taken since
    -- go with the subtransaction), and a copy left does nothing without the
    -- guard
    PERFORM cbreturn._quantity_citus_make_truncate_copies(declared_table,
        ARRAY['cbreturn:1', "table"::pg_catalog.text, quantity, declared_quantity]
        OPERATOR(pg_catalog.||) (SELECT pg_catalog.array_agg(x ORDER BY i, j)
                                   FROM pg_catalog.generate_subscripts(line, 1) i,
                                        LATERAL (VALUES (1, line[i]::pg_catalog.text),
                                                        (2, declared_line[i]::pg_catalog.text)) v(j, x)));
    BEGIN
        PERFORM cbreturn._trigger_ddl("table", pg_catalog.format(
            'CREATE TRIGGER cbreturn_quantity_check AFTER INSERT OR UPDATE OR DELETE ON %s '
            'FOR EACH ROW EXECUTE FUNCTION cbreturn._quantity_check_citus(%s)', "table",
            cbreturn._quantity_citus_args(declared_table, line, quantity, declared_line, declared_quantity)));
        PERFORM cbreturn._trigger_ddl(declared_table, pg_catalog.format(
            'CREATE TRIGGER cbreturn_quantity_guard BEFORE INSERT OR UPDATE OR DELETE ON %s '
            'FOR EACH ROW EXECUTE FUNCTION cbreturn._quantity_guard_citus(%s)', declared_table,
            cbreturn._quantity_citus_args("table", line, quantity, declared_line, declared_quantity)));
        PERFORM cbreturn._trigger_ddl(declared_table, pg_catalog.format(
            'CREATE TRIGGER cbreturn_quantity_truncate_guard BEFORE TRUNCATE ON %s '
            'FOR EACH STATEMENT EXECUTE FUNCTION cbreturn._quantity_citus_truncate_guard(%s)', declared_table,
            cbreturn._quantity_citus_args("table", line, quantity, declared_line, declared_quantity)));
        -- the triggers' locks on every shard keep writers out until commit, so
        -- the count sees every return there is
        PERFORM cbreturn._quantity_rebuild(declared_table, '{}');
    EXCEPTION WHEN OTHERS THEN
        PERFORM cbreturn._quantity_citus_drop_truncate_copies(declared_table);
        RAISE;
    END;
END
$$;
COMMENT ON FUNCTION cbreturn._quantity_citus_attach(regclass, name[], name, regclass, name[], name, name) IS
    'internal: the quantity check on co-located Citus tables: checks the distribution, creates the triggers the shards carry, counts the existing returns';

-- The copies of the TRUNCATE guard of a Citus declared table on its shards
-- (made by attach, and by Citus when it moves or splits a shard), dropped
-- with the guard: Citus carries no DROP of a TRUNCATE trigger to the
-- shards.  Run on the placements' nodes by run_command_on_placements, in
-- connections of their own, before this transaction locks any shard of the
-- table; should it hold one already (a write to the tables earlier in the
-- transaction), the drop gives up after lock_timeout (2 s) rather than wait
-- for this transaction, and leaves that copy, which does nothing once the
-- distributed table has no guard.
-- (The shard's name reaches each placement as a literal, %1$L: a quoted
-- identifier may hold any text, a dollar quote's marker too.)
CREATE FUNCTION cbreturn._quantity_citus_drop_truncate_copies(declared regclass) RETURNS void
    LANGUAGE plpgsql
    SET search_path = pg_catalog, pg_temp
AS $fn$
BEGIN
    EXECUTE 'SELECT count(*) FROM pg_catalog.run_command_on_placements($1, $2)'
      USING declared, 'SELECT cbreturn._quantity_citus_drop_truncate_copy(%1$L)';
END
$fn$;
COMMENT ON FUNCTION cbreturn._quantity_citus_drop_truncate_copies(regclass) IS
    'internal: drops the copies of the TRUNCATE guard of a declared table on its shards';

-- The copies of the TRUNCATE guard on one shard, dropped on its node as
-- the caller (who must own the shard), waiting at most 2 s for its lock.
CREATE FUNCTION cbreturn._quantity_citus_drop_truncate_copy(shard regclass) RETURNS void
    LANGUAGE plpgsql
    SET search_path = pg_catalog, pg_temp
    SET lock_timeout = '2s'
AS $$
DECLARE
    t pg_catalog.name;
BEGIN
    FOR t IN SELECT g.tgname FROM pg_catalog.pg_trigger g
              WHERE g.tgrelid OPERATOR(pg_catalog.=) shard::pg_catalog.oid
                AND g.tgname OPERATOR(pg_catalog.~) '^cbreturn_quantity_truncate_guard_[0-9]+$'
    LOOP
        EXECUTE pg_catalog.format('DROP TRIGGER %I ON %s', t, shard);
    END LOOP;
END
$$;
COMMENT ON FUNCTION cbreturn._quantity_citus_drop_truncate_copy(regclass) IS
    'internal: drops the copies of the TRUNCATE guard of a Citus declared table on one of its shards';

-- Detach on Citus tables: the triggers go from every shard; there is no ledger.
CREATE FUNCTION cbreturn._quantity_citus_detach(rel regclass, declared regclass) RETURNS void
    LANGUAGE plpgsql
    SET search_path = pg_catalog, pg_temp
AS $$
BEGIN
    IF pg_catalog.to_regclass(declared::pg_catalog.text) IS NOT NULL THEN
        PERFORM cbreturn._quantity_citus_drop_truncate_copies(declared);
    END IF;
    -- (cbreturn.detach has dropped the check's trigger already)
    IF EXISTS (SELECT FROM pg_catalog.pg_trigger t WHERE t.tgrelid OPERATOR(pg_catalog.=) rel
                  AND t.tgname OPERATOR(pg_catalog.=) 'cbreturn_quantity_check') THEN
        PERFORM cbreturn._trigger_ddl(rel, pg_catalog.format('DROP TRIGGER cbreturn_quantity_check ON %s', rel));
    END IF;
    IF pg_catalog.to_regclass(declared::pg_catalog.text) IS NOT NULL THEN
        PERFORM cbreturn._trigger_ddl(declared, pg_catalog.format('DROP TRIGGER IF EXISTS cbreturn_quantity_guard ON %s', declared));
        PERFORM cbreturn._trigger_ddl(declared, pg_catalog.format('DROP TRIGGER IF EXISTS cbreturn_quantity_truncate_guard ON %s', declared));
    END IF;
END
$$;
COMMENT ON FUNCTION cbreturn._quantity_citus_detach(regclass, regclass) IS
    'internal: the quantity part of cbreturn.detach on Citus tables: drops the triggers from every shard';

-- The lines of a Citus declared table that break R-EX-3, R-IM-2, counted
-- by one distributed query (grouped on the workers, shard by shard), with no
-- ledger: for the recounts (cbreturn._quantity_rebuild_worker) and
-- cbreturn.verify_quantity_ledger().
CREATE FUNCTION cbreturn._quantity_citus_problems(declared regclass, except_relation oid[])
    RETURNS TABLE (problem text, line_text text, returned numeric, return_rows bigint, declared_quantity numeric)
    LANGUAGE plpgsql
    SET search_path = pg_catalog, pg_temp
AS $$
DECLARE
    counts text := cbreturn._quantity_counts_sql(declared, except_relation);
BEGIN
    IF counts IS NULL THEN
        RETURN;
    END IF;
    RETURN QUERY EXECUTE pg_catalog.format(
        'SELECT CASE WHEN c.line IS NULL THEN ''returns name no declared line'''
        '            WHEN c.smallest OPERATOR(pg_catalog.<) 0 THEN ''a return is negative'''
        '            ELSE ''more returned than declared'' END,'
        '       c.line_text, c.returned, c.return_rows, CASE WHEN c.line IS NOT NULL THEN c.declared_quantity END'
        '  FROM (%s) c WHERE c.line IS NULL OR c.smallest OPERATOR(pg_catalog.<) 0'
        '    OR c.returned OPERATOR(pg_catalog.>) c.declared_quantity'
        ' ORDER BY 2', counts);
END
$$;
COMMENT ON FUNCTION cbreturn._quantity_citus_problems(regclass, oid[]) IS
    'internal: the lines of a Citus declared table breaking R-EX-3/R-IM-2 (no ledger on Citus)';

-- The recount of a Citus declared table for cbreturn._quantity_rebuild (C),
-- which calls it as the caller, not as the ledger's owner: there is no
-- ledger, only what breaks the rule comes back, and Citus reaches the
-- workers through connections of the current role.  Run as another role,
-- its queries and locks would go through connections of that role, which
-- do not see this transaction's writes on the workers and wait for its
-- locks there (a distributed deadlock when a role that is not superuser
-- attaches the check).  Writers of the tables wait until the count is done:
-- attach holds them off already (its CREATE TRIGGER on each table), the
-- other callers lock the tables here, with the caller's rights.
CREATE FUNCTION cbreturn._quantity_citus_recount(declared regclass, except_relation oid[])
    RETURNS TABLE (problem text, line_text text, returned numeric, declared_quantity numeric, problems bigint)
    LANGUAGE plpgsql
    SET search_path = pg_catalog, pg_temp
AS $$
DECLARE
    t regclass;
BEGIN
    FOR t IN SELECT declared
             UNION ALL
             (SELECT a.relation FROM cbreturn.attached_check a
               WHERE a.check_kind OPERATOR(pg_catalog.=) 'quantity'
                 AND a.declared_relation OPERATOR(pg_catalog.=) declared
                 AND NOT a.relation::pg_catalog.oid OPERATOR(pg_catalog.=) ANY (coalesce(except_relation, '{}'))
               ORDER BY a.relation::pg_catalog.oid)
    LOOP
        IF NOT EXISTS (SELECT FROM pg_catalog.pg_locks l
                        WHERE l.pid OPERATOR(pg_catalog.=) pg_catalog.pg_backend_pid()
                          AND l.locktype OPERATOR(pg_catalog.=) 'relation'
                          AND l.relation OPERATOR(pg_catalog.=) t::pg_catalog.oid
                          AND l.granted
                          AND l.mode OPERATOR(pg_catalog.=) ANY ('{ShareRowExclusiveLock,ExclusiveLock,AccessExclusiveLock}')) THEN
            EXECUTE pg_catalog.format('LOCK TABLE %s IN SHARE ROW EXCLUSIVE MODE', t);
        END IF;
    END LOOP;
    RETURN QUERY SELECT p.problem, p.line_text, p.returned, p.declared_quantity, pg_catalog.count(*) OVER ()
                   FROM cbreturn._quantity_citus_problems(declared, except_relation) p
                  ORDER BY p.line_text LIMIT 1;
END
$$;
COMMENT ON FUNCTION cbreturn._quantity_citus_recount(regclass, oid[]) IS
    'internal: the recount of a Citus declared table (no ledger), as the caller: the first line breaking R-EX-3/R-IM-2 and how many do';

-- DROP of a Citus returns table: the guard on its declared table, which
-- counts the returns in it, goes from every shard, and its TRUNCATE guard
-- with it.  Run by the event trigger cbreturn_citus_follow_drop with the
-- rights of the role that drops (Citus reaches the placements of one shard
-- group in a transaction as one role only, and the DROP reached those of
-- the returns table as that role), before cbreturn_follow_drop forgets the
-- metadata (event triggers fire in the order of their names).  Only tables
-- that are gone count: called on a table that is still there, it does
-- nothing.
CREATE FUNCTION cbreturn._quantity_citus_after_drop(gone oid[]) RETURNS void
    LANGUAGE plpgsql
    SET search_path = pg_catalog, pg_temp
AS $$
DECLARE
    d record;
BEGIN
    FOR d IN SELECT DISTINCT a.declared_relation FROM cbreturn.attached_check a
              WHERE a.check_kind OPERATOR(pg_catalog.=) 'quantity'
                AND a.relation::pg_catalog.oid OPERATOR(pg_catalog.=) ANY (gone)
                AND NOT EXISTS (SELECT FROM pg_catalog.pg_class c
                                 WHERE c.oid OPERATOR(pg_catalog.=) a.relation::pg_catalog.oid)
                AND NOT a.declared_relation::pg_catalog.oid OPERATOR(pg_catalog.=) ANY (gone)
                AND EXISTS (SELECT FROM pg_catalog.pg_trigger t
                             WHERE t.tgrelid OPERATOR(pg_catalog.=) a.declared_relation::pg_catalog.oid
                               AND t.tgname OPERATOR(pg_catalog.=) 'cbreturn_quantity_guard'
                               AND t.tgfoid OPERATOR(pg_catalog.=) 'cbreturn._quantity_guard_citus()'::pg_catalog.regprocedure)
    LOOP
        PERFORM cbreturn._quantity_citus_drop_truncate_copies(d.declared_relation);
        PERFORM cbreturn._trigger_ddl(d.declared_relation, pg_catalog.format(
            'DROP TRIGGER cbreturn_quantity_guard ON %s', d.declared_relation));
        PERFORM cbreturn._trigger_ddl(d.declared_relation, pg_catalog.format(
            'DROP TRIGGER IF EXISTS cbreturn_quantity_truncate_guard ON %s', d.declared_relation));
    END LOOP;
END
$$;
COMMENT ON FUNCTION cbreturn._quantity_citus_after_drop(oid[]) IS
    'internal: the quantity part of the DROP event trigger on Citus tables: drops the guard of a declared table whose returns table went';

CREATE FUNCTION cbreturn._quantity_citus_follow_drop() RETURNS event_trigger
    LANGUAGE plpgsql
    SET search_path = pg_catalog, pg_temp
AS $$
DECLARE
    gone oid[];
BEGIN
    -- no Citus, no Citus guard: nothing is read (a role dropping under
    -- row_security = off could not read cbreturn.attached_check)
    IF pg_catalog.to_regclass('pg_catalog.pg_dist_partition') IS NULL THEN
        RETURN;
    END IF;
    SELECT pg_catalog.array_agg(d.objid) INTO gone
      FROM pg_catalog.pg_event_trigger_dropped_objects() d
     WHERE d.classid OPERATOR(pg_catalog.=) 'pg_catalog.pg_class'::pg_catalog.regclass
       AND d.objsubid OPERATOR(pg_catalog.=) 0;
    IF gone IS NOT NULL THEN
        PERFORM cbreturn._quantity_citus_after_drop(gone);
    END IF;
END
$$;
COMMENT ON FUNCTION cbreturn._quantity_citus_follow_drop() IS
    'internal: event trigger on sql_drop: the guards of Citus declared tables whose returns table went, dropped with the rights of the role that drops';
CREATE EVENT TRIGGER cbreturn_citus_follow_drop ON sql_drop
    EXECUTE FUNCTION cbreturn._quantity_citus_follow_drop();

-- ==== assessments over a table (issue 12, item 7) ====
-- Every stored row of a table with an attached export (import) check,
-- assessed on the facts the check reads: its columns, reason labels (R-V-1),
-- a timestamp as its China date (R-T-1), the declaration header, the
-- ordinary-return column.  As the caller: its rights and row security, as
-- cbreturn.violations().
CREATE FUNCTION cbreturn.assess_export_returns("table" regclass,
                                               as_of date DEFAULT cbreturn.china_date(pg_catalog.now()),
                                               due_soon_days integer DEFAULT 7)
    RETURNS TABLE (row_key jsonb, row_ctid tid, assessment cbreturn.export_assessment)
    AS 'MODULE_PATHNAME', 'cbr_assess_export_returns' LANGUAGE C;
COMMENT ON FUNCTION cbreturn.assess_export_returns(regclass, date, integer) IS
    'assess_export_return of every stored row of a table with an attached export check, on the facts the check reads (its columns and reason labels, timestamps as China dates, the declaration header, the ordinary-return column); is_food and original_state are no role of a check and are listed in missing; for a caller that may read the table (its row security applies)';

CREATE FUNCTION cbreturn.assess_import_returns("table" regclass,
                                               as_of date DEFAULT cbreturn.china_date(pg_catalog.now()),
                                               due_soon_days integer DEFAULT 7)
    RETURNS TABLE (row_key jsonb, row_ctid tid, assessment cbreturn.import_assessment)
    AS 'MODULE_PATHNAME', 'cbr_assess_import_returns' LANGUAGE C;
COMMENT ON FUNCTION cbreturn.assess_import_returns(regclass, date, integer) IS
    'assess_import_return of every stored row of a table with an attached import check, on the dates the check reads (timestamps as China dates, the release date from the declaration header, the ordinary-return column); for a caller that may read the table (its row security applies)';

-- ==== a partition leaving a declaration header: DETACH PARTITION, DROP TABLE (issue 12) ====
-- A partition leaves a partitioned header (issue 12): ALTER TABLE ... DETACH
-- PARTITION or DROP TABLE, which delete no row and fire no TRUNCATE
-- trigger.  Refused (CB014) while returns name a row of it: they would name
-- no header row.  The event trigger below (src/enforce/header_ddl.c) finds
-- the partition in the statement and holds it, its parent first, before it
-- asks, so no return can come to name a row of it meanwhile.
CREATE FUNCTION cbreturn._header_partition_leaves(part regclass, verb text) RETURNS void
    LANGUAGE plpgsql SECURITY DEFINER
    SET search_path = pg_catalog, pg_temp
AS $$
DECLARE
    named regclass;
    header regclass;
BEGIN
    -- A table that is itself a declaration header, detached from a parent
    -- that is none (nor a partition of one), keeps its rows: nothing leaves.
    IF verb OPERATOR(pg_catalog.=) 'detach'
       AND NOT EXISTS (SELECT FROM cbreturn.attached_check a
                        WHERE a.check_kind OPERATOR(pg_catalog.=) 'header'
                          AND a.declared_relation::pg_catalog.oid OPERATOR(pg_catalog.<>) part::pg_catalog.oid
                          AND a.declared_relation::pg_catalog.oid IN (SELECT pg_catalog.pg_partition_ancestors(part))) THEN
        RETURN;
    END IF;
    named := cbreturn._header_rows_named(part);
    IF named IS NULL THEN
        RETURN;
    END IF;
    SELECT a.declared_relation INTO header FROM cbreturn.attached_check a
     WHERE a.check_kind OPERATOR(pg_catalog.=) 'header' AND a.relation OPERATOR(pg_catalog.=) named
       AND a.declared_relation::pg_catalog.oid IN (SELECT pg_catalog.pg_partition_ancestors(part));
    IF verb OPERATOR(pg_catalog.=) 'detach' THEN
        PERFORM cbreturn._error('header.detach_partition',
                                part::pg_catalog.text, header::pg_catalog.text, named::pg_catalog.text);
    ELSE
        PERFORM cbreturn._error('header.drop_partition',
                                part::pg_catalog.text, header::pg_catalog.text, named::pg_catalog.text);
    END IF;
END
$$;
REVOKE ALL ON FUNCTION cbreturn._header_partition_leaves(regclass, text) FROM PUBLIC;
COMMENT ON FUNCTION cbreturn._header_partition_leaves(regclass, text) IS
    'internal: refuses (CB014) the DETACH PARTITION or DROP TABLE of a partition of a declaration header while returns name its rows';

-- The partitions of declaration headers that DROP SCHEMA ... CASCADE of
-- schemas, DROP OWNED BY owners (their tables, and those in schemas they
-- own) or DROP EXTENSION of extensions (their member tables) would take
-- while their header stays: the event trigger below asks about each as
-- about a DROP TABLE.  It walks pg_inherits and takes no lock, so that a
-- role's DROP of its own schema never waits for, nor holds up, the headers.
-- Every partition of a declaration header (relid), with the header (root):
-- walks pg_inherits, takes no lock.  It tells what cbreturn.attached_checks
-- and pg_inherits tell every role.
CREATE FUNCTION cbreturn._header_partitions() RETURNS TABLE (relid pg_catalog.oid, root pg_catalog.oid)
    LANGUAGE sql STABLE PARALLEL SAFE
    SET search_path = pg_catalog, pg_temp
AS $$
    WITH RECURSIVE tree (relid, root) AS (
        SELECT i.inhrelid, a.declared_relation::pg_catalog.oid
          FROM cbreturn.attached_check a
          JOIN pg_catalog.pg_inherits i ON i.inhparent OPERATOR(pg_catalog.=) a.declared_relation::pg_catalog.oid
         WHERE a.check_kind OPERATOR(pg_catalog.=) 'header'
        UNION
        SELECT i.inhrelid, t.root
          FROM tree t JOIN pg_catalog.pg_inherits i ON i.inhparent OPERATOR(pg_catalog.=) t.relid)
    SELECT t.relid, t.root FROM tree t
$$;
COMMENT ON FUNCTION cbreturn._header_partitions() IS
    'internal: every partition of a declaration header table, with the header';

CREATE FUNCTION cbreturn._header_partitions_going(schemas oid[], owners oid[], extensions oid[])
    RETURNS regclass[]
    LANGUAGE sql STABLE PARALLEL SAFE
    SET search_path = pg_catalog, pg_temp
AS $$
    WITH tree (relid, root) AS (SELECT p.relid, p.root FROM cbreturn._header_partitions() p),
    going (oid) AS (
        SELECT c.oid FROM pg_catalog.pg_class c
         WHERE c.relnamespace OPERATOR(pg_catalog.=) ANY (schemas)
            OR c.relowner OPERATOR(pg_catalog.=) ANY (owners)
            OR c.relnamespace IN (SELECT n.oid FROM pg_catalog.pg_namespace n
                                   WHERE n.nspowner OPERATOR(pg_catalog.=) ANY (owners))
        UNION
        SELECT d.objid FROM pg_catalog.pg_depend d
         WHERE d.classid OPERATOR(pg_catalog.=) 'pg_catalog.pg_class'::pg_catalog.regclass
           AND d.refclassid OPERATOR(pg_catalog.=) 'pg_catalog.pg_extension'::pg_catalog.regclass
           AND d.deptype OPERATOR(pg_catalog.=) 'e'
           AND d.refobjid OPERATOR(pg_catalog.=) ANY (extensions))
    SELECT coalesce(pg_catalog.array_agg(DISTINCT t.relid::pg_catalog.regclass), '{}')
      FROM tree t
     WHERE t.relid IN (SELECT g.oid FROM going g)
       AND t.root NOT IN (SELECT g.oid FROM going g)
$$;
REVOKE ALL ON FUNCTION cbreturn._header_partitions_going(oid[], oid[], oid[]) FROM PUBLIC;
COMMENT ON FUNCTION cbreturn._header_partitions_going(oid[], oid[], oid[]) IS
    'internal: the partitions of declaration headers a DROP SCHEMA ... CASCADE, DROP OWNED BY or DROP EXTENSION would take while their header stays';

CREATE FUNCTION cbreturn._header_partitions_ddl() RETURNS event_trigger
    AS 'MODULE_PATHNAME', 'cbr_header_partitions_ddl' LANGUAGE C;
REVOKE ALL ON FUNCTION cbreturn._header_partitions_ddl() FROM PUBLIC;
COMMENT ON FUNCTION cbreturn._header_partitions_ddl() IS
    'internal: event trigger at the start of ALTER TABLE, DROP TABLE, DROP SCHEMA, DROP OWNED and DROP EXTENSION: a partition of a declaration header leaving it is refused while returns name its rows (CB014); at the start of every command that can drop a table, records whether it says CASCADE';
-- (also at the start of every other command that can drop a table, so that
-- cbreturn._ddl_cascades answers for the command being run, never an earlier one)
CREATE EVENT TRIGGER cbreturn_header_partitions ON ddl_command_start
    WHEN TAG IN ('ALTER TABLE', 'ALTER TYPE', 'DROP TABLE', 'DROP SCHEMA', 'DROP OWNED', 'DROP EXTENSION',
                 'DROP TYPE', 'DROP DOMAIN', 'DROP SERVER', 'DROP FOREIGN DATA WRAPPER', 'DROP ACCESS METHOD',
                 'DROP FUNCTION', 'DROP PROCEDURE', 'DROP ROUTINE', 'DROP OPERATOR CLASS', 'DROP OPERATOR FAMILY',
                 'DROP COLLATION', 'DROP OPERATOR', 'DROP CAST', 'DROP LANGUAGE', 'DROP TRANSFORM',
                 'DROP TEXT SEARCH PARSER', 'DROP TEXT SEARCH DICTIONARY', 'DROP TEXT SEARCH TEMPLATE',
                 'DROP TEXT SEARCH CONFIGURATION')
    EXECUTE FUNCTION cbreturn._header_partitions_ddl();

-- The metadata without row security (under row_security = off, as pg_dump
-- and pg_restore run, every CREATE TABLE and every write to a checked table
-- by a role that does not own the metadata failed reading it): a statement
-- trigger refuses the writes of other roles instead.
DROP POLICY read_all ON cbreturn.attached_check;
DROP POLICY read_all ON cbreturn.attached_column;
ALTER TABLE cbreturn.attached_check DISABLE ROW LEVEL SECURITY;
ALTER TABLE cbreturn.attached_column DISABLE ROW LEVEL SECURITY;
CREATE FUNCTION cbreturn._metadata_write_guard() RETURNS trigger
    LANGUAGE plpgsql
    SET search_path = pg_catalog, pg_temp
AS $$
BEGIN
    IF NOT pg_catalog.pg_has_role(CURRENT_USER,
              (SELECT c.relowner FROM pg_catalog.pg_class c WHERE c.oid OPERATOR(pg_catalog.=) TG_RELID),
              'USAGE') THEN
        PERFORM cbreturn._error('metadata.written_directly',
                                pg_catalog.format('%I.%I', TG_TABLE_SCHEMA, TG_TABLE_NAME));
    END IF;
    RETURN NULL;
END
$$;
REVOKE ALL ON FUNCTION cbreturn._metadata_write_guard() FROM PUBLIC;
COMMENT ON FUNCTION cbreturn._metadata_write_guard() IS
    'internal: refuses a write to the check metadata by any role but its owner (attach and detach write as the owner)';
CREATE TRIGGER cbreturn_metadata_owner_only
    BEFORE INSERT OR UPDATE OR DELETE OR TRUNCATE ON cbreturn.attached_check
    FOR EACH STATEMENT EXECUTE FUNCTION cbreturn._metadata_write_guard();
CREATE TRIGGER cbreturn_metadata_owner_only
    BEFORE INSERT OR UPDATE OR DELETE OR TRUNCATE ON cbreturn.attached_column
    FOR EACH STATEMENT EXECUTE FUNCTION cbreturn._metadata_write_guard();

-- TRIGGER or REFERENCES granted on a table of the extension (a GRANT ALL
-- made by mistake) would let a role put its own trigger there, or a foreign
-- key whose action fires its triggers, run with the rights of the role
-- writing the table: attach and detach write the metadata as its owner.
-- No other role creates a trigger on the extension's tables (their owner
-- may: a DBA's trigger on the ledger runs, docs/enforcement.md).
CREATE FUNCTION cbreturn._xid_is_current(xid) RETURNS boolean
    AS 'MODULE_PATHNAME', 'cbr_xid_is_current' LANGUAGE C STRICT STABLE PARALLEL SAFE;
COMMENT ON FUNCTION cbreturn._xid_is_current(xid) IS
    'internal: whether a catalog row''s xmin is this transaction''s (or one of its subtransactions'')';
CREATE FUNCTION cbreturn._refuse_foreign_triggers() RETURNS event_trigger
    LANGUAGE plpgsql
    SET search_path = pg_catalog, pg_temp
AS $$
DECLARE
    rel pg_catalog.regclass;
BEGIN
    -- a trigger on one of them, or a foreign key referencing one (its
    -- ON DELETE or ON UPDATE action runs, and fires the referencing table's
    -- triggers, as the role writing the extension's table)
    SELECT c.oid::pg_catalog.regclass INTO rel
      FROM pg_catalog.pg_event_trigger_ddl_commands() d
      JOIN LATERAL (SELECT t.tgrelid AS target FROM pg_catalog.pg_trigger t
                     WHERE d.classid OPERATOR(pg_catalog.=) 'pg_catalog.pg_trigger'::pg_catalog.regclass
                       AND t.oid OPERATOR(pg_catalog.=) d.objid
                    UNION ALL
                    SELECT k.confrelid FROM pg_catalog.pg_constraint k
                     WHERE d.classid OPERATOR(pg_catalog.=) 'pg_catalog.pg_class'::pg_catalog.regclass
                       AND k.conrelid OPERATOR(pg_catalog.=) d.objid
                       AND k.contype OPERATOR(pg_catalog.=) 'f'
                       -- made by this command, not one the table had, nor
                       -- a partition's clone of its parent's (the parent's
                       -- has the referenced table's triggers)
                       AND k.conparentid OPERATOR(pg_catalog.=) 0
                       AND cbreturn._xid_is_current(k.xmin)
                       -- the tables the extension writes as their owner
                       -- for other roles; a key to the reference data or
                       -- policy (written by the DBA) is a key as any other
                       AND (SELECT r.relname FROM pg_catalog.pg_class r
                             WHERE r.oid OPERATOR(pg_catalog.=) k.confrelid)
                           OPERATOR(pg_catalog.=) ANY ('{attached_check,attached_column,quantity_ledger,violation_log}'::pg_catalog.name[])) x ON true
      JOIN pg_catalog.pg_class c ON c.oid OPERATOR(pg_catalog.=) x.target
     WHERE NOT d.in_extension
       AND NOT pg_catalog.pg_has_role(CURRENT_USER, c.relowner, 'USAGE')
       AND c.relnamespace OPERATOR(pg_catalog.=)
           (SELECT e.extnamespace FROM pg_catalog.pg_extension e WHERE e.extname OPERATOR(pg_catalog.=) 'cbreturn')
     LIMIT 1;
    IF rel IS NOT NULL THEN
        PERFORM cbreturn._error('metadata.foreign_trigger', rel::pg_catalog.text);
    END IF;
END
$$;
REVOKE ALL ON FUNCTION cbreturn._refuse_foreign_triggers() FROM PUBLIC;
COMMENT ON FUNCTION cbreturn._refuse_foreign_triggers() IS
    'internal: event trigger refusing a trigger on a table of the extension, or a foreign key referencing one, by a role other than its owner (it would run with the rights of the role writing the table)';
CREATE EVENT TRIGGER cbreturn_no_foreign_triggers ON ddl_command_end
    WHEN TAG IN ('CREATE TRIGGER', 'CREATE TABLE', 'ALTER TABLE', 'CREATE SCHEMA')
    EXECUTE FUNCTION cbreturn._refuse_foreign_triggers();

-- cbreturn_quantity_follow_partitions acts only on commands that create,
-- attach or detach a partition (a restore's ALTER TABLE ... ADD CONSTRAINT
-- made the TRUNCATE triggers the dump was about to create).
CREATE FUNCTION cbreturn._ddl_moves_partitions(pg_catalog.pg_ddl_command) RETURNS boolean
    AS 'MODULE_PATHNAME', 'cbr_ddl_moves_partitions' LANGUAGE C STRICT STABLE PARALLEL SAFE;
COMMENT ON FUNCTION cbreturn._ddl_moves_partitions(pg_catalog.pg_ddl_command) IS
    'internal: whether a command an event trigger reports creates, attaches or detaches a partition';

CREATE FUNCTION cbreturn._ddl_rewrites_columns(pg_catalog.pg_ddl_command) RETURNS boolean
    AS 'MODULE_PATHNAME', 'cbr_ddl_rewrites_columns' LANGUAGE C STRICT STABLE PARALLEL SAFE;
COMMENT ON FUNCTION cbreturn._ddl_rewrites_columns(pg_catalog.pg_ddl_command) IS
    'internal: whether an ALTER TABLE an event trigger reports rewrites a column (ALTER COLUMN ... TYPE)';

CREATE OR REPLACE FUNCTION cbreturn._quantity_follow_partitions() RETURNS event_trigger
    LANGUAGE plpgsql
    SET search_path = pg_catalog, pg_temp
AS $$
DECLARE
    k record;
    p record;
BEGIN
    FOR k IN SELECT a.relation, a.declared_relation FROM cbreturn.attached_check a
               JOIN pg_catalog.pg_class c ON c.oid OPERATOR(pg_catalog.=) a.relation
              WHERE a.check_kind OPERATOR(pg_catalog.=) 'quantity' AND c.relkind OPERATOR(pg_catalog.=) 'p'
                AND EXISTS (SELECT FROM pg_catalog.pg_event_trigger_ddl_commands() d
                             WHERE d.classid OPERATOR(pg_catalog.=) 'pg_catalog.pg_class'::pg_catalog.regclass
                               AND cbreturn._ddl_moves_partitions(d.command)
                               AND (d.objid OPERATOR(pg_catalog.=) a.relation::pg_catalog.oid
                                    OR d.objid IN (SELECT t.relid FROM pg_catalog.pg_partition_tree(a.relation) t)))
    LOOP
        FOR p IN SELECT t.relid FROM pg_catalog.pg_partition_tree(k.relation) t
                  WHERE NOT EXISTS (SELECT FROM pg_catalog.pg_trigger g
                                     WHERE g.tgrelid OPERATOR(pg_catalog.=) t.relid
                                       AND g.tgname OPERATOR(pg_catalog.=) 'cbreturn_quantity_truncate')
        LOOP
            EXECUTE pg_catalog.format(
                'CREATE TRIGGER cbreturn_quantity_truncate AFTER TRUNCATE ON %s '
                'FOR EACH STATEMENT EXECUTE FUNCTION cbreturn.quantity_truncate()', p.relid);
        END LOOP;
        PERFORM cbreturn._quantity_rebuild(k.declared_relation, '{}');
    END LOOP;
    -- A column rewritten in place (ALTER COLUMN ... TYPE ... USING that keeps
    -- the type, so the metadata stays valid) changes quantities or keys
    -- without a row trigger: count the declared table's returns again (an
    -- over-return refuses the ALTER TABLE).
    FOR k IN SELECT DISTINCT a.declared_relation FROM cbreturn.attached_check a
              WHERE a.check_kind OPERATOR(pg_catalog.=) 'quantity'
                AND EXISTS (SELECT FROM pg_catalog.pg_event_trigger_ddl_commands() d
                             WHERE d.classid OPERATOR(pg_catalog.=) 'pg_catalog.pg_class'::pg_catalog.regclass
                               AND cbreturn._ddl_rewrites_columns(d.command)
                               AND (d.objid OPERATOR(pg_catalog.=) a.relation::pg_catalog.oid
                                    OR d.objid OPERATOR(pg_catalog.=) a.declared_relation::pg_catalog.oid
                                    OR d.objid IN (SELECT t.relid FROM pg_catalog.pg_partition_tree(a.relation) t)))
    LOOP
        PERFORM cbreturn._quantity_rebuild(k.declared_relation, '{}');
    END LOOP;
END
$$;

-- It follows CREATE SCHEMA ... CREATE TABLE ... PARTITION OF and CREATE
-- FOREIGN TABLE ... PARTITION OF too.
DROP EVENT TRIGGER cbreturn_quantity_follow_partitions;
CREATE EVENT TRIGGER cbreturn_quantity_follow_partitions ON ddl_command_end
    WHEN TAG IN ('CREATE TABLE', 'CREATE FOREIGN TABLE', 'ALTER TABLE', 'CREATE SCHEMA')
    EXECUTE FUNCTION cbreturn._quantity_follow_partitions();

-- The recount and the verification read tables only, and a table left out of a
-- recount must be the caller's own (review of 0.3.0; docs/security.md).

CREATE OR REPLACE FUNCTION cbreturn._quantity_rebuild_worker(declared regclass, except_relation oid[])
    RETURNS TABLE (problem text, line_text text, returned numeric, declared_quantity numeric, problems bigint)
    LANGUAGE plpgsql
    SET search_path = pg_catalog, pg_temp
AS $$
DECLARE
    counts text := cbreturn._quantity_counts_sql(declared, except_relation);
    k record;
BEGIN
    -- Writers of every table counted wait until the ledger is rebuilt.
    EXECUTE pg_catalog.format('LOCK TABLE %s IN SHARE ROW EXCLUSIVE MODE', declared);
    FOR k IN SELECT a.relation FROM cbreturn.attached_check a
              WHERE a.check_kind OPERATOR(pg_catalog.=) 'quantity'
                AND a.declared_relation OPERATOR(pg_catalog.=) declared
                AND NOT a.relation::pg_catalog.oid OPERATOR(pg_catalog.=) ANY (coalesce(except_relation, '{}'))
              ORDER BY a.relation::pg_catalog.oid
    LOOP
        EXECUTE pg_catalog.format('LOCK TABLE %s IN SHARE ROW EXCLUSIVE MODE', k.relation);
    END LOOP;
    PERFORM cbreturn._quantity_counted_tables(declared, except_relation);
    DELETE FROM cbreturn.quantity_ledger l WHERE l.declared_relation OPERATOR(pg_catalog.=) declared;
    IF counts IS NULL THEN
        RETURN;
    END IF;
    RETURN QUERY EXECUTE pg_catalog.format(
        'WITH c AS MATERIALIZED (%s),'
        ' ins AS (INSERT INTO cbreturn.quantity_ledger (declared_relation, line, returned, return_rows)'
        '         SELECT $1, c.line, c.returned, c.return_rows FROM c'
        '          WHERE c.line IS NOT NULL AND c.returned OPERATOR(pg_catalog.>=) 0),'
        ' bad AS (SELECT CASE WHEN c.line IS NULL THEN ''returns name no declared line'''
        '                     WHEN c.smallest OPERATOR(pg_catalog.<) 0 THEN ''a return is negative'''
        '                     ELSE ''more returned than declared'' END AS problem,'
        '                c.line_text, c.returned, CASE WHEN c.line IS NOT NULL THEN c.declared_quantity END'
        '           FROM c WHERE c.line IS NULL OR c.smallest OPERATOR(pg_catalog.<) 0'
        '              OR c.returned OPERATOR(pg_catalog.>) c.declared_quantity)'
        ' SELECT b.*, pg_catalog.count(*) OVER () FROM bad b ORDER BY b.line_text LIMIT 1', counts)
        USING declared;
END
$$;
REVOKE ALL ON FUNCTION cbreturn._quantity_rebuild_worker(regclass, oid[]) FROM PUBLIC;
COMMENT ON FUNCTION cbreturn._quantity_rebuild_worker(regclass, oid[]) IS
    'internal: rebuilds the quantity ledger of a declared table from its returns tables in one grouped pass; run through cbreturn._quantity_rebuild';

CREATE OR REPLACE FUNCTION cbreturn._quantity_may_act(declared regclass, except_relation oid[]) RETURNS boolean
    LANGUAGE sql STABLE PARALLEL SAFE
    SET search_path = pg_catalog, pg_temp
AS $$
    SELECT (coalesce(pg_catalog.bool_or(cbreturn._owns(r::pg_catalog.regclass)), false)
            -- a table left out of the count must be the caller's own (detach,
            -- DROP), or gone already (DROP): leaving out another role's
            -- returns would lower the ledger under them
            AND NOT EXISTS (SELECT FROM pg_catalog.unnest(except_relation) x
                             WHERE EXISTS (SELECT FROM pg_catalog.pg_class c WHERE c.oid OPERATOR(pg_catalog.=) x)
                               AND NOT cbreturn._owns(x::pg_catalog.regclass)))
           -- a role that may TRUNCATE a returns table (or a partition of one)
           -- may have its declared table counted again, leaving nothing out:
           -- its TRUNCATE does that, and a count can only tell the truth
           OR (coalesce(pg_catalog.cardinality(except_relation), 0) OPERATOR(pg_catalog.=) 0
               AND EXISTS (SELECT FROM cbreturn.attached_check a
                             CROSS JOIN LATERAL (SELECT a.relation::pg_catalog.oid AS relid
                                                 UNION SELECT t.relid FROM pg_catalog.pg_partition_tree(a.relation) t) p
                            WHERE a.check_kind OPERATOR(pg_catalog.=) 'quantity'
                              AND a.declared_relation OPERATOR(pg_catalog.=) declared
                              AND pg_catalog.has_table_privilege(p.relid, 'TRUNCATE')))
      FROM pg_catalog.unnest(ARRAY[declared::pg_catalog.oid]
               OPERATOR(pg_catalog.||) ARRAY(SELECT a.relation::pg_catalog.oid FROM cbreturn.attached_check a
                                               WHERE a.check_kind OPERATOR(pg_catalog.=) 'quantity'
                                                 AND a.declared_relation OPERATOR(pg_catalog.=) declared)) r
$$;

CREATE OR REPLACE FUNCTION cbreturn._quantity_verify(declared regclass)
    RETURNS TABLE (line text, problem text, ledger_returned numeric, ledger_rows bigint,
                   actual_returned numeric, actual_rows bigint, declared_quantity numeric)
    LANGUAGE plpgsql
    SET search_path = pg_catalog, pg_temp
AS $$
DECLARE
    counts text := cbreturn._quantity_counts_sql(declared, '{}');
    k record;
BEGIN
    IF cbreturn._citus_table(declared) THEN
        -- no ledger on Citus (sql/67_citus_quantity.sql): only what breaks the rule
        RETURN QUERY SELECT p.line_text, p.problem, NULL::pg_catalog.numeric, NULL::pg_catalog.int8,
                            p.returned, p.return_rows, p.declared_quantity
                       FROM cbreturn._quantity_citus_problems(declared, '{}') p;
        RETURN;
    END IF;
    -- what is read stays a table until it is read (_quantity_counted_tables)
    EXECUTE pg_catalog.format('LOCK TABLE %s IN ACCESS SHARE MODE', declared);
    FOR k IN SELECT a.relation FROM cbreturn.attached_check a
              WHERE a.check_kind OPERATOR(pg_catalog.=) 'quantity'
                AND a.declared_relation OPERATOR(pg_catalog.=) declared
              ORDER BY a.relation::pg_catalog.oid
    LOOP
        EXECUTE pg_catalog.format('LOCK TABLE %s IN ACCESS SHARE MODE', k.relation);
    END LOOP;
    PERFORM cbreturn._quantity_counted_tables(declared, '{}');
    RETURN QUERY EXECUTE pg_catalog.format(
        'WITH c AS (%s),'
        ' l AS (SELECT l.line, l.returned, l.return_rows FROM cbreturn.quantity_ledger l'
        '        WHERE l.declared_relation OPERATOR(pg_catalog.=) $1)'
        ' SELECT coalesce(c.line_text, pg_catalog.encode(l.line, ''hex'')),'
        '        CASE WHEN c.line_text IS NOT NULL AND c.line IS NULL THEN ''returns name no declared line'''
        '             WHEN c.line IS NULL THEN ''ledger counts returns that do not exist'''
        '             WHEN l.line IS NULL THEN ''returns missing from the ledger'''
        '             WHEN l.returned OPERATOR(pg_catalog.<>) c.returned OR l.return_rows OPERATOR(pg_catalog.<>) c.return_rows'
        '                  THEN ''ledger differs from the returns'''
        '             WHEN c.smallest OPERATOR(pg_catalog.<) 0 THEN ''a return is negative'''
        '             ELSE ''more returned than declared'' END,'
        '        l.returned, l.return_rows, c.returned, c.return_rows, c.declared_quantity'
        '   FROM (SELECT * FROM c WHERE c.line IS NOT NULL) c FULL JOIN l ON l.line OPERATOR(pg_catalog.=) c.line'
        '  WHERE (l.line IS NULL OR c.line IS NULL) AND coalesce(l.return_rows, 1) OPERATOR(pg_catalog.<>) 0'
        '     OR l.returned OPERATOR(pg_catalog.<>) c.returned OR l.return_rows OPERATOR(pg_catalog.<>) c.return_rows'
        '     OR c.smallest OPERATOR(pg_catalog.<) 0 OR c.returned OPERATOR(pg_catalog.>) c.declared_quantity'
        ' UNION ALL'
        ' SELECT c.line_text, ''returns name no declared line'', NULL, NULL, c.returned, c.return_rows, NULL'
        '   FROM c WHERE c.line IS NULL'
        ' ORDER BY 1',
        coalesce(counts, 'SELECT NULL::pg_catalog.bytea AS line, NULL::pg_catalog.numeric AS returned,'
                         ' NULL::pg_catalog.int8 AS return_rows, NULL::pg_catalog.numeric AS smallest,'
                         ' NULL::pg_catalog.text AS line_text, NULL::pg_catalog.numeric AS declared_quantity WHERE false'))
        USING declared;
END
$$;
REVOKE ALL ON FUNCTION cbreturn._quantity_verify(regclass) FROM PUBLIC;
COMMENT ON FUNCTION cbreturn._quantity_verify(regclass) IS
    'internal: the differences between the quantity ledger of a declared table and its returns; run through cbreturn.verify_quantity_ledger';

-- The partition follow-ups act only on commands that move partitions (or, for the
-- quantity check, rewrite columns): pg_restore -j's workers no longer deadlock.
CREATE FUNCTION cbreturn._ddl_attached_partitions(pg_catalog.pg_ddl_command)
    RETURNS TABLE (relid pg_catalog.oid)
    AS 'MODULE_PATHNAME', 'cbr_ddl_attached_partitions' LANGUAGE C STRICT STABLE PARALLEL SAFE;
COMMENT ON FUNCTION cbreturn._ddl_attached_partitions(pg_catalog.pg_ddl_command) IS
    'internal: the tables an ALTER TABLE ... ATTACH PARTITION an event trigger reports attached';

CREATE OR REPLACE FUNCTION cbreturn._follow_partitions() RETURNS event_trigger
    LANGUAGE plpgsql SECURITY DEFINER
    SET search_path = pg_catalog, pg_temp
AS $$
BEGIN
    -- Only a command that puts a table into a partition tree or takes one
    -- out changes what the tree's leaves must carry.  Any other ALTER TABLE
    -- of a partition (pg_restore -j adds each partition's primary key in a
    -- worker of its own, holding that partition) must not look at the tree:
    -- pg_partition_tree locks every partition, and the workers would
    -- deadlock each other.
    IF NOT EXISTS (SELECT FROM pg_catalog.pg_event_trigger_ddl_commands() d
                    WHERE cbreturn._ddl_moves_partitions(d.command)) THEN
        RETURN;
    END IF;
    INSERT INTO cbreturn.partition_pending (relid)
    SELECT DISTINCT t.relid
      FROM (SELECT DISTINCT pg_catalog.pg_partition_root(d.objid) AS root
              FROM pg_catalog.pg_event_trigger_ddl_commands() d
              JOIN pg_catalog.pg_class c ON c.oid OPERATOR(pg_catalog.=) d.objid
             WHERE d.classid OPERATOR(pg_catalog.=) 'pg_catalog.pg_class'::pg_catalog.regclass
               AND d.objsubid OPERATOR(pg_catalog.=) 0
               AND (c.relispartition OR c.relkind OPERATOR(pg_catalog.=) 'p')) r
      CROSS JOIN LATERAL pg_catalog.pg_partition_tree(r.root) t
     WHERE t.isleaf
       -- only trees in which a leaf carries a check or a header
       AND EXISTS (SELECT FROM cbreturn.attached_check a
                    WHERE a.check_kind OPERATOR(pg_catalog.=) ANY ('{export,import,status,header}'::text[])
                      AND a.relation::pg_catalog.oid IN (SELECT s.relid FROM pg_catalog.pg_partition_tree(r.root) s));
    -- ATTACH PARTITION: the attached table's rows were written without the
    -- checks its new ancestors carry, so an export, import or status check
    -- marked validated there is so no longer (validate() checks them, as a
    -- VALID CHECK constraint would have; a quantity check counts them,
    -- cbreturn._quantity_follow_partitions).  Its rows are not looked into
    -- here (no one's policy runs with this function's rights): a partition
    -- made empty is made with CREATE TABLE ... PARTITION OF, which keeps it.
    UPDATE cbreturn.attached_check a SET validated_at = NULL
      FROM pg_catalog.pg_event_trigger_ddl_commands() d,
           LATERAL cbreturn._ddl_attached_partitions(d.command) p
     WHERE a.validated_at IS NOT NULL
       AND a.check_kind OPERATOR(pg_catalog.=) ANY ('{export,import,status}'::text[])
       AND a.relation::pg_catalog.oid IN (SELECT pg_catalog.pg_partition_ancestors(p.relid));
    -- CREATE UNLOGGED TABLE ... PARTITION OF a table whose rows permanent
    -- returns name (42P16), as ALTER TABLE ... SET UNLOGGED and ATTACH
    -- PARTITION are refused (cbreturn._follow_alter_table)
    PERFORM cbreturn._refuse_unlogged(ARRAY(
        SELECT d.objid FROM pg_catalog.pg_event_trigger_ddl_commands() d
          JOIN pg_catalog.pg_class c ON c.oid OPERATOR(pg_catalog.=) d.objid
         WHERE d.classid OPERATOR(pg_catalog.=) 'pg_catalog.pg_class'::pg_catalog.regclass
           AND d.objsubid OPERATOR(pg_catalog.=) 0
           AND c.relpersistence OPERATOR(pg_catalog.=) 'u'));
    -- a partition created or attached under a partitioned declaration header
    -- (issue 12) gets the header's TRUNCATE guard (the row guard is cloned)
    PERFORM cbreturn._header_truncate_guards(h.declared_relation)
       FROM (SELECT DISTINCT a.declared_relation FROM cbreturn.attached_check a
              JOIN pg_catalog.pg_class c ON c.oid OPERATOR(pg_catalog.=) a.declared_relation::pg_catalog.oid
             WHERE a.check_kind OPERATOR(pg_catalog.=) 'header'
               AND c.relkind OPERATOR(pg_catalog.=) 'p'
               AND EXISTS (SELECT FROM pg_catalog.pg_trigger g
                            WHERE g.tgrelid OPERATOR(pg_catalog.=) c.oid
                              AND g.tgname OPERATOR(pg_catalog.=) 'cbreturn_header_guard')) h;
END
$$;
REVOKE ALL ON FUNCTION cbreturn._follow_partitions() FROM PUBLIC;
COMMENT ON FUNCTION cbreturn._follow_partitions() IS
    'internal: event trigger queueing the leaf partitions of checked partition trees that a partition created, attached or detached touched, for the check at commit; gives new partitions of a partitioned declaration header its TRUNCATE guard';
CREATE OR REPLACE FUNCTION cbreturn._quantity_follow_partitions() RETURNS event_trigger
    LANGUAGE plpgsql
    SET search_path = pg_catalog, pg_temp
AS $$
DECLARE
    k record;
    p record;
BEGIN
    -- nothing to do, and no partition tree to look at (pg_partition_tree
    -- locks every partition: pg_restore -j's workers, each adding one
    -- partition's primary key, would deadlock), for any other command
    IF NOT EXISTS (SELECT FROM pg_catalog.pg_event_trigger_ddl_commands() d
                    WHERE cbreturn._ddl_moves_partitions(d.command)
                       OR cbreturn._ddl_rewrites_columns(d.command)) THEN
        RETURN;
    END IF;
    FOR k IN SELECT a.relation, a.declared_relation FROM cbreturn.attached_check a
               JOIN pg_catalog.pg_class c ON c.oid OPERATOR(pg_catalog.=) a.relation
              WHERE a.check_kind OPERATOR(pg_catalog.=) 'quantity' AND c.relkind OPERATOR(pg_catalog.=) 'p'
                AND EXISTS (SELECT FROM pg_catalog.pg_event_trigger_ddl_commands() d
                             WHERE d.classid OPERATOR(pg_catalog.=) 'pg_catalog.pg_class'::pg_catalog.regclass
                               AND cbreturn._ddl_moves_partitions(d.command)
                               AND (d.objid OPERATOR(pg_catalog.=) a.relation::pg_catalog.oid
                                    OR d.objid IN (SELECT t.relid FROM pg_catalog.pg_partition_tree(a.relation) t)))
    LOOP
        FOR p IN SELECT t.relid FROM pg_catalog.pg_partition_tree(k.relation) t
                  WHERE NOT EXISTS (SELECT FROM pg_catalog.pg_trigger g
                                     WHERE g.tgrelid OPERATOR(pg_catalog.=) t.relid
                                       AND g.tgname OPERATOR(pg_catalog.=) 'cbreturn_quantity_truncate')
        LOOP
            EXECUTE pg_catalog.format(
                'CREATE TRIGGER cbreturn_quantity_truncate AFTER TRUNCATE ON %s '
                'FOR EACH STATEMENT EXECUTE FUNCTION cbreturn.quantity_truncate()', p.relid);
        END LOOP;
        PERFORM cbreturn._quantity_rebuild(k.declared_relation, '{}');
    END LOOP;
    -- A column rewritten in place (ALTER COLUMN ... TYPE ... USING that keeps
    -- the type, so the metadata stays valid) changes quantities or keys
    -- without a row trigger: count the declared table's returns again (an
    -- over-return refuses the ALTER TABLE).
    FOR k IN SELECT DISTINCT a.declared_relation FROM cbreturn.attached_check a
              WHERE a.check_kind OPERATOR(pg_catalog.=) 'quantity'
                AND EXISTS (SELECT FROM pg_catalog.pg_event_trigger_ddl_commands() d
                             WHERE d.classid OPERATOR(pg_catalog.=) 'pg_catalog.pg_class'::pg_catalog.regclass
                               AND cbreturn._ddl_rewrites_columns(d.command)
                               AND (d.objid OPERATOR(pg_catalog.=) a.relation::pg_catalog.oid
                                    OR d.objid OPERATOR(pg_catalog.=) a.declared_relation::pg_catalog.oid
                                    OR d.objid IN (SELECT t.relid FROM pg_catalog.pg_partition_tree(a.relation) t)))
    LOOP
        PERFORM cbreturn._quantity_rebuild(k.declared_relation, '{}');
    END LOOP;
END
$$;
COMMENT ON FUNCTION cbreturn._quantity_follow_partitions() IS
    'internal: event trigger giving new partitions of an attached returns table their TRUNCATE trigger and recounting their returns (R-EX-3, R-IM-2)';

-- DROP ... CASCADE of a declaration header, a declared table or a column other
-- tables' checks read detaches those checks, as it drops a foreign key.
CREATE OR REPLACE FUNCTION cbreturn._ddl_cascades() RETURNS boolean
    AS 'MODULE_PATHNAME', 'cbr_ddl_cascades' LANGUAGE C VOLATILE;
COMMENT ON FUNCTION cbreturn._ddl_cascades() IS
    'internal: whether the DROP or ALTER TABLE being run said CASCADE (seen by the event trigger at its start)';




-- The kind of check in attach.already_attached and header.after_checks is a translated phrase.
CREATE OR REPLACE FUNCTION cbreturn._register(rel regclass, kind text, fill boolean DEFAULT false,
                                   declared regclass DEFAULT NULL, labels text[] DEFAULT NULL)
    RETURNS void
    LANGUAGE plpgsql
    SET search_path = pg_catalog, pg_temp
AS $$
BEGIN
    IF EXISTS (SELECT FROM cbreturn.attached_check k
                WHERE k.relation OPERATOR(pg_catalog.=) rel
                  AND k.check_kind OPERATOR(pg_catalog.=) kind) THEN
        PERFORM cbreturn._error('attach.already_attached', cbreturn._text('kind.' OPERATOR(pg_catalog.||) kind),
                                rel::pg_catalog.text,
                                pg_catalog.quote_literal(rel::pg_catalog.text), pg_catalog.quote_literal(kind));
    END IF;
    PERFORM cbreturn._partition_covered(rel, kind);
    PERFORM cbreturn._drop_orphan_triggers(rel, kind);
    PERFORM cbreturn._metadata_register(rel, kind, fill, declared, labels);
END
$$;
CREATE OR REPLACE FUNCTION cbreturn.attach_header(
    "table"             regclass,
    header              regclass,
    key                 name[],
    header_key          name[],
    exported_on         name DEFAULT NULL,
    supervision_code    name DEFAULT NULL,
    export_office       name DEFAULT NULL,
    left_special_area_on name DEFAULT NULL,
    released_on         name DEFAULT NULL,
    status              name DEFAULT NULL)
    RETURNS void
    LANGUAGE plpgsql
    SET search_path = pg_catalog, pg_temp
AS $$
DECLARE
    -- R-T-1: a timestamptz is read as its date in China
    days regtype[] := ARRAY['date', 'timestamp without time zone', 'timestamp with time zone']::regtype[];
    sup regtype[] := ARRAY['cbreturn.supervision_code', 'text', 'character varying', 'character']::regtype[];
    office regtype[] := ARRAY['cbreturn.customs_code', 'text', 'character varying', 'character']::regtype[];
    -- status: a return request's status (rules section 6), read by the
    -- quantity check attached afterwards with its freeing labels
    roles text[] := ARRAY['exported_on', 'supervision_code', 'export_office', 'left_special_area_on', 'released_on',
                          'status'];
    cols name[] := ARRAY[exported_on, supervision_code, export_office, left_special_area_on, released_on, status];
    n int;
    i int;
    t1 regtype;
    t2 regtype;
    k text;
BEGIN
    PERFORM cbreturn._check_table("table", 'table');
    PERFORM cbreturn._check_table(header, 'header table');
    IF "table" OPERATOR(pg_catalog.=) header THEN
        PERFORM cbreturn._error('header.same_table');
    END IF;
    -- the checks read the header from their attach on: attach it first
    SELECT a.check_kind INTO k FROM cbreturn.attached_check a
     WHERE a.relation OPERATOR(pg_catalog.=) "table"
       AND a.check_kind OPERATOR(pg_catalog.=) ANY ('{export,import}'::text[])
     ORDER BY 1 LIMIT 1;
    IF FOUND THEN
        PERFORM cbreturn._error('header.after_checks', cbreturn._text('kind.' OPERATOR(pg_catalog.||) k),
                                "table"::pg_catalog.text,
                                pg_catalog.quote_literal("table"::pg_catalog.text), pg_catalog.quote_literal(k));
    END IF;
    n := pg_catalog.cardinality(key);
    IF n IS NULL OR n = 0 OR n > 8 OR n IS DISTINCT FROM pg_catalog.cardinality(header_key) THEN
        PERFORM cbreturn._error('header.key_count');
    END IF;
    IF (SELECT pg_catalog.count(c) FROM pg_catalog.unnest(cols) c) = 0 THEN
        PERFORM cbreturn._error('header.no_role');
    END IF;
    PERFORM cbreturn._register("table", 'header', false, header);
    FOR i IN 1 .. n LOOP
        PERFORM cbreturn._attach_column("table", 'header', 'key_' || i, "table", key[i], NULL,
                                        cbreturn._text('header.key'));
        PERFORM cbreturn._attach_column("table", 'header', 'header_key_' || i, header, header_key[i], NULL,
                                        cbreturn._text('header.header_key'));
        SELECT c.column_type INTO t1 FROM cbreturn.attached_column c
         WHERE c.relation OPERATOR(pg_catalog.=) "table" AND c.check_kind OPERATOR(pg_catalog.=) 'header'
           AND c.role OPERATOR(pg_catalog.=) ('key_' || i);
        SELECT c.column_type INTO t2 FROM cbreturn.attached_column c
         WHERE c.relation OPERATOR(pg_catalog.=) "table" AND c.check_kind OPERATOR(pg_catalog.=) 'header'
           AND c.role OPERATOR(pg_catalog.=) ('header_key_' || i);
        IF t1 OPERATOR(pg_catalog.<>) t2 THEN
            PERFORM cbreturn._error('header.key_types', key[i]::pg_catalog.text, t1::pg_catalog.text,
                                    header_key[i]::pg_catalog.text, t2::pg_catalog.text);
        END IF;
        -- the guards compare keys by the type's equality in built SQL (an
        -- array, a composite or a range of no default class has none)
        IF cbreturn._eq_operator(t2) IS NULL THEN
            PERFORM cbreturn._error('header.key_no_equality', header_key[i]::pg_catalog.text, t2::pg_catalog.text);
        END IF;
    END LOOP;
    FOR i IN 1 .. pg_catalog.cardinality(roles) LOOP
        CONTINUE WHEN cols[i] IS NULL;
        PERFORM cbreturn._attach_column("table", 'header', roles[i], header, cols[i],
                                        CASE roles[i] WHEN 'supervision_code' THEN sup
                                                      WHEN 'export_office' THEN office
                                                      WHEN 'status' THEN cbreturn._status_types(header, cols[i])
                                                      ELSE days END,
                                        cbreturn._text('header.' || roles[i]));
    END LOOP;
    -- a row is found as a foreign key finds it (unique constraint, the key
    -- types' equality) and read as the header's owner may read it
    PERFORM cbreturn._header_validate("table");
    -- one guard per header table serves every returns table that reads it
    IF NOT EXISTS (SELECT FROM pg_catalog.pg_trigger t
                    WHERE t.tgrelid OPERATOR(pg_catalog.=) header
                      AND t.tgname OPERATOR(pg_catalog.=) 'cbreturn_header_guard') THEN
        EXECUTE pg_catalog.format(
            'CREATE TRIGGER cbreturn_header_guard BEFORE UPDATE OR DELETE ON %s '
            'FOR EACH ROW EXECUTE FUNCTION cbreturn.header_guard()', header);
        EXECUTE pg_catalog.format(
            'CREATE TRIGGER cbreturn_header_truncate_guard BEFORE TRUNCATE ON %s '
            'FOR EACH STATEMENT EXECUTE FUNCTION cbreturn.header_truncate_guard()', header);
    END IF;
    -- a partitioned header: each partition's TRUNCATE too (issue 12)
    PERFORM cbreturn._header_truncate_guards(header);
END
$$;
COMMENT ON FUNCTION cbreturn.attach_header(regclass, regclass, name[], name[], name, name, name, name, name, name) IS
    'name the declaration header (or return request) of a returns table, its key and the header columns of the export date, supervision code, export office, 1210 departure date, release date or request status; the export, import and quantity checks attached afterwards read those from the header row';

-- Review of the CASCADE change: the ledger follows, partitions are checked at commit,
-- headers read by a recount are locked and checked.

CREATE OR REPLACE FUNCTION cbreturn._quantity_counted_tables(declared regclass, except_relation oid[]) RETURNS void
    LANGUAGE plpgsql
    SET search_path = pg_catalog, pg_temp
AS $$
DECLARE
    bad record;
    h record;
BEGIN
    -- the declaration headers whose status a counted return reads are read too
    FOR h IN SELECT DISTINCT hl.declared_relation AS header
               FROM cbreturn.attached_check a
               JOIN cbreturn.attached_check hl ON hl.relation OPERATOR(pg_catalog.=) a.relation
                                              AND hl.check_kind OPERATOR(pg_catalog.=) 'header'
              WHERE a.check_kind OPERATOR(pg_catalog.=) 'quantity'
                AND a.declared_relation OPERATOR(pg_catalog.=) declared
              ORDER BY 1
    LOOP
        EXECUTE pg_catalog.format('LOCK TABLE %s IN ACCESS SHARE MODE', h.header);
    END LOOP;
    SELECT r.relid::pg_catalog.regclass::pg_catalog.text AS rel, r.checked::pg_catalog.text AS checked INTO bad
      FROM (SELECT declared::pg_catalog.oid AS relid, declared AS checked
            UNION ALL
            SELECT p.relid, a.relation
              FROM cbreturn.attached_check a
             CROSS JOIN LATERAL (SELECT a.relation::pg_catalog.oid AS relid
                                 UNION SELECT t.relid FROM pg_catalog.pg_partition_tree(a.relation) t
                                 UNION SELECT hl.declared_relation::pg_catalog.oid FROM cbreturn.attached_check hl
                                  WHERE hl.relation OPERATOR(pg_catalog.=) a.relation
                                    AND hl.check_kind OPERATOR(pg_catalog.=) 'header'
                                 UNION SELECT t.relid FROM cbreturn.attached_check hl
                                  CROSS JOIN LATERAL pg_catalog.pg_partition_tree(hl.declared_relation) t
                                  WHERE hl.relation OPERATOR(pg_catalog.=) a.relation
                                    AND hl.check_kind OPERATOR(pg_catalog.=) 'header') p
             WHERE a.check_kind OPERATOR(pg_catalog.=) 'quantity'
               AND a.declared_relation OPERATOR(pg_catalog.=) declared
               AND NOT a.relation::pg_catalog.oid OPERATOR(pg_catalog.=) ANY (coalesce(except_relation, '{}'))) r
      JOIN pg_catalog.pg_class c ON c.oid OPERATOR(pg_catalog.=) r.relid
     WHERE c.relkind NOT IN ('r', 'p')
     LIMIT 1;
    IF FOUND THEN
        PERFORM cbreturn._error('quantity.counted_not_table', bad.rel, bad.checked);
    END IF;
END
$$;
REVOKE ALL ON FUNCTION cbreturn._quantity_counted_tables(regclass, oid[]) FROM PUBLIC;
COMMENT ON FUNCTION cbreturn._quantity_counted_tables(regclass, oid[]) IS
    'internal: refuses a recount or verification whose declared or returns relations are not all tables (42809), called with them locked';

-- The kind of check in the column-in-use refusals is a translated phrase.

-- ALTER TYPE of a composite type whose typed table is a header or read by a check:
-- followed as ALTER TABLE is.
-- The partitions of declaration headers, noted at the start of another
-- object's DROP ... CASCADE (src/enforce/header_ddl.c): cbreturn._follow_drop
-- asks, of those the drop took while their header stays, whether returns
-- are left naming no header row (CB014).
CREATE FUNCTION cbreturn._ddl_header_partitions()
    RETURNS TABLE (relid pg_catalog.oid, root pg_catalog.oid)
    AS 'MODULE_PATHNAME', 'cbr_ddl_header_partitions' LANGUAGE C VOLATILE PARALLEL UNSAFE;
REVOKE ALL ON FUNCTION cbreturn._ddl_header_partitions() FROM PUBLIC;
COMMENT ON FUNCTION cbreturn._ddl_header_partitions() IS
    'internal: the partitions of declaration headers noted at the start of the DROP ... CASCADE being run';

-- "OPERATOR(schema.=)": the equality of a type's default btree operator class
-- (a foreign key's and a unique constraint's), for the SQL built below.  A
-- domain compares as its base type, an enum with the enums' class, as
-- PostgreSQL finds a default operator class for them.
CREATE OR REPLACE FUNCTION cbreturn._eq_operator(t regtype) RETURNS text
    LANGUAGE sql STABLE PARALLEL SAFE
    SET search_path = pg_catalog, pg_temp
AS $$
    WITH RECURSIVE b (oid, base, typtype) AS (
        SELECT y.oid, y.typbasetype, y.typtype FROM pg_catalog.pg_type y WHERE y.oid OPERATOR(pg_catalog.=) t
        UNION ALL
        SELECT y.oid, y.typbasetype, y.typtype FROM b JOIN pg_catalog.pg_type y ON y.oid OPERATOR(pg_catalog.=) b.base
         WHERE b.typtype OPERATOR(pg_catalog.=) 'd'),
    bt (k) AS (
        SELECT CASE b.typtype WHEN 'e' THEN 'pg_catalog.anyenum'::pg_catalog.regtype::pg_catalog.oid ELSE b.oid END
          FROM b WHERE b.typtype OPERATOR(pg_catalog.<>) 'd')
    SELECT pg_catalog.format('OPERATOR(%I.%s)', n.nspname, o.oprname)
      FROM pg_catalog.pg_opclass oc
      JOIN pg_catalog.pg_am am ON am.oid OPERATOR(pg_catalog.=) oc.opcmethod AND am.amname OPERATOR(pg_catalog.=) 'btree'
      JOIN pg_catalog.pg_amop ao ON ao.amopfamily OPERATOR(pg_catalog.=) oc.opcfamily
       AND ao.amoplefttype OPERATOR(pg_catalog.=) oc.opcintype AND ao.amoprighttype OPERATOR(pg_catalog.=) oc.opcintype
       AND ao.amopstrategy OPERATOR(pg_catalog.=) 3
      JOIN pg_catalog.pg_operator o ON o.oid OPERATOR(pg_catalog.=) ao.amopopr
      JOIN pg_catalog.pg_namespace n ON n.oid OPERATOR(pg_catalog.=) o.oprnamespace
      CROSS JOIN bt
     WHERE oc.opcdefault
       AND (oc.opcintype OPERATOR(pg_catalog.=) bt.k
            OR EXISTS (SELECT FROM pg_catalog.pg_cast c
                        WHERE c.castsource OPERATOR(pg_catalog.=) bt.k AND c.casttarget OPERATOR(pg_catalog.=) oc.opcintype
                          AND c.castmethod OPERATOR(pg_catalog.=) 'b'))
     ORDER BY oc.opcintype OPERATOR(pg_catalog.=) bt.k DESC
     LIMIT 1
$$;

CREATE FUNCTION cbreturn._ddl_renamed_value(pg_catalog.pg_ddl_command) RETURNS text[]
    AS 'MODULE_PATHNAME', 'cbr_ddl_renamed_value' LANGUAGE C STRICT STABLE PARALLEL SAFE;
COMMENT ON FUNCTION cbreturn._ddl_renamed_value(pg_catalog.pg_ddl_command) IS
    'internal: the old and the new label of an ALTER TYPE ... RENAME VALUE an event trigger reports (NULL: another command)';

-- ALTER TYPE ... RENAME VALUE of an enum (called by
-- cbreturn._follow_alter_table): every stored value takes the new label with
-- no row trigger.  The labels the checks hold for a column of that enum (or
-- of a domain over it) follow the rename, as the column names they hold
-- follow theirs: the stages of a status check, the freeing labels of a
-- quantity check, the values of an ordinary-return column; a rejected
-- return stays rejected.  The quantity ledgers that read such a status are
-- counted again (an over-return refuses the ALTER TYPE, CB003).
-- The checks whose own labelled column has the enum (or a domain over it):
-- a status check's status, a quantity check's status (its own, the status
-- check's or a request's on the header), an export or import check's
-- ordinary-return column.  Each check's labels are those of its own column.
CREATE FUNCTION cbreturn._enum_label_uses(enum_type oid) RETURNS TABLE (relation regclass, check_kind text)
    LANGUAGE sql STABLE PARALLEL SAFE
    SET search_path = pg_catalog, pg_temp
AS $$
    SELECT DISTINCT c.relation, c.check_kind FROM cbreturn.attached_column c
      JOIN pg_catalog.pg_type t ON t.oid OPERATOR(pg_catalog.=) c.column_type::pg_catalog.oid
     WHERE ((c.role OPERATOR(pg_catalog.=) 'status'
             AND c.check_kind OPERATOR(pg_catalog.=) ANY ('{status,quantity}'::text[]))
            OR c.role OPERATOR(pg_catalog.=) 'ordinary_return')
       AND enum_type OPERATOR(pg_catalog.=) CASE t.typtype WHEN 'd' THEN t.typbasetype ELSE t.oid END
     ORDER BY 1, 2
$$;
COMMENT ON FUNCTION cbreturn._enum_label_uses(oid) IS
    'internal: the checks whose status or ordinary-return column has an enum (or a domain over it)';

CREATE FUNCTION cbreturn._follow_enum_rename(enum_type oid, old_label text, new_label text) RETURNS void
    LANGUAGE plpgsql
    SET search_path = pg_catalog, pg_temp
AS $$
DECLARE
    k record;
    -- a status is compared without its trailing blanks, so is the label
    label text := pg_catalog.rtrim(new_label, ' ');
    was text := pg_catalog.rtrim(old_label, ' ');
BEGIN
    -- a new label such a check already holds would give the rows of the old
    -- one its meaning (a registered return read as rejected frees its
    -- quantity), or hold one label twice: refused, before any label moves
    FOR k IN SELECT * FROM cbreturn._enum_label_uses(enum_type) LOOP
        IF label OPERATOR(pg_catalog.<>) was
           AND EXISTS (SELECT FROM cbreturn.attached_check a
                        WHERE a.relation OPERATOR(pg_catalog.=) k.relation
                          AND a.check_kind OPERATOR(pg_catalog.=) k.check_kind
                          AND label OPERATOR(pg_catalog.=) ANY (CASE k.check_kind
                                                                 WHEN 'status' THEN a.status_labels
                                                                 WHEN 'quantity' THEN a.freeing_labels
                                                                 ELSE a.ordinary_values END)) THEN
            PERFORM cbreturn._error('attach.enum_label_held', old_label, enum_type::pg_catalog.regtype::pg_catalog.text,
                                    label, cbreturn._text('kind.' OPERATOR(pg_catalog.||) k.check_kind),
                                    k.relation::pg_catalog.text);
        END IF;
    END LOOP;
    FOR k IN SELECT * FROM cbreturn._enum_label_uses(enum_type) LOOP
        UPDATE cbreturn.attached_check a
           SET status_labels = CASE k.check_kind WHEN 'status'
                                   THEN pg_catalog.array_replace(a.status_labels, was, label) ELSE a.status_labels END,
               freeing_labels = CASE k.check_kind WHEN 'quantity'
                                    THEN pg_catalog.array_replace(a.freeing_labels, was, label) ELSE a.freeing_labels END,
               ordinary_values = CASE WHEN k.check_kind OPERATOR(pg_catalog.=) ANY ('{export,import}'::text[])
                                      THEN pg_catalog.array_replace(a.ordinary_values, was, label)
                                      ELSE a.ordinary_values END
         WHERE a.relation OPERATOR(pg_catalog.=) k.relation AND a.check_kind OPERATOR(pg_catalog.=) k.check_kind
           AND was OPERATOR(pg_catalog.=) ANY (CASE k.check_kind WHEN 'status' THEN a.status_labels
                                                                  WHEN 'quantity' THEN a.freeing_labels
                                                                  ELSE a.ordinary_values END);
    END LOOP;
    -- the ledgers that read such a status
    FOR k IN SELECT DISTINCT a.declared_relation FROM cbreturn.attached_check a
               JOIN cbreturn._enum_label_uses(enum_type) u
                 ON u.relation OPERATOR(pg_catalog.=) a.relation AND u.check_kind OPERATOR(pg_catalog.=) 'quantity'
              WHERE a.check_kind OPERATOR(pg_catalog.=) 'quantity'
    LOOP
        PERFORM cbreturn._quantity_rebuild(k.declared_relation, '{}');
    END LOOP;
END
$$;
REVOKE ALL ON FUNCTION cbreturn._follow_enum_rename(oid, text, text) FROM PUBLIC;
COMMENT ON FUNCTION cbreturn._follow_enum_rename(oid, text, text) IS
    'internal: the labels the checks hold for a column of an enum follow ALTER TYPE ... RENAME VALUE; the ledgers reading such a status are counted again';

CREATE OR REPLACE FUNCTION cbreturn._follow_alter_table() RETURNS event_trigger
    LANGUAGE plpgsql SECURITY DEFINER
    SET search_path = pg_catalog, pg_temp
AS $$
DECLARE
    c record;
    touched oid[];
BEGIN
    -- Only the metadata of the tables this ALTER TABLE touched, and of their
    -- inheritance children (a recursing ALTER reports only the parent), is
    -- looked at: a stale or foreign row elsewhere must not make every ALTER
    -- TABLE of the database fail (issue 9, item 3).
    WITH RECURSIVE t(relid) AS (
        SELECT d.objid FROM pg_catalog.pg_event_trigger_ddl_commands() d
         WHERE d.classid OPERATOR(pg_catalog.=) 'pg_catalog.pg_class'::pg_catalog.regclass
        UNION
        -- ALTER TYPE ... DROP ATTRIBUTE, ALTER ATTRIBUTE TYPE, RENAME ATTRIBUTE
        -- of a composite type change its typed tables' columns
        -- (reported as the composite type's own relation)
        SELECT tc.oid FROM pg_catalog.pg_event_trigger_ddl_commands() d
          JOIN pg_catalog.pg_class ct ON ct.oid OPERATOR(pg_catalog.=) d.objid
                                     AND ct.relkind OPERATOR(pg_catalog.=) 'c'
          JOIN pg_catalog.pg_class tc ON tc.reloftype OPERATOR(pg_catalog.=) ct.reltype
         WHERE d.classid OPERATOR(pg_catalog.=) 'pg_catalog.pg_class'::pg_catalog.regclass
        UNION
        SELECT i.inhrelid FROM pg_catalog.pg_inherits i JOIN t ON i.inhparent OPERATOR(pg_catalog.=) t.relid
    )
    SELECT pg_catalog.array_agg(t.relid) INTO touched FROM t;
    -- ALTER TYPE ... RENAME VALUE of an enum a check's status or
    -- ordinary-return column has (sql/55_enforce_quantity.sql)
    FOR c IN SELECT d.objid, cbreturn._ddl_renamed_value(d.command) AS names
               FROM pg_catalog.pg_event_trigger_ddl_commands() d
              WHERE d.classid OPERATOR(pg_catalog.=) 'pg_catalog.pg_type'::pg_catalog.regclass
    LOOP
        CONTINUE WHEN c.names IS NULL;
        PERFORM cbreturn._follow_enum_rename(c.objid, c.names[1], c.names[2]);
    END LOOP;
    IF touched IS NULL THEN
        RETURN;
    END IF;
    -- SET UNLOGGED of a table whose rows permanent returns name (42P16)
    PERFORM cbreturn._refuse_unlogged(touched);
    -- A column dropped with CASCADE: the checks that read it are detached.
    IF cbreturn._ddl_cascades() THEN
        FOR c IN SELECT ac.relation, pg_catalog.array_agg(DISTINCT ac.check_kind) AS kinds
                   FROM cbreturn.attached_column ac
                   JOIN pg_catalog.pg_attribute a
                     ON a.attrelid OPERATOR(pg_catalog.=) ac.column_relation
                    AND a.attnum OPERATOR(pg_catalog.=) ac.column_attnum
                  WHERE ac.column_relation::pg_catalog.oid OPERATOR(pg_catalog.=) ANY (touched)
                    AND a.attisdropped
                  GROUP BY ac.relation
        LOOP
            PERFORM cbreturn._detach_cascaded(c.relation, c.kinds);
        END LOOP;
    END IF;
    -- A dropped attached column or a new type would leave a check reading
    -- nothing or the wrong thing: refuse (the ALTER TABLE is rolled back).
    FOR c IN SELECT ac.*, a.attisdropped, a.atttypid
               FROM cbreturn.attached_column ac
               JOIN pg_catalog.pg_attribute a
                 ON a.attrelid OPERATOR(pg_catalog.=) ac.column_relation
                AND a.attnum OPERATOR(pg_catalog.=) ac.column_attnum
              WHERE ac.column_relation::pg_catalog.oid OPERATOR(pg_catalog.=) ANY (touched)
                AND (a.attisdropped OR a.atttypid OPERATOR(pg_catalog.<>) ac.column_type)
              ORDER BY ac.check_kind OPERATOR(pg_catalog.=) 'header', ac.relation::pg_catalog.text, ac.check_kind, ac.role
    LOOP
        PERFORM cbreturn._error(CASE WHEN c.attisdropped THEN 'attach.column_in_use'
                                     ELSE 'attach.column_type_in_use' END,
                                c.column_name::pg_catalog.text, c.column_relation::pg_catalog.text,
                                cbreturn._text('kind.' OPERATOR(pg_catalog.||) c.check_kind), c.relation::pg_catalog.text,
                                pg_catalog.quote_literal(c.relation::pg_catalog.text),
                                pg_catalog.quote_literal(c.check_kind));
    END LOOP;
    -- Citus: the checks of a Citus table name their columns in the triggers
    -- Citus carries to the shards (sql/66_citus.sql): refuse a rename there.
    FOR c IN SELECT ac.*
               FROM cbreturn.attached_column ac
               JOIN pg_catalog.pg_attribute a
                 ON a.attrelid OPERATOR(pg_catalog.=) ac.column_relation
                AND a.attnum OPERATOR(pg_catalog.=) ac.column_attnum
              WHERE ac.column_relation::pg_catalog.oid OPERATOR(pg_catalog.=) ANY (touched)
                AND a.attname OPERATOR(pg_catalog.<>) ac.column_name
                AND cbreturn._citus_table(ac.relation)
    LOOP
        PERFORM cbreturn._error('citus.rename_attached', c.column_name::pg_catalog.text,
                                c.relation::pg_catalog.text, cbreturn._text('kind.' OPERATOR(pg_catalog.||) c.check_kind),
                                pg_catalog.quote_literal(c.relation::pg_catalog.text),
                                pg_catalog.quote_literal(c.check_kind));
    END LOOP;
    -- Renamed columns: the attnum is the truth, the name follows it.
    UPDATE cbreturn.attached_column ac
       SET column_name = a.attname
      FROM pg_catalog.pg_attribute a
     WHERE ac.column_relation::pg_catalog.oid OPERATOR(pg_catalog.=) ANY (touched)
       AND a.attrelid OPERATOR(pg_catalog.=) ac.column_relation
       AND a.attnum OPERATOR(pg_catalog.=) ac.column_attnum
       AND a.attname OPERATOR(pg_catalog.<>) ac.column_name;
END
$$;
REVOKE ALL ON FUNCTION cbreturn._follow_alter_table() FROM PUBLIC;
DROP EVENT TRIGGER cbreturn_follow_alter_table;
CREATE EVENT TRIGGER cbreturn_follow_alter_table ON ddl_command_end
    WHEN TAG IN ('ALTER TABLE', 'ALTER TYPE')
    EXECUTE FUNCTION cbreturn._follow_alter_table();

-- Columns dropped by another object's CASCADE detach the checks that read them; the
-- header guards go with the last link; no recount while a counted table goes.
CREATE OR REPLACE FUNCTION cbreturn._detach_cascaded(rel regclass, kinds text[]) RETURNS void
    LANGUAGE plpgsql
    SET search_path = pg_catalog, pg_temp
AS $$
DECLARE
    kind text;
    p record;
    decl regclass;
    went boolean := false;
BEGIN
    IF 'header' OPERATOR(pg_catalog.=) ANY (kinds) THEN
        kinds := kinds OPERATOR(pg_catalog.||) ARRAY(
            SELECT DISTINCT c.check_kind FROM cbreturn.attached_column c
              JOIN cbreturn.attached_check h ON h.relation OPERATOR(pg_catalog.=) c.relation
                                            AND h.check_kind OPERATOR(pg_catalog.=) 'header'
             WHERE c.relation OPERATOR(pg_catalog.=) rel AND c.check_kind OPERATOR(pg_catalog.<>) 'header'
               AND c.column_relation::pg_catalog.oid OPERATOR(pg_catalog.=) h.declared_relation::pg_catalog.oid);
    END IF;
    -- the checks that read a header before the header link
    FOR kind IN SELECT d.k FROM (SELECT DISTINCT u.k FROM pg_catalog.unnest(kinds) u(k)) d
                 WHERE EXISTS (SELECT FROM cbreturn.attached_check a
                                WHERE a.relation OPERATOR(pg_catalog.=) rel AND a.check_kind OPERATOR(pg_catalog.=) d.k)
                 ORDER BY d.k OPERATOR(pg_catalog.=) 'header', d.k
    LOOP
        -- (a header link has no trigger of its own; a dropped column took its table's trigger)
        IF EXISTS (SELECT FROM pg_catalog.pg_trigger g
                    WHERE g.tgrelid OPERATOR(pg_catalog.=) rel
                      AND g.tgname OPERATOR(pg_catalog.=) ('cbreturn_' || kind || '_check')) THEN
            EXECUTE pg_catalog.format('DROP TRIGGER %I ON %s', 'cbreturn_' || kind || '_check', rel);
        END IF;
        IF kind OPERATOR(pg_catalog.=) 'quantity' THEN
            FOR p IN SELECT rel::pg_catalog.oid AS relid UNION SELECT t.relid FROM pg_catalog.pg_partition_tree(rel) t LOOP
                EXECUTE pg_catalog.format('DROP TRIGGER IF EXISTS cbreturn_quantity_truncate ON %s', p.relid::pg_catalog.regclass);
            END LOOP;
        END IF;
        DELETE FROM cbreturn.attached_column c
         WHERE c.relation OPERATOR(pg_catalog.=) rel AND c.check_kind OPERATOR(pg_catalog.=) kind;
        DELETE FROM cbreturn.attached_check a
         WHERE a.relation OPERATOR(pg_catalog.=) rel AND a.check_kind OPERATOR(pg_catalog.=) kind
        RETURNING a.declared_relation INTO decl;
        PERFORM cbreturn._error('drop.cascades', cbreturn._text('kind.' OPERATOR(pg_catalog.||) kind), rel::pg_catalog.text);
        went := true;
        -- R-EX-3: the ledger of a declared table that stays (a dropped one's goes
        -- with it, cbreturn._quantity_after_drop) no longer counts rel's returns
        IF kind OPERATOR(pg_catalog.=) 'quantity'
           AND EXISTS (SELECT FROM pg_catalog.pg_class c WHERE c.oid OPERATOR(pg_catalog.=) decl::pg_catalog.oid) THEN
            PERFORM cbreturn._quantity_after_cascade(decl);
        END IF;
        -- the guards of a header no returns table reads any more go (as with detach())
        IF kind OPERATOR(pg_catalog.=) 'header'
           AND EXISTS (SELECT FROM pg_catalog.pg_class c WHERE c.oid OPERATOR(pg_catalog.=) decl::pg_catalog.oid)
           AND NOT EXISTS (SELECT FROM cbreturn.attached_check o
                            WHERE o.check_kind OPERATOR(pg_catalog.=) 'header'
                              AND o.declared_relation OPERATOR(pg_catalog.=) decl) THEN
            PERFORM cbreturn._header_drop_guards(decl);
        END IF;
    END LOOP;
    -- a partition that lost checks its tree's other leaves carry: refused at
    -- commit, as detach() of it is (cbreturn._partition_check)
    IF went AND (SELECT c.relispartition FROM pg_catalog.pg_class c WHERE c.oid OPERATOR(pg_catalog.=) rel) THEN
        INSERT INTO cbreturn.partition_pending (relid)
        SELECT t.relid FROM pg_catalog.pg_partition_tree(rel) t WHERE t.isleaf;
    END IF;
END
$$;
REVOKE ALL ON FUNCTION cbreturn._detach_cascaded(regclass, text[]) FROM PUBLIC;

CREATE OR REPLACE FUNCTION cbreturn._quantity_after_cascade(decl regclass) RETURNS void
    LANGUAGE plpgsql
    SET search_path = pg_catalog, pg_temp
AS $$
BEGIN
    IF NOT EXISTS (SELECT FROM cbreturn.attached_check o
                    WHERE o.check_kind OPERATOR(pg_catalog.=) 'quantity'
                      AND o.declared_relation OPERATOR(pg_catalog.=) decl) THEN
        EXECUTE pg_catalog.format('DROP TRIGGER IF EXISTS cbreturn_quantity_guard ON %s', decl);
        EXECUTE pg_catalog.format('DROP TRIGGER IF EXISTS cbreturn_quantity_truncate_guard ON %s', decl);
        DELETE FROM cbreturn.quantity_ledger l WHERE l.declared_relation OPERATOR(pg_catalog.=) decl;
    ELSIF NOT EXISTS (SELECT FROM cbreturn.attached_check o
                        JOIN cbreturn.attached_column c ON c.relation OPERATOR(pg_catalog.=) o.relation
                                                       AND c.check_kind OPERATOR(pg_catalog.=) o.check_kind
                        JOIN pg_catalog.pg_attribute a ON a.attrelid OPERATOR(pg_catalog.=) c.column_relation
                                                     AND a.attnum OPERATOR(pg_catalog.=) c.column_attnum
                       WHERE o.check_kind OPERATOR(pg_catalog.=) 'quantity'
                         AND o.declared_relation OPERATOR(pg_catalog.=) decl
                         AND a.attisdropped)
          -- a returns table, or a header one reads, that the command drops:
          -- cbreturn._quantity_after_drop counts again without it
          AND NOT EXISTS (SELECT FROM cbreturn.attached_check o
                           LEFT JOIN cbreturn.attached_check h ON h.relation OPERATOR(pg_catalog.=) o.relation
                                                              AND h.check_kind OPERATOR(pg_catalog.=) 'header'
                          WHERE o.check_kind OPERATOR(pg_catalog.=) 'quantity'
                            AND o.declared_relation OPERATOR(pg_catalog.=) decl
                            AND (NOT EXISTS (SELECT FROM pg_catalog.pg_class c
                                              WHERE c.oid OPERATOR(pg_catalog.=) o.relation::pg_catalog.oid)
                                 OR (h.relation IS NOT NULL
                                     AND NOT EXISTS (SELECT FROM pg_catalog.pg_class c
                                                      WHERE c.oid OPERATOR(pg_catalog.=) h.declared_relation::pg_catalog.oid)))) THEN
        PERFORM cbreturn._quantity_rebuild(decl, '{}', false);
    END IF;
END
$$;
REVOKE ALL ON FUNCTION cbreturn._quantity_after_cascade(regclass) FROM PUBLIC;
COMMENT ON FUNCTION cbreturn._quantity_after_cascade(regclass) IS
    'internal: after a CASCADE detached a quantity check: the guards and ledger of a declared table no check reads any more go, or its returns are counted again';

CREATE OR REPLACE FUNCTION cbreturn._follow_drop() RETURNS event_trigger
    LANGUAGE plpgsql SECURITY DEFINER
    SET search_path = pg_catalog, pg_temp
AS $$
DECLARE
    gone oid[];
    k record;
    named regclass;
BEGIN
    SELECT pg_catalog.array_agg(d.objid) INTO gone
      FROM pg_catalog.pg_event_trigger_dropped_objects() d
     WHERE d.classid OPERATOR(pg_catalog.=) 'pg_catalog.pg_class'::pg_catalog.regclass
       AND d.objsubid OPERATOR(pg_catalog.=) 0;
    -- Columns dropped by the CASCADE of another object (DROP FUNCTION of a
    -- generated column's function, DROP TYPE or DOMAIN of a column's type,
    -- DROP EXTENSION ...; PostgreSQL drops a column another object needs only
    -- with CASCADE): the checks that read them are detached, as ALTER TABLE
    -- ... DROP COLUMN ... CASCADE detaches them.  An ALTER TABLE's (or ALTER
    -- TYPE's) own columns are cbreturn._follow_alter_table's, which refuses
    -- them without CASCADE.
    IF TG_TAG NOT IN ('ALTER TABLE', 'ALTER TYPE') THEN
        FOR k IN SELECT ac.relation, pg_catalog.array_agg(DISTINCT ac.check_kind) AS kinds
                   FROM cbreturn.attached_column ac
                   JOIN pg_catalog.pg_event_trigger_dropped_objects() d
                     ON d.classid OPERATOR(pg_catalog.=) 'pg_catalog.pg_class'::pg_catalog.regclass
                    AND d.objid OPERATOR(pg_catalog.=) ac.column_relation::pg_catalog.oid
                    AND d.objsubid OPERATOR(pg_catalog.=) ac.column_attnum
                  WHERE NOT ac.relation::pg_catalog.oid OPERATOR(pg_catalog.=) ANY (coalesce(gone, '{}'))
                  GROUP BY ac.relation
                  ORDER BY ac.relation::pg_catalog.oid
        LOOP
            PERFORM cbreturn._detach_cascaded(k.relation, k.kinds);
        END LOOP;
    END IF;
    IF gone IS NULL THEN
        RETURN;
    END IF;
    -- A partition of a declaration header taken by another object's DROP ...
    -- CASCADE (an access method, an operator class of its partition key ...)
    -- while the header stays: refused (CB014) when returns are left naming
    -- no header row, as a DROP TABLE of it is refused while they name its
    -- rows (src/enforce/header_ddl.c noted the partitions at the start).
    FOR k IN SELECT DISTINCT ON (p.root) p.root, d.object_identity
               FROM cbreturn._ddl_header_partitions() p
               JOIN pg_catalog.pg_event_trigger_dropped_objects() d
                 ON d.classid OPERATOR(pg_catalog.=) 'pg_catalog.pg_class'::pg_catalog.regclass
                AND d.objid OPERATOR(pg_catalog.=) p.relid
                AND d.objsubid OPERATOR(pg_catalog.=) 0
              WHERE NOT p.root OPERATOR(pg_catalog.=) ANY (gone)
              ORDER BY p.root, d.object_identity
    LOOP
        named := cbreturn._header_rows_named(k.root::pg_catalog.regclass, true);
        IF named IS NOT NULL THEN
            PERFORM cbreturn._error('header.drop_partition_cascade', k.object_identity,
                                    k.root::pg_catalog.regclass::pg_catalog.text, named::pg_catalog.text);
        END IF;
    END LOOP;
    -- A declared-lines table cannot go while a returns table still counts on
    -- it, nor a declaration header while a returns table reads it.
    FOR k IN SELECT a.relation, a.check_kind, d.object_identity
               FROM cbreturn.attached_check a
               JOIN pg_catalog.pg_event_trigger_dropped_objects() d
                 ON d.objid OPERATOR(pg_catalog.=) a.declared_relation::pg_catalog.oid
                AND d.classid OPERATOR(pg_catalog.=) 'pg_catalog.pg_class'::pg_catalog.regclass
                AND d.objsubid OPERATOR(pg_catalog.=) 0
              WHERE NOT a.relation::pg_catalog.oid OPERATOR(pg_catalog.=) ANY (gone)
                -- stale metadata of a table already gone blocks nothing
                AND EXISTS (SELECT FROM pg_catalog.pg_class c
                             WHERE c.oid OPERATOR(pg_catalog.=) a.relation::pg_catalog.oid)
    LOOP
        IF cbreturn._ddl_cascades() THEN
            PERFORM cbreturn._detach_cascaded(k.relation, ARRAY[k.check_kind]);
            CONTINUE;
        END IF;
        PERFORM cbreturn._error(CASE k.check_kind WHEN 'header' THEN 'attach.header_in_use'
                                                  ELSE 'attach.declared_in_use' END,
                                k.object_identity, k.relation::pg_catalog.text,
                                pg_catalog.quote_literal(k.relation::pg_catalog.text),
                                pg_catalog.quote_literal(k.check_kind));
    END LOOP;
    -- R-EX-3: the quantity ledger follows (sql/55_enforce_quantity.sql)
    PERFORM cbreturn._quantity_after_drop(gone);
    -- the guards of declaration headers no returns table reads any more
    PERFORM cbreturn._header_after_drop(gone);
    DELETE FROM cbreturn.attached_column c WHERE c.relation::pg_catalog.oid OPERATOR(pg_catalog.=) ANY (gone);
    DELETE FROM cbreturn.attached_check a WHERE a.relation::pg_catalog.oid OPERATOR(pg_catalog.=) ANY (gone);
END
$$;
REVOKE ALL ON FUNCTION cbreturn._follow_drop() FROM PUBLIC;

COMMENT ON FUNCTION cbreturn._detach_cascaded(regclass, text[]) IS
    'internal: detaches the checks of a table whose declaration header, declared table or read column a DROP ... CASCADE takes, with a NOTICE each';
