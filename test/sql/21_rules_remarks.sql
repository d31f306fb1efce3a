-- Remark codes (R-EX-2): the first position of the remarks column names the reason.
CREATE EXTENSION IF NOT EXISTS cbreturn;
SET datestyle = 'ISO, YMD';

-- Every reason and its code; the code reads back as the same reason.
SELECT r AS reason, cbreturn.remark_code(r) AS code,
       cbreturn.reason_from_remarks(cbreturn.remark_code(r)) = r AS round_trip
FROM unnest(enum_range(NULL::cbreturn.return_reason)) AS r
ORDER BY r;

-- What reason_from_remarks accepts (docs/rules.md): leading white space
-- (ASCII and U+3000), any letter case, the code alone or followed by a
-- character that is not an ASCII letter or digit.  Anything else is NULL.
SELECT remarks, expected, cbreturn.reason_from_remarks(remarks) AS got,
       cbreturn.reason_from_remarks(remarks) IS NOT DISTINCT FROM expected AS ok
FROM (VALUES
    (1,  'ZXTY',                   'unsold'::cbreturn.return_reason),
    (2,  'THTY',                   'consumer_return'),
    (3,  'PGTY',                   'quality_or_spec'),
    (4,  'zxty',                   'unsold'),
    (5,  'tHtY order 12345',       'consumer_return'),
    (6,  '   PGTY',                'quality_or_spec'),
    (7,  E'\tZXTY',                'unsold'),
    (8,  E'\n THTY',               'consumer_return'),
    (9,  '　PGTY',                 'quality_or_spec'),  -- ideographic space U+3000
    (10, 'ZXTY;lot 7',             'unsold'),
    (11, 'THTY-2',                 'consumer_return'),
    (12, 'PGTY品质不符',           'quality_or_spec'),
    (13, 'ZXTYX',                  NULL),              -- a longer word
    (14, 'ZXTY1',                  NULL),
    (15, 'XZXTY',                  NULL),              -- not at the first position
    (16, 'returned THTY',          NULL),
    (17, 'ZXT',                    NULL),
    (18, '',                       NULL),
    (19, '   ',                    NULL),
    (20, 'ＺＸＴＹ',               NULL),              -- full-width letters are not the code
    (21, 'Z XTY',                  NULL)
) AS t(n, remarks, expected)
ORDER BY n;

SELECT cbreturn.reason_from_remarks(NULL) IS NULL AS null_in_null_out,
       cbreturn.remark_code(NULL) IS NULL AS null_reason;
