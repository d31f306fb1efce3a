#!/usr/bin/env bash
# Unit tests of the plain-C unified social credit code parser (GB 32100-2015,
# R-EX-4, R-IM-5): test/unit/test_uscc.c with src/types/uscc_parse.c, outside
# the server, under AddressSanitizer and UndefinedBehaviorSanitizer where the
# compiler has them.
set -euo pipefail
cd "$(dirname "$0")/../.."
out=$(mktemp -d)
trap 'rm -rf "$out"' EXIT
PG_CONFIG=${PG_CONFIG:-pg_config}
san=""
if echo 'int main(void){return 0;}' | cc -x c - -fsanitize=address,undefined -o "$out/probe" 2>/dev/null; then
    san="-fsanitize=address,undefined -fno-sanitize-recover=all -fno-omit-frame-pointer"
fi
# shellcheck disable=SC2086
cc -std=gnu99 -O1 -g $san -Wall -Wextra -Wno-unused-parameter -Werror \
   -Isrc -I"$("$PG_CONFIG" --includedir-server)" \
   test/unit/test_uscc.c src/types/uscc_parse.c \
   -L"$("$PG_CONFIG" --pkglibdir)" -lpgcommon -lpgport -lm -o "$out/test_uscc"
prove -e '' "$out/test_uscc"
