#!/usr/bin/env bash
# test/citus/build.sh: build Citus for the PostgreSQL that pg_config names and
# install it into a staging directory (DESTDIR style), for test/citus/run.
#
#   test/citus/build.sh            prints the staging directory on its last line
#
# Where the source comes from (first that applies):
#   CITUS_SRC=DIR      a Citus source tree or git repository (a clone, a mirror);
#                      a git repository is checked out at CITUS_TAG into the build
#                      directory, a plain tree is copied there
#   otherwise          git clone https://github.com/citusdata/citus (CITUS_REPO)
# CITUS_TAG (default v13.2.2) is the tag built.  The build directory is
# CITUS_BUILD (default /var/tmp/cbreturn-citus); it is kept between runs and a
# finished build is reused as long as the tag and the server's version are the same.
#
# Citus 13.2.2 against PostgreSQL 15.20 needs one fix: 15.20 exports
# have_createdb_privilege(), which Citus's src/include/pg_version_compat.h also
# defines as a static function; the copy in Citus is dropped when the server's
# headers declare it.  It needs the Kerberos headers (the server headers include
# gssapi.h: libkrb5-dev), lz4 and zstd headers; it is configured without libcurl
# and built without LLVM bitcode.
set -euo pipefail

PG_CONFIG=${PG_CONFIG:-pg_config}
tag=${CITUS_TAG:-v13.2.2}
repo=${CITUS_REPO:-https://github.com/citusdata/citus.git}
build=${CITUS_BUILD:-/var/tmp/cbreturn-citus}
say() { printf '== %s\n' "$*" >&2; }

pgver=$("$PG_CONFIG" --version)
stamp="$tag $pgver"
src=$build/src
stage=$build/stage

if [ -f "$build/stamp" ] && [ "$(cat "$build/stamp")" = "$stamp" ] &&
   [ -f "$stage$("$PG_CONFIG" --pkglibdir)/citus.so" ]; then
    say "Citus $tag already built for $pgver in $build"
    echo "$stage"
    exit 0
fi

# Debian packages the build needs (installed when run as root).
need=()
inc=$("$PG_CONFIG" --includedir-server)
[ -f /usr/include/gssapi/gssapi.h ] || [ -f /usr/include/gssapi.h ] || need+=(libkrb5-dev)
[ -f /usr/include/lz4.h ] || need+=(liblz4-dev)
[ -f /usr/include/zstd.h ] || need+=(libzstd-dev)
command -v git >/dev/null 2>&1 || need+=(git)
if [ ${#need[@]} -gt 0 ]; then
    if [ "$(id -u)" = 0 ]; then
        say "installing ${need[*]}"
        DEBIAN_FRONTEND=noninteractive apt-get install -y -q "${need[@]}" >&2
    else
        say "missing: ${need[*]} (install them as root)"
        exit 1
    fi
fi

rm -rf "$src" "$stage" "$build/stamp"
mkdir -p "$build"
if [ -n "${CITUS_SRC:-}" ] && git -C "$CITUS_SRC" rev-parse --git-dir >/dev/null 2>&1; then
    say "cloning Citus $tag from $CITUS_SRC"
    git clone -q --no-checkout "$CITUS_SRC" "$src"
    git -C "$src" -c advice.detachedHead=false checkout -q "$tag"
elif [ -n "${CITUS_SRC:-}" ]; then
    say "copying the Citus tree $CITUS_SRC"
    cp -a "$CITUS_SRC" "$src"
else
    say "cloning Citus $tag from $repo"
    git clone -q --depth 1 --branch "$tag" "$repo" "$src"
fi

# The fix for servers that export have_createdb_privilege() (15.20 on).
if grep -q 'have_createdb_privilege' "$inc/commands/dbcommands.h" 2>/dev/null; then
    perl -0pi -e 's/static inline bool\s*\nhave_createdb_privilege\(void\)\s*\n\{.*?\n\}\n//s' \
        "$src/src/include/pg_version_compat.h"
fi

cd "$src"
say "configuring Citus ($pgver)"
./configure --without-libcurl PG_CONFIG="$PG_CONFIG" > "$build/configure.log" 2>&1 ||
    { tail -20 "$build/configure.log" >&2; exit 1; }
say "building Citus (log: $build/make.log)"
make -j"$(nproc)" with_llvm=no > "$build/make.log" 2>&1 || { tail -30 "$build/make.log" >&2; exit 1; }
make with_llvm=no install DESTDIR="$stage" >> "$build/make.log" 2>&1 || { tail -30 "$build/make.log" >&2; exit 1; }
echo "$stamp" > "$build/stamp"
say "Citus $tag built into $stage"
echo "$stage"
