# cbreturn: PGXS build.  See docs/architecture.md for the layout.
#
#   make / make install          build and install into the server pg_config names
#   make test                    every test suite, on a throwaway cluster
#   make demo                    the demo, on a throwaway cluster
#   make bench                   the benchmark, on a throwaway cluster
#   make test-matrix             make test on PostgreSQL 17 and 18, and pg_upgrade from
#                                15 to 17, each in a Debian root of its own (docs/testing.md)
#   make test-citus              the Citus suite: builds Citus (test/citus/build.sh), starts a
#                                coordinator and two workers (docs/scale-out.md)
#   make bench-citus             the Citus benchmark (test/citus/bench.sh) on the same cluster
#   make po                      re-extract po/cbreturn.pot from the sources and merge it
#                                into po/zh_CN.po (docs/i18n.md); then translate what is new

EXTENSION    = cbreturn
EXTVERSION   = $(shell sed -n "s/^default_version = '\(.*\)'/\1/p" cbreturn.control)

MODULE_big   = cbreturn
OBJS         = $(patsubst %.c,%.o,$(sort $(wildcard src/*/*.c)))

# The install script is built from the pieces in sql/ (in name order);
# upgrade scripts are written by hand in sql/upgrade/ and shipped as they are.
INSTALL_SQL  = $(EXTENSION)--$(EXTVERSION).sql
DATA_built   = $(INSTALL_SQL)
DATA         = $(wildcard sql/upgrade/$(EXTENSION)--*--*.sql)
EXTRA_CLEAN  = $(INSTALL_SQL) test/isolation/output_iso test/results test/regression.diffs test/regression.out

# pg_regress: test/sql/NAME.sql against test/expected/NAME.out, in name order.
REGRESS     := $(sort $(basename $(notdir $(wildcard test/sql/*.sql))))
REGRESS_OPTS = --inputdir=test --outputdir=test
# pg_isolation_regress: test/isolation/specs/NAME.spec.
ISOLATION     := $(sort $(basename $(notdir $(wildcard test/isolation/specs/*.spec))))
ISOLATION_OPTS = --inputdir=test/isolation --outputdir=test/isolation/output_iso
REGRESS_PREP  = isolation-outdir

PG_CONFIG   ?= pg_config
# nls.mk lists the message catalogues (po/); PGXS builds them and `make install`
# puts them under pg_config --localedir.  src/cbreturn.h sets the gettext domain.
PG_CPPFLAGS  = -I$(srcdir)/src
PGXS        := $(shell $(PG_CONFIG) --pgxs)
include $(PGXS)

# make po: extract every translatable message of the C sources into
# po/cbreturn.pot (the keywords are nls.mk's) and merge it into each po/LANG.po.
# New messages arrive untranslated and changed ones fuzzy; test/checks/nls.sh
# fails until they are translated.  The #: lines carry no line numbers, so the
# catalogue changes only when a message does.
.PHONY: po
po:
	$(XGETTEXT) -D $(srcdir) --add-location=file --no-wrap --sort-by-file -ctranslator \
	  --from-code=UTF-8 --package-name=cbreturn --package-version=$(EXTVERSION) \
	  --msgid-bugs-address= --copyright-holder= \
	  $(addprefix -k, $(GETTEXT_TRIGGERS)) $(addprefix --flag=, $(GETTEXT_FLAGS)) \
	  -o po/$(CATALOG_NAME).pot $(GETTEXT_FILES)
	sed -i -e '1,20{/^"POT-Creation-Date: /d;}' -e '1s/.*/# Message catalogue of the PostgreSQL extension cbreturn./' \
	  -e '2s/.*/# This file is distributed under the same license as cbreturn./' -e '3d' po/$(CATALOG_NAME).pot
	for lang in $(AVAIL_LANGUAGES); do \
	  $(MSGMERGE) --no-wrap --add-location=file --sort-by-file --previous --lang=$$lang --backup=off \
	    -U po/$$lang.po po/$(CATALOG_NAME).pot || exit 1; \
	done

# Every object depends on every header (PGXS tracks no header dependencies).
$(OBJS): $(wildcard src/*.h src/*/*.h)

$(INSTALL_SQL): $(sort $(wildcard sql/*.sql)) cbreturn.control
	{ printf -- '-- cbreturn %s: generated from sql/ by make; edit those files.\n' '$(EXTVERSION)'; \
	  printf -- '\\echo Use "CREATE EXTENSION cbreturn" to load this file. \\quit\n'; \
	  for f in $(sort $(wildcard sql/*.sql)); do printf '\n-- ---- %s\n' "$$f"; cat "$$f"; done; } > $@

.PHONY: isolation-outdir
isolation-outdir:
	@mkdir -p test/isolation/output_iso

.PHONY: test demo bench deps test-matrix test-citus bench-citus
# The two commands of the README.  Each installs what it needs (as root), builds,
# starts a throwaway cluster on a unix socket and removes it whatever happens.
test:
	test/run test
demo:
	test/run demo
bench:
	test/run bench
deps:
	test/run deps
# Not part of `make test`: debootstraps (and keeps) a root per major; root only.
test-matrix:
	test/matrix
# Not part of `make test`: builds Citus from CITUS_SRC (or a clone of its public
# repository) outside the tree, in CITUS_BUILD (default /var/tmp/cbreturn-citus).
test-citus:
	test/citus/run
bench-citus:
	test/citus/run bench
