-- SQL-language twins of the C functions, written as a DBA would write them to
-- get the rule without the extension.  Not STRICT and a single expression,
-- so the planner inlines them into the calling query (a STRICT SQL function
-- whose body is not itself strict is not inlined).  run.sh checks that they
-- give the C functions' answers on the benchmark data before timing them.

\set ON_ERROR_STOP 1

-- R-EX-1 with R-P-1: 6 months (unsold, consumer return) or 1 year (quality
-- or specification) after the export date; date + interval keeps the day of
-- the month or clamps to the month's last day, as R-P-1 wants.
CREATE FUNCTION bench.export_return_deadline_sql(exported_on date, reason cbreturn.return_reason)
    RETURNS date LANGUAGE sql IMMUTABLE PARALLEL SAFE
RETURN (exported_on + CASE reason WHEN 'quality_or_spec' THEN interval '12 months'
                                  WHEN 'unsold' THEN interval '6 months'
                                  WHEN 'consumer_return' THEN interval '6 months' END)::date;
