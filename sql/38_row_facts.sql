-- How the write-time checks read the facts of an ERP's row (docs/enforcement.md,
-- "How a check reads a row"; docs/rules.md, R-T-1 and R-V-1): the date in
-- China of a timestamp (R-T-1) and the reason vocabulary (R-V-1).  The C side
-- is src/policy/china_date.c, src/policy/reason_labels.c and src/sql_api/facts.c.

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
    ('quality_or_spec', 'quality_or_spec', true),
    -- the English words of R-EX-2 for the three kinds (rules R-V-1)
    ('unsold stock', 'unsold', true),
    ('consumer return', 'consumer_return', true),
    ('product return', 'consumer_return', true),
    ('quality', 'quality_or_spec', true),
    ('specification', 'quality_or_spec', true),
    ('quality or specification', 'quality_or_spec', true);

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
