-- cbreturn 0.2.0 -> 0.3.0.  Run by ALTER EXTENSION cbreturn UPDATE; attached
-- checks (their triggers and metadata) are kept.  Each section below names the
-- change it carries; test/checks/upgrade.sh requires the result to equal a
-- fresh 0.3.0 install, from 0.2.0 and from 0.1.0 alike.
\echo Use "ALTER EXTENSION cbreturn UPDATE" to load this file. \quit

-- ==== Export tax relief answers, basis texts and Chinese explanations (issues 10, 11, 13) ====
-- R-TX-3: the tax authority's certificate is part of the evidence for every
-- relief.  ALTER TYPE adds the attribute last (a fresh install has it last
-- too); values stored before the upgrade read it as NULL.
ALTER TYPE cbreturn.tax_relief ADD ATTRIBUTE tax_certificate_required boolean;
COMMENT ON TYPE cbreturn.tax_relief IS
    'answer of export_tax_relief: which taxes are exempt or refunded, rebate repayment and the tax certificate (R-TX-3), evidence (R-TX-5), legal basis, rule ids not met';

-- The scalar accessor for scans.
CREATE FUNCTION cbreturn.export_tax_relieved(code cbreturn.supervision_code, exported_on date, returned_on date,
                                             reason cbreturn.return_reason, is_food boolean,
                                             original_state boolean,
                                             left_special_area_on date DEFAULT NULL,
                                             rebate_claimed boolean DEFAULT false)
    RETURNS boolean
    AS 'MODULE_PATHNAME', 'export_tax_relieved'
    LANGUAGE C STABLE CALLED ON NULL INPUT PARALLEL SAFE;
COMMENT ON FUNCTION cbreturn.export_tax_relieved(cbreturn.supervision_code, date, date, cbreturn.return_reason,
                                                 boolean, boolean, date, boolean) IS
    '(export_tax_relief(...)).relieved without forming the row, for scans: the same decision (R-TX-1 ... R-TX-6)';

-- The explanations follow the language setting: no longer IMMUTABLE.
ALTER FUNCTION cbreturn.explain_export_return_deadline(date, cbreturn.return_reason, date) STABLE;
ALTER FUNCTION cbreturn.explain_import_return(date, date, date) STABLE;

-- The Chinese official titles of the tax policy announcements (R-TX-1), named
-- by the Chinese bases; a row the DBA edited keeps its own title if it has one.
ALTER TABLE cbreturn.tax_policy_periods ADD COLUMN title_zh text CHECK (title_zh <> '');
COMMENT ON COLUMN cbreturn.tax_policy_periods.title_zh IS
    'Chinese official title of the announcement (e.g. 财政部 海关总署 税务总局公告2026年第16号), named in Chinese bases; NULL: the announcement column is named';
SELECT pg_catalog.set_config('cbreturn.loading_policy', 'on', true);
UPDATE cbreturn.tax_policy_periods AS t
   SET title_zh = v.title_zh
  FROM (VALUES ('MoF/GACC/STA 2023 No. 4', '财政部 海关总署 税务总局公告2023年第4号'),
               ('MoF/GACC/STA 2023 No. 34', '财政部 海关总署 税务总局公告2023年第34号'),
               ('MoF/GACC/STA 2026 No. 16', '财政部 海关总署 税务总局公告2026年第16号')) AS v(announcement, title_zh)
 WHERE t.announcement = v.announcement AND t.title_zh IS NULL;
SELECT pg_catalog.set_config('cbreturn.loading_policy', 'off', true);
