-- Sample rows of the worked ERP (docs/erp-example.md): EXAMPLES ONLY, made up
-- for the example (the enterprise, the list numbers, the goods); the customs
-- offices are real codes the rest of the repository uses (2924 Hangzhou,
-- 5316 Shenzhen).  Written as the ERP writes them; read with \i after
-- test/erp/schema.sql by the page, the demo and test/sql/47_erp_example.sql.

-- Three export lists and their lines.
INSERT INTO kuajing.qingdan_biaotou VALUES
    ('29242026E000100001', '示例跨境电商有限公司（示例）', '9610', '2924', '2026-03-01 10:00+08'),
    ('53162026E000200002', '示例跨境电商有限公司（示例）', '9610', '5316', '2026-03-15 09:30+08'),
    ('29242026E000100003', '示例跨境电商有限公司（示例）', '9710', '2924', '2026-02-10 14:00+08');
INSERT INTO kuajing.qingdan_biaoti VALUES
    ('29242026E000100001', 1, '蓝牙耳机', 10),
    ('29242026E000100001', 2, '手机壳', 50),
    ('53162026E000200002', 1, '保温杯', 20),
    ('29242026E000100003', 1, '儿童外套', 100);

-- Return requests, each in its month's partition, at the stage it has
-- reached; the export facts are read from the list header.  Empty
-- remarks are filled with the reason's code (fill_remarks).
INSERT INTO kuajing.tuihuo_dan (tuihuo_danhao, shenqing_shijian, qingdan_bianhao, cangku, tuihuo_yuanyin,
        beizhu, tuihuo_haiguan, zhuangtai,
        dengji_shijian, shenbao_shijian, fayun_shijian, daohuo_shijian, chayan_shijian, fangxing_shijian,
        bohui_shijian, shipin, yuanzhuang, huowu_jiazhi) VALUES
    -- a consumer return, released in April
    ('TH2026040001', '2026-04-02 10:00+08', '29242026E000100001', '杭州一号仓', '退货', NULL,
     '2924', 'FX', '2026-04-02 10:00+08', '2026-04-03 09:00+08',
     '2026-04-05 08:00+08', '2026-04-20 15:00+08', '2026-04-21 10:00+08', '2026-04-22 16:00+08', NULL, false, true, 597.00),
    -- unsold stock, inspected, not yet released
    ('TH2026050002', '2026-05-20 11:00+08', '29242026E000100001', '杭州一号仓', '滞销', 'ZXTY 清仓',
     '2924', 'CY', '2026-05-20 11:00+08', '2026-05-21 09:00+08',
     '2026-05-23 08:00+08', '2026-06-01 14:00+08', '2026-06-02 10:00+08', NULL, NULL, false, NULL, 1500.00),
    -- a quality return from Shenzhen through Hangzhou (R-EX-5: nationwide since 2026-04-01)
    ('TH2026060003', '2026-06-18 09:00+08', '53162026E000200002', '杭州一号仓', '品质', '',
     '2924', 'FX', '2026-06-18 09:00+08', '2026-06-19 09:00+08',
     '2026-06-22 08:00+08', '2026-07-08 15:00+08', '2026-07-09 10:00+08', '2026-07-10 11:00+08', NULL, false, true, 880.00),
    -- unsold stock, just declared
    ('TH2026080004', '2026-08-25 17:00+08', '29242026E000100001', '宁波二号仓', '滞销退运', NULL,
     '2924', 'SB', '2026-08-25 17:00+08', '2026-08-26 09:00+08',
     NULL, NULL, NULL, NULL, NULL, false, NULL, 450.00),
    -- refused by customs (驳回)
    ('TH2026030005', '2026-03-20 10:00+08', '29242026E000100003', '宁波二号仓', '退货', 'THTY',
     '2924', 'BH', '2026-03-20 10:00+08', '2026-03-21 09:00+08',
     NULL, NULL, NULL, NULL, '2026-03-25 16:00+08', false, NULL, 2000.00),
    -- released in July; whether it is in original state is not recorded (relief undecided)
    ('TH2026070006', '2026-07-01 10:00+08', '29242026E000100003', '宁波二号仓', 'ZXTY', NULL,
     '2924', 'FX', '2026-07-01 10:00+08', '2026-07-02 09:00+08',
     '2026-07-05 08:00+08', '2026-07-25 15:00+08', '2026-07-28 10:00+08', '2026-07-30 10:00+08', NULL, false, NULL, 1000.00),
    -- food, released in September: no tax relief for food (R-TX-2)
    ('TH2026090007', '2026-09-01 09:00+08', '53162026E000200002', '杭州一号仓', '退货退运', NULL,
     '2924', 'FX', '2026-09-01 09:00+08', '2026-09-01 10:00+08',
     '2026-09-02 08:00+08', '2026-09-08 15:00+08', '2026-09-09 10:00+08', '2026-09-10 11:00+08', NULL, true, true, 120.00);

-- Their goods lines: 3 + 5 of line 1 of the first list (10 declared), 30 of
-- its line 2 (50), 8 + 2 of the Shenzhen cups (20), 40 + 20 children's coats (100).
INSERT INTO kuajing.tuihuo_mingxi VALUES
    ('TH2026040001', '2026-04-02 10:00+08', 1, '29242026E000100001', 1, 3),
    ('TH2026050002', '2026-05-20 11:00+08', 1, '29242026E000100001', 2, 30),
    ('TH2026060003', '2026-06-18 09:00+08', 1, '53162026E000200002', 1, 8),
    ('TH2026080004', '2026-08-25 17:00+08', 1, '29242026E000100001', 1, 5),
    ('TH2026030005', '2026-03-20 10:00+08', 1, '29242026E000100003', 1, 40),
    ('TH2026070006', '2026-07-01 10:00+08', 1, '29242026E000100003', 1, 20),
    ('TH2026090007', '2026-09-01 09:00+08', 1, '53162026E000200002', 1, 2);
