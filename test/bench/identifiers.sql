-- Workload "identifiers": declaration numbers (R-ID-1) stored as
-- cbreturn.declaration_id, as text (default collation and COLLATE "C") and as
-- bigint (the flag letters E and I encoded as digits 2 and 3, as a DBA who
-- wants an 8-byte key would do).
--
--   copy        COPY of :rows numbers from a server-side file into an empty table
--   table size  pg_table_size after the COPY
--   index build CREATE INDEX (btree) on the loaded table
--   index size  pg_relation_size of that index
--   join        equality join of :rows x :rows rows (hash join, in memory)
--
-- psql variables: rows, runs, datadir.

\set ON_ERROR_STOP 1
SET max_parallel_workers_per_gather = 0;
SET max_parallel_maintenance_workers = 0;

-- :rows distinct numbers: offices of the shipped districts, years 2015-2025,
-- all four flags, 9-digit sequences spread over the range.
CREATE UNLOGGED TABLE bench.decl_src AS
SELECT i,
       d.codes[1 + i % d.n] || lpad(((i / 7) % 100)::text, 2, '0')
       || (2015 + (i / 3) % 11)::text
       || (ARRAY['0', '1', 'E', 'I'])[1 + (i / 5) % 4]
       || lpad(((i::bigint * 104729) % 1000000000)::text, 9, '0') AS txt
  FROM generate_series(1, :rows) AS i,
       (SELECT array_agg(code ORDER BY code) AS codes, count(*)::int AS n
          FROM cbreturn.districts) AS d;

SELECT format('COPY (SELECT txt FROM bench.decl_src ORDER BY md5(i::text)) TO %L',
              :'datadir' || '/decl.txt') \gexec
SELECT format('COPY (SELECT translate(txt, ''EI'', ''23'')::bigint FROM bench.decl_src ORDER BY md5(i::text)) TO %L',
              :'datadir' || '/decl-bigint.txt') \gexec

CREATE UNLOGGED TABLE bench.id_decl (id cbreturn.declaration_id);
CREATE UNLOGGED TABLE bench.id_text (id text);
CREATE UNLOGGED TABLE bench.id_text_c (id text COLLATE "C");
CREATE UNLOGGED TABLE bench.id_bigint (id bigint);

SELECT bench.add('identifiers', 'copy', t.name, t.role,
                 format('COPY bench.%I FROM %L', t.tab, :'datadir' || t.file),
                 :rows, format('TRUNCATE bench.%I', t.tab))
  FROM (VALUES ('declaration_id', 'id_decl', '/decl.txt', 'other'),
               ('text', 'id_text', '/decl.txt', 'other'),
               ('text COLLATE "C"', 'id_text_c', '/decl.txt', 'other'),
               ('bigint', 'id_bigint', '/decl-bigint.txt', 'ref')) AS t(name, tab, file, role);
CALL bench.run_measure('identifiers', 'copy', :runs);

-- The four tables hold the same numbers.
SELECT bench.assert_zero('declaration_id vs text after COPY',
       (SELECT count(*) FROM bench.id_decl d FULL JOIN bench.id_text t ON d.id::text = t.id
         WHERE d.id IS NULL OR t.id IS NULL));
SELECT bench.assert_zero('declaration_id vs bigint after COPY',
       (SELECT count(*) FROM bench.id_decl d FULL JOIN bench.id_bigint b
               ON translate(d.id::text, 'EI', '23')::bigint = b.id
         WHERE d.id IS NULL OR b.id IS NULL));

VACUUM (ANALYZE) bench.id_decl, bench.id_text, bench.id_text_c, bench.id_bigint;
SELECT bench.add_figure('identifiers', 'table size', t.name, t.role,
                        pg_table_size(format('bench.%I', t.tab)::regclass), 'bytes', :rows)
  FROM (VALUES ('declaration_id', 'id_decl', 'other'), ('text', 'id_text', 'other'),
               ('text COLLATE "C"', 'id_text_c', 'other'), ('bigint', 'id_bigint', 'ref')) AS t(name, tab, role);

SELECT bench.add('identifiers', 'index build', t.name, t.role,
                 format('CREATE INDEX %I ON bench.%I (id)', t.tab || '_idx', t.tab),
                 :rows, format('DROP INDEX IF EXISTS bench.%I', t.tab || '_idx'))
  FROM (VALUES ('declaration_id', 'id_decl', 'other'), ('text', 'id_text', 'other'),
               ('text COLLATE "C"', 'id_text_c', 'other'), ('bigint', 'id_bigint', 'ref')) AS t(name, tab, role);
CALL bench.run_measure('identifiers', 'index build', :runs);

SELECT bench.add_figure('identifiers', 'index size', t.name, t.role,
                        pg_relation_size(format('bench.%I', t.tab || '_idx')::regclass), 'bytes', :rows)
  FROM (VALUES ('declaration_id', 'id_decl', 'other'), ('text', 'id_text', 'other'),
               ('text COLLATE "C"', 'id_text_c', 'other'), ('bigint', 'id_bigint', 'ref')) AS t(name, tab, role);
SELECT bench.add_target('identifiers', 'index size', 'declaration_id', 'value', 1.0, 'bigint', '≤ 1 × bigint');
SELECT bench.add_target('identifiers', 'index size', 'declaration_id', 'value', 0.65, 'text', '≥ 35% smaller than text');

-- The join reads two unindexed copies, so every type gets the same plan: a
-- hash join that fits in work_mem.
DROP INDEX bench.id_decl_idx, bench.id_text_idx, bench.id_text_c_idx, bench.id_bigint_idx;
CREATE UNLOGGED TABLE bench.id_decl_b AS SELECT id FROM bench.id_decl ORDER BY id;
CREATE UNLOGGED TABLE bench.id_text_b AS SELECT id FROM bench.id_text ORDER BY id;
CREATE UNLOGGED TABLE bench.id_text_c_b AS SELECT id FROM bench.id_text_c ORDER BY id;
CREATE UNLOGGED TABLE bench.id_bigint_b AS SELECT id FROM bench.id_bigint ORDER BY id;
VACUUM (ANALYZE) bench.id_decl_b, bench.id_text_b, bench.id_text_c_b, bench.id_bigint_b;
SET work_mem = '256MB';
SET enable_mergejoin = off;

SELECT bench.add('identifiers', 'join', t.name, t.role,
                 format('SELECT count(*) FROM bench.%I a JOIN bench.%I b ON a.id = b.id', t.tab, t.tab || '_b'),
                 :rows, NULL, 'Hash Join')
  FROM (VALUES ('declaration_id', 'id_decl', 'other'), ('text', 'id_text', 'other'),
               ('text COLLATE "C"', 'id_text_c', 'other'), ('bigint', 'id_bigint', 'ref')) AS t(name, tab, role);
SELECT bench.check_plans('identifiers');
SELECT bench.assert_zero('join row counts',
       (SELECT count(*) FROM (VALUES
            ((SELECT count(*) FROM bench.id_decl a JOIN bench.id_decl_b b ON a.id = b.id)),
            ((SELECT count(*) FROM bench.id_text a JOIN bench.id_text_b b ON a.id = b.id)),
            ((SELECT count(*) FROM bench.id_text_c a JOIN bench.id_text_c_b b ON a.id = b.id)),
            ((SELECT count(*) FROM bench.id_bigint a JOIN bench.id_bigint_b b ON a.id = b.id))) v(n)
         WHERE n <> :rows));
CALL bench.run_measure('identifiers', 'join', :runs);
RESET work_mem;
RESET enable_mergejoin;

-- Free the space before the next workload.
DROP TABLE bench.decl_src, bench.id_decl_b, bench.id_text_b, bench.id_text_c_b, bench.id_bigint_b;
