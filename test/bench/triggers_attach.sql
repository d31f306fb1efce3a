-- Attach cbreturn's export-return checks to the benchmark's returns table
-- bench.tr_c, naming its columns (included by triggers.sql and concurrency.sh).
SELECT cbreturn.attach_export_return_checks('bench.tr_c'::regclass);
