-- Reference data: customs districts (R-ID-2, R-EX-5) and supervision codes (R-ID-3).
--
-- Policy as data: a DBA edits these rows when customs publishes the next
-- announcement.  Every policy table of cbreturn follows the same pattern:
--
--   * a column "shipped": true on the rows this extension's scripts insert;
--   * pg_extension_config_dump(..., 'WHERE NOT shipped'): pg_dump saves the
--     rows a DBA added or changed, and CREATE EXTENSION recreates the rest;
--   * the trigger cbreturn.policy_row_guard(): an UPDATE clears "shipped" (so
--     the edit is dumped), and an INSERT whose key matches a shipped row
--     replaces that row (so a restored edit replaces the shipped default
--     instead of failing on the primary key).
--
-- Rows are withdrawn by updating them (e.g. clearing a pilot date), not by
-- deleting them: a deleted shipped row comes back when a dump is restored.
-- docs/reference-data.md describes this for DBAs.

CREATE FUNCTION cbreturn.policy_row_guard() RETURNS trigger
    LANGUAGE plpgsql
    -- cbreturn is on the path for the key types' "=" operator (a
    -- supervision_code key); only the extension's owner can create objects
    -- there, and pg_catalog comes first.
    SET search_path = pg_catalog, cbreturn, pg_temp
AS $$
DECLARE
    -- Only the extension's own install and upgrade scripts set this, to
    -- insert rows that stay shipped.  An unset setting is NULL: compare with
    -- IS NOT DISTINCT FROM so that NULL means "not loading", never "keep".
    loading boolean := pg_catalog.current_setting('cbreturn.loading_policy', true)
                       IS NOT DISTINCT FROM 'on';
    -- A row applied by logical replication (the trigger is enabled ALWAYS,
    -- 65_scale_out.sql) keeps the "shipped" the publisher gave it: the
    -- publisher's shipped rows replace the subscriber's own below, and its
    -- edits stay edits (docs/scale-out.md).  Only a superuser can set this.
    replicated boolean := pg_catalog.current_setting('session_replication_role')
                          OPERATOR(pg_catalog.=) 'replica';
    same boolean;
BEGIN
    IF NOT (NEW.shipped AND (loading OR replicated)) THEN
        NEW.shipped := false;
    END IF;
    IF TG_OP = 'INSERT' THEN
        -- A row whose key matches a shipped row replaces it: this is how a
        -- restored DBA edit takes the place of the row CREATE EXTENSION has
        -- just inserted.  TG_ARGV[0] names the key column.
        EXECUTE pg_catalog.format(
            'DELETE FROM %I.%I AS t WHERE t.shipped AND t.%I = ($1).%I',
            TG_TABLE_SCHEMA, TG_TABLE_NAME, TG_ARGV[0], TG_ARGV[0])
            USING NEW;
        -- A restore into a database that already holds the same edit (the
        -- extension's data restored again, or over a database prepared with
        -- the same edits) finds the row there: an identical local row is
        -- kept and the restored copy skipped, instead of failing the COPY
        -- on the primary key.  A local row that differs still fails (23505):
        -- which edit is right is the DBA's call (docs/policy.md).
        EXECUTE pg_catalog.format(
            'SELECT EXISTS (SELECT FROM %I.%I AS t WHERE t.%I = ($1).%I AND NOT t.shipped'
            ' AND t IS NOT DISTINCT FROM $1)',
            TG_TABLE_SCHEMA, TG_TABLE_NAME, TG_ARGV[0], TG_ARGV[0])
            INTO same USING NEW;
        IF same THEN
            RETURN NULL;
        END IF;
    END IF;
    RETURN NEW;
END
$$;
COMMENT ON FUNCTION cbreturn.policy_row_guard() IS
    'keeps DBA edits of policy tables across pg_dump/restore (docs/reference-data.md)';

-- The install and upgrade scripts insert shipped rows inside this setting.
SELECT pg_catalog.set_config('cbreturn.loading_policy', 'on', true);

-- ---------------------------------------------------------------------------
-- Customs districts (R-ID-2; pilot dates R-EX-5)
-- ---------------------------------------------------------------------------
CREATE TABLE cbreturn.districts (
    code                    text PRIMARY KEY
                            CHECK (code ~ '^[0-9]{2}$'),
    name_zh                 text NOT NULL,
    name_en                 text NOT NULL,
    -- First day a 9610 export cleared elsewhere may be returned here under
    -- the 2024 pilot (GACC 2024 No. 167); NULL when not a pilot district.
    cross_return_pilot_from date
                            CHECK (cross_return_pilot_from IS NULL OR pg_catalog.isfinite(cross_return_pilot_from)),
    -- How sure the code and names are (R-ID-2): H official, M one good
    -- secondary source, U unverified.  Says nothing about the pilot.
    confidence              "char" NOT NULL DEFAULT 'U'
                            CHECK (confidence IN ('H', 'M', 'U')),
    shipped                 boolean NOT NULL DEFAULT false,
    -- How sure the pilot membership (cross_return_pilot_from) is, and the
    -- source that names the district as a pilot district (R-EX-5); NULL on
    -- a district no source names as one.  (After "shipped" because 0.1.0
    -- had that column and an upgrade can only add columns at the end.)
    pilot_confidence        "char"
                            CHECK (pilot_confidence IN ('H', 'M', 'U')),
    pilot_source            text
                            CHECK (pilot_source <> '')
);
COMMENT ON TABLE cbreturn.districts IS
    'directly-subordinate customs districts (R-ID-2) and their cross-customs return pilot dates (R-EX-5)';
COMMENT ON COLUMN cbreturn.districts.code IS 'first two digits of a customs office code';
COMMENT ON COLUMN cbreturn.districts.cross_return_pilot_from IS
    'first day of the cross-customs return pilot here (GACC 2024 No. 167), NULL if not a pilot district';
COMMENT ON COLUMN cbreturn.districts.confidence IS
    'how sure the code and names are (R-ID-2): H official text, M one secondary source, U unverified';
COMMENT ON COLUMN cbreturn.districts.pilot_confidence IS
    'how sure the pilot membership is (R-EX-5): H official text or several sources, M one secondary source, U unverified; NULL if no source names the district';
COMMENT ON COLUMN cbreturn.districts.pilot_source IS
    'the source naming the district as a cross-customs return pilot district (R-EX-5)';
COMMENT ON COLUMN cbreturn.districts.shipped IS
    'true for rows as shipped by cbreturn; false once added or changed locally (these are dumped)';

-- Source: customs-districts list of the rules (R-ID-2); pilot sources below.
INSERT INTO cbreturn.districts (code, name_zh, name_en, cross_return_pilot_from, confidence, shipped) VALUES
    ('00', '海关总署', 'General Administration of Customs', NULL, 'H', true),
    ('01', '北京', 'Beijing', '2024-12-15', 'H', true),
    ('02', '天津', 'Tianjin', '2024-12-15', 'H', true),
    ('04', '石家庄', 'Shijiazhuang', NULL, 'M', true),
    ('05', '太原', 'Taiyuan', NULL, 'M', true),
    ('06', '满洲里', 'Manzhouli', NULL, 'M', true),
    ('07', '呼和浩特', 'Hohhot', NULL, 'M', true),
    ('08', '沈阳', 'Shenyang', NULL, 'H', true),
    ('09', '大连', 'Dalian', '2024-12-15', 'H', true),
    ('15', '长春', 'Changchun', NULL, 'M', true),
    ('19', '哈尔滨', 'Harbin', '2024-12-15', 'M', true),
    ('22', '上海', 'Shanghai', '2024-12-15', 'H', true),
    ('23', '南京', 'Nanjing', '2024-12-15', 'H', true),
    ('29', '杭州', 'Hangzhou', '2024-12-15', 'H', true),
    ('31', '宁波', 'Ningbo', '2024-12-15', 'M', true),
    ('33', '合肥', 'Hefei', '2024-12-15', 'U', true),
    ('35', '福州', 'Fuzhou', '2024-12-15', 'U', true),
    ('37', '厦门', 'Xiamen', '2024-12-15', 'M', true),
    ('40', '南昌', 'Nanchang', '2024-12-15', 'M', true),
    ('42', '青岛', 'Qingdao', '2024-12-15', 'H', true),
    ('43', '济南', 'Jinan', NULL, 'H', true),
    ('46', '郑州', 'Zhengzhou', '2024-12-15', 'M', true),
    ('47', '武汉', 'Wuhan', NULL, 'M', true),
    ('49', '长沙', 'Changsha', '2024-12-15', 'M', true),
    ('51', '广州', 'Guangzhou', '2024-12-15', 'M', true),
    ('52', '黄埔', 'Huangpu', '2024-12-15', 'M', true),
    ('53', '深圳', 'Shenzhen', '2024-12-15', 'M', true),
    ('57', '拱北', 'Gongbei', NULL, 'M', true),
    ('60', '汕头', 'Shantou', NULL, 'M', true),
    ('64', '海口', 'Haikou', NULL, 'M', true),
    ('67', '湛江', 'Zhanjiang', NULL, 'M', true),
    ('68', '江门', 'Jiangmen', NULL, 'M', true),
    ('72', '南宁', 'Nanning', NULL, 'M', true),
    ('79', '成都', 'Chengdu', '2024-12-15', 'M', true),
    ('80', '重庆', 'Chongqing', NULL, 'M', true),
    ('83', '贵阳', 'Guiyang', NULL, 'M', true),
    ('86', '昆明', 'Kunming', NULL, 'M', true),
    ('88', '拉萨', 'Lhasa', NULL, 'M', true),
    ('90', '西安', 'Xi''an', NULL, 'M', true),
    ('94', '乌鲁木齐', 'Urumqi', '2024-12-15', 'M', true),
    ('95', '兰州', 'Lanzhou', NULL, 'M', true),
    ('96', '银川', 'Yinchuan', NULL, 'U', true),
    ('97', '西宁', 'Xining', NULL, 'M', true);

-- Pilot membership (R-EX-5), by source.  The rules list the 20 pilot
-- districts of GACC 2024 No. 167 with membership M (one good secondary
-- source).  Seed 001 names nine of them (Beijing, Tianjin, Dalian, Harbin,
-- Shanghai, Nanjing, Hangzhou, Chengdu, Urumqi) and seed 002, the
-- announcement's translated text, four (Beijing, Tianjin, Dalian, Hangzhou):
-- where a seed agrees with the list the membership is H (several sources
-- agree).  The other eleven (Ningbo, Hefei, Fuzhou, Xiamen, Nanchang,
-- Qingdao, Zhengzhou, Changsha, Guangzhou, Huangpu, Shenzhen) rest on the
-- list alone: M.  Code confidence (column confidence) is the district
-- list's and says nothing about the pilot.
UPDATE cbreturn.districts SET
    pilot_confidence = CASE
        WHEN code IN ('01', '02', '09', '19', '22', '23', '29', '79', '94') THEN 'H'
        ELSE 'M' END,
    pilot_source = CASE
        WHEN code IN ('01', '02', '09', '29')
            THEN 'GACC 2024 No. 167 (pilot from 2024-12-15), named in seeds 001 and 002'
        WHEN code IN ('19', '22', '23', '79', '94')
            THEN 'GACC 2024 No. 167 (pilot from 2024-12-15), named in seed 001'
        ELSE 'GACC 2024 No. 167 (pilot from 2024-12-15) as listed in the rules (R-EX-5); named in no seed' END
 WHERE cross_return_pilot_from IS NOT NULL;

-- ---------------------------------------------------------------------------
-- Supervision codes (R-ID-3)
-- ---------------------------------------------------------------------------
CREATE TABLE cbreturn.supervision_codes (
    code        cbreturn.supervision_code PRIMARY KEY,
    name_zh     text NOT NULL,
    name_en     text NOT NULL,
    direction   text NOT NULL CHECK (direction IN ('import', 'export', 'both')),
    kind        text NOT NULL,
    is_cbec     boolean NOT NULL,
    confidence  "char" NOT NULL DEFAULT 'U' CHECK (confidence IN ('H', 'M', 'U')),
    shipped     boolean NOT NULL DEFAULT false
);
COMMENT ON TABLE cbreturn.supervision_codes IS
    'customs supervision codes relevant to CBEC returns (R-ID-3)';
COMMENT ON COLUMN cbreturn.supervision_codes.is_cbec IS
    'true for the cross-border e-commerce codes (1210, 1239, 9610, 9710, 9810)';

INSERT INTO cbreturn.supervision_codes (code, name_zh, name_en, direction, kind, is_cbec, confidence, shipped) VALUES
    ('9610', '跨境贸易电子商务', 'cross-border e-commerce', 'both', 'retail, list-based', true, 'H', true),
    ('1210', '保税跨境贸易电子商务', 'bonded cross-border e-commerce', 'both',
             'retail via special customs areas / bonded logistics centre B', true, 'H', true),
    ('1239', '保税跨境贸易电子商务A', 'bonded cross-border e-commerce A', 'import', 'retail bonded import', true, 'H', true),
    ('9710', '跨境电子商务企业对企业直接出口', 'cross-border e-commerce B2B direct export', 'export', 'B2B direct export', true, 'H', true),
    ('9810', '跨境电子商务出口海外仓', 'cross-border e-commerce export to overseas warehouse', 'export',
             'B2B export to overseas warehouse', true, 'H', true),
    ('4561', '退运货物', 'returned goods', 'both', 'general returns after release', false, 'H', true),
    ('4500', '直接退运', 'direct return', 'both', 'returned before release', false, 'H', true),
    ('0110', '一般贸易', 'general trade', 'both', 'general trade (not CBEC)', false, 'H', true);

SELECT pg_catalog.set_config('cbreturn.loading_policy', 'off', true);

CREATE TRIGGER policy_row_guard BEFORE INSERT OR UPDATE ON cbreturn.districts
    FOR EACH ROW EXECUTE FUNCTION cbreturn.policy_row_guard('code');
CREATE TRIGGER policy_row_guard BEFORE INSERT OR UPDATE ON cbreturn.supervision_codes
    FOR EACH ROW EXECUTE FUNCTION cbreturn.policy_row_guard('code');

SELECT pg_catalog.pg_extension_config_dump('cbreturn.districts', 'WHERE NOT shipped');
SELECT pg_catalog.pg_extension_config_dump('cbreturn.supervision_codes', 'WHERE NOT shipped');

-- Readable by everyone, writable by the owner (the role that created the extension).
GRANT USAGE ON SCHEMA cbreturn TO PUBLIC;
REVOKE ALL ON cbreturn.districts, cbreturn.supervision_codes FROM PUBLIC;
GRANT SELECT ON cbreturn.districts, cbreturn.supervision_codes TO PUBLIC;
