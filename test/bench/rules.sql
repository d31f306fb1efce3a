SELECT bench.note('rules', 'skipped: not written yet');
