SELECT bench.note('reporting', 'skipped: not written yet');
