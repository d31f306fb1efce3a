-- Reference data: cbreturn.districts (R-ID-2, pilot dates R-EX-5) and
-- cbreturn.supervision_codes (R-ID-3).  Contents as shipped, privileges, the
-- pg_dump configuration, and cbreturn.policy_row_guard(), which keeps a DBA's
-- edits across dump and restore (docs/reference-data.md).
SET datestyle = 'ISO, YMD';
SET search_path = public, cbreturn;

CREATE FUNCTION pg_temp.query_error(query text)
    RETURNS TABLE (sqlstate text, message text) LANGUAGE plpgsql AS $$
BEGIN
    EXECUTE query;
    RETURN QUERY SELECT 'no error'::text, NULL::text;   -- the test fails visibly
EXCEPTION WHEN OTHERS THEN
    RETURN QUERY SELECT SQLSTATE::text, SQLERRM::text;
END
$$;

-- ---------------------------------------------------------------------------
-- As shipped.
-- ---------------------------------------------------------------------------
-- 42 directly-subordinate districts plus 00, the General Administration.
SELECT count(*) AS districts, count(*) FILTER (WHERE shipped) AS shipped,
       count(*) FILTER (WHERE cross_return_pilot_from IS NOT NULL) AS pilot,
       count(*) FILTER (WHERE confidence = 'H') AS h, count(*) FILTER (WHERE confidence = 'M') AS m,
       count(*) FILTER (WHERE confidence = 'U') AS u
  FROM districts;
-- The 20 pilot districts of R-EX-5 (GACC 2024 No. 167), all from 2024-12-15:
-- nothing missing, nothing extra.
WITH r_ex_5(name_en) AS (VALUES ('Beijing'), ('Tianjin'), ('Dalian'), ('Harbin'), ('Shanghai'),
    ('Nanjing'), ('Hangzhou'), ('Ningbo'), ('Hefei'), ('Fuzhou'), ('Xiamen'), ('Nanchang'),
    ('Qingdao'), ('Zhengzhou'), ('Changsha'), ('Guangzhou'), ('Shenzhen'), ('Huangpu'),
    ('Chengdu'), ('Urumqi'))
SELECT 'missing' AS problem, name_en FROM r_ex_5
 WHERE name_en NOT IN (SELECT name_en FROM districts WHERE cross_return_pilot_from = '2024-12-15')
UNION ALL
SELECT 'extra', name_en FROM districts
 WHERE cross_return_pilot_from IS NOT NULL AND name_en NOT IN (SELECT name_en FROM r_ex_5);
SELECT code, name_zh, name_en, cross_return_pilot_from, confidence
  FROM districts WHERE code IN ('00', '02', '29', '43', '53', '94') ORDER BY code;
-- Every district of a sample declaration number resolves through district().
SELECT d.code, d.name_en
  FROM (VALUES ('020220080525641690'::declaration_id), ('29242020I439440284')) AS t(id)
  JOIN districts d ON d.code = district(t.id)
 ORDER BY 1;

SELECT code, name_en, direction, is_cbec, confidence, shipped FROM supervision_codes ORDER BY code;

-- Marked for pg_dump: only rows a DBA added or changed are dumped.
SELECT unnest(extconfig)::regclass AS config_table, unnest(extcondition) AS dumped_rows
  FROM pg_extension WHERE extname = 'cbreturn' ORDER BY 1;

-- ---------------------------------------------------------------------------
-- Privileges: everyone may read, only the owner may write.
-- ---------------------------------------------------------------------------
CREATE ROLE regress_cbreturn_clerk;
SELECT t AS "table", p AS privilege, has_table_privilege('regress_cbreturn_clerk', t, p) AS granted
  FROM unnest(ARRAY['cbreturn.districts', 'cbreturn.supervision_codes']) AS t,
       unnest(ARRAY['SELECT', 'INSERT', 'UPDATE', 'DELETE', 'TRUNCATE', 'REFERENCES', 'TRIGGER']) AS p
 ORDER BY 1, 2;
SET ROLE regress_cbreturn_clerk;
SELECT name_en FROM districts WHERE code = '29';
SELECT name_en FROM supervision_codes WHERE code = '9610';
SELECT e.*
  FROM (VALUES
    (1, $$UPDATE cbreturn.districts SET cross_return_pilot_from = '2025-01-01' WHERE code = '43'$$),
    (2, $$INSERT INTO cbreturn.districts (code, name_zh, name_en) VALUES ('98', '测试', 'Test')$$),
    (3, $$DELETE FROM cbreturn.districts WHERE code = '29'$$),
    (4, $$TRUNCATE cbreturn.supervision_codes$$),
    (5, $$UPDATE cbreturn.supervision_codes SET is_cbec = false WHERE code = '9610'$$)
  ) AS t(n, q), LATERAL pg_temp.query_error(q) AS e
 ORDER BY n;
RESET ROLE;
DROP ROLE regress_cbreturn_clerk;

-- ---------------------------------------------------------------------------
-- policy_row_guard, as the owner.  Everything below is rolled back, so the
-- shipped data stay as they are for the files after this one.
-- ---------------------------------------------------------------------------
BEGIN;
-- An UPDATE clears "shipped", so pg_dump saves the edited row.
UPDATE districts SET cross_return_pilot_from = '2025-06-01', confidence = 'M' WHERE code = '43';
SELECT code, name_en, cross_return_pilot_from, confidence, shipped FROM districts WHERE code = '43';
-- ... even when the UPDATE tries to keep it: a DBA cannot mark an edit shipped.
UPDATE districts SET shipped = true WHERE code = '43';
SELECT code, shipped FROM districts WHERE code = '43';
-- Rows nobody touched stay shipped.
SELECT count(*) FILTER (WHERE shipped) AS still_shipped FROM districts;

-- An INSERT whose key matches a shipped row replaces it: this is what a
-- restore does with a dumped edit (CREATE EXTENSION has already inserted
-- the shipped row).
INSERT INTO districts (code, name_zh, name_en, cross_return_pilot_from, confidence, shipped)
VALUES ('01', '北京', 'Beijing', '2024-12-20', 'H', true);
SELECT code, name_en, cross_return_pilot_from, shipped, count(*) OVER () AS rows_with_code
  FROM districts WHERE code = '01';
-- A new district is stored as not shipped.
INSERT INTO districts (code, name_zh, name_en) VALUES ('98', '测试关', 'Test district');
SELECT code, name_en, cross_return_pilot_from, confidence, shipped FROM districts WHERE code = '98';
-- Inserting a duplicate of a row that is not shipped is a plain key violation.
SAVEPOINT dup;
INSERT INTO districts (code, name_zh, name_en) VALUES ('98', '测试关', 'Test district again');
ROLLBACK TO SAVEPOINT dup;
SAVEPOINT dup;
INSERT INTO districts (code, name_zh, name_en) VALUES ('01', '北京', 'Beijing again');   -- '01' was replaced above
ROLLBACK TO SAVEPOINT dup;
-- Changing a key onto another existing row is a key violation too.
SAVEPOINT dup;
UPDATE districts SET code = '02' WHERE code = '98';
ROLLBACK TO SAVEPOINT dup;

-- The same guard on supervision_codes.
UPDATE supervision_codes SET confidence = 'M' WHERE code = '1239';
INSERT INTO supervision_codes (code, name_zh, name_en, direction, kind, is_cbec, confidence)
VALUES ('9610', '跨境贸易电子商务', 'cross-border e-commerce (local wording)', 'both', 'retail, list-based', true, 'H');
INSERT INTO supervision_codes (code, name_zh, name_en, direction, kind, is_cbec)
VALUES ('1220', '保税电商', 'local test code', 'import', 'test', true);
SELECT code, name_en, confidence, shipped FROM supervision_codes WHERE NOT shipped ORDER BY code;
SAVEPOINT dup;
INSERT INTO supervision_codes (code, name_zh, name_en, direction, kind, is_cbec)
VALUES ('1220', '保税电商', 'local test code, other wording', 'import', 'test', true);
ROLLBACK TO SAVEPOINT dup;
-- A row identical to a local one is what a restore over the same edit brings
-- (issue 9, item 5): it is skipped, not a key violation.
INSERT INTO supervision_codes (code, name_zh, name_en, direction, kind, is_cbec)
VALUES ('1220', '保税电商', 'local test code', 'import', 'test', true);
SELECT count(*) AS rows_with_code FROM supervision_codes WHERE code = '1220';
-- What pg_dump would save: exactly the rows added or changed.
SELECT 'districts' AS "table", code::text FROM districts WHERE NOT shipped
UNION ALL
SELECT 'supervision_codes', code::text FROM supervision_codes WHERE NOT shipped
ORDER BY 1, 2;
-- Upgrade scripts insert shipped rows inside the setting
-- cbreturn.loading_policy = on; outside it, "shipped" is always cleared.
SET LOCAL cbreturn.loading_policy = on;
INSERT INTO districts (code, name_zh, name_en, confidence, shipped) VALUES ('97', '西宁', 'Xining', 'H', true);
SET LOCAL cbreturn.loading_policy = off;
SELECT code, name_en, confidence, shipped FROM districts WHERE code = '97';
ROLLBACK;

-- Constraints on the data a DBA enters (one per line).
SELECT e.*
  FROM (VALUES
    (1, $$INSERT INTO cbreturn.districts (code, name_zh, name_en) VALUES ('9', 'x', 'one digit')$$),
    (2, $$INSERT INTO cbreturn.districts (code, name_zh, name_en) VALUES ('9A', 'x', 'letter')$$),
    (3, $$INSERT INTO cbreturn.districts (code, name_zh, name_en, cross_return_pilot_from) VALUES ('98', 'x', 'y', 'infinity')$$),
    (4, $$INSERT INTO cbreturn.districts (code, name_zh, name_en, confidence) VALUES ('98', 'x', 'y', 'X')$$),
    (5, $$INSERT INTO cbreturn.districts (code, name_zh) VALUES ('98', 'x')$$),
    (6, $$INSERT INTO cbreturn.supervision_codes (code, name_zh, name_en, direction, kind, is_cbec) VALUES ('1220', 'x', 'y', 'inbound', 'k', true)$$),
    (7, $$INSERT INTO cbreturn.supervision_codes (code, name_zh, name_en, direction, kind, is_cbec) VALUES ('122', 'x', 'y', 'import', 'k', true)$$)
  ) AS t(n, q), LATERAL pg_temp.query_error(q) AS e
 ORDER BY n;

-- Nothing of the above stayed.
SELECT (SELECT count(*) FROM districts WHERE NOT shipped) AS districts_changed,
       (SELECT count(*) FROM supervision_codes WHERE NOT shipped) AS codes_changed;
RESET search_path;
RESET datestyle;
