# nls.mk: cbreturn's message catalogue, read by PGXS (src/nls-global.mk of the
# server's build tree) as PL/pgSQL's is.  docs/i18n.md explains the workflow.
CATALOG_NAME     = cbreturn
AVAIL_LANGUAGES  = zh_CN
GETTEXT_FILES    = $(sort $(wildcard src/*.h src/*/*.h src/*/*.c))
# ereport's message functions, plus cbreturn's own functions that take a
# message (or a DETAIL) as an argument.
GETTEXT_TRIGGERS = $(BACKEND_COMMON_GETTEXT_TRIGGERS) gettext_noop policy_data_error:2 cbr_step_add:5 \
                   GUC_check_errdetail GUC_check_errhint
GETTEXT_FLAGS    = $(BACKEND_COMMON_GETTEXT_FLAGS) policy_data_error:2:c-format cbr_step_add:5:c-format \
                   GUC_check_errdetail:1:c-format GUC_check_errhint:1:c-format
