-- postgres_fdw (docs/scale-out.md, "postgres_fdw"): a foreign server with
-- OPTIONS (extensions 'cbreturn') sends cbreturn's operators and IMMUTABLE
-- functions to the remote server; without the option they run here, after
-- every row came over.  A comparison of a text result (district(),
-- return_status()) runs here either way (its collation comes from no remote
-- column); district_number() is the form that ships.  STABLE functions (the
-- policy tables' answers) always run here, with this server's policy.
-- The remote server is this database, over the unix socket (loopback).
CREATE EXTENSION postgres_fdw;
DO $$
BEGIN
    EXECUTE pg_catalog.format(
        'CREATE SERVER cbr_fdw FOREIGN DATA WRAPPER postgres_fdw'
        ' OPTIONS (host %L, port %L, dbname %L, extensions %L)',
        split_part(current_setting('unix_socket_directories'), ',', 1), current_setting('port'),
        current_database(), 'cbreturn');
    EXECUTE pg_catalog.format(
        'CREATE SERVER cbr_fdw_plain FOREIGN DATA WRAPPER postgres_fdw'
        ' OPTIONS (host %L, port %L, dbname %L)',
        split_part(current_setting('unix_socket_directories'), ',', 1), current_setting('port'),
        current_database());
END
$$;
CREATE USER MAPPING FOR CURRENT_USER SERVER cbr_fdw;
CREATE USER MAPPING FOR CURRENT_USER SERVER cbr_fdw_plain;

CREATE SCHEMA fdw_remote;
CREATE TABLE fdw_remote.export_return (
    id          int PRIMARY KEY,
    decl        cbreturn.declaration_id NOT NULL,
    office      cbreturn.customs_code NOT NULL,
    reason      cbreturn.return_reason NOT NULL,
    exported_on date NOT NULL,
    returned_on date
);
INSERT INTO fdw_remote.export_return VALUES
    (1, '010120261000000001', '0101', 'unsold', '2026-01-10', '2026-03-01'),
    (2, '010120261000000002', '0102', 'consumer_return', '2025-01-10', '2025-09-01'),
    (3, '220120260000000003', '2201', 'quality_or_spec', '2026-02-01', NULL),
    (4, '530220261000000004', '5302', 'unsold', '2025-06-30', '2025-12-31');
CREATE FOREIGN TABLE fdw_returns (
    id int, decl cbreturn.declaration_id, office cbreturn.customs_code, reason cbreturn.return_reason,
    exported_on date, returned_on date)
    SERVER cbr_fdw OPTIONS (schema_name 'fdw_remote', table_name 'export_return');
CREATE FOREIGN TABLE fdw_returns_plain (
    id int, decl cbreturn.declaration_id, office cbreturn.customs_code, reason cbreturn.return_reason,
    exported_on date, returned_on date)
    SERVER cbr_fdw_plain OPTIONS (schema_name 'fdw_remote', table_name 'export_return');

-- The lines of EXPLAIN VERBOSE that say where a condition runs: Remote SQL
-- (there) and Filter (here).
CREATE FUNCTION pg_temp.where_run(q text) RETURNS SETOF text LANGUAGE plpgsql AS $$
DECLARE
    l text;
BEGIN
    FOR l IN EXECUTE 'EXPLAIN (VERBOSE, COSTS OFF) ' || q LOOP
        IF l ~ '^\s*(->\s*)?(Remote SQL|Filter|Relations):' THEN
            RETURN NEXT btrim(l);
        END IF;
    END LOOP;
END
$$;

-- An operator of a cbreturn type: shipped with the option, not without.
SELECT pg_temp.where_run($$SELECT id FROM fdw_returns WHERE office OPERATOR(cbreturn.=) '0101'$$);
SELECT pg_temp.where_run($$SELECT id FROM fdw_returns_plain WHERE office OPERATOR(cbreturn.=) '0101'$$);
-- An IMMUTABLE rule function (R-EX-1): shipped.
SELECT pg_temp.where_run($$SELECT id FROM fdw_returns
                            WHERE returned_on > cbreturn.export_return_deadline(exported_on, reason)$$);
-- district() compared with a constant: here; district_number(): there.
SELECT pg_temp.where_run($$SELECT id FROM fdw_returns WHERE cbreturn.district(office) = '01'$$);
SELECT pg_temp.where_run($$SELECT id FROM fdw_returns WHERE cbreturn.district_number(office) = 1$$);
SELECT pg_temp.where_run($$SELECT id FROM fdw_returns WHERE cbreturn.district_number(decl) = 53$$);
-- Grouping by either ships (the aggregate runs there).
SELECT pg_temp.where_run($$SELECT cbreturn.district_number(office), count(*) FROM fdw_returns GROUP BY 1$$);
SELECT pg_temp.where_run($$SELECT cbreturn.return_status(cbreturn.export_return_deadline(exported_on, reason),
                                                          returned_on, '2026-06-30'), count(*)
                            FROM fdw_returns GROUP BY 1$$);
-- A STABLE function reads this server's policy tables: here.
SELECT pg_temp.where_run($$SELECT id FROM fdw_returns
                            WHERE cbreturn.is_rest_day(returned_on)$$);

-- The answers are the same wherever they are computed.
SELECT id, cbreturn.district_number(office) AS office_district, cbreturn.district_number(decl) AS decl_district,
       cbreturn.district(office) AS district_text
  FROM fdw_returns WHERE cbreturn.district_number(office) IN (1, 53) ORDER BY id;
SELECT (SELECT array_agg(id ORDER BY id) FROM fdw_returns WHERE cbreturn.district_number(office) = 1)
     = (SELECT array_agg(id ORDER BY id) FROM fdw_remote.export_return WHERE cbreturn.district(office) = '01')
       AS same_rows;
SELECT * FROM (
    SELECT cbreturn.return_status(cbreturn.export_return_deadline(exported_on, reason), returned_on, '2026-06-30') AS status,
           count(*)
      FROM fdw_returns GROUP BY 1) s
 ORDER BY status COLLATE "C";
SELECT cbreturn.district_number('0000'::cbreturn.customs_code) AS lowest,
       cbreturn.district_number('9999'::cbreturn.customs_code) AS highest;

-- A write through the foreign table fires the remote table's checks, and
-- their error comes back with its SQLSTATE (R-IM-1: CB001).
CREATE TABLE fdw_remote.import_return (id int PRIMARY KEY, released_on date, applied_on date, arrived_on date);
SELECT cbreturn.attach_import_return_checks('fdw_remote.import_return',
    released_on => 'released_on', applied_on => 'applied_on', arrived_on => 'arrived_on');
CREATE FOREIGN TABLE fdw_import (id int, released_on date, applied_on date, arrived_on date)
    SERVER cbr_fdw OPTIONS (schema_name 'fdw_remote', table_name 'import_return');
\set VERBOSITY sqlstate
INSERT INTO fdw_import VALUES (1, '2026-01-01', '2026-02-15', NULL);
\set VERBOSITY default
INSERT INTO fdw_import VALUES (2, '2026-01-01', '2026-01-20', NULL);
SELECT id FROM fdw_remote.import_return ORDER BY id;
SELECT cbreturn.detach('fdw_remote.import_return');
DROP FOREIGN TABLE fdw_import;

-- A foreign table cannot become a partition of a returns table under a
-- quantity check: TRUNCATE of it would bypass the ledger (it can have no
-- TRUNCATE trigger), so both ways in are refused, leaving nothing behind.
CREATE TABLE fdw_remote.qdecl (g int PRIMARY KEY, qty int);
CREATE TABLE fdw_remote.qret (id int, d date, g int, qty int) PARTITION BY RANGE (d);
CREATE TABLE fdw_remote.qret26 PARTITION OF fdw_remote.qret FOR VALUES FROM ('2026-01-01') TO ('2027-01-01');
SELECT cbreturn.attach_quantity_check('fdw_remote.qret', '{g}', 'qty', 'fdw_remote.qdecl', '{g}', 'qty') IS NULL AS attached;
SELECT split_part(regress.try($$CREATE FOREIGN TABLE fdw_remote.qret27 PARTITION OF fdw_remote.qret
                      FOR VALUES FROM ('2027-01-01') TO ('2028-01-01') SERVER cbr_fdw$$), ':', 1) AS sqlstate;
CREATE FOREIGN TABLE fdw_remote.qret28 (id int, d date, g int, qty int) SERVER cbr_fdw;
SELECT split_part(regress.try($$ALTER TABLE fdw_remote.qret ATTACH PARTITION fdw_remote.qret28
                      FOR VALUES FROM ('2028-01-01') TO ('2029-01-01')$$), ':', 1) AS sqlstate;
SELECT count(*) AS partitions FROM pg_partition_tree('fdw_remote.qret');
DROP FOREIGN TABLE fdw_remote.qret28;

DROP FOREIGN TABLE fdw_returns, fdw_returns_plain;
DROP SCHEMA fdw_remote CASCADE;
DROP EXTENSION postgres_fdw CASCADE;
