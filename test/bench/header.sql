-- Workload "header": COPY of :rows returns whose export date, supervision
-- code and export office live on the declaration header (issue 12, item 2:
-- cbreturn.attach_header), with ERP reason labels (R-V-1), into
--   - the returns table with no checks (bare; its primary key and an index on
--     the header key, as every contender),
--   - the same table with the export checks reading the header (every row:
--     an index lookup of its header row, locked FOR KEY SHARE),
--   - the same table with the same facts copied onto the row and the export
--     checks reading them there (what the lookup costs over that),
--   - the same table with a FOREIGN KEY to the header and no checks: what
--     PostgreSQL's own per-row lookup and KEY SHARE lock of the referenced row
--     cost (the header lookup locks each header row the same way).
-- :rows / 4 headers, four returns each.  Every row is valid, so every COPY
-- loads all rows; before timing, both checked tables must accept and refuse
-- the same edge cases.

\set ON_ERROR_STOP 1
SET max_parallel_workers_per_gather = 0;
SET TimeZone = 'UTC';

CREATE UNLOGGED TABLE bench.hd_header (
    list_no         bigint PRIMARY KEY,
    released_at     timestamptz NOT NULL,
    trade_mode      text NOT NULL,
    decl_port       text NOT NULL,
    shipper         text
);
CREATE UNLOGGED TABLE bench.hd_none (
    return_no       bigint PRIMARY KEY,
    list_no         bigint,
    reason_label    text,
    back_on         date,
    remarks         text,
    ret_port        text
);
-- the returns' header key is indexed, as an ERP indexes a foreign key (and as the
-- header's guard wants it, to find the returns of a corrected header row)
CREATE INDEX ON bench.hd_none (list_no);
CREATE UNLOGGED TABLE bench.hd_lookup (LIKE bench.hd_none INCLUDING INDEXES);
SELECT cbreturn.attach_header('bench.hd_lookup', 'bench.hd_header', key => '{list_no}', header_key => '{list_no}',
       exported_on => 'released_at', supervision_code => 'trade_mode', export_office => 'decl_port');
SELECT cbreturn.attach_export_return_checks('bench.hd_lookup', exported_on => NULL, reason => 'reason_label',
       returned_on => 'back_on', remarks => 'remarks', return_office => 'ret_port');
CREATE UNLOGGED TABLE bench.hd_fk (LIKE bench.hd_none INCLUDING INDEXES,
    FOREIGN KEY (list_no) REFERENCES bench.hd_header);
CREATE UNLOGGED TABLE bench.hd_flat (
    return_no       bigint PRIMARY KEY,
    list_no         bigint,
    reason_label    text,
    back_on         date,
    remarks         text,
    ret_port        text,
    released_at     timestamptz,
    trade_mode      text,
    decl_port       text
);
CREATE INDEX ON bench.hd_flat (list_no);
SELECT cbreturn.attach_export_return_checks('bench.hd_flat', exported_on => 'released_at', reason => 'reason_label',
       returned_on => 'back_on', remarks => 'remarks', supervision_code => 'trade_mode',
       export_office => 'decl_port', return_office => 'ret_port');

-- :rows / 4 headers: released 2024-2026 in Beijing time, 9610 from office 5141
INSERT INTO bench.hd_header
SELECT l, timestamptz '2024-01-01 00:00+08' + make_interval(days => ((l::bigint * 7919) % 700)::int, mins => (l % 1440)::int),
       '9610', '5141', 'shipper ' || l
  FROM generate_series(1, greatest(:rows / 4, 1)) AS l;
ANALYZE bench.hd_header;

-- Edge cases: the header table and the flat table must agree.
CREATE TEMP TABLE hd_cases AS
SELECT row_number() OVER () AS n, h::timestamptz AS released_at, c AS trade_mode, o AS decl_port,
       l AS label, b::date AS back_on, m AS remarks, r AS ret_port
  FROM (VALUES
    ('2026-03-01 10:00+08', '9610', '5141', '滞销', '2026-09-01', 'ZXTY', '5141'),
    ('2026-03-01 10:00+08', '9610', '5141', '滞销', '2026-09-02', 'ZXTY', '5141'),
    ('2026-02-28 23:30+08', '9610', '5141', '退货', '2026-08-28', 'THTY', '5141'),
    ('2026-02-28 23:30+08', '9610', '5141', '退货', '2026-08-29', 'THTY', '5141'),
    ('2026-03-01 10:00+08', '1210', '5141', '品质', '2026-05-01', 'PGTY', '2924'),
    ('2026-03-01 10:00+08', '9610', '5141', '品质', '2026-05-01', 'PGTY', '2924'),
    ('2026-03-01 10:00+08', '9610', '5141', '规格', '2026-05-01', 'ZXTY', '5141')
  ) AS v(h, c, o, l, b, m, r);
CREATE FUNCTION pg_temp.hd_outcome(tab text, c hd_cases) RETURNS text LANGUAGE plpgsql AS $$
BEGIN
    IF tab = 'hd_lookup' THEN
        INSERT INTO bench.hd_header VALUES (-1, c.released_at, c.trade_mode, c.decl_port, NULL);
        INSERT INTO bench.hd_lookup VALUES (-1, -1, c.label, c.back_on, c.remarks, c.ret_port);
    ELSE
        INSERT INTO bench.hd_flat VALUES (-1, -1, c.label, c.back_on, c.remarks, c.ret_port,
                                          c.released_at, c.trade_mode, c.decl_port);
    END IF;
    RAISE EXCEPTION USING ERRCODE = 'P0001', MESSAGE = 'accepted';
EXCEPTION WHEN OTHERS THEN
    RETURN CASE WHEN SQLSTATE = 'P0001' THEN 'accepted' ELSE SQLSTATE END;
END
$$;
SELECT n, label, back_on, pg_temp.hd_outcome('hd_lookup', c) AS lookup, pg_temp.hd_outcome('hd_flat', c) AS flat
  FROM hd_cases c ORDER BY n;
SELECT bench.assert_zero('header: facts read from the header vs the same facts on the row (edge cases)',
       (SELECT count(*) FROM hd_cases c
         WHERE pg_temp.hd_outcome('hd_lookup', c) IS DISTINCT FROM pg_temp.hd_outcome('hd_flat', c)));

-- :rows valid returns, four per header, returned within 170 days, labels cycling.
SELECT format($q$COPY (
    SELECT r.i, h.list_no,
           (ARRAY['滞销', '退货退运', '品质', 'ZXTY', '退货', '品质规格退运', 'Zxty ', '规格'])[1 + r.i %% 8],
           cbreturn.china_date(h.released_at) + (r.i %% 170)::int,
           (ARRAY['ZXTY', 'THTY', 'PGTY', 'ZXTY', 'THTY', 'PGTY', 'ZXTY', 'PGTY'])[1 + r.i %% 8] || ' ' || r.i,
           '5141'
      FROM generate_series(1, %s) AS r(i)
      JOIN bench.hd_header h ON h.list_no = 1 + (r.i - 1) %% greatest(%s / 4, 1)
     ORDER BY r.i
    ) TO %L$q$, :rows, :rows, :'datadir' || '/header.txt') \gexec
SELECT format($q$COPY (
    SELECT r.i, h.list_no,
           (ARRAY['滞销', '退货退运', '品质', 'ZXTY', '退货', '品质规格退运', 'Zxty ', '规格'])[1 + r.i %% 8],
           cbreturn.china_date(h.released_at) + (r.i %% 170)::int,
           (ARRAY['ZXTY', 'THTY', 'PGTY', 'ZXTY', 'THTY', 'PGTY', 'ZXTY', 'PGTY'])[1 + r.i %% 8] || ' ' || r.i,
           '5141', h.released_at, h.trade_mode, h.decl_port
      FROM generate_series(1, %s) AS r(i)
      JOIN bench.hd_header h ON h.list_no = 1 + (r.i - 1) %% greatest(%s / 4, 1)
     ORDER BY r.i
    ) TO %L$q$, :rows, :rows, :'datadir' || '/header_flat.txt') \gexec

SELECT bench.add('header', 'copy', 'no checks (returns with a header key)', 'bare',
                 format('COPY bench.hd_none FROM %L', :'datadir' || '/header.txt'), :rows,
                 'TRUNCATE bench.hd_none');
SELECT bench.add('header', 'copy', 'export checks reading the header', 'ref',
                 format('COPY bench.hd_lookup FROM %L', :'datadir' || '/header.txt'), :rows,
                 'TRUNCATE bench.hd_lookup');
SELECT bench.add('header', 'copy', 'export checks on the same facts copied onto the row', 'other',
                 format('COPY bench.hd_flat FROM %L', :'datadir' || '/header_flat.txt'), :rows,
                 'TRUNCATE bench.hd_flat');
SELECT bench.add('header', 'copy', 'a FOREIGN KEY to the header, no checks', 'other',
                 format('COPY bench.hd_fk FROM %L', :'datadir' || '/header.txt'), :rows,
                 'TRUNCATE bench.hd_fk');
SELECT bench.add_target('header', 'copy', 'export checks reading the header', 'median', 1.3,
                        'no checks (returns with a header key)', '≤ 1.3 × COPY without');
CALL bench.run_measure('header', 'copy', :runs, cpu => true);

SELECT bench.assert_zero('every row loaded by every header contender',
       (SELECT count(*) FROM bench.contender c
         WHERE c.workload = 'header'
           AND (xpath('/row/c/text()', query_to_xml(
                  format('SELECT count(*) AS c FROM bench.%I',
                         substring(c.sql FROM 'COPY bench\.(\w+)')), false, true, '')))[1]::text::bigint <> :rows));

SELECT cbreturn.detach('bench.hd_lookup');
SELECT cbreturn.detach('bench.hd_flat');
DROP TABLE bench.hd_none, bench.hd_lookup, bench.hd_flat, bench.hd_fk, bench.hd_header;
