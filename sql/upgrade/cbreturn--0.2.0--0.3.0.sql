-- cbreturn 0.2.0 -> 0.3.0.  Run by ALTER EXTENSION cbreturn UPDATE; attached
-- checks (their triggers and metadata) are kept.  Each section below names the
-- change it carries; test/checks/upgrade.sh requires the result to equal a
-- fresh 0.3.0 install, from 0.2.0 and from 0.1.0 alike.
\echo Use "ALTER EXTENSION cbreturn UPDATE" to load this file. \quit

-- ==== Row facts: reason vocabularies (R-V-1) and China dates (R-T-1) (issue 12) ====
-- New: cbreturn.china_date(), cbreturn.reason_label_key(), cbreturn.reason_labels
-- (with its shipped labels), cbreturn.return_reason(label); the attach functions
-- accept timestamp and timestamptz date roles and pass them to the WHEN
-- functions as cbreturn.china_date(NEW."column").  Checks attached before keep
-- their triggers: their date columns are dates, read as before; a text reason
-- column is now read through cbreturn.reason_labels.

-- ---------------------------------------------------------------------------
-- R-T-1: customs dates are dates in China (Asia/Shanghai)
-- ---------------------------------------------------------------------------
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
CREATE FUNCTION cbreturn._new_date_column(rel regclass, col name) RETURNS text
    LANGUAGE sql STABLE PARALLEL SAFE
    SET search_path = pg_catalog, pg_temp
AS $$
    SELECT CASE WHEN col IS NULL THEN 'NULL'
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

-- ---------------------------------------------------------------------------
-- R-V-1: reason vocabularies
-- ---------------------------------------------------------------------------
-- The key labels are compared by: no blanks around (ASCII, U+3000, U+00A0),
-- Latin letters in lower case, full-width letters and signs as ASCII
-- (src/rules/label.c).  IMMUTABLE: it depends only on its argument (and on
-- the database's encoding, which never changes).
CREATE FUNCTION cbreturn.reason_label_key(label text) RETURNS text
    AS 'MODULE_PATHNAME', 'reason_label_key' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
COMMENT ON FUNCTION cbreturn.reason_label_key(text) IS
    'the key under which a reason label is looked up (R-V-1): without blanks around it, Latin letters in lower case, full-width letters as ASCII';

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
    ('quality_or_spec', 'quality_or_spec', true);

SELECT pg_catalog.set_config('cbreturn.loading_policy', 'off', true);

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
CREATE TRIGGER label_key_guard BEFORE INSERT ON cbreturn.reason_labels
    FOR EACH ROW EXECUTE FUNCTION cbreturn._reason_label_replace();
CREATE TRIGGER policy_row_guard BEFORE INSERT OR UPDATE ON cbreturn.reason_labels
    FOR EACH ROW EXECUTE FUNCTION cbreturn.policy_row_guard('label');

-- Every session keeps the labels in memory (src/policy/reason_labels.c); a
-- change reaches this session at once and the others at their next
-- transaction after it commits, as for the policy tables.
CREATE FUNCTION cbreturn._reason_labels_changed() RETURNS trigger
    AS 'MODULE_PATHNAME', 'cbr_reason_labels_changed' LANGUAGE C;
COMMENT ON FUNCTION cbreturn._reason_labels_changed() IS
    'internal: statement trigger on cbreturn.reason_labels that makes every session read the labels again';
CREATE TRIGGER reason_labels_changed AFTER INSERT OR UPDATE OR DELETE ON cbreturn.reason_labels
    FOR EACH STATEMENT EXECUTE FUNCTION cbreturn._reason_labels_changed();
CREATE TRIGGER reason_labels_changed_truncate AFTER TRUNCATE ON cbreturn.reason_labels
    FOR EACH STATEMENT EXECUTE FUNCTION cbreturn._reason_labels_changed();

SELECT pg_catalog.pg_extension_config_dump('cbreturn.reason_labels', 'WHERE NOT shipped');
REVOKE ALL ON cbreturn.reason_labels FROM PUBLIC;
GRANT SELECT ON cbreturn.reason_labels TO PUBLIC;

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

CREATE OR REPLACE FUNCTION cbreturn.attach_export_return_checks(
    "table"             regclass,
    exported_on         name,
    reason              name DEFAULT NULL,
    returned_on         name DEFAULT NULL,
    remarks             name DEFAULT NULL,
    fill_remarks        boolean DEFAULT false,
    supervision_code    name DEFAULT NULL,
    export_office       name DEFAULT NULL,
    return_office       name DEFAULT NULL,
    deadline            name DEFAULT NULL)
    RETURNS void
    LANGUAGE plpgsql
    SET search_path = pg_catalog, pg_temp
AS $$
DECLARE
    textual regtype[] := ARRAY['text', 'character varying', 'character']::regtype[];
    reasons regtype[] := ARRAY['cbreturn.return_reason', 'text', 'character varying', 'character']::regtype[];
    sup regtype[] := ARRAY['cbreturn.supervision_code', 'text', 'character varying', 'character']::regtype[];
    office regtype[] := ARRAY['cbreturn.customs_code', 'text', 'character varying', 'character']::regtype[];
    dates regtype[] := ARRAY['date']::regtype[];
    -- R-T-1: a timestamptz is read as its date in China
    days regtype[] := ARRAY['date', 'timestamp without time zone', 'timestamp with time zone']::regtype[];
    offices int := 0;
BEGIN
    PERFORM cbreturn._check_table("table", 'table');
    IF reason IS NULL AND remarks IS NULL THEN
        RAISE EXCEPTION USING ERRCODE = 'invalid_parameter_value',
            MESSAGE = 'the export check needs a reason column, a remarks column or both',
            HINT = 'The R-EX-1 window depends on the reason; without a reason column it is read from the R-EX-2 code in the remarks.';
    END IF;
    IF fill_remarks AND (remarks IS NULL OR reason IS NULL) THEN
        RAISE EXCEPTION USING ERRCODE = 'invalid_parameter_value',
            MESSAGE = 'fill_remarks needs both a reason column and a remarks column';
    END IF;
    offices := (supervision_code IS NOT NULL)::int + (export_office IS NOT NULL)::int
               + (return_office IS NOT NULL)::int;
    IF offices NOT IN (0, 3) THEN
        RAISE EXCEPTION USING ERRCODE = 'invalid_parameter_value',
            MESSAGE = 'the R-EX-5 cross-customs check needs supervision_code, export_office and return_office together';
    END IF;
    IF offices = 3 AND returned_on IS NULL THEN
        RAISE EXCEPTION USING ERRCODE = 'invalid_parameter_value',
            MESSAGE = 'the R-EX-5 cross-customs check needs the returned_on column';
    END IF;
    IF deadline IS NOT NULL AND deadline IN (exported_on, reason, returned_on, remarks) THEN
        RAISE EXCEPTION USING ERRCODE = 'invalid_parameter_value',
            MESSAGE = 'the deadline column must be a column of its own';
    END IF;

    PERFORM cbreturn._register("table", 'export', fill_remarks);
    PERFORM cbreturn._attach_column("table", 'export', 'exported_on', "table", exported_on, days,
                                    'the export clearance date (R-EX-1)');
    IF reason IS NOT NULL THEN
        PERFORM cbreturn._attach_column("table", 'export', 'reason', "table", reason, reasons,
                                        'the return reason (R-EX-1)');
    END IF;
    IF returned_on IS NOT NULL THEN
        PERFORM cbreturn._attach_column("table", 'export', 'returned_on', "table", returned_on, days,
                                        'the return date (R-EX-1)');
    END IF;
    IF remarks IS NOT NULL THEN
        PERFORM cbreturn._attach_column("table", 'export', 'remarks', "table", remarks, textual,
                                        'the remarks (R-EX-2)');
    END IF;
    IF offices = 3 THEN
        PERFORM cbreturn._attach_column("table", 'export', 'supervision_code', "table", supervision_code, sup,
                                        'the supervision code (R-EX-5)');
        PERFORM cbreturn._attach_column("table", 'export', 'export_office', "table", export_office, office,
                                        'the customs office that cleared the export (R-EX-5)');
        PERFORM cbreturn._attach_column("table", 'export', 'return_office', "table", return_office, office,
                                        'the customs office of the return (R-EX-5)');
    END IF;
    IF deadline IS NOT NULL THEN
        PERFORM cbreturn._attach_column("table", 'export', 'deadline', "table", deadline, dates,
                                        'the deadline to fill in (R-EX-1)');
    END IF;
    -- A check that only reads the row fires AFTER it is written, so that COPY
    -- keeps inserting in batches (PostgreSQL falls back to one row at a time
    -- when a table has any BEFORE ROW trigger); an error still aborts the
    -- statement and leaves nothing behind.  Its WHEN clause names the checked
    -- columns (by number once created, so RENAME COLUMN keeps it right), and
    -- a row that passes every rule queues no trigger event at all.  Filling
    -- the remarks or the deadline changes the row, which only a BEFORE
    -- trigger can do, and it must see every row: no WHEN clause.
    IF fill_remarks OR deadline IS NOT NULL THEN
        PERFORM cbreturn._refuse_generated("table",
            ARRAY[exported_on, reason, returned_on, remarks, supervision_code, export_office,
                  return_office, deadline],
            'the export check that fills remarks or a deadline');
        EXECUTE pg_catalog.format(
            'CREATE TRIGGER cbreturn_export_check BEFORE INSERT OR UPDATE ON %s '
            'FOR EACH ROW EXECUTE FUNCTION cbreturn.export_return_check()', "table");
    ELSE
        EXECUTE pg_catalog.format(
            'CREATE TRIGGER cbreturn_export_check AFTER INSERT OR UPDATE ON %s FOR EACH ROW '
            'WHEN (NOT cbreturn._export_row_ok(%L::pg_catalog.regclass, %s, %s, %s, %s, %s, %s, %s)) '
            'EXECUTE FUNCTION cbreturn.export_return_check()',
            "table", "table"::pg_catalog.oid,
            cbreturn._new_date_column("table", exported_on), cbreturn._new_column(reason),
            cbreturn._new_date_column("table", returned_on), cbreturn._new_column(remarks),
            cbreturn._new_column(supervision_code), cbreturn._new_column(export_office),
            cbreturn._new_column(return_office));
    END IF;
END
$$;

CREATE OR REPLACE FUNCTION cbreturn.attach_import_return_checks(
    "table"             regclass,
    released_on         name,
    applied_on          name DEFAULT NULL,
    arrived_on          name DEFAULT NULL)
    RETURNS void
    LANGUAGE plpgsql
    SET search_path = pg_catalog, pg_temp
AS $$
DECLARE
    -- R-T-1: a timestamptz is read as its date in China
    dates regtype[] := ARRAY['date', 'timestamp without time zone', 'timestamp with time zone']::regtype[];
BEGIN
    PERFORM cbreturn._check_table("table", 'table');
    IF applied_on IS NULL AND arrived_on IS NULL THEN
        RAISE EXCEPTION USING ERRCODE = 'invalid_parameter_value',
            MESSAGE = 'the import check needs an applied_on column, an arrived_on column or both';
    END IF;
    PERFORM cbreturn._register("table", 'import');
    PERFORM cbreturn._attach_column("table", 'import', 'released_on', "table", released_on, dates,
                                    'the release date of the import list (R-IM-1)');
    IF applied_on IS NOT NULL THEN
        PERFORM cbreturn._attach_column("table", 'import', 'applied_on', "table", applied_on, dates,
                                        'the date the return was applied for (R-IM-1)');
    END IF;
    IF arrived_on IS NOT NULL THEN
        PERFORM cbreturn._attach_column("table", 'import', 'arrived_on', "table", arrived_on, dates,
                                        'the date the goods arrived back (R-IM-1)');
    END IF;
    -- AFTER, with a WHEN clause naming the checked columns (as the export check).
    EXECUTE pg_catalog.format(
        'CREATE TRIGGER cbreturn_import_check AFTER INSERT OR UPDATE ON %s FOR EACH ROW '
        'WHEN (NOT cbreturn._import_row_ok(%L::pg_catalog.regclass, %s, %s, %s)) '
        'EXECUTE FUNCTION cbreturn.import_return_check()',
        "table", "table"::pg_catalog.oid, cbreturn._new_date_column("table", released_on),
        cbreturn._new_date_column("table", applied_on), cbreturn._new_date_column("table", arrived_on));
END
$$;
