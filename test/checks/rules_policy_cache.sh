#!/usr/bin/env bash
# Asserts that a policy change committed by one session reaches another
# session that has already loaded its policy cache, without reconnecting
# (relcache invalidation sent by the policy_changed triggers).
set -euo pipefail
db=cbreturn_rules_cache
PGOPTIONS="-c client_min_messages=warning" psql -X -q -v ON_ERROR_STOP=1 -d postgres -c "DROP DATABASE IF EXISTS $db" -c "CREATE DATABASE $db"
trap 'psql -X -q -d postgres -c "DROP DATABASE IF EXISTS '"$db"'" >/dev/null 2>&1 || true' EXIT
psql -X -q -v ON_ERROR_STOP=1 -d "$db" -c "CREATE EXTENSION cbreturn"

# One session: answer, let a second session commit a new announcement, answer again.
out=$(psql -X -q -A -t -v ON_ERROR_STOP=1 -d "$db" <<SQL
SELECT (cbreturn.export_tax_relief('9610', '2028-01-01', '2028-02-01', 'unsold', false, true)).relieved;
\! psql -X -q -v ON_ERROR_STOP=1 -d $db -c "INSERT INTO cbreturn.tax_policy_periods (announcement, declared_from, declared_to, supervision_codes) VALUES ('check 2028', '2028-01-01', '2028-12-31', '{9610}')"
SELECT (cbreturn.export_tax_relief('9610', '2028-01-01', '2028-02-01', 'unsold', false, true)).relieved;
\! psql -X -q -v ON_ERROR_STOP=1 -d $db -c "DELETE FROM cbreturn.tax_policy_periods WHERE announcement = 'check 2028'"
SELECT (cbreturn.export_tax_relief('9610', '2028-01-01', '2028-02-01', 'unsold', false, true)).relieved;
SQL
)
expected=$'f\nt\nf'
if [ "$out" != "$expected" ]; then
    printf 'policy change by another session: expected f,t,f, got:\n%s\n' "$out"
    exit 1
fi
echo "policy row committed by another session is seen by the next query, and its deletion too"
