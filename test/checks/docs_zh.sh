#!/usr/bin/env bash
# The Chinese documents keep level with the English ones (issue 13): every
# SQLSTATE docs/errors.md lists is in docs/errors.zh-CN.md and the other way
# round; each pair links its twin and has the same sections (## and ###, in
# order), and section by section the same code blocks (the same SQL and shell
# statements, comments aside; output examples may be translated), as many
# table rows, and every inline code of the English (a name, a file, a value;
# a link to the twin page counts); both READMEs open with the same two
# commands, make demo and make test.
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

def sections(text):
    """[(heading, body)]: the text before the first ## heading, then each ## or ### section."""
    parts = re.split(r'^(#{2,3} .*)$', text, flags=re.M)
    return [('(top)', parts[0])] + [(parts[i], parts[i + 1]) for i in range(1, len(parts), 2)]

def strip_comment(line, mark):
    """The line without a trailing comment (mark outside single quotes)."""
    quoted = False
    for i, ch in enumerate(line):
        if ch == "'":
            quoted = not quoted
        elif not quoted and line.startswith(mark, i):
            return line[:i]
    return line

def blocks(body):
    """[(language, statements)] of the fenced blocks: for sql and sh the code
    without comments, blanks normalised; for other blocks (output) None."""
    out = []
    for lang, code in re.findall(r'^```(\w*)\n(.*?)^```', body, re.M | re.S):
        if lang in ('sql', 'sh'):
            mark = '--' if lang == 'sql' else '#'
            code = ' '.join(' '.join(strip_comment(l, mark).split()) for l in code.splitlines())
            out.append((lang, ' '.join(code.split())))
        else:
            out.append((lang, None))
    return out

def table_rows(body):
    body = re.sub(r'^```.*?^```', '', body, flags=re.M | re.S)
    return len(re.findall(r'^\|(?!\s*-{3})', body, re.M))

def inline_code(body):
    """The inline code without blanks in it (names, files, values), outside blocks."""
    body = re.sub(r'^```.*?^```', '', body, flags=re.M | re.S)
    return [c for c in re.findall(r'`([^`\n]+)`', body) if not re.search(r'\s', c)]

compared = 0
for e, z in pairs:
    te, tz = read(e), read(z)
    if '(%s)' % z.split('/')[-1] not in te:
        fail('%s does not link %s' % (e, z))
    if '(%s)' % e.split('/')[-1] not in tz:
        fail('%s does not link %s' % (z, e))
    se, sz = sections(te), sections(tz)
    le, lz = [h.split()[0] for h, _ in se], [h.split()[0] for h, _ in sz]
    if le != lz:
        fail('%s and %s do not have the same sections (## and ###, in order): %s / %s'
             % (e, z, ' '.join(le), ' '.join(lz)))
        continue
    for (he, be), (hz, bz) in zip(se, sz):
        where = '%s "%s" / %s "%s"' % (e, he, z, hz)
        ce, cz = blocks(be), blocks(bz)
        if [l for l, _ in ce] != [l for l, _ in cz]:
            fail('%s: different code blocks: %s / %s' % (where, [l or 'text' for l, _ in ce],
                                                        [l or 'text' for l, _ in cz]))
        else:
            for n, ((lang, a), (_, b)) in enumerate(zip(ce, cz), 1):
                if a != b:
                    fail('%s: %s block %d differs (comments aside):\n    %s\n    %s' % (where, lang, n, a, b))
        re_, rz = table_rows(be), table_rows(bz)
        if re_ != rz:
            fail('%s: %d table rows / %d' % (where, re_, rz))
        have = set(inline_code(bz))
        for c in inline_code(be):
            if c not in have and re.sub(r'\.md$', '.zh-CN.md', c) not in have:
                fail('%s: `%s` is not in the Chinese section' % (where, c))
                have.add(c)
        compared += 1

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
print('ok: docs/errors.zh-CN.md lists the %d SQLSTATEs of docs/errors.md; README, errors and enforcement have their Chinese twins, linked both ways, with the same %d sections, code, table rows and inline code; both READMEs open with make demo and make test' % (len(en), compared))
PY
