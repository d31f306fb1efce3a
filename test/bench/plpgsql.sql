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
