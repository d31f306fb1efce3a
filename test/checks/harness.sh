#!/usr/bin/env bash
# The harness's count (the closing `tests: N passed, N failed` of `make test`)
# is true whatever the PostgreSQL major:
#  - pg_regress logs are counted in both formats, up to 15 ("test x ... ok")
#    and from 16 on ("ok 1 - x", "not ok 2 + y"), and a log cut short or whose
#    lines do not add up to its summary counts as a failure;
#  - a failing regression test does not stop the isolation suite: both run and
#    both are counted (a small tree with one passing and one failing regression
#    test and one isolation spec, run against the throwaway cluster).
set -euo pipefail
cd "$(dirname "$0")/../.."
top=$(pwd)
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
status=0

expect() {   # $1: what; $2: expected; $3: got
    if [ "$2" = "$3" ]; then
        printf 'ok - %s\n' "$1"
    else
        printf 'FAIL: %s: expected "%s", got "%s"\n' "$1" "$2" "$3"
        status=1
    fi
}
count() { printf '%s' "$1" >"$work/log"; test/run count-regress "$work/log"; }

# pg_regress 15
expect "15 format, all passed" "3 0" "$(count '# +++ regress install-check in  +++
============== running regression test queries        ==============
test 00_install                   ... ok           50 ms
test 10_declaration_id            ... ok          108 ms
test 99_uninstall                 ... ok           88 ms

=====================
 All 3 tests passed. 
=====================
')"
expect "15 format, one failed, one in a parallel group" "2 1" "$(count 'test 00_install                   ... ok           50 ms
parallel group (2 tests):  a b
     a                            ... FAILED      108 ms
     b                            ... ok           88 ms

======================
 1 of 3 tests failed. 
======================
')"
# pg_regress 16, 17, 18
expect "16+ format, one failed" "2 1" "$(count '# +++ regress install-check in  +++
# using postmaster on /tmp/x, port 1
ok 1         - 00_install                                 50 ms
not ok 2     - 10_declaration_id                         108 ms
ok 3         - 99_uninstall                               88 ms
1..3
# 1 of 3 tests failed.
')"
expect "16+ format, parallel group, all passed" "3 0" "$(count '# parallel group (2 tests):  a b
ok 1         + a                                          50 ms
ok 2         + b                                          51 ms
ok 3         - c                                          52 ms
1..3
# All 3 tests passed.
')"
expect "16+ isolation format" "1 0" "$(count '# +++ isolation install-check in  +++
ok 1         - quantity_cache                             950 ms
1..1
# All 1 tests passed.
')"
expect "a log cut short (no summary) counts a failure" "1 1" "$(count 'ok 1         - 00_install                                 50 ms
')"
expect "lines that do not add up to the summary count a failure" "2 1" "$(count 'test a ... ok 1 ms
test b ... ok 1 ms

 All 3 tests passed. 
')"
expect "a suite that did not run at all counts a failure" "0 1" "$(count 'pg_regress: could not connect
')"

# both suites run although a regression test fails
mkdir -p "$work/tree/test/sql" "$work/tree/test/expected" "$work/tree/test/isolation/specs" \
         "$work/tree/test/isolation/expected"
cp Makefile cbreturn.control "$work/tree/"
cp test/run "$work/tree/test/"
printf 'SELECT 1 AS one;\n' >"$work/tree/test/sql/a_pass.sql"
printf 'SELECT 1 AS one;\n one \n-----\n   1\n(1 row)\n\n' >"$work/tree/test/expected/a_pass.out"
printf 'SELECT 2 AS two;\n' >"$work/tree/test/sql/b_fail.sql"
printf 'SELECT 2 AS two;\n two \n-----\n   3\n(1 row)\n\n' >"$work/tree/test/expected/b_fail.out"
cat >"$work/tree/test/isolation/specs/c_iso.spec" <<'EOF'
session s1
step s1a { SELECT 1 AS x; }
session s2
step s2a { SELECT 2 AS y; }
permutation s1a s2a
EOF
cat >"$work/tree/test/isolation/expected/c_iso.out" <<'EOF'
Parsed test spec with 2 sessions

starting permutation: s1a s2a
step s1a: SELECT 1 AS x;
x
-
1
(1 row)

step s2a: SELECT 2 AS y;
y
-
2
(1 row)

EOF
rc=0
out=$(cd "$work/tree" && test/run regress-only 2>&1) || rc=$?
expect "failing regression test: exit status non-zero" "1" "$([ $rc != 0 ] && echo 1 || echo 0)"
expect "the isolation suite ran after the failure" "1" "$(printf '%s\n' "$out" | grep -cE '(^ok [0-9]+ +- c_iso|c_iso +\.\.\. ok)' || true)"
expect "closing line counts both suites" "tests: 2 passed, 1 failed" "$(printf '%s\n' "$out" | tail -n 1)"
[ $status = 0 ] || printf '%s\n' "$out"
cd "$top"
exit $status
