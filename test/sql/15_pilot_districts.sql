-- Pilot data (R-EX-5, issue 11 item 8): districts.confidence says how sure
-- the code and names are; pilot_confidence and pilot_source say how sure the
-- pilot membership is and which source names it.  Seed 001 names Beijing,
-- Tianjin, Dalian, Harbin, Shanghai, Nanjing, Hangzhou, Chengdu and Urumqi;
-- seed 002 names Beijing, Tianjin, Dalian and Hangzhou; Qingdao is in the
-- rules' list of 20 but in no seed.
SET datestyle = 'ISO, YMD';
SET search_path = public, cbreturn;

SELECT code, name_en, cross_return_pilot_from, confidence, pilot_confidence, pilot_source
  FROM districts WHERE code IN ('01', '19', '42', '43', '79', '94') ORDER BY code;

-- Every pilot district has a pilot source and confidence; no other does.
SELECT cross_return_pilot_from IS NOT NULL AS pilot, pilot_confidence, count(*),
       count(*) FILTER (WHERE pilot_source IS NOT NULL) AS with_source
  FROM districts GROUP BY 1, 2 ORDER BY 1, 2;

-- The nine districts seed 001 names are M or H; those no seed names are U.
SELECT name_en, pilot_confidence FROM districts
 WHERE cross_return_pilot_from IS NOT NULL
   AND (name_en IN ('Beijing', 'Tianjin', 'Dalian', 'Harbin', 'Shanghai', 'Nanjing', 'Hangzhou', 'Chengdu', 'Urumqi'))
       = (pilot_confidence = 'U')
 ORDER BY 1;

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
