#!/usr/bin/env bash
# Builds and runs the unit and property tests of the plain-C core
# (test/unit/test_pure.c) outside the server, through prove, under
# AddressSanitizer and UndefinedBehaviorSanitizer where the compiler has them.
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
   test/unit/test_pure.c src/types/parse.c src/rules/*.c \
   -L"$("$PG_CONFIG" --pkglibdir)" -lpgcommon -lpgport -lm -o "$out/test_pure"
# shellcheck disable=SC2086
cc -std=gnu99 -O1 -g $san -Wall -Wextra -Wno-unused-parameter -Werror \
   -Isrc -I"$("$PG_CONFIG" --includedir-server)" \
   test/unit/test_quantity.c src/rules/quantity.c \
   -L"$("$PG_CONFIG" --pkglibdir)" -lpgcommon -lpgport -lm -o "$out/test_quantity"
# shellcheck disable=SC2086
cc -std=gnu99 -O1 -g $san -Wall -Wextra -Wno-unused-parameter -Werror \
   -Isrc test/unit/test_label.c src/rules/label.c -o "$out/test_label"
prove -e '' "$out/test_pure" "$out/test_quantity" "$out/test_label"
