-- The worked ERP of docs/erp-example.md: a Chinese seller's ERP schema as it is
-- (pinyin column names, varchar codes, Chinese reason labels, its own status
-- codes, timestamptz times, returns partitioned by month), with cbreturn's
-- checks attached and its reports defined.  No trigger is written by hand.
--
-- One file for the page, the demo (test/demo/demo.sql) and the regression test
-- (test/sql/47_erp_example.sql), which read it with \i from the top of the
-- tree; test/checks/doc_examples.sh keeps the page's copy the same.
-- Expects cbreturn on search_path.  Every name, code and value is an EXAMPLE.

CREATE SCHEMA kuajing;                              -- 跨境: the ERP's schema

-- 出口清单表头: the export list (CBEC list) header, one row per list.
CREATE TABLE kuajing.qingdan_biaotou (
    qingdan_bianhao   varchar(21) PRIMARY KEY,     -- 清单编号, as the ERP keeps it
    dianshang_qiye    text NOT NULL,               -- 电商企业
    jianguan_fangshi  varchar(4) NOT NULL,         -- 监管方式: 9610, 9710, 9810, 1210
    shenbao_haiguan   varchar(4) NOT NULL,         -- 申报海关: office that cleared the export
    chukou_riqi       timestamptz NOT NULL         -- 出口日期: export clearance time
);

-- 出口清单表体: the list's goods lines.
CREATE TABLE kuajing.qingdan_biaoti (
    qingdan_bianhao   varchar(21) REFERENCES kuajing.qingdan_biaotou,
    shangpin_xuhao    smallint,                    -- 商品序号
    shangpin_mingcheng text NOT NULL,              -- 商品名称
    shenbao_shuliang  integer NOT NULL,            -- 申报数量
    PRIMARY KEY (qingdan_bianhao, shangpin_xuhao)
);

-- 退货单: one return request per row, partitioned by the month (China time)
-- of its application.  The export facts (export time, supervision code,
-- export office) are not on the request: the checks read them from its list
-- header (qingdan_bianhao), as the reports do.
CREATE TABLE kuajing.tuihuo_dan (
    tuihuo_danhao     varchar(20) NOT NULL,        -- 退货单号
    shenqing_shijian  timestamptz NOT NULL,        -- 申请时间: partition key
    qingdan_bianhao   varchar(21) NOT NULL REFERENCES kuajing.qingdan_biaotou,
    cangku            text NOT NULL,               -- 仓库
    tuihuo_yuanyin    varchar(10) NOT NULL,        -- 退货原因: 滞销 / 退货 / 品质 ...
    beizhu            text,                        -- 备注: ZXTY / THTY / PGTY first (R-EX-2)
    tuihuo_haiguan    varchar(4),                  -- 退货海关: office the goods come back through
    tuihuo_jianguan   varchar(4),                  -- 退货监管方式: 4561 = 退运货物, an ordinary (taxed) return
    zhuangtai         char(2) NOT NULL DEFAULT 'XJ',  -- 状态: XJ SB YS DH CY FX BH
    dengji_shijian    timestamptz,                 -- 登记 (XJ)
    shenbao_shijian   timestamptz,                 -- 申报 (SB)
    fayun_shijian     timestamptz,                 -- 发运 (YS)
    daohuo_shijian    timestamptz,                 -- 到货 (DH)
    chayan_shijian    timestamptz,                 -- 查验 (CY)
    fangxing_shijian  timestamptz,                 -- 放行 (FX): the goods are back
    bohui_shijian     timestamptz,                 -- 驳回 (BH)
    shipin            boolean NOT NULL DEFAULT false,  -- 食品
    yuanzhuang        boolean,                     -- 原状: found in original state (R-TX-4)
    huowu_jiazhi      numeric(14, 2) NOT NULL,     -- 货物价值, CNY
    PRIMARY KEY (tuihuo_danhao, shenqing_shijian)
) PARTITION BY RANGE (shenqing_shijian);

-- 退货明细: the goods lines of a return request.
CREATE TABLE kuajing.tuihuo_mingxi (
    tuihuo_danhao     varchar(20) NOT NULL,
    shenqing_shijian  timestamptz NOT NULL,
    hanghao           smallint NOT NULL,           -- 行号
    qingdan_bianhao   varchar(21) NOT NULL,        -- the export list line returned
    shangpin_xuhao    smallint NOT NULL,
    tuihuo_shuliang   integer NOT NULL,            -- 退货数量
    PRIMARY KEY (tuihuo_danhao, hanghao),
    FOREIGN KEY (tuihuo_danhao, shenqing_shijian) REFERENCES kuajing.tuihuo_dan
);

-- The checks, once, on the partitioned requests table: they cover every
-- month's partition, those created later included (docs/enforcement.md,
-- "Partitioned tables").  The export facts of a request are on its list
-- header ("Facts from the declaration header"): the header is named first.
SELECT attach_header('kuajing.tuihuo_dan',
    header           => 'kuajing.qingdan_biaotou',
    key              => '{qingdan_bianhao}',    -- the request's list number
    header_key       => '{qingdan_bianhao}',    -- the header's primary key
    exported_on      => 'chukou_riqi',          -- timestamptz: its China date (R-T-1)
    supervision_code => 'jianguan_fangshi',
    export_office    => 'shenbao_haiguan');
SELECT attach_export_return_checks('kuajing.tuihuo_dan',
    exported_on      => NULL,                   -- from the header, with the codes
    reason           => 'tuihuo_yuanyin',       -- 滞销 / 退货 / 品质 ... (R-V-1)
    returned_on      => 'fangxing_shijian',     -- timestamptz
    remarks          => 'beizhu',
    fill_remarks     => true,                   -- empty remarks get the reason's code
    return_office    => 'tuihuo_haiguan');
SELECT attach_status_check('kuajing.tuihuo_dan', status => 'zhuangtai',
    registered_at => 'dengji_shijian', declared_at => 'shenbao_shijian',
    shipped_at => 'fayun_shijian', arrived_at => 'daohuo_shijian',
    inspected_at => 'chayan_shijian', released_at => 'fangxing_shijian',
    rejected_at => 'bohui_shijian',
    labels => '{XJ,SB,YS,DH,CY,FX,BH}');
-- goods declared back as ordinary returned goods (4561) are taxed, and not
-- held to the CBEC window or remark code (R-EX-1, R-EX-2)
SELECT set_ordinary_return_column('kuajing.tuihuo_dan', 'export', 'tuihuo_jianguan', '{4561}');

-- A month's partition of the requests: its bounds are China months (+08).
-- It needs no call of cbreturn: the checks above cover it.
CREATE FUNCTION kuajing.chuangjian_yuefen(yuefen date) RETURNS regclass
    LANGUAGE plpgsql SET search_path = pg_catalog, pg_temp AS $$
BEGIN
    EXECUTE format('CREATE TABLE kuajing.%I PARTITION OF kuajing.tuihuo_dan FOR VALUES FROM (%L) TO (%L)',
                   'tuihuo_dan_' || to_char(yuefen, 'YYYYMM'),
                   date_trunc('month', yuefen)::date || ' 00:00+08',
                   (date_trunc('month', yuefen) + interval '1 month')::date || ' 00:00+08');
    RETURN ('kuajing.' || quote_ident('tuihuo_dan_' || to_char(yuefen, 'YYYYMM')))::regclass;
END
$$;
SELECT kuajing.chuangjian_yuefen(m::date)
  FROM generate_series(date '2026-03-01', date '2026-10-01', interval '1 month') AS m;

-- Returned quantity per export list line (R-EX-3): over every request line,
-- never more than declared.  A request customs rejected (BH) frees the
-- quantity of its lines (rules section 6): the status is on the request, so
-- the request is the lines' header, found in whichever month's partition
-- holds it.
SELECT attach_header('kuajing.tuihuo_mingxi',
    header     => 'kuajing.tuihuo_dan',
    key        => '{tuihuo_danhao,shenqing_shijian}',   -- the line's request
    header_key => '{tuihuo_danhao,shenqing_shijian}',   -- its primary key, with the partition key
    status     => 'zhuangtai');
SELECT attach_quantity_check('kuajing.tuihuo_mingxi',
    line => '{qingdan_bianhao,shangpin_xuhao}', quantity => 'tuihuo_shuliang',
    declared_table => 'kuajing.qingdan_biaoti',
    declared_line => '{qingdan_bianhao,shangpin_xuhao}', declared_quantity => 'shenbao_shuliang',
    freeing_labels => '{BH}');                          -- 驳回: holds nothing

-- Reports (docs/reporting.md).  Each is a function of the day it is taken on,
-- so a report of any past day can be run again; the views are today's, by the
-- China date (R-T-1).  The export facts are read from the list header.
CREATE FUNCTION kuajing.tuihuo_pinggu(as_of date)    -- 退货评估: every request, assessed
    RETURNS TABLE (tuihuo_danhao varchar, cangku text, zhuangtai char(2), fangxing_riqi date,
                   huowu_jiazhi numeric, putong boolean, a export_assessment)
    LANGUAGE sql STABLE
BEGIN ATOMIC
SELECT d.tuihuo_danhao, d.cangku, d.zhuangtai, china_date(d.fangxing_shijian), d.huowu_jiazhi,
       coalesce(d.tuihuo_jianguan = '4561', false),
       assess_export_return(t.jianguan_fangshi::supervision_code, china_date(t.chukou_riqi),
                            return_reason(d.tuihuo_yuanyin), china_date(d.fangxing_shijian), as_of,
                            t.shenbao_haiguan::customs_code, d.tuihuo_haiguan::customs_code,
                            d.shipin, d.yuanzhuang,
                            ordinary => coalesce(d.tuihuo_jianguan = '4561', false))  -- 一般退运: taxed
  FROM kuajing.tuihuo_dan d
  JOIN kuajing.qingdan_biaotou t USING (qingdan_bianhao)
 WHERE d.zhuangtai <> 'BH';                         -- a rejected request is no return
END;

-- 仓库未办结: open returns per warehouse, what is due soon, what is late.
CREATE FUNCTION kuajing.cangku_weijie(as_of date)
    RETURNS TABLE (cangku text, weijie bigint, jijiang_daoqi bigint, yiyuqi bigint, zuijin_qixian date)
    LANGUAGE sql STABLE
BEGIN ATOMIC
SELECT cangku,
       count(*) FILTER (WHERE (a).status = 'open'),
       count(*) FILTER (WHERE (a).status = 'due_soon'),
       count(*) FILTER (WHERE (a).status = 'overdue'),
       min((a).deadline)
  FROM kuajing.tuihuo_pinggu(as_of)
 WHERE (a).status IN ('open', 'due_soon', 'overdue') AND NOT putong
 GROUP BY cangku;
END;

-- 每月减免: tax relief per month of release; undecided when an input is
-- missing; an ordinary return (4561) is taxed: tuihuo_pinggu passes ordinary,
-- and its relief says so (relieved false, the basis says why).
CREATE FUNCTION kuajing.meiyue_jianmian(as_of date)
    RETURNS TABLE (yuefen date, tuihuo bigint, jianmian bigint, jianmian_jiazhi numeric,
                   bu_jianmian bigint, daiding bigint, putong_zhengshui bigint)
    LANGUAGE sql STABLE
BEGIN ATOMIC
SELECT date_trunc('month', fangxing_riqi)::date,
       count(*),
       count(*) FILTER (WHERE ((a).tax_relief).relieved AND NOT putong),
       coalesce(sum(huowu_jiazhi) FILTER (WHERE ((a).tax_relief).relieved AND NOT putong), 0),
       count(*) FILTER (WHERE NOT ((a).tax_relief).relieved AND NOT putong),
       count(*) FILTER (WHERE (a).tax_relief IS NULL AND NOT putong),
       count(*) FILTER (WHERE putong)
  FROM kuajing.tuihuo_pinggu(as_of)
 WHERE fangxing_riqi <= as_of
 GROUP BY date_trunc('month', fangxing_riqi);
END;

CREATE VIEW kuajing.cangku_weijie_jintian AS SELECT * FROM kuajing.cangku_weijie(china_date(now()));
CREATE VIEW kuajing.meiyue_jianmian_jintian AS SELECT * FROM kuajing.meiyue_jianmian(china_date(now()));
