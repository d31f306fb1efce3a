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
-- R-EX-1 (returned_on on or before the deadline for that reason).  Written
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
    IF NEW.exported_on IS NULL OR NEW.returned_on IS NULL THEN
        RAISE EXCEPTION 'R-EX-1: export and return dates are required' USING ERRCODE = 'CB001';
    END IF;
    deadline := (NEW.exported_on + CASE reason WHEN 'quality_or_spec' THEN interval '12 months'
                                               ELSE interval '6 months' END)::date;
    IF NEW.returned_on > deadline THEN
        RAISE EXCEPTION 'R-EX-1: return is past the deadline'
            USING ERRCODE = 'CB001',
                  DETAIL = format('Exported on %s, returned on %s, reason %s, deadline %s.',
                                  NEW.exported_on, NEW.returned_on, reason, deadline);
    END IF;
    RETURN NEW;
END
$$;
