-- A canonical listing of every object of the extension, read from the
-- catalogs (test/checks/upgrade.sh): functions with a hash of their
-- definition, privileges and comments; tables, columns, constraints, indexes,
-- triggers, policies; types, operators, operator classes, casts; event
-- triggers, the tables pg_dump keeps, and the extension's members.  pg_dump
-- leaves extension members out, so a schema dump alone compares little.
WITH n AS (SELECT 'cbreturn'::regnamespace::oid AS oid)
SELECT 'function ' || p.oid::regprocedure::text || ' ' || md5(pg_get_functiondef(p.oid)) || ' acl=' || coalesce(p.proacl::text, '-') || ' comment=' || coalesce(md5(obj_description(p.oid, 'pg_proc')), '-')
  FROM pg_proc p, n WHERE p.pronamespace = n.oid AND p.prokind <> 'a'
UNION ALL
SELECT 'aggregate ' || p.oid::regprocedure::text FROM pg_proc p, n WHERE p.pronamespace = n.oid AND p.prokind = 'a'
UNION ALL
SELECT 'relation ' || c.relname || ' ' || c.relkind::text || ' acl=' || coalesce(c.relacl::text, '-') || ' rls=' || c.relrowsecurity || ' comment=' || coalesce(md5(obj_description(c.oid, 'pg_class')), '-')
  FROM pg_class c, n WHERE c.relnamespace = n.oid
UNION ALL
SELECT 'column ' || c.relname || '.' || a.attname || ' ' || format_type(a.atttypid, a.atttypmod) || ' notnull=' || a.attnotnull || ' default=' || coalesce(pg_get_expr(d.adbin, d.adrelid), '-')
  FROM pg_class c JOIN n ON c.relnamespace = n.oid JOIN pg_attribute a ON a.attrelid = c.oid AND a.attnum > 0 AND NOT a.attisdropped
  LEFT JOIN pg_attrdef d ON d.adrelid = c.oid AND d.adnum = a.attnum
UNION ALL
SELECT 'constraint ' || c.relname || ' ' || pg_get_constraintdef(k.oid)
  FROM pg_constraint k JOIN pg_class c ON c.oid = k.conrelid JOIN n ON c.relnamespace = n.oid
UNION ALL
SELECT 'domain-constraint ' || t.typname || ' ' || pg_get_constraintdef(k.oid)
  FROM pg_constraint k JOIN pg_type t ON t.oid = k.contypid JOIN n ON t.typnamespace = n.oid
UNION ALL
SELECT 'index ' || regexp_replace(pg_get_indexdef(i.indexrelid), 'INDEX \S+ ON', 'INDEX ON')
  FROM pg_index i JOIN pg_class c ON c.oid = i.indrelid JOIN n ON c.relnamespace = n.oid
UNION ALL
SELECT 'trigger ' || pg_get_triggerdef(t.oid)
  FROM pg_trigger t JOIN pg_class c ON c.oid = t.tgrelid JOIN n ON c.relnamespace = n.oid WHERE NOT t.tgisinternal
UNION ALL
SELECT 'policy ' || c.relname || ' ' || p.polname || ' ' || p.polcmd::text || ' ' || coalesce(pg_get_expr(p.polqual, p.polrelid), '-') || ' ' || coalesce(pg_get_expr(p.polwithcheck, p.polrelid), '-')
  FROM pg_policy p JOIN pg_class c ON c.oid = p.polrelid JOIN n ON c.relnamespace = n.oid
UNION ALL
SELECT 'type ' || t.typname || ' ' || t.typtype::text || ' len=' || t.typlen || ' byval=' || t.typbyval
  FROM pg_type t, n WHERE t.typnamespace = n.oid AND t.typtype <> 'c' AND t.typname NOT LIKE '\_%'
UNION ALL
SELECT 'enum ' || t.typname || ' ' || string_agg(e.enumlabel, ',' ORDER BY e.enumsortorder)
  FROM pg_enum e JOIN pg_type t ON t.oid = e.enumtypid JOIN n ON t.typnamespace = n.oid GROUP BY t.typname
UNION ALL
SELECT 'operator ' || o.oid::regoperator::text || ' ' || o.oprcode::text
  FROM pg_operator o, n WHERE o.oprnamespace = n.oid
UNION ALL
SELECT 'opclass ' || oc.opcname || ' ' || am.amname || ' default=' || oc.opcdefault
  FROM pg_opclass oc JOIN pg_am am ON am.oid = oc.opcmethod, n WHERE oc.opcnamespace = n.oid
UNION ALL
SELECT 'amop ' || f.opfname || ' ' || ao.amopstrategy || ' ' || ao.amopopr::regoperator::text
  FROM pg_amop ao JOIN pg_opfamily f ON f.oid = ao.amopfamily, n WHERE f.opfnamespace = n.oid
UNION ALL
SELECT 'amproc ' || f.opfname || ' ' || ap.amprocnum || ' ' || ap.amproc::regprocedure::text
  FROM pg_amproc ap JOIN pg_opfamily f ON f.oid = ap.amprocfamily, n WHERE f.opfnamespace = n.oid
UNION ALL
SELECT 'cast ' || format_type(c.castsource, NULL) || ' -> ' || format_type(c.casttarget, NULL) || ' ' || c.castcontext::text || ' ' || c.castmethod::text
  FROM pg_cast c WHERE c.castsource IN (SELECT oid FROM pg_type WHERE typnamespace = 'cbreturn'::regnamespace::oid)
     OR c.casttarget IN (SELECT oid FROM pg_type WHERE typnamespace = 'cbreturn'::regnamespace::oid)
UNION ALL
SELECT 'event-trigger ' || e.evtname || ' ' || e.evtevent || ' ' || e.evtfoid::regproc::text || ' ' || coalesce(e.evttags::text, '-')
  FROM pg_event_trigger e
UNION ALL
SELECT 'config-dump ' || c.relname || ' ' || coalesce(x.cond, '-')
  FROM pg_extension ext, unnest(ext.extconfig, ext.extcondition) x(rel, cond) JOIN pg_class c ON c.oid = x.rel
 WHERE ext.extname = 'cbreturn'
UNION ALL
SELECT 'member ' || pg_describe_object(d.classid, d.objid, d.objsubid)
  FROM pg_depend d JOIN pg_extension ext ON ext.oid = d.refobjid AND d.refclassid = 'pg_extension'::regclass
 WHERE ext.extname = 'cbreturn' AND d.deptype = 'e'
ORDER BY 1;
