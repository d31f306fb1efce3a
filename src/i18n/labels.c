/*
 * labels.c
 *		Labels for people: the words a report or a screen shows for a value
 *		of cbreturn's enums, a return status and a stage of rules section 6,
 *		in the language of lc_messages or cbreturn.language (docs/i18n.md).
 *
 * The values themselves (enum labels, the codes return_status returns, the
 * stage names) are what programs compare and stay the same in every
 * language; a label is only ever shown.  The Chinese labels are the terms of
 * docs/glossary.md.  The functions are STABLE, not IMMUTABLE: the answer
 * depends on the session's language.
 */
#include "cbreturn.h"

#include "access/htup_details.h"
#include "catalog/namespace.h"
#include "catalog/pg_enum.h"
#include "catalog/pg_type.h"
#include "utils/builtins.h"
#include "utils/lsyscache.h"
#include "utils/syscache.h"

typedef struct CbrLabel
{
	const char *key;			/* "type.value" */
	const char *label;			/* English, marked for the catalogue */
} CbrLabel;

static const CbrLabel cbr_labels[] = {
	/* return_reason (R-EX-1, R-EX-2): the reason with its remark code */
	{"return_reason.unsold", gettext_noop("unsold (ZXTY)")},
	{"return_reason.consumer_return", gettext_noop("consumer return (THTY)")},
	{"return_reason.quality_or_spec", gettext_noop("quality or specification (PGTY)")},
	/* return_site_kind (R-EX-6, seed 000) */
	{"return_site_kind.bonded_warehouse", gettext_noop("bonded warehouse")},
	{"return_site_kind.marketplace_site", gettext_noop("marketplace site")},
	{"return_site_kind.processing_centre", gettext_noop("authorised processing centre")},
	/* customs_credit_rating (R-IM-5, GACC Order No. 251) */
	{"customs_credit_rating.advanced_certified", gettext_noop("advanced certified enterprise")},
	{"customs_credit_rating.general_certified", gettext_noop("general certified enterprise")},
	{"customs_credit_rating.general", gettext_noop("general credit enterprise")},
	{"customs_credit_rating.discredited", gettext_noop("discredited enterprise")},
	/* import_agent_role (R-IM-7, seed 002 import I) */
	{"import_agent_role.domestic_agent", gettext_noop("domestic agent of the e-commerce enterprise")},
	{"import_agent_role.authorised_broker", gettext_noop("customs broker authorised by the enterprise")},
	/* return_status(): where a return stands against its deadline */
	{"return_status.open", gettext_noop("open")},
	{"return_status.due_soon", gettext_noop("due soon")},
	{"return_status.overdue", gettext_noop("overdue")},
	{"return_status.closed_on_time", gettext_noop("closed on time")},
	{"return_status.closed_late", gettext_noop("closed late")},
	/* an ordinary (taxed) return: outside the CBEC windows (issue 12, item 4) */
	{"return_status.ordinary", gettext_noop("ordinary return (taxed)")},
	/* the stages of rules section 6 (attach_status_check) */
	{"stage.registered", gettext_noop("registered")},
	{"stage.declared", gettext_noop("declared")},
	{"stage.shipped", gettext_noop("shipped")},
	{"stage.arrived", gettext_noop("arrived")},
	{"stage.inspected", gettext_noop("inspected")},
	{"stage.released", gettext_noop("released")},
	{"stage.rejected", gettext_noop("rejected")},

	/*
	 * the status of a withdrawn return (attach_status_check): a status, not
	 * a stage, so under a key of its own that no SQL function looks up (the
	 * status check's messages show it after the table's label)
	 */
	/* translator: a return its applicant withdrew, as a status (rules section 6) */
	{"status.withdrawn", gettext_noop("withdrawn")},
	{NULL, NULL}
};

/* The entry of type.value, or NULL if none. */
static const CbrLabel *
cbr_label_entry(const char *type, const char *value)
{
	char	   *key = psprintf("%s.%s", type, value);
	int			i;

	for (i = 0; cbr_labels[i].key != NULL; i++)
		if (strcmp(cbr_labels[i].key, key) == 0)
			break;
	pfree(key);
	return cbr_labels[i].key == NULL ? NULL : &cbr_labels[i];
}

/*
 * The label of type.value in the session's language, or the value itself
 * when it has none: for texts built for people (the register reasons).
 */
const char *
cbr_label_cstring(const char *type, const char *value)
{
	const CbrLabel *l = cbr_label_entry(type, value);
	const char *result;

	if (l == NULL)
		return value;
	cbr_language_begin();
	result = _(l->label);
	cbr_language_end();
	return result;
}

/* The label of type.value in the session's language, or NULL if none. */
static text *
cbr_label(const char *type, const char *value)
{
	if (cbr_label_entry(type, value) == NULL)
		return NULL;
	return cstring_to_text(cbr_label_cstring(type, value));
}

/*
 * cbreturn.label(anyenum) -> text
 *		The label for people of a value of one of cbreturn's enums.
 */
PG_FUNCTION_INFO_V1(cbreturn_enum_label);
Datum
cbreturn_enum_label(PG_FUNCTION_ARGS)
{
	Oid			value = PG_GETARG_OID(0);
	HeapTuple	tup;
	Form_pg_enum en;
	Oid			typid;
	char	   *value_name;
	text	   *result;

	tup = SearchSysCache1(ENUMOID, ObjectIdGetDatum(value));
	if (!HeapTupleIsValid(tup))
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_BINARY_REPRESENTATION),
				 errmsg("invalid internal value for enum: %u", value)));
	en = (Form_pg_enum) GETSTRUCT(tup);
	typid = en->enumtypid;
	value_name = pstrdup(NameStr(en->enumlabel));
	ReleaseSysCache(tup);

	result = NULL;
	tup = SearchSysCache1(TYPEOID, ObjectIdGetDatum(typid));
	if (HeapTupleIsValid(tup))
	{
		Form_pg_type typ = (Form_pg_type) GETSTRUCT(tup);

		if (typ->typnamespace == get_namespace_oid("cbreturn", true))
			result = cbr_label(NameStr(typ->typname), value_name);
		ReleaseSysCache(tup);
	}
	if (result == NULL)
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
				 errmsg("cbreturn has no label for the value \"%s\" of type %s",
						value_name, format_type_be(typid)),
				 errhint("cbreturn.label takes the values of cbreturn's enums: return_reason, return_site_kind, customs_credit_rating, import_agent_role.")));
	PG_RETURN_TEXT_P(result);
}

/*
 * cbreturn.return_status_label(status text) -> text
 *		The label for people of a status return_status returns.
 */
PG_FUNCTION_INFO_V1(cbreturn_return_status_label);
Datum
cbreturn_return_status_label(PG_FUNCTION_ARGS)
{
	char	   *status = text_to_cstring(PG_GETARG_TEXT_PP(0));
	text	   *result = cbr_label("return_status", status);

	if (result == NULL)
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
				 errmsg("\"%s\" is not a status that return_status returns", status),
				 errhint("The statuses are open, due_soon, overdue, closed_on_time, closed_late and ordinary.")));
	PG_RETURN_TEXT_P(result);
}

/*
 * cbreturn.stage_label(stage text) -> text
 *		The label for people of a stage of rules section 6.
 */
PG_FUNCTION_INFO_V1(cbreturn_stage_label);
Datum
cbreturn_stage_label(PG_FUNCTION_ARGS)
{
	char	   *stage = text_to_cstring(PG_GETARG_TEXT_PP(0));
	text	   *result = cbr_label("stage", stage);

	if (result == NULL)
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
				 errmsg("\"%s\" is not a stage of a return (rules section 6)", stage),
				 errhint("The stages are registered, declared, shipped, arrived, inspected, released and rejected.")));
	PG_RETURN_TEXT_P(result);
}
