/*
 * facts.c
 *		SQL entry points of the row facts: the reason an ERP label names
 *		(R-V-1, cbreturn.return_reason(text)), the key labels are compared
 *		by, and the China date of a timestamp (R-T-1, cbreturn.china_date).
 *		The write-time checks read a row through the same functions of
 *		src/policy/reason_labels.c and china_date.c.
 */
#include "policy/facts.h"

#include "utils/builtins.h"
#include "utils/timestamp.h"

/* The reason of a label, or the CB013 error (R-V-1). */
static Datum
cbr_reason_of_label(const char *s, int len)
{
	CbrReason	reason = CBR_REASON_UNSOLD;
	CbrLabelMatch m = cbr_reason_label_lookup(s, len, &reason);
	char	   *label;

	if (m == CBR_LABEL_REASON)
		return ObjectIdGetDatum(cbr_reason_to_oid(reason));
	label = pnstrdup(s, len);
	if (m == CBR_LABEL_WITHDRAWN)
		ereport(ERROR,
				(errcode(ERRCODE_CBRETURN_REASON_LABEL),
				 errmsg("return reason label \"%s\" is withdrawn (R-V-1)", label),
				 errdetail("Its row in cbreturn.reason_labels has no reason."),
				 errhint("Use a label that names a reason, or set the reason of this label in cbreturn.reason_labels.")));
	ereport(ERROR,
			(errcode(ERRCODE_CBRETURN_REASON_LABEL),
			 errmsg("unknown return reason label \"%s\" (R-V-1)", label),
			 errdetail("No label of cbreturn.reason_labels is \"%s\" once blanks around it, letter case and full-width letters are set aside.",
					   cbr_reason_label_key(s, len)),
			 errhint("Add the label to cbreturn.reason_labels with its reason, or use a remark code: %s, %s or %s.",
					 cbr_remark_code(CBR_REASON_UNSOLD), cbr_remark_code(CBR_REASON_CONSUMER_RETURN),
					 cbr_remark_code(CBR_REASON_QUALITY_OR_SPEC))));
	return (Datum) 0;			/* keep compiler quiet */
}

/*
 * cbreturn.return_reason(label text), also for varchar and char: the reason
 * an ERP label names, by cbreturn.reason_labels (R-V-1); CB013 for a label
 * that names none.  STABLE: the table may change.
 */
PG_FUNCTION_INFO_V1(return_reason);
Datum
return_reason(PG_FUNCTION_ARGS)
{
	text	   *t = PG_GETARG_TEXT_PP(0);

	return cbr_reason_of_label(VARDATA_ANY(t), (int) VARSIZE_ANY_EXHDR(t));
}

/*
 * cbreturn.return_reason(label unknown): the same for a quoted literal,
 * which PostgreSQL would otherwise read as a cast to the type of the same
 * name (return_reason('滞销') would then fail as an enum input).
 */
PG_FUNCTION_INFO_V1(return_reason_literal);
Datum
return_reason_literal(PG_FUNCTION_ARGS)
{
	const char *s = PG_GETARG_CSTRING(0);

	return cbr_reason_of_label(s, (int) strlen(s));
}

/* cbreturn.reason_label_key(label text): the key labels are compared by (R-V-1). */
PG_FUNCTION_INFO_V1(reason_label_key);
Datum
reason_label_key(PG_FUNCTION_ARGS)
{
	text	   *t = PG_GETARG_TEXT_PP(0);

	PG_RETURN_TEXT_P(cstring_to_text(cbr_reason_label_key(VARDATA_ANY(t), (int) VARSIZE_ANY_EXHDR(t))));
}

/* cbreturn.china_date(timestamptz): its date in China, Asia/Shanghai (R-T-1). */
PG_FUNCTION_INFO_V1(china_date);
Datum
china_date(PG_FUNCTION_ARGS)
{
	PG_RETURN_DATEADT(cbr_china_date(PG_GETARG_TIMESTAMPTZ(0)));
}

/* cbreturn.china_date(timestamp): its date, read as China local time (R-T-1). */
PG_FUNCTION_INFO_V1(china_date_local);
Datum
china_date_local(PG_FUNCTION_ARGS)
{
	PG_RETURN_DATEADT(cbr_local_date(PG_GETARG_TIMESTAMP(0)));
}
