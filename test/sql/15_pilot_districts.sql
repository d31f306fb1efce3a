-- Pilot data (R-EX-5, issue 11 item 8): districts.confidence says how sure
-- the code and names are; pilot_confidence and pilot_source say how sure the
-- pilot membership is and which source names it.  The rules list the 20
-- pilot districts with membership M; seed 001 names Beijing, Tianjin,
-- Dalian, Harbin, Shanghai, Nanjing, Hangzhou, Chengdu and Urumqi, seed 002
-- Beijing, Tianjin, Dalian and Hangzhou: where a seed agrees with the list,
-- H.  Qingdao is in the rules' list of 20 but in no seed: M, never U (the
-- rules grade the list M) and never H (no second source).
SET datestyle = 'ISO, YMD';
SET search_path = public, cbreturn;

SELECT code, name_en, cross_return_pilot_from, confidence, pilot_confidence, pilot_source
  FROM districts WHERE code IN ('01', '19', '42', '43', '79', '94') ORDER BY code;

-- Every pilot district has a pilot source and confidence; no other does.
SELECT cross_return_pilot_from IS NOT NULL AS pilot, pilot_confidence, count(*),
       count(*) FILTER (WHERE pilot_source IS NOT NULL) AS with_source
  FROM districts GROUP BY 1, 2 ORDER BY 1, 2;

-- The nine districts seed 001 names are H; the eleven no seed names are M.
-- Must be empty.
SELECT name_en, pilot_confidence FROM districts
 WHERE cross_return_pilot_from IS NOT NULL
   AND (name_en IN ('Beijing', 'Tianjin', 'Dalian', 'Harbin', 'Shanghai', 'Nanjing', 'Hangzhou', 'Chengdu', 'Urumqi'))
       <> (pilot_confidence = 'H')
 ORDER BY 1;
-- No pilot district reads U (the rules grade the list M), and the source
-- says which seeds name it.  Must be empty.
SELECT name_en, pilot_confidence, pilot_source FROM districts
 WHERE cross_return_pilot_from IS NOT NULL
   AND (pilot_confidence = 'U'
        OR (pilot_source LIKE '%named in seed%') <> (pilot_confidence = 'H')
        OR pilot_source NOT LIKE 'GACC 2024 No. 167%')
 ORDER BY 1;
-- The two questions are separate: code confidence is the district list's.
SELECT name_en, confidence AS code_confidence, pilot_confidence FROM districts
 WHERE name_en IN ('Harbin', 'Chengdu', 'Urumqi', 'Qingdao') ORDER BY 1;

-- Bad values are refused.
SELECT pilot_confidence FROM districts WHERE code = '42';
\set VERBOSITY terse
UPDATE districts SET pilot_confidence = 'X' WHERE code = '42';
UPDATE districts SET pilot_source = '' WHERE code = '42';
\set VERBOSITY default
-- A DBA who checks Qingdao against the announcement records it.
BEGIN;
UPDATE districts SET pilot_confidence = 'H', pilot_source = 'GACC 2024 No. 167' WHERE code = '42';
SELECT code, pilot_confidence, pilot_source, shipped FROM districts WHERE code = '42';
ROLLBACK;
