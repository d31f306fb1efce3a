-- Status of a return for reporting (rules section 6), R-P-1: the deadline day is on time.
CREATE EXTENSION IF NOT EXISTS cbreturn;
SET datestyle = 'ISO, YMD';

-- Deadline 2026-07-01 throughout; due_soon threshold 7 days unless given.
SELECT n, returned_on, as_of, soon, expected,
       cbreturn.return_status('2026-07-01', returned_on, as_of, soon) AS got,
       cbreturn.return_days_left('2026-07-01', returned_on, as_of) AS days_left,
       cbreturn.return_status('2026-07-01', returned_on, as_of, soon) = expected AS ok
FROM (VALUES
    (1,  NULL::date,   '2026-06-23'::date, 7, 'open'),           -- 8 days left
    (2,  NULL,         '2026-06-24',       7, 'due_soon'),       -- 7 days left
    (3,  NULL,         '2026-07-01',       7, 'due_soon'),       -- deadline day, 0 left
    (4,  NULL,         '2026-07-02',       7, 'overdue'),        -- the day after
    (5,  NULL,         '2026-07-01',       0, 'due_soon'),
    (6,  NULL,         '2026-06-30',       0, 'open'),
    (7,  '2026-07-01', '2026-08-01',       7, 'closed_on_time'), -- returned on the deadline
    (8,  '2026-07-02', '2026-08-01',       7, 'closed_late'),
    (9,  '2026-05-01', '2026-05-01',       7, 'closed_on_time'),
    (10, '2026-07-05', '2026-06-20',       7, 'open'),           -- return dated after as_of: not yet
    (11, '2026-07-05', '2026-07-03',       7, 'overdue')
) AS t(n, returned_on, as_of, soon, expected)
ORDER BY n;

-- Default threshold (7 days), NULLs.
SELECT cbreturn.return_status('2026-07-01', NULL, '2026-06-24') AS default_threshold,
       cbreturn.return_status(NULL, NULL, '2026-06-24') IS NULL AS no_deadline,
       cbreturn.return_status('2026-07-01', NULL, NULL) IS NULL AS no_as_of,
       cbreturn.return_status('2026-07-01', NULL, '2026-06-24', NULL) IS NULL AS no_threshold,
       cbreturn.return_days_left('2026-07-01', NULL, NULL) IS NULL AS no_days;

-- In a report, joined with the deadline function.
SELECT cbreturn.return_status(cbreturn.export_return_deadline(exported_on, reason), returned_on, '2027-03-01', 14) AS status,
       count(*)
FROM (VALUES ('2026-08-31'::date, 'unsold'::cbreturn.return_reason, NULL::date),   -- due 2027-02-28: overdue
             ('2026-09-10', 'unsold', NULL),                                       -- due 2027-03-10: due_soon
             ('2026-09-30', 'consumer_return', NULL),                              -- due 2027-03-30: open
             ('2026-08-31', 'quality_or_spec', '2027-02-01'),                      -- closed_on_time
             ('2026-06-30', 'unsold', '2027-01-02'))                               -- due 2026-12-30: closed_late
     AS r(exported_on, reason, returned_on)
GROUP BY 1 ORDER BY 1;

-- Bad input: negative threshold (22023), infinite dates (22008).
SELECT cbreturn.return_status('2026-07-01', NULL, '2026-06-24', -1);
SELECT cbreturn.return_status('infinity', NULL, '2026-06-24');
SELECT cbreturn.return_days_left('2026-07-01', NULL, '-infinity');
