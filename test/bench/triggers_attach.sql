-- Attach cbreturn's export-return checks (R-EX-1 window, R-EX-2 remark code)
-- to the benchmark's returns table bench.tr_c, naming its columns; the reason
-- is read from the remarks.  Included by triggers.sql and concurrency.sh.
SELECT cbreturn.attach_export_return_checks('bench.tr_c', exported_on => 'exported_on',
                                            returned_on => 'returned_on', remarks => 'remarks');
