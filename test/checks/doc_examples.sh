#!/usr/bin/env bash
# Examples in the documentation that say they run as they are: a block
#
#     <!-- same as test/sql/NAME.sql -->      (or test/erp/NAME.sql, the worked ERP's files)
#     ```sql
#     ...
#     ```
#
# must appear in that file, line for line and in order (comment
# lines of the block and blank lines aside; the test may have more lines in
# between), so the regression test runs what the page shows and its expected
# output checks the answers.  Fails when a page and its test drift apart, or
# when a page names a test that does not exist.  A comment at the end of a
# line does not count, so a translated page (README.zh-CN.md) may translate
# its comments.
set -euo pipefail
cd "$(dirname "$0")/../.."
python3 - README.md README.zh-CN.md docs/*.md <<'PY'
import re, sys
def code(line):
    """The line without a trailing -- comment (outside quotes) and blanks."""
    out, quoted = [], False
    for i, ch in enumerate(line):
        if ch == "'":
            quoted = not quoted
        elif not quoted and line.startswith('--', i):
            break
        out.append(ch)
    return ''.join(out).rstrip()
failures = 0
blocks = 0
for page in sys.argv[1:]:
    text = open(page, encoding='utf-8').read()
    for m in re.finditer(r'<!-- same as (test/(?:sql|erp)/[\w.]+\.sql) -->\n```sql\n(.*?)```', text, re.S):
        blocks += 1
        test_file = m.group(1)
        try:
            test_lines = [code(l) for l in open(test_file, encoding='utf-8')]
        except OSError:
            print(f'not ok - {page}: names {test_file}, which does not exist')
            failures += 1
            continue
        want = [code(l) for l in m.group(2).splitlines()
                if l.strip() and not l.lstrip().startswith('--')]
        i = 0
        for line in want:
            while i < len(test_lines) and test_lines[i] != line:
                i += 1
            if i == len(test_lines):
                print(f'not ok - {page}: this line of its example is not in {test_file} (in order):\n#   {line}')
                failures += 1
                break
            i += 1
        else:
            print(f'ok - {page}: its example runs in {test_file} ({len(want)} lines)')
if blocks == 0:
    print('not ok - no example is marked "same as test/sql/..."')
    failures += 1
sys.exit(1 if failures else 0)
PY
