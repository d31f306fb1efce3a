#!/usr/bin/env bash
psql -X -q -c "SELECT bench.note('concurrency', 'skipped: not written yet')" >/dev/null
