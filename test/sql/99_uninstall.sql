-- DROP EXTENSION removes everything cbreturn created.  Runs last: every
-- regress file drops the objects it made, so nothing depends on the types.
DROP EXTENSION cbreturn;
DROP FUNCTION regress.try(text);
DROP FUNCTION regress.try_fields(text);
DROP SCHEMA regress;

-- No object remains recorded as a member of a dropped extension.
SELECT count(*) AS orphaned_members
  FROM pg_depend d
 WHERE d.deptype = 'e' AND d.refclassid = 'pg_extension'::regclass
   AND NOT EXISTS (SELECT FROM pg_extension e WHERE e.oid = d.refobjid);

-- Nothing is left in schema cbreturn: types, functions, operators, operator
-- classes and families, casts, tables, triggers.
SELECT (SELECT count(*) FROM pg_type WHERE typnamespace = 'cbreturn'::regnamespace) AS types,
       (SELECT count(*) FROM pg_proc WHERE pronamespace = 'cbreturn'::regnamespace) AS functions,
       (SELECT count(*) FROM pg_operator WHERE oprnamespace = 'cbreturn'::regnamespace) AS operators,
       (SELECT count(*) FROM pg_opclass WHERE opcnamespace = 'cbreturn'::regnamespace) AS opclasses,
       (SELECT count(*) FROM pg_opfamily WHERE opfnamespace = 'cbreturn'::regnamespace) AS opfamilies,
       (SELECT count(*) FROM pg_class WHERE relnamespace = 'cbreturn'::regnamespace) AS relations,
       (SELECT count(*) FROM pg_cast c JOIN pg_type t ON t.oid IN (c.castsource, c.casttarget)
         WHERE t.typname IN ('declaration_id', 'customs_code', 'supervision_code')) AS casts;

-- The schema itself stays, empty: CREATE EXTENSION made it because the
-- control file names it, but PostgreSQL does not make that schema a member
-- of the extension.  A DBA removes it with DROP SCHEMA cbreturn
-- (docs/types.md, "Uninstalling").
SELECT nspname FROM pg_namespace WHERE nspname = 'cbreturn';

-- Installing again in the same session works (cached enum OIDs and the
-- like must not survive a DROP), and so does dropping again.
CREATE EXTENSION cbreturn;
SELECT cbreturn.print_form('29242020I439440284'), 'unsold'::cbreturn.return_reason,
       (SELECT count(*) FROM cbreturn.districts WHERE shipped) AS shipped_districts;
DROP EXTENSION cbreturn;
DROP SCHEMA cbreturn;
SELECT count(*) AS cbreturn_schemas FROM pg_namespace WHERE nspname = 'cbreturn';
