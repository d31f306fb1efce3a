-- pgTAP: the identifier types (R-ID-1, R-ID-2, R-ID-3).  Table-driven: bad
-- literals with their SQLSTATE and message, good literals with their
-- canonical text, the catalog objects, and the volatility the interface
-- contract promises (IMMUTABLE STRICT PARALLEL SAFE for everything that
-- depends only on its arguments).
BEGIN;
CREATE EXTENSION IF NOT EXISTS pgtap;
CREATE EXTENSION cbreturn;
SET search_path = public, cbreturn;
SELECT plan(87);

-- ---------------------------------------------------------------------------
-- Catalog objects
-- ---------------------------------------------------------------------------
SELECT has_type('cbreturn', t, 'type cbreturn.' || t || ' exists')
  FROM unnest(ARRAY['declaration_id', 'customs_code', 'supervision_code']) AS t;
SELECT has_enum('cbreturn', 'return_reason', 'enum cbreturn.return_reason exists');
SELECT enum_has_labels('cbreturn', 'return_reason', ARRAY['unsold', 'consumer_return', 'quality_or_spec'],
                       'return_reason has the three reasons of R-EX-1/R-EX-2, in that order');
SELECT has_opclass('cbreturn', c, 'operator class cbreturn.' || c || ' exists')
  FROM unnest(ARRAY['declaration_id_ops', 'customs_code_ops', 'supervision_code_ops']) AS c;
SELECT is((SELECT count(*)::int FROM pg_opclass WHERE opcnamespace = 'cbreturn'::regnamespace AND opcdefault),
          8, 'a default btree and a default hash class for each of the four types (uscc included)');
SELECT has_function('cbreturn', f, a, format('function cbreturn.%s(%s) exists', f, array_to_string(a, ', ')))
  FROM (VALUES
    ('customs_code',   ARRAY['declaration_id']),
    ('district',       ARRAY['customs_code']),
    ('district',       ARRAY['declaration_id']),
    ('declared_year',  ARRAY['declaration_id']),
    ('is_import',      ARRAY['declaration_id']),
    ('is_list',        ARRAY['declaration_id']),
    ('sequence_no',    ARRAY['declaration_id']),
    ('print_form',     ARRAY['declaration_id']),
    ('declaration_id', ARRAY['customs_code', 'integer', 'text', 'integer'])
  ) AS t(f, a);
SELECT function_returns('cbreturn', f, a, r, format('cbreturn.%s(%s) returns %s', f, array_to_string(a, ', '), r))
  FROM (VALUES
    ('customs_code',   ARRAY['declaration_id'], 'customs_code'),
    ('district',       ARRAY['customs_code'],   'text'),
    ('district',       ARRAY['declaration_id'], 'text'),
    ('declared_year',  ARRAY['declaration_id'], 'integer'),
    ('is_import',      ARRAY['declaration_id'], 'boolean'),
    ('is_list',        ARRAY['declaration_id'], 'boolean'),
    ('sequence_no',    ARRAY['declaration_id'], 'integer')
  ) AS t(f, a, r);
SELECT has_cast(s, d, format('cast from %s to %s', s, d))
  FROM (VALUES ('declaration_id', 'text'), ('text', 'declaration_id'),
               ('customs_code', 'text'), ('text', 'customs_code'),
               ('supervision_code', 'text'), ('text', 'supervision_code')) AS t(s, d);

-- ---------------------------------------------------------------------------
-- Volatility: the type functions depend only on their arguments.
-- ---------------------------------------------------------------------------
SELECT is_empty($$
    SELECT p.oid::regprocedure::text
      FROM pg_proc p
     WHERE p.pronamespace = 'cbreturn'::regnamespace
       AND (p.proname ~ '^(declaration_id|customs_code|supervision_code)(_|$)'
            OR p.proname IN ('district', 'declared_year', 'is_import', 'is_list', 'sequence_no',
                             'print_form', 'min', 'max'))
       AND (p.provolatile <> 'i' OR p.proparallel <> 's' OR (p.prokind = 'f' AND NOT p.proisstrict))
$$, 'every type function, accessor and aggregate is IMMUTABLE STRICT PARALLEL SAFE');
SELECT is((SELECT count(*)::int FROM pg_proc p
            WHERE p.pronamespace = 'cbreturn'::regnamespace
              AND (p.proname ~ '^(declaration_id|customs_code|supervision_code)(_|$)'
                   OR p.proname IN ('district', 'declared_year', 'is_import', 'is_list', 'sequence_no',
                                    'print_form', 'min', 'max'))),
          68, 'the volatility check saw all 68 type functions: 16 per type, 10 accessors (district(text) included), 8 aggregates (uscc''s min and max included), declaration_id_eq_text and declaration_id_ne_text');
SELECT is_empty($$
    SELECT o.oid::regoperator::text FROM pg_operator o JOIN pg_proc p ON p.oid = o.oprcode
     WHERE o.oprnamespace = 'cbreturn'::regnamespace AND NOT p.proleakproof
       AND 'text'::regtype NOT IN (o.oprleft, o.oprright)
$$, 'every comparison operator between cbreturn types is LEAKPROOF, so it can be used under row-level security');
-- The text = declaration_id operators read the text as a declaration number
-- and raise 22P02 quoting it when it is none: an error that shows a value is
-- a leak, so they are not LEAKPROOF (docs/types.md).
SELECT set_eq($$
    SELECT o.oid::regoperator::text FROM pg_operator o JOIN pg_proc p ON p.oid = o.oprcode
     WHERE o.oprnamespace = 'cbreturn'::regnamespace AND NOT p.proleakproof
$$, ARRAY['=(text,declaration_id)', '<>(text,declaration_id)', '=(declaration_id,text)', '<>(declaration_id,text)'],
  'only the four text comparisons are not LEAKPROOF: they raise on text that is no declaration number');

-- ---------------------------------------------------------------------------
-- Good literals: canonical output.
-- ---------------------------------------------------------------------------
SELECT is(lit::declaration_id::text, canonical, format('declaration_id %L reads as %s', lit, canonical))
  FROM (VALUES
    ('020220080525641690',       '020220080525641690'),   -- R-ID-1 example, export
    ('29242020I439440284',       '29242020I439440284'),   -- R-ID-1 example, import list
    ('2924-2020-I-439440284',    '29242020I439440284'),   -- print form
    ('2924-2020-i-439440284',    '29242020I439440284'),   -- lower-case flag
    ('53162025e000381007',       '53162025E000381007'),   -- lower-case export-list flag
    (' 220120241000000417 ',     '220120241000000417'),   -- white space
    ('000019800000000000',       '000019800000000000'),   -- smallest
    ('99992099I999999999',       '99992099I999999999')    -- largest
  ) AS t(lit, canonical);
SELECT is(lit::customs_code::text, canonical, format('customs_code %L reads as %s', lit, canonical))
  FROM (VALUES ('2924', '2924'), ('0000', '0000'), (' 0202 ', '0202')) AS t(lit, canonical);
SELECT is(lit::supervision_code::text, canonical, format('supervision_code %L reads as %s', lit, canonical))
  FROM (VALUES ('9610', '9610'), ('0110', '0110'), (E'\t1210', '1210')) AS t(lit, canonical);

-- Accessors on the two R-ID-1 examples.
SELECT is(customs_code('020220080525641690'::declaration_id)::text, '0202', 'customs_code of 020220080525641690 is 0202 (Tianjin)');
SELECT is(declared_year('020220080525641690'::declaration_id), 2008, 'declared_year of 020220080525641690 is 2008');
SELECT is(is_import('020220080525641690'::declaration_id), false, '020220080525641690 is an export (flag 0)');
SELECT is(is_list('020220080525641690'::declaration_id), false, '020220080525641690 is a declaration, not a list');
SELECT is(district('29242020I439440284'::declaration_id), '29', 'district of 29242020I439440284 is 29 (Hangzhou)');
SELECT is(is_import('29242020I439440284'::declaration_id), true, '29242020I439440284 is an import (flag I)');
SELECT is(is_list('29242020I439440284'::declaration_id), true, '29242020I439440284 is a list (flag I)');
SELECT is(sequence_no('29242020I439440284'::declaration_id), 439440284, 'sequence_no of 29242020I439440284');
SELECT is(print_form('29242020I439440284'), '2924-2020-I-439440284', 'print_form of 29242020I439440284');
SELECT is(declaration_id('2924', 2020, 'i', 439440284), '29242020I439440284'::declaration_id, 'constructor rebuilds the R-ID-1 example');

-- ---------------------------------------------------------------------------
-- Bad literals: SQLSTATE 22P02 and the exact message.
-- ---------------------------------------------------------------------------
SELECT throws_ok(format('SELECT %L::cbreturn.declaration_id', lit), '22P02',
                 format('invalid input syntax for type declaration_id: "%s": %s', lit, what),
                 format('declaration_id %L: %s', lit, what))
  FROM (VALUES
    ('29242020I43944028',      'it has 17 characters'),                         -- too short
    ('29242020I4394402841',    'it has 19 characters'),                         -- too long
    ('',                       'it is empty'),                                  -- empty
    (' ',                      'it is empty'),                                  -- white space only
    ('2Z242020I439440284',     'character 2 is "Z", not a digit'),              -- customs code
    ('2924202OI439440284',     'character 8 is "O", not a digit'),              -- year
    ('29242020I43944028x',     'character 18 is "x", not a digit'),             -- sequence
    ('29241979I439440284',     'year 1979 is outside 1980 to 2099'),            -- year low
    ('29242100I439440284',     'year 2100 is outside 1980 to 2099'),            -- year high
    ('29242020Q439440284',     'character 9 is "Q", not a direction flag (0, 1, E or I)'),
    ('292420209439440284',     'character 9 is "9", not a direction flag (0, 1, E or I)'),
    ('2924-2020-I_439440284',  'character 12 is "_", not the hyphen of the print form'),
    ('29-242020-I-439440284',  'character 3 is "-", not a digit'),              -- misplaced hyphen
    ('２９２４2020I439440284', 'character 1 is "２", which is not an ASCII character'),
    ('29242020Ｅ439440284',    'character 9 is "Ｅ", which is not an ASCII character')
  ) AS t(lit, what);
SELECT throws_ok(format('SELECT %L::cbreturn.%s', lit, typ), '22P02',
                 format('invalid input syntax for type %s: "%s": %s', typ, lit, what),
                 format('%s %L: %s', typ, lit, what))
  FROM (VALUES
    ('customs_code',     '292',   'it has 3 characters'),
    ('customs_code',     '29245', 'it has 5 characters'),
    ('customs_code',     '',      'it is empty'),
    ('customs_code',     '2a24',  'character 2 is "a", not a digit'),
    ('customs_code',     '-924',  'character 1 is "-", not a digit'),
    ('supervision_code', '961',   'it has 3 characters'),
    ('supervision_code', '9610a', 'it has 5 characters'),
    ('supervision_code', 'B2B1',  'character 1 is "B", not a digit'),
    ('supervision_code', '96１0', 'character 3 is "１", which is not an ASCII character')
  ) AS t(typ, lit, what);

-- Constructor errors.
SELECT throws_ok($$SELECT cbreturn.declaration_id('2924', 2020, 'X', 1)$$, '22023',
                 'invalid direction flag "X" for declaration_id', 'constructor: unknown flag is 22023');
SELECT throws_ok($$SELECT cbreturn.declaration_id('2924', 2100, 'I', 1)$$, '22003',
                 'year 2100 is out of range for declaration_id', 'constructor: year 2100 is 22003');
SELECT throws_ok($$SELECT cbreturn.declaration_id('2924', 2020, 'I', 1000000000)$$, '22003',
                 'sequence 1000000000 is out of range for declaration_id', 'constructor: 10-digit sequence is 22003');

-- Order agrees with the canonical text on a mixed set with all four flags.
SELECT is((SELECT array_agg(id::text ORDER BY id) FROM (VALUES ('29242020I439440284'::declaration_id),
               ('292420200439440284'), ('292420201439440284'), ('29242020E439440284'),
               ('29232099I000000000'), ('292519800000000000'), ('020220080525641690')) AS t(id)),
          (SELECT array_agg(id ORDER BY id COLLATE "C") FROM (VALUES ('29242020I439440284'),
               ('292420200439440284'), ('292420201439440284'), ('29242020E439440284'),
               ('29232099I000000000'), ('292519800000000000'), ('020220080525641690')) AS t(id)),
          'declaration_id order is canonical text order (flags 0 < 1 < E < I)');

SELECT * FROM finish();
ROLLBACK;
