#!/usr/bin/env bash
# The Chinese documents keep level with the English ones (issue 13): every
# SQLSTATE docs/errors.md lists is in docs/errors.zh-CN.md and the other way
# round; each pair has the same number of sections and links its twin; both
# READMEs open with the same two commands, make demo and make test.
set -euo pipefail
cd "$(dirname "$0")/../.."
python3 - <<'PY'
import re, sys
bad = 0
def fail(msg):
    global bad
    print('FAIL: ' + msg); bad += 1
def read(p):
    return open(p, encoding='utf-8').read()

# SQLSTATEs: the first column of every table row
def states(p):
    return set(re.findall(r'^\| `([0-9A-Z]{5})` \|', read(p), re.M))
en, zh = states('docs/errors.md'), states('docs/errors.zh-CN.md')
if len(en) < 20:
    fail('docs/errors.md lists only %d SQLSTATEs: the table format changed?' % len(en))
for s in sorted(en - zh):
    fail('SQLSTATE %s is in docs/errors.md but not in docs/errors.zh-CN.md' % s)
for s in sorted(zh - en):
    fail('SQLSTATE %s is in docs/errors.zh-CN.md but not in docs/errors.md' % s)

pairs = [('README.md', 'README.zh-CN.md'), ('docs/errors.md', 'docs/errors.zh-CN.md'),
         ('docs/enforcement.md', 'docs/enforcement.zh-CN.md')]
for e, z in pairs:
    te, tz = read(e), read(z)
    ne, nz = len(re.findall(r'^## ', te, re.M)), len(re.findall(r'^## ', tz, re.M))
    if ne != nz:
        fail('%s has %d sections, %s has %d' % (e, ne, z, nz))
    if '(%s)' % z.split('/')[-1] not in te:
        fail('%s does not link %s' % (e, z))
    if '(%s)' % e.split('/')[-1] not in tz:
        fail('%s does not link %s' % (z, e))

# the two commands first
for p in ('README.md', 'README.zh-CN.md'):
    m = re.search(r'```sh\n(.*?)```', read(p), re.S)
    cmds = [l.split('#')[0].strip() for l in (m.group(1).splitlines() if m else [])]
    if cmds[:2] != ['make demo', 'make test']:
        fail('%s does not open with make demo and make test: %s' % (p, cmds[:2]))
    if read(p).index('```sh') > read(p).index('\n## '):
        fail('%s: the two commands come after the first section' % p)
if bad:
    sys.exit(1)
print('ok: docs/errors.zh-CN.md lists the %d SQLSTATEs of docs/errors.md; README, errors and enforcement have their Chinese twins, linked both ways, with as many sections; both READMEs open with make demo and make test' % len(en))
PY
