#!/usr/bin/env bash
# cbreturn's messages in Chinese (docs/i18n.md).  Asserts:
#   1. po/zh_CN.po has no fuzzy or untranslated entry, msgfmt -c accepts it,
#      and every {n} placeholder of a catalogued message is kept;
#   2. po/cbreturn.pot and po/zh_CN.po are what `make po` makes of the sources
#      now (a new or changed message fails until it is extracted and translated);
#   3. the regression suite (test/sql) run with lc_messages = 'zh_CN.UTF-8'
#      raises the same SQLSTATEs, in the same order, as with lc_messages = 'C';
#      every error raised by cbreturn's C code comes back with a Chinese message,
#      DETAIL and HINT (the explain steps a DETAIL ends with included), and no
#      English text of the catalogue appears anywhere in the Chinese run (the
#      explain functions' rows included);
#   4. cbreturn.language, set by a user without privileges, wins over lc_messages,
#      for the messages of the C code and of the PL/pgSQL functions alike;
#   5. no PL/pgSQL function of sql/*.sql raises a message of its own (RAISE):
#      every one goes through cbreturn._error, whose keys (and cbreturn._text's)
#      are all in src/i18n/messages.c.
set -euo pipefail
cd "$(dirname "$0")/../.."
out=$(mktemp -d)
trap 'rm -rf "$out"' EXIT
fail() { echo "FAIL: $*"; exit 1; }

# --- 1. the catalogue is complete
n=$(msgattrib --only-fuzzy --no-obsolete po/zh_CN.po | grep -c '^msgid ' || true)
[ "$n" = 0 ] || fail "po/zh_CN.po has $((n - 1)) fuzzy entries (make po, then translate them)"
n=$(msgattrib --untranslated --no-obsolete po/zh_CN.po | grep -c '^msgid ' || true)
[ "$n" = 0 ] || fail "po/zh_CN.po has $((n - 1)) untranslated entries (translate them)"
msgfmt -c -o /dev/null po/zh_CN.po || fail "msgfmt -c rejects po/zh_CN.po"
python3 - po/zh_CN.po <<'EOF' || fail "a translation lost or added a {n} placeholder"
import re, sys
text = open(sys.argv[1], encoding='utf-8').read()
bad = 0
for mid, mstr in re.findall(r'^msgid "((?:[^"\\]|\\.)*)"\nmsgstr "((?:[^"\\]|\\.)*)"', text, re.M):
    if sorted(re.findall(r'\{\d\}', mid)) != sorted(re.findall(r'\{\d\}', mstr)):
        print('placeholders differ:', mid, '->', mstr); bad += 1
sys.exit(1 if bad else 0)
EOF
echo "ok: po/zh_CN.po is complete: no fuzzy or untranslated entry, formats and placeholders agree"
# the terms of docs/glossary.md, not their near-synonyms
python3 - po/zh_CN.po <<'EOF' || fail "a translation does not use the term of docs/glossary.md"
import re, sys
text = open(sys.argv[1], encoding='utf-8').read()
variants = {            # found: the term to use (docs/glossary.md)
    '滞销退货': '滞销退运', '质量规格': '品质规格', '品质/规格': '品质规格', '跨关退货': '跨关区退货',
    '退货中心仓库': '退货中心仓', '原样': '原状', '结关': '放行', '通关日期': '放行日期',
    '海关代码': '关区代码', '监管代码': '监管方式代码', '卸下': '解除', '退货表': '退货记录表',
    '相等运算符': '等值操作符', '超量退运': '超量退货', '原状退运进境': '原状复运进境',
    '年度已用额度': '个人年度交易累计金额', '\u201c': '"', '\u201d': '"',
}
bad = 0
for mid, mstr in re.findall(r'^msgid "((?:[^"\\]|\\.)*)"\nmsgstr "((?:[^"\\]|\\.)*)"', text, re.M):
    for wrong, right in variants.items():
        if wrong in mstr:
            print('%s: "%s" where the glossary says "%s": %s' % (mid, wrong, right, mstr)); bad += 1
sys.exit(1 if bad else 0)
EOF
echo "ok: po/zh_CN.po uses the terms of docs/glossary.md"

# --- 5. every message of the PL/pgSQL functions is catalogued (no server needed)
# The functions whose RAISEs are still being converted (docs/i18n.md, "What is
# not translated yet"); part 3 counts their English messages instead of failing.
pending_functions=""
if ! python3 - "$pending_functions" src/i18n/messages.c sql/[0-9]*.sql >"$out/raise.txt" <<'EOF'
import re, sys
pending = set(sys.argv[1].split())
catalog = open(sys.argv[2], encoding='utf-8').read()
msg_keys = set(re.findall(r'^\t\{"([a-z_.]+)", ERRCODE_', catalog, re.M))
text_keys = set(re.findall(r'^\t\{"([a-z_.]+)", gettext_noop', catalog, re.M))
bad = 0
still = set()
for path in sys.argv[3:]:
    fn = None
    for no, line in enumerate(open(path, encoding='utf-8'), 1):
        code = line.split('--', 1)[0]
        m = re.search(r'CREATE (?:OR REPLACE )?FUNCTION cbreturn\.(\w+)\(', code)
        if m:
            fn = m.group(1)
        if fn in pending:
            for lit in re.findall(r"(?:MESSAGE = |RAISE EXCEPTION )'((?:[^']|'')*)'", code):
                print('pending-message %s' % lit.replace("''", "'"))
            # English words they pass to the helpers (the meaning of a column)
            for lit in re.findall(r"'((?:[^']|'')*)'", code):
                if len(re.findall(r'[A-Za-z]{2,}', lit)) >= 3 and '%' not in lit:
                    print('pending-text %s' % lit.replace("''", "'"))
        if re.search(r'\bRAISE\b(?!\s*;)', code):
            if fn in pending:
                still.add(fn)
                print('pending %s' % fn)
            else:
                print('FAIL: %s:%d: RAISE in %s: raise a catalogued message with cbreturn._error (docs/i18n.md)' % (path, no, fn)); bad += 1
        for k in re.findall(r"cbreturn\._error\('([^']*)'", code):
            if k not in msg_keys:
                print('FAIL: %s:%d: cbreturn._error key "%s" is not in src/i18n/messages.c' % (path, no, k)); bad += 1
        for k in re.findall(r"cbreturn\._text\('([^']*)'\)", code):
            if k not in text_keys:
                print('FAIL: %s:%d: cbreturn._text key "%s" is not in src/i18n/messages.c' % (path, no, k)); bad += 1
for fn in sorted(pending - still):
    print('note: %s raises no message of its own any more: take it off pending_functions in test/checks/nls.sh' % fn)
sys.exit(1 if bad else 0)
EOF
then
    grep -v '^pending' "$out/raise.txt"; fail "a PL/pgSQL function raises a message that is not catalogued"
fi
grep '^note' "$out/raise.txt" || true
echo "ok: the PL/pgSQL functions raise catalogued messages only; $(grep -c '^pending ' "$out/raise.txt" || true) RAISEs left in: $pending_functions"

# --- 2. the catalogue is up to date with the sources
mkdir -p "$out/tree"
cp -a Makefile nls.mk cbreturn.control src po "$out/tree/"
make -s -C "$out/tree" po >"$out/po.log" 2>&1 || { cat "$out/po.log"; fail "make po failed"; }
for f in po/cbreturn.pot po/zh_CN.po; do
    diff -u "$f" "$out/tree/$f" >"$out/po.diff" ||
        { cat "$out/po.diff"; fail "$f is not what make po makes of the sources: run make po and translate what is new"; }
done
echo "ok: po/cbreturn.pot and po/zh_CN.po are up to date with the sources"

# --- 3. the regression suite in both languages
locale -a | grep -qix 'zh_CN\.utf-\?8' || fail "the zh_CN.UTF-8 locale is missing (test/run deps generates it)"
run_suite() {   # $1 database, $2 lc_messages
    psql -X -q -c "DROP DATABASE IF EXISTS $1" -c "CREATE DATABASE $1"
    for f in test/sql/*.sql; do
        printf '=== %s\n' "$f"
        # psql's own labels (DETAIL:, HINT:) stay English: LC_ALL=C for the client
        LC_ALL=C PGOPTIONS="-c lc_messages=$2" psql -X -d "$1" -v VERBOSITY=verbose -f "$f" 2>&1 || true
    done
    psql -X -q -c "DROP DATABASE $1"
}
run_suite cbreturn_nls_en C >"$out/en.out"
run_suite cbreturn_nls_zh zh_CN.UTF-8 >"$out/zh.out"

sed -n 's/^pending-message //p' "$out/raise.txt" >"$out/pending_messages.txt"
sed -n 's/^pending-text //p' "$out/raise.txt" >"$out/pending_texts.txt"
python3 - "$out/en.out" "$out/zh.out" po/cbreturn.pot src "$out/pending_messages.txt" "$out/pending_texts.txt" <<'EOF'
import os, re, sys
en_out, zh_out, pot, srcdir, pending_file, pending_texts_file = sys.argv[1:7]
pending_texts = [t for t in open(pending_texts_file, encoding='utf-8').read().splitlines() if t]
# the English messages still raised by RAISE in the functions of part 5's list
pending_msgs = [re.compile('^' + '.*?'.join(re.escape(p) for p in re.split(r'%[sIL]', m)) + '$')
                for m in open(pending_file, encoding='utf-8').read().splitlines() if m]
ours = {f for _, _, fs in os.walk(srcdir) for f in fs if f.endswith('.c')}
err_re = re.compile(r'^(?:psql:[^ ]*: )?(?:ERROR|错误):  ([0-9A-Z]{5}): (.*)$')

def blocks(path):
    """(file, sqlstate, lines of the error, location file) per error; other lines."""
    errs, other, cur, fname = [], [], None, None
    for line in open(path, encoding='utf-8', errors='replace'):
        line = line.rstrip('\n')
        if line.startswith('=== '):
            fname = line[4:]; cur = None; continue
        m = err_re.match(line)
        if m:
            cur = {'file': fname, 'state': m.group(1), 'msg': m.group(2), 'detail': None,
                   'hint': None, 'loc': None}
            errs.append(cur); continue
        if cur is not None:
            for key, label in (('detail', 'DETAIL:  '), ('hint', 'HINT:  '), ('loc', 'LOCATION:  ')):
                if line.startswith(label):
                    cur[key] = line[len(label):]; break
            else:
                # psql's other fields (SCHEMA NAME:, COLUMN NAME:, ...), the query
                # excerpt and the context belong to the error too
                if re.match(r'(LINE \d+: |[A-Z][A-Z ]*:  |CONTEXT:|QUERY:|[ \t]|$)', line):
                    continue
                cur = None; other.append(line)
            continue
        other.append(line)
    for e in errs:
        loc = e['loc'] or ''
        e['origin'] = loc.rsplit(', ', 1)[-1].split(':')[0] if loc else ''
    return errs, other

en, _ = blocks(en_out)
zh, zh_other = blocks(zh_out)
bad = 0
a = [(e['file'], e['state']) for e in en]
b = [(e['file'], e['state']) for e in zh]
if a != b:
    print('FAIL: the SQLSTATEs of the two runs differ')
    import difflib
    for l in difflib.unified_diff([' '.join(x) for x in a], [' '.join(x) for x in b], 'C', 'zh_CN', lineterm=''):
        print(l)
    sys.exit(1)
print('ok: %d errors in the regression suite, the same SQLSTATEs in the same order in English and Chinese' % len(a))

# English texts of the catalogue, as patterns: the literal parts of each msgid in order
text = open(pot, encoding='utf-8').read()
pats = []
for loc, mid in re.findall(r'^#: (.*)\n(?:#.*\n)*msgid "((?:[^"\\]|\\.)+)"$', text, re.M):
    mid = mid.replace('\\"', '"')
    parts = [p for p in re.split(r'%(?:\d+\$)?[-#0 +]*\d*(?:\.\d+)?(?:ll|l|z)?[a-zA-Z%]|\{\d\}', mid)]
    if len(re.findall(r'(?<!\w)[A-Za-z]{2,}(?!\w)', ' '.join(parts))) < 3:
        continue            # a word or two (a label, an enum value): not told from data
    # the texts of cbreturn._error are what the PL/pgSQL RAISEs still say in English
    route = loc.strip() == 'src/i18n/messages.c'
    pats.append((mid, re.compile('.*?'.join(re.escape(p) for p in parts if p)), route))

cjk = re.compile('[\u4e00-\u9fff]')
# three lower-case English words in a row, outside quotes: a sentence left in English
english = re.compile(r'(?<![\w.])[a-z][A-Za-z]+ [a-z][A-Za-z]+ [a-z][A-Za-z]+(?![\w])')
quoted = re.compile(r'"[^"]*"|\'[^\']*\'')
# the explain steps the rules engine adds to a DETAIL after " Failed: " (in
# Chinese 未通过：) are checked like the rest of it: Chinese, led by the rule's name
steps_marker = '未通过：'
pending = 0
steps_seen = 0
checked = 0
for e in zh:
    if e['origin'] == 'pl_exec.c':
        # RAISE in the extension's PL/pgSQL: only the functions still being
        # converted may do that (part 5)
        if any(p.match(e['msg']) for p in pending_msgs):
            pending += 1
        else:
            print('FAIL: %s, %s: raised by RAISE, not through cbreturn._error: %s' % (e['file'], e['state'], e['msg'])); bad += 1
        continue
    if e['origin'] not in ours:
        continue            # PostgreSQL's own message
    checked += 1
    for key in ('msg', 'detail', 'hint'):
        s = e[key]
        if s is None:
            continue
        # a word passed by a function still being converted (part 5)
        for t in pending_texts:
            if t in s:
                s = s.replace(t, '…'); pending += 1
        if not cjk.search(s):
            print('FAIL: %s, %s: %s is not in Chinese: %s' % (e['file'], e['state'], key, s)); bad += 1
        if steps_marker in s:
            steps_seen += 1
        m = english.search(quoted.sub('', s))
        if m:
            print('FAIL: %s, %s: %s has English words ("%s"): %s' % (e['file'], e['state'], key, m.group(0), s)); bad += 1
        for mid, p, route in pats:
            if p.search(s):
                print('FAIL: %s, %s: %s contains the English text "%s": %s' % (e['file'], e['state'], key, mid, s)); bad += 1
for line in zh_other:
    for mid, p, route in pats:
        if p.search(line):
            if route:
                pending += 1    # caught from a PL/pgSQL RAISE, as above
                break
            print('FAIL: English message "%s" in a query result: %s' % (mid, line)); bad += 1
if bad:
    sys.exit(1)
print('ok: all %d errors raised by cbreturn\'s C code have a Chinese message, DETAIL and HINT; no catalogued English text in the Chinese run' % checked)
if steps_seen == 0:
    print('FAIL: no DETAIL in the Chinese run ends with the explain steps of the rules engine (未通过：)'); sys.exit(1)
print('ok: %d DETAILs end with explain steps of the rules engine, in Chinese' % steps_seen)
print('note: %d errors (raised or caught) come from RAISE in attach_export_return_checks or attach_import_return_checks and stay English until converted to cbreturn._error (docs/i18n.md)' % pending)
EOF

# --- 4. cbreturn.language, set without privileges
psql -X -q -c "DROP DATABASE IF EXISTS cbreturn_nls_lang" -c "CREATE DATABASE cbreturn_nls_lang"
psql -X -q -d cbreturn_nls_lang -c "CREATE EXTENSION cbreturn" -c "DROP ROLE IF EXISTS cbreturn_nls_clerk" \
     -c "CREATE ROLE cbreturn_nls_clerk" -c "GRANT USAGE ON SCHEMA cbreturn TO cbreturn_nls_clerk"
lang_run() {    # $1 lc_messages, $2 cbreturn.language
    LC_ALL=C PGOPTIONS="-c lc_messages=$1" psql -X -q -d cbreturn_nls_lang -v VERBOSITY=verbose \
        -c "SET ROLE cbreturn_nls_clerk" -c "SET cbreturn.language = '$2'" \
        -c "SELECT '2924'::cbreturn.declaration_id" -c "SELECT 1 / 0" \
        -c "SELECT cbreturn.detach(NULL)" \
        -c "SELECT cbreturn.label('unsold'::cbreturn.return_reason) || '/' || cbreturn.return_status_label('overdue') || '/' || cbreturn.stage_label('rejected') AS labels" 2>&1 || true
}
lang_run C zh_CN.UTF-8 >"$out/lang1"
lang_run zh_CN.UTF-8 C >"$out/lang2"
# under cbreturn.language too: the CONTEXT of validate(), the kind of check in
# a sentence, the date a check found infinite (named by what it is)
psql -X -q -d cbreturn_nls_lang -c "CREATE TABLE nls_t (id int PRIMARY KEY, e date, r cbreturn.return_reason, b date)" \
     -c "INSERT INTO nls_t VALUES (1, '2026-01-01', 'unsold', '2027-01-01')" \
     -c "SELECT cbreturn.attach_export_return_checks('nls_t', exported_on => 'e', reason => 'r', returned_on => 'b')" >/dev/null
LC_ALL=C PGOPTIONS="-c lc_messages=C" psql -X -q -d cbreturn_nls_lang -c "SET cbreturn.language = 'zh_CN.UTF-8'" \
    -c "SELECT * FROM cbreturn.validate('nls_t')" \
    -c "SELECT cbreturn.attach_export_return_checks('nls_t', exported_on => 'e', reason => 'r', returned_on => 'b')" \
    -c "INSERT INTO nls_t VALUES (2, '2026-01-01', 'unsold', 'infinity')" >"$out/lang3" 2>&1 || true
psql -X -q -c "DROP DATABASE cbreturn_nls_lang" -c "DROP ROLE cbreturn_nls_clerk"
grep -q '^CONTEXT:  检查表 public.nls_t 中已有的行' "$out/lang3" ||
    { cat "$out/lang3"; fail "the CONTEXT of validate() is not in cbreturn.language"; }
grep -q '^ERROR:  public.nls_t 上已挂接出口检查$' "$out/lang3" ||
    { cat "$out/lang3"; fail "the kind of check is not translated in attach.already_attached"; }
grep -q '^ERROR:  退运日期必须是有限的日期$' "$out/lang3" ||
    { cat "$out/lang3"; fail "an infinite date of a checked row is not named in Chinese"; }
grep -q '^ERROR:  22P02: 类型 declaration_id（报关单号）的输入语法无效' "$out/lang1" ||
    { cat "$out/lang1"; fail "cbreturn.language = zh_CN.UTF-8 did not give a Chinese message under lc_messages = C"; }
grep -q '^ERROR:  22012: division by zero' "$out/lang1" ||
    { cat "$out/lang1"; fail "cbreturn.language changed the language of a PostgreSQL message"; }
# (the severity word is PostgreSQL's, so it follows lc_messages: 错误)
grep -q '^[^ ]*:  22P02: invalid input syntax for type declaration_id' "$out/lang2" ||
    { cat "$out/lang2"; fail "cbreturn.language = C did not give English under lc_messages = zh_CN.UTF-8"; }
grep -q '^[^ ]*:  22012: 除以零' "$out/lang2" ||
    { cat "$out/lang2"; fail "cbreturn.language changed the language of a PostgreSQL message"; }
# a message of the PL/pgSQL functions (cbreturn._error) follows it too
grep -q '^ERROR:  22004: 退货记录表不得为 NULL$' "$out/lang1" ||
    { cat "$out/lang1"; fail "cbreturn.language = zh_CN.UTF-8 did not give Chinese for a message of the PL/pgSQL functions"; }
grep -q '^[^ ]*:  22004: the returns table must not be NULL$' "$out/lang2" ||
    { cat "$out/lang2"; fail "cbreturn.language = C did not give English for a message of the PL/pgSQL functions"; }
# and so do the labels for people (the terms of docs/glossary.md)
grep -qx ' 滞销退运（ZXTY）/已逾期/不予放行' "$out/lang1" ||
    { cat "$out/lang1"; fail "cbreturn.language = zh_CN.UTF-8 did not give the Chinese labels"; }
grep -qx ' unsold (ZXTY)/overdue/rejected' "$out/lang2" ||
    { cat "$out/lang2"; fail "cbreturn.language = C did not give the English labels"; }
echo "ok: cbreturn.language, set by a role without privileges, wins over lc_messages for cbreturn's messages only (C, PL/pgSQL, labels)"
