-- The one-call assessment (issue 12, item 7): assess_export_return and
-- assess_import_return.  Every field must be the answer of the rule function
-- that decides it (agreement over generated rows), a NULL input must leave
-- NULL only the fields that need it and be named in missing, an import return
-- is overdue as soon as either window is late, and bad input raises what the
-- rule functions raise.
SET search_path = public, cbreturn;

-- ---------------------------------------------------------------------------
-- One export return, field by field
-- ---------------------------------------------------------------------------
-- Open, 5 days before its deadline: due soon (7 days by default); the
-- return-date verdicts wait for the return date, which is not missing.
SELECT deadline, days_left, status, remark_code, cross_customs_allowed,
       tax_relief IS NULL AS relief_null, evidence, missing
  FROM assess_export_return('9610', '2026-01-10', 'unsold', NULL, '2026-07-05', '2924', '5316', false, true);
-- due_soon_days is a parameter: 4 days makes the same return open.
SELECT status, days_left FROM assess_export_return('9610', '2026-01-10', 'unsold', NULL, '2026-07-05', due_soon_days => 4);
-- The deadline day itself is on time (R-P-1); the day after is overdue.
SELECT as_of, (a).status, (a).days_left
  FROM (VALUES (date '2026-07-10'), (date '2026-07-11')) v(as_of),
       LATERAL (SELECT assess_export_return('9610', '2026-01-10', 'unsold', NULL, v.as_of) AS a) x
 ORDER BY as_of;
-- Returned: closed on time, with the cross-customs verdict and the relief.
SELECT deadline, days_left, status, cross_customs_allowed, (tax_relief).relieved,
       (tax_relief).failed, cardinality(evidence) > 0 AS has_evidence, missing
  FROM assess_export_return('9610', '2026-01-10', 'unsold', '2026-03-01', '2026-07-05', '2924', '5316', false, true);
-- Returned late, through another district before the nationwide date from a
-- district outside the pilot (Jinan 4301 -> Shenzhen 5316): closed_late, not
-- allowed, no relief (R-TX-2 window).
SELECT deadline, days_left, status, cross_customs_allowed, (tax_relief).relieved,
       (tax_relief).failed, evidence, missing
  FROM assess_export_return('9610', '2025-03-01', 'consumer_return', '2025-09-02', '2026-01-01', '4301', '5316', false, true);
-- An ordinary return (issue 12, item 4): the same return, declared as
-- ordinary returned goods, is taxed; its relief says why and asks for no
-- evidence.  It is outside the CBEC window and remark code (R-EX-1, R-EX-2,
-- as the export check holds it to neither): no deadline, days or remark
-- code, status 'ordinary', also when it came back after the CBEC deadline
-- (2026-07-10) or is not back yet; R-EX-5 still holds for it.
SELECT deadline, days_left, status, remark_code, cross_customs_allowed, (tax_relief).relieved,
       (tax_relief).failed, (tax_relief).basis IS NOT NULL AS says_why, evidence, missing
  FROM assess_export_return('9610', '2026-01-10', 'unsold', '2026-03-01', '2026-07-05', '2924', '5316', false, true,
                            ordinary => true);
SELECT returned_on, (a).deadline, (a).days_left, (a).status, (a).remark_code, (a).missing
  FROM (VALUES (NULL::date), (date '2026-09-01')) v(returned_on),
       LATERAL (SELECT assess_export_return('9610', '2026-01-10', 'unsold', v.returned_on, '2026-09-05',
                                            ordinary => true) AS a) x
 ORDER BY 1;
-- ordinary NULL: not known whether the CBEC window applies, so deadline,
-- days, status, remark code and relief are unknown and it is missing; the
-- cross-customs verdict does not need it.
SELECT deadline, days_left, status, remark_code, cross_customs_allowed, tax_relief IS NULL AS relief_null, missing
  FROM assess_export_return('9610', '2026-01-10', 'unsold', '2026-03-01', '2026-07-05', '2924', '5316', false, true,
                            ordinary => NULL);
-- It still may not come back before it left (22023), as the check says.
SELECT regress.try($$SELECT assess_export_return('9610', '2026-01-10', 'unsold', '2026-01-09', '2026-07-05', ordinary => true)$$);
-- The status has its label for people, in either language.
SELECT return_status_label((assess_export_return('9610', '2026-01-10', 'unsold', NULL, '2026-07-05', ordinary => true)).status);
SET cbreturn.language = 'zh_CN.UTF-8';
SELECT return_status_label('ordinary');
RESET cbreturn.language;
-- A return dated after as_of had not happened on that day: still open.
SELECT status, days_left FROM assess_export_return('9610', '2026-01-10', 'unsold', '2026-06-01', '2026-03-01');

-- ---------------------------------------------------------------------------
-- A NULL input leaves NULL only what needs it (it made every field NULL)
-- ---------------------------------------------------------------------------
-- original_state NULL: only the relief is unknown.
SELECT deadline, status, remark_code, cross_customs_allowed, tax_relief IS NULL AS relief_null,
       evidence IS NULL AS evidence_null, missing
  FROM assess_export_return('9610', '2026-01-10', 'quality_or_spec', '2026-03-01', '2026-07-05', '2924', '2924', false, NULL);
-- reason NULL: deadline, status, remark code and relief unknown; the
-- cross-customs verdict does not need it.
SELECT deadline, status, remark_code, cross_customs_allowed, tax_relief IS NULL AS relief_null, missing
  FROM assess_export_return('9610', '2026-01-10', NULL, '2026-03-01', '2026-07-05', '2924', '2924', false, true);
-- as_of NULL: the deadline and the return-date verdicts are still answered.
SELECT deadline, days_left, status, cross_customs_allowed, (tax_relief).relieved, missing
  FROM assess_export_return('9610', '2026-01-10', 'unsold', '2026-03-01', NULL, '2924', '2924', false, true);
-- due_soon_days NULL: days left without a status.
SELECT days_left, status, missing
  FROM assess_export_return('9610', '2026-01-10', 'unsold', NULL, '2026-07-05', due_soon_days => NULL);
-- 1210 counts the relief window from leaving the special area (R-TX-2): it
-- is needed, and missing; for other codes it is not.
SELECT code, (a).tax_relief IS NULL AS relief_null, (a).missing
  FROM (VALUES ('1210'::supervision_code), ('9610')) v(code),
       LATERAL (SELECT assess_export_return(v.code, '2026-01-10', 'unsold', '2026-03-01', '2026-07-05',
                                            '2924', '2924', false, true) AS a) x
 ORDER BY code;
SELECT (tax_relief).relieved, missing
  FROM assess_export_return('1210', '2026-01-10', 'unsold', '2026-03-01', '2026-07-05', '2924', '2924',
                            false, true, left_special_area_on => '2026-01-20');
-- Everything NULL: every field NULL but missing, which names every input
-- but returned_on (not returned yet) and left_special_area_on (no code).
SELECT deadline, days_left, status, remark_code, cross_customs_allowed, tax_relief, evidence, missing
  FROM assess_export_return(NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL);

-- ---------------------------------------------------------------------------
-- Bad input: the errors of the rule functions
-- ---------------------------------------------------------------------------
SELECT regress.try($$SELECT assess_export_return('9610', '2026-01-10', 'unsold', '2026-01-09', '2026-07-05')$$);
SELECT regress.try($$SELECT assess_export_return('9610', 'infinity', 'unsold', NULL, '2026-07-05')$$);
SELECT regress.try($$SELECT assess_export_return('9610', '2026-01-10', 'unsold', NULL, '-infinity')$$);
SELECT regress.try($$SELECT assess_export_return('9610', '2026-01-10', 'unsold', 'infinity', '2026-07-05')$$);
SELECT regress.try($$SELECT assess_export_return('9610', '2026-01-10', 'unsold', NULL, '2026-07-05', due_soon_days => -1)$$);
SELECT regress.try($$SELECT assess_export_return('9610', '2026-01-10', 'unsold', '2026-03-01', '2026-07-05', '9924', '2924')$$);
SELECT regress.try($$SELECT assess_export_return('9611', '2026-01-10', 'unsold', '2026-03-01', '2026-07-05', '2924', '2924', false, true)$$);
-- The widest span of type date still gives the exact number of days, never
-- a wrapped one.
SELECT deadline, days_left, status
  FROM assess_export_return('9610', '5874897-06-30', 'unsold', NULL, '4713-11-24 BC');

-- ---------------------------------------------------------------------------
-- Agreement with the rule functions over generated rows
-- ---------------------------------------------------------------------------
-- Every field is exactly what the function deciding it answers, for every
-- reason, code, pair of offices, return date (none, on time, late) and
-- as_of; the relief is export_tax_relief's own row.
WITH g AS (
    SELECT c::supervision_code AS code, e AS exported_on, r::return_reason AS reason,
           ret AS returned_on, a AS as_of, eo::customs_code AS export_office, ro::customs_code AS return_office,
           f AS is_food, os AS original_state, rc AS rebate_claimed
      FROM unnest(ARRAY['9610', '9710', '0110']) c,
           unnest(ARRAY[date '2024-06-30', date '2025-08-31', date '2026-02-28']) e,
           unnest(enum_range(NULL::return_reason)) r,
           LATERAL (VALUES (NULL::date), (e + 30), (e + 200), (e + 400)) rt(ret),
           LATERAL (VALUES (e + 10), (e + 180), (e + 366)) at(a),
           LATERAL (VALUES ('2924', '2924'), ('4301', '5316'), ('2924', '5316')) o(eo, ro),
           unnest(ARRAY[false, true]) f,
           unnest(ARRAY[true, false]) os,
           unnest(ARRAY[false, true]) rc
), x AS (
    SELECT g.*, assess_export_return(code, exported_on, reason, returned_on, as_of, export_office, return_office,
                                     is_food, original_state, NULL, rebate_claimed) AS a
      FROM g
)
SELECT count(*) AS rows,
       count(*) FILTER (WHERE (a).deadline IS DISTINCT FROM export_return_deadline(exported_on, reason)) AS deadline_differs,
       count(*) FILTER (WHERE (a).days_left IS DISTINCT FROM return_days_left(export_return_deadline(exported_on, reason), returned_on, as_of)) AS days_differ,
       count(*) FILTER (WHERE (a).status IS DISTINCT FROM return_status(export_return_deadline(exported_on, reason), returned_on, as_of)) AS status_differs,
       count(*) FILTER (WHERE (a).remark_code IS DISTINCT FROM remark_code(reason)) AS remark_differs,
       count(*) FILTER (WHERE (a).cross_customs_allowed IS DISTINCT FROM cross_customs_return_allowed(code, export_office, return_office, returned_on)) AS cross_differs,
       count(*) FILTER (WHERE (a).tax_relief IS DISTINCT FROM export_tax_relief(code, exported_on, returned_on, reason, is_food, original_state, NULL, rebate_claimed)) AS relief_differs,
       count(*) FILTER (WHERE (a).evidence IS DISTINCT FROM
                         CASE WHEN returned_on IS NOT NULL
                              THEN coalesce(string_to_array(((a).tax_relief).evidence_required, '; '), '{}') END) AS evidence_differs,
       count(*) FILTER (WHERE (a).missing <> '{}') AS with_missing,
       count(DISTINCT (a).status) AS statuses,
       count(*) FILTER (WHERE ((a).tax_relief).relieved) AS relieved
  FROM x;

-- ---------------------------------------------------------------------------
-- Import returns: both clocks (R-IM-1)
-- ---------------------------------------------------------------------------
-- Released 2026-01-01: apply by 2026-01-31, arrive by 2026-02-15.
-- Nothing yet, 3 days before the application deadline: due soon.
SELECT * FROM assess_import_return('2026-01-01', NULL, NULL, '2026-01-28');
-- Applied late (day 35), goods not yet arrived and their window still open:
-- overdue already, before arrival (R-IM-1: late as soon as it is filed).
SELECT * FROM assess_import_return('2026-01-01', '2026-02-05', NULL, '2026-02-06');
-- Not applied by the deadline, nothing arrived: overdue from the day after.
SELECT status, days_left, apply_status, arrival_status, on_time FROM assess_import_return('2026-01-01', NULL, NULL, '2026-01-31');
SELECT status, days_left, apply_status, arrival_status, on_time FROM assess_import_return('2026-01-01', NULL, NULL, '2026-02-01');
-- Applied on time, goods late: overdue, then closed_late once they arrive.
SELECT status, days_left, on_time FROM assess_import_return('2026-01-01', '2026-01-20', NULL, '2026-02-16');
SELECT status, days_left, on_time FROM assess_import_return('2026-01-01', '2026-01-20', '2026-02-20', '2026-03-01');
-- Both on time: closed_on_time, the smaller margin.
SELECT * FROM assess_import_return('2026-01-01', '2026-01-20', '2026-02-10', '2026-03-06');
-- Applied on time, goods on the way: the arrival window decides.
SELECT status, days_left, on_time FROM assess_import_return('2026-01-01', '2026-01-05', NULL, '2026-02-10');
SELECT status, days_left, on_time FROM assess_import_return('2026-01-01', '2026-01-05', NULL, '2026-01-10');
-- Inputs missing: released_on leaves only missing; as_of leaves deadlines and on_time.
SELECT * FROM assess_import_return(NULL, '2026-01-20', NULL, '2026-02-01');
SELECT apply_deadline, arrival_deadline, status, on_time, missing
  FROM assess_import_return('2026-01-01', '2026-01-20', '2026-02-10', NULL, NULL);
-- An ordinary return (issue 12, item 4): outside R-IM-1, as the import check
-- holds it: no deadline, days or on_time, every status 'ordinary', also when
-- applied late (day 35); ordinary NULL leaves them unknown and is missing;
-- dates out of order are still bad input (22023).
SELECT * FROM assess_import_return('2026-01-01', '2026-02-05', NULL, '2026-02-06', ordinary => true);
SELECT * FROM assess_import_return('2026-01-01', '2026-02-05', NULL, '2026-02-06', ordinary => NULL);
SELECT regress.try($$SELECT assess_import_return('2026-01-01', '2025-12-31', NULL, '2026-01-05', ordinary => true)$$);
-- Bad input: as import_return_on_time and return_status.
SELECT regress.try($$SELECT assess_import_return('2026-01-01', '2025-12-31', NULL, '2026-01-05')$$);
SELECT regress.try($$SELECT assess_import_return('2026-01-01', NULL, '2025-12-31', '2026-01-05')$$);
SELECT regress.try($$SELECT assess_import_return('infinity', NULL, NULL, '2026-01-05')$$);
SELECT regress.try($$SELECT assess_import_return('2026-01-01', NULL, NULL, 'infinity')$$);
SELECT regress.try($$SELECT assess_import_return('2026-01-01', NULL, NULL, '2026-01-05', -3)$$);

-- Agreement over generated rows: each window is return_status /
-- return_days_left of its own deadline, on_time is import_return_on_time
-- once both dates are known, and the return's status is overdue exactly when
-- a window is late and not both are closed.
WITH g AS (
    SELECT rel AS released_on, rel + ap AS applied_on, rel + ar AS arrived_on, rel + ao AS as_of
      FROM unnest(ARRAY[date '2024-02-29', date '2025-12-31']) rel,
           LATERAL (VALUES (NULL::int), (0), (29), (30), (31), (44)) a1(ap),
           LATERAL (VALUES (NULL::int), (10), (45), (46)) a2(ar),
           LATERAL (VALUES (0), (23), (30), (31), (40), (45), (46), (90)) a3(ao)
), x AS (
    SELECT g.*, assess_import_return(released_on, applied_on, arrived_on, as_of) AS a FROM g
)
SELECT count(*) AS rows,
       count(*) FILTER (WHERE (a).apply_status IS DISTINCT FROM return_status(import_apply_deadline(released_on), applied_on, as_of)) AS apply_differs,
       count(*) FILTER (WHERE (a).arrival_status IS DISTINCT FROM return_status(import_arrival_deadline(released_on), arrived_on, as_of)) AS arrival_differs,
       count(*) FILTER (WHERE (a).apply_days_left IS DISTINCT FROM return_days_left(import_apply_deadline(released_on), applied_on, as_of)) AS apply_days_differ,
       count(*) FILTER (WHERE (a).arrival_days_left IS DISTINCT FROM return_days_left(import_arrival_deadline(released_on), arrived_on, as_of)) AS arrival_days_differ,
       count(*) FILTER (WHERE applied_on IS NOT NULL AND arrived_on IS NOT NULL
                          AND (a).on_time IS DISTINCT FROM import_return_on_time(released_on, applied_on, arrived_on)) AS on_time_differs,
       count(*) FILTER (WHERE ((a).status = 'overdue') IS DISTINCT FROM
                              (((a).apply_status IN ('overdue', 'closed_late') OR (a).arrival_status IN ('overdue', 'closed_late'))
                               AND NOT ((a).apply_status LIKE 'closed%' AND (a).arrival_status LIKE 'closed%'))) AS overdue_differs,
       count(*) FILTER (WHERE ((a).status LIKE 'closed%') IS DISTINCT FROM
                              ((a).apply_status LIKE 'closed%' AND (a).arrival_status LIKE 'closed%')) AS closed_differs,
       count(*) FILTER (WHERE (a).status = 'overdue' AND (a).arrival_status NOT IN ('overdue', 'closed_late')) AS overdue_before_arrival
  FROM x;

-- IMMUTABLE import assessment (no policy read): usable in a generated column.
CREATE TABLE assess_import_gen (
    released_on date, applied_on date, arrived_on date,
    apply_deadline date GENERATED ALWAYS AS ((assess_import_return(released_on, applied_on, arrived_on, NULL)).apply_deadline) STORED
);
INSERT INTO assess_import_gen VALUES ('2026-01-01', NULL, NULL);
SELECT apply_deadline FROM assess_import_gen;
DROP TABLE assess_import_gen;

-- A 1210 return with an infinite departure: 22008, as the export check and
-- bonded_export_return_deadline say (it was answered as if on time).
SELECT regress.try($$SELECT (cbreturn.assess_export_return('1210', '2026-01-01', 'unsold', '2026-02-01', '2026-03-01',
                                                          left_special_area_on => 'infinity')).status$$);
