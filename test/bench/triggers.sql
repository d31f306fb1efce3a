SELECT bench.note('triggers', 'skipped: not written yet');
