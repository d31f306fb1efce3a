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

CREATE FUNCTION cbreturn._node_local() RETURNS trigger
    AS 'MODULE_PATHNAME', '_node_local' LANGUAGE C;
COMMENT ON FUNCTION cbreturn._node_local() IS
    'internal: BEFORE ROW trigger, enabled REPLICA, on the per-node tables of cbreturn: drops the rows logical replication applies to them (docs/scale-out.md)';

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

-- cbreturn.reason_labels is a policy table too: the same treatment.
CREATE TRIGGER reason_labels_changed_replica AFTER INSERT OR UPDATE OR DELETE ON cbreturn.reason_labels
    FOR EACH ROW EXECUTE FUNCTION cbreturn._reason_labels_changed();
ALTER TABLE cbreturn.reason_labels ENABLE REPLICA TRIGGER reason_labels_changed_replica,
    ENABLE ALWAYS TRIGGER reason_labels_changed_truncate, ENABLE ALWAYS TRIGGER policy_row_guard,
    ENABLE ALWAYS TRIGGER label_key_guard;

CREATE TRIGGER node_local BEFORE INSERT OR UPDATE OR DELETE ON cbreturn.attached_check
    FOR EACH ROW EXECUTE FUNCTION cbreturn._node_local();
CREATE TRIGGER node_local BEFORE INSERT OR UPDATE OR DELETE ON cbreturn.attached_column
    FOR EACH ROW EXECUTE FUNCTION cbreturn._node_local();
CREATE TRIGGER node_local BEFORE INSERT OR UPDATE OR DELETE ON cbreturn.quantity_ledger
    FOR EACH ROW EXECUTE FUNCTION cbreturn._node_local();
ALTER TABLE cbreturn.attached_check ENABLE REPLICA TRIGGER node_local;
ALTER TABLE cbreturn.attached_column ENABLE REPLICA TRIGGER node_local;
ALTER TABLE cbreturn.quantity_ledger ENABLE REPLICA TRIGGER node_local;

-- The log of recorded violations (sql/57_violations.sql) describes this
-- node's own writes too.
CREATE TRIGGER node_local BEFORE INSERT OR UPDATE OR DELETE ON cbreturn.violation_log
    FOR EACH ROW EXECUTE FUNCTION cbreturn._node_local();
ALTER TABLE cbreturn.violation_log ENABLE REPLICA TRIGGER node_local;

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
