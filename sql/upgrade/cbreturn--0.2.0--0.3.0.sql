-- cbreturn 0.2.0 -> 0.3.0.  Run by ALTER EXTENSION cbreturn UPDATE; attached
-- checks (their triggers and metadata) are kept.  Each section below names the
-- change it carries; test/checks/upgrade.sh requires the result to equal a
-- fresh 0.3.0 install, from 0.2.0 and from 0.1.0 alike.
\echo Use "ALTER EXTENSION cbreturn UPDATE" to load this file. \quit

-- ==== registers in the write-time checks, the 1210 clock (issue 11) ====
-- The register lookups are decided in C over a per-session snapshot of the
-- registers (src/rules/registers.c, src/policy/registers.c), reloaded after
-- an edit through the statement triggers registers_changed; the PL/pgSQL
-- bodies of 0.2.0 give way to C functions with the same answers.
DROP FUNCTION cbreturn.register_date_guard(date, text);
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

DROP FUNCTION cbreturn.explain_registers(date, cbreturn.uscc, text, cbreturn.customs_code, text, text,
                                            cbreturn.customs_registration_code, cbreturn.uscc);
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

-- R-EX-1 with R-TX-2: the 1210 clock (item 7)
CREATE FUNCTION cbreturn.bonded_export_return_deadline(exported_on date, left_special_area_on date,
                                                       reason cbreturn.return_reason)
    RETURNS date
    AS 'MODULE_PATHNAME', 'bonded_export_return_deadline'
    LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
COMMENT ON FUNCTION cbreturn.bonded_export_return_deadline(date, date, cbreturn.return_reason) IS
    'last day (inclusive) a 1210 export may re-enter: the R-EX-1 window counted from the day the goods left the special area (R-TX-2, R-P-1)';

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

COMMENT ON FUNCTION cbreturn.export_return_check() IS
    'AFTER ROW trigger (BEFORE ROW when it fills remarks or a deadline): R-EX-1 window (R-TX-2 for 1210), R-EX-2 remark code, R-EX-5 cross-customs, R-EX-6 return site, R-EX-4 applicant; attach with cbreturn.attach_export_return_checks';
COMMENT ON FUNCTION cbreturn.import_return_check() IS
    'AFTER ROW trigger: R-IM-1 application and arrival windows and arrival place, R-IM-5 return-centre warehouse, R-IM-6, R-IM-7 applicant; attach with cbreturn.attach_import_return_checks';

-- Since 0.3.0 attach writes the forms below, with the register roles (R-EX-4,
-- R-EX-6, R-IM-5, R-IM-6, R-IM-7) and the departure of R-TX-2 last; the
-- shorter forms above stay for the triggers attached before (and restored
-- from their dumps), which read no such role.
CREATE FUNCTION cbreturn._export_row_ok(checked regclass, exported_on date, reason "any",
                                        returned_on date, remarks "any", supervision_code "any",
                                        export_office "any", return_office "any", applicant "any",
                                        return_site "any", left_special_area_on date)
    RETURNS boolean
    AS 'MODULE_PATHNAME', 'cbr_export_row_ok' LANGUAGE C STABLE PARALLEL SAFE;
CREATE FUNCTION cbreturn._import_row_ok(checked regclass, released_on date, applied_on date,
                                        arrived_on date, supervision_code "any", original_place "any",
                                        arrival_place "any", declared_area "any", warehouse "any",
                                        enterprise "any", applicant "any")
    RETURNS boolean
    AS 'MODULE_PATHNAME', 'cbr_import_row_ok' LANGUAGE C STABLE PARALLEL SAFE;
COMMENT ON FUNCTION cbreturn._export_row_ok(regclass, date, "any", date, "any", "any", "any", "any", "any", "any", date) IS
    'internal: WHEN clause of the reading export check; true when the row passes R-EX-1 (R-TX-2 for 1210), R-EX-2, R-EX-5, R-EX-6 and R-EX-4, so that no trigger event is queued for it';
COMMENT ON FUNCTION cbreturn._import_row_ok(regclass, date, date, date, "any", "any", "any", "any", "any", "any", "any") IS
    'internal: WHEN clause of the import check; true when the row passes R-IM-1 and the register rules attached (R-IM-5, R-IM-6, R-IM-7), so that no trigger event is queued for it';

-- The attach functions take the new columns last (a new signature).
DROP FUNCTION cbreturn.attach_export_return_checks(regclass, name, name, name, name, boolean, name, name, name, name);
DROP FUNCTION cbreturn.attach_import_return_checks(regclass, name, name, name);
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
    left_special_area_on name DEFAULT NULL)
    RETURNS void
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
    offices int := 0;
BEGIN
    PERFORM cbreturn._check_table("table", 'table');
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
    PERFORM cbreturn._attach_column("table", 'export', 'exported_on', "table", exported_on, dates,
                                    cbreturn._text('role.exported_on'));
    IF reason IS NOT NULL THEN
        PERFORM cbreturn._attach_column("table", 'export', 'reason', "table", reason, reasons,
                                        cbreturn._text('role.reason'));
    END IF;
    IF returned_on IS NOT NULL THEN
        PERFORM cbreturn._attach_column("table", 'export', 'returned_on', "table", returned_on, dates,
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
                                        left_special_area_on, dates, cbreturn._text('role.left_special_area_on'));
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
                  return_office, deadline, applicant, return_site, left_special_area_on],
            cbreturn._text('check.export_filling'));
        EXECUTE pg_catalog.format(
            'CREATE TRIGGER cbreturn_export_check BEFORE INSERT OR UPDATE ON %s '
            'FOR EACH ROW EXECUTE FUNCTION cbreturn.export_return_check()', "table");
    ELSE
        EXECUTE pg_catalog.format(
            'CREATE TRIGGER cbreturn_export_check AFTER INSERT OR UPDATE ON %s FOR EACH ROW '
            'WHEN (NOT cbreturn._export_row_ok(%L::pg_catalog.regclass, %s, %s, %s, %s, %s, %s, %s, %s, %s, %s)) '
            'EXECUTE FUNCTION cbreturn.export_return_check()',
            "table", "table"::pg_catalog.oid,
            cbreturn._new_column(exported_on), cbreturn._new_column(reason),
            cbreturn._new_column(returned_on), cbreturn._new_column(remarks),
            cbreturn._new_column(supervision_code), cbreturn._new_column(export_office),
            cbreturn._new_column(return_office), cbreturn._new_column(applicant),
            cbreturn._new_column(return_site), cbreturn._new_column(left_special_area_on));
    END IF;
END
$$;
COMMENT ON FUNCTION cbreturn.attach_export_return_checks(regclass, name, name, name, name, boolean, name, name, name, name,
                                                         name, name, name) IS
    'attach the export-return checks (R-EX-1 window, from the departure for 1210 per R-TX-2; R-EX-2 remark code; R-EX-5 cross-customs; R-EX-6 return site; R-EX-4 applicant) to a table, naming its columns';

-- ---------------------------------------------------------------------------
-- attach_import_return_checks: R-IM-1, R-IM-5, R-IM-6, R-IM-7
-- ---------------------------------------------------------------------------
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
    applicant           name DEFAULT NULL)
    RETURNS void
    LANGUAGE plpgsql
    SET search_path = pg_catalog, pg_temp
AS $$
DECLARE
    dates regtype[] := ARRAY['date']::regtype[];
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
    EXECUTE pg_catalog.format(
        'CREATE TRIGGER cbreturn_import_check AFTER INSERT OR UPDATE ON %s FOR EACH ROW '
        'WHEN (NOT cbreturn._import_row_ok(%L::pg_catalog.regclass, %s, %s, %s, %s, %s, %s, %s, %s, %s, %s)) '
        'EXECUTE FUNCTION cbreturn.import_return_check()',
        "table", "table"::pg_catalog.oid, cbreturn._new_column(released_on),
        cbreturn._new_column(applied_on), cbreturn._new_column(arrived_on),
        cbreturn._new_column(supervision_code), cbreturn._new_column(original_place),
        cbreturn._new_column(arrival_place), cbreturn._new_column(declared_area),
        cbreturn._new_column(warehouse), cbreturn._new_column(enterprise),
        cbreturn._new_column(applicant));
END
$$;
COMMENT ON FUNCTION cbreturn.attach_import_return_checks(regclass, name, name, name, name, name, name, name, name,
                                                         name, name) IS
    'attach the import-return checks (R-IM-1: application within 30 days, arrival within 45 days of release, at the original place; R-IM-5 return-centre warehouse; R-IM-6 special area of declaration; R-IM-7 applicant) to a table';
