-- PL/pgSQL twins of the C functions and triggers, written as a competent DBA
-- would write them: same rules, same policy tables, no needless work.
-- run.sh checks that they give the C functions' answers on the benchmark
-- data before timing them.

\set ON_ERROR_STOP 1

-- R-EX-1 with R-P-1 (see sqlfuncs.sql for the arithmetic).
CREATE FUNCTION bench.export_return_deadline_plpgsql(exported_on date, reason cbreturn.return_reason)
    RETURNS date LANGUAGE plpgsql IMMUTABLE STRICT PARALLEL SAFE
AS $$
BEGIN
    IF NOT isfinite(exported_on) THEN
        RAISE EXCEPTION 'export date % is not finite', exported_on USING ERRCODE = '22008';
    END IF;
    IF reason = 'quality_or_spec' THEN
        RETURN (exported_on + interval '12 months')::date;
    END IF;
    RETURN (exported_on + interval '6 months')::date;
END
$$;

-- The export-return checks of a returns table, as a BEFORE INSERT OR UPDATE
-- row trigger: R-EX-2 (the remarks start with ZXTY, THTY or PGTY, leading
-- white space and case ignored, not followed by a letter or digit) and
-- R-EX-1 (returned_on on or before the deadline for that reason, not before
-- the export; a NULL date skips the window).  Written
-- for the benchmark's returns tables (columns exported_on, returned_on,
-- remarks); a DBA writes one per table.  Same SQLSTATEs as the C trigger.
CREATE FUNCTION bench.export_return_checks_plpgsql() RETURNS trigger LANGUAGE plpgsql
AS $$
DECLARE
    code text;
    reason cbreturn.return_reason;
    deadline date;
BEGIN
    code := upper((regexp_match(NEW.remarks, E'^[[:space:]\u3000]*([A-Za-z]{4})(?![A-Za-z0-9])'))[1]);
    reason := CASE code WHEN 'ZXTY' THEN 'unsold'
                        WHEN 'THTY' THEN 'consumer_return'
                        WHEN 'PGTY' THEN 'quality_or_spec' END;
    IF reason IS NULL THEN
        RAISE EXCEPTION 'R-EX-2: remarks do not start with a return code'
            USING ERRCODE = 'CB002', DETAIL = format('The remarks are %L.', NEW.remarks),
                  HINT = 'Start the remarks with ZXTY, THTY or PGTY.';
    END IF;
    -- A NULL date skips the window check, as in the C trigger.
    deadline := (NEW.exported_on + CASE reason WHEN 'quality_or_spec' THEN interval '12 months'
                                               ELSE interval '6 months' END)::date;
    IF NEW.returned_on > deadline THEN
        RAISE EXCEPTION 'R-EX-1: return is past the deadline'
            USING ERRCODE = 'CB001',
                  DETAIL = format('Exported on %s, returned on %s, reason %s, deadline %s.',
                                  NEW.exported_on, NEW.returned_on, reason, deadline);
    END IF;
    IF NEW.returned_on < NEW.exported_on THEN
        RAISE EXCEPTION 'R-EX-1: return is before the export'
            USING ERRCODE = 'CB001',
                  DETAIL = format('Exported on %s, returned on %s.', NEW.exported_on, NEW.returned_on);
    END IF;
    RETURN NEW;
END
$$;

-- R-EX-5: may a return re-enter through another customs district?  Reads the
-- same policy tables as the C function (cbreturn.districts,
-- cbreturn.supervision_codes, cbreturn.rule_parameters) and raises the same
-- errors for unknown codes.  Same district: always; otherwise 9610 only, on
-- or after the nationwide date, or within the pilot (the return district,
-- and the export district too when cross_customs_pilot_both_districts).
CREATE FUNCTION bench.cross_customs_return_allowed_plpgsql(code cbreturn.supervision_code,
                                                           export_office cbreturn.customs_code,
                                                           return_office cbreturn.customs_code,
                                                           returned_on date)
    RETURNS boolean LANGUAGE plpgsql STABLE STRICT PARALLEL SAFE
AS $$
DECLARE
    ed text := left(export_office::text, 2);
    rd text := left(return_office::text, 2);
    e_pilot date;
    r_pilot date;
    nationwide date;
    both_districts boolean;
BEGIN
    IF NOT isfinite(returned_on) THEN
        RAISE EXCEPTION 'returned_on must be a finite date' USING ERRCODE = '22008';
    END IF;
    SELECT d.cross_return_pilot_from INTO e_pilot FROM cbreturn.districts d WHERE d.code = ed;
    IF NOT FOUND THEN
        RAISE EXCEPTION 'customs district % of export office % is not in cbreturn.districts', ed, export_office
            USING ERRCODE = 'CB007';
    END IF;
    SELECT d.cross_return_pilot_from INTO r_pilot FROM cbreturn.districts d WHERE d.code = rd;
    IF NOT FOUND THEN
        RAISE EXCEPTION 'customs district % of return office % is not in cbreturn.districts', rd, return_office
            USING ERRCODE = 'CB007';
    END IF;
    PERFORM FROM cbreturn.supervision_codes s WHERE s.code = cross_customs_return_allowed_plpgsql.code;
    IF NOT FOUND THEN
        RAISE EXCEPTION 'supervision code % is not in cbreturn.supervision_codes', code USING ERRCODE = 'CB007';
    END IF;
    IF ed = rd THEN
        RETURN true;
    END IF;
    IF code <> '9610' THEN
        RETURN false;
    END IF;
    SELECT p.value_date INTO nationwide FROM cbreturn.rule_parameters p
     WHERE p.name = 'cross_customs_nationwide_from';
    IF returned_on >= nationwide THEN
        RETURN true;
    END IF;
    SELECT p.value_boolean INTO both_districts FROM cbreturn.rule_parameters p
     WHERE p.name = 'cross_customs_pilot_both_districts';
    RETURN coalesce(r_pilot <= returned_on, false)
           AND (NOT both_districts OR coalesce(e_pilot <= returned_on, false));
END
$$;
