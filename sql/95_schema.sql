-- The schema cbreturn belongs to the installing superuser (docs/security.md,
-- "The schema").  The SECURITY DEFINER functions (the event triggers fire on
-- every role's DDL) and the C code that works as the metadata's owner name
-- cbreturn's objects by name; whoever owns the schema, or may create in it,
-- could rename it and put objects of their own under those names, or add
-- overloads beside them, and so run code as the superuser.  CREATE
-- EXTENSION uses a schema that already exists (a DBA may have created it
-- for another role), so the install takes the schema over, and refuses one
-- that holds objects of anyone else or lets another role create in it.
DO $$
DECLARE
    ns oid := 'cbreturn'::pg_catalog.regnamespace;
    ext oid := (SELECT e.oid FROM pg_catalog.pg_extension e WHERE e.extname OPERATOR(pg_catalog.=) 'cbreturn');
    foreign_objects text;
    creators text;
BEGIN
    SELECT pg_catalog.string_agg(o.what, ', ' ORDER BY o.what) INTO foreign_objects
      FROM (SELECT 'pg_catalog.pg_class'::pg_catalog.regclass AS classid, c.oid AS objid,
                   pg_catalog.format('%I', c.relname) AS what
              FROM pg_catalog.pg_class c
             WHERE c.relnamespace OPERATOR(pg_catalog.=) ns AND c.relkind NOT IN ('i', 'I', 'c', 't')
            UNION ALL
            SELECT 'pg_catalog.pg_proc'::pg_catalog.regclass, p.oid, p.oid::pg_catalog.regprocedure::pg_catalog.text
              FROM pg_catalog.pg_proc p WHERE p.pronamespace OPERATOR(pg_catalog.=) ns
            UNION ALL
            SELECT 'pg_catalog.pg_type'::pg_catalog.regclass, t.oid, pg_catalog.format('%I', t.typname)
              FROM pg_catalog.pg_type t
             WHERE t.typnamespace OPERATOR(pg_catalog.=) ns
               AND NOT EXISTS (SELECT FROM pg_catalog.pg_type e WHERE e.typarray OPERATOR(pg_catalog.=) t.oid)
               AND NOT EXISTS (SELECT FROM pg_catalog.pg_class r
                                WHERE r.oid OPERATOR(pg_catalog.=) t.typrelid AND r.relkind OPERATOR(pg_catalog.<>) 'c')
            UNION ALL
            SELECT 'pg_catalog.pg_operator'::pg_catalog.regclass, o.oid, o.oid::pg_catalog.regoperator::pg_catalog.text
              FROM pg_catalog.pg_operator o WHERE o.oprnamespace OPERATOR(pg_catalog.=) ns
            UNION ALL
            SELECT 'pg_catalog.pg_opfamily'::pg_catalog.regclass, f.oid, pg_catalog.format('%I', f.opfname)
              FROM pg_catalog.pg_opfamily f WHERE f.opfnamespace OPERATOR(pg_catalog.=) ns
            UNION ALL
            SELECT 'pg_catalog.pg_opclass'::pg_catalog.regclass, c.oid, pg_catalog.format('%I', c.opcname)
              FROM pg_catalog.pg_opclass c WHERE c.opcnamespace OPERATOR(pg_catalog.=) ns
            UNION ALL
            SELECT 'pg_catalog.pg_collation'::pg_catalog.regclass, c.oid, pg_catalog.format('%I', c.collname)
              FROM pg_catalog.pg_collation c WHERE c.collnamespace OPERATOR(pg_catalog.=) ns
            UNION ALL
            SELECT 'pg_catalog.pg_conversion'::pg_catalog.regclass, c.oid, pg_catalog.format('%I', c.conname)
              FROM pg_catalog.pg_conversion c WHERE c.connamespace OPERATOR(pg_catalog.=) ns) o
     WHERE NOT EXISTS (SELECT FROM pg_catalog.pg_depend d
                        WHERE d.classid OPERATOR(pg_catalog.=) o.classid
                          AND d.objid OPERATOR(pg_catalog.=) o.objid
                          AND d.refclassid OPERATOR(pg_catalog.=) 'pg_catalog.pg_extension'::pg_catalog.regclass
                          AND d.refobjid OPERATOR(pg_catalog.=) ext
                          AND d.deptype OPERATOR(pg_catalog.=) 'e');
    IF foreign_objects IS NOT NULL THEN
        PERFORM cbreturn._error('install.schema_not_own', foreign_objects);
    END IF;
    EXECUTE 'ALTER SCHEMA cbreturn OWNER TO CURRENT_USER';
    SELECT pg_catalog.string_agg(DISTINCT coalesce(pg_catalog.quote_ident(r.rolname), 'PUBLIC'), ', ') INTO creators
      FROM pg_catalog.pg_namespace n, pg_catalog.aclexplode(n.nspacl) a
      LEFT JOIN pg_catalog.pg_roles r ON r.oid OPERATOR(pg_catalog.=) a.grantee
     WHERE n.oid OPERATOR(pg_catalog.=) ns AND a.privilege_type OPERATOR(pg_catalog.=) 'CREATE'
       AND a.grantee OPERATOR(pg_catalog.<>) n.nspowner;
    IF creators IS NOT NULL THEN
        PERFORM cbreturn._error('install.schema_create_granted', creators);
    END IF;
END
$$;
