/*
 * code4.c
 *		cbreturn.customs_code (R-ID-2) and cbreturn.supervision_code (R-ID-3):
 *		4-digit codes stored as int2, passed by value.
 *
 * Both types share one representation (the code as a number 0-9999, whose
 * order is the order of the zero-padded text) and so one set of I/O
 * routines; each SQL type gets its own thin entry points so that messages
 * name the right type.  Comparison, hashing and sorting are the int2
 * functions bound in SQL.
 */
#include "cbreturn.h"

#include "libpq/pqformat.h"
#include "utils/builtins.h"

static Datum
code4_in(FunctionCallInfo fcinfo, const char *typname, const char *what)
{
	char	   *str = PG_GETARG_CSTRING(0);
	int16		result;
	CbrParseError err;

	if (!cbr_parse_code4(str, &result, &err))
		ereturn(fcinfo->context, (Datum) 0,
				(errcode(ERRCODE_INVALID_TEXT_REPRESENTATION),
				 errmsg("invalid input syntax for type %s: \"%s\": %s",
						typname, str, cbr_parse_error_text(&err, str)),
				 errdetail("A %s is exactly 4 digits.", _(what))));
	PG_RETURN_INT16(result);
}

static Datum
code4_out(FunctionCallInfo fcinfo)
{
	char	   *buf = palloc(5);

	cbr_format_code4(PG_GETARG_INT16(0), buf);
	PG_RETURN_CSTRING(buf);
}

static Datum
code4_recv(FunctionCallInfo fcinfo, const char *typname)
{
	StringInfo	buf = (StringInfo) PG_GETARG_POINTER(0);
	int16		v;

	/* As in declaration_id_recv: a short value is 22P03, not 08P01. */
	if (buf->len - buf->cursor < (int) sizeof(int16))
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_BINARY_REPRESENTATION),
				 errmsg("invalid binary value for type %s: %d bytes instead of 2",
						typname, buf->len - buf->cursor)));
	v = (int16) pq_getmsgint(buf, 2);
	if (v < 0 || v > CBR_CODE_MAX)
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_BINARY_REPRESENTATION),
				 errmsg("invalid binary value for type %s: %d", typname, (int) v),
				 errdetail("A %s is a number from 0 to %d.", typname, CBR_CODE_MAX)));
	PG_RETURN_INT16(v);
}

static Datum
code4_send(FunctionCallInfo fcinfo)
{
	StringInfoData buf;

	pq_begintypsend(&buf);
	pq_sendint16(&buf, PG_GETARG_INT16(0));
	PG_RETURN_BYTEA_P(pq_endtypsend(&buf));
}

/* customs_code_in: 4 digits, e.g. '2924' (Hangzhou office 2924). */
PG_FUNCTION_INFO_V1(customs_code_in);
Datum
customs_code_in(PG_FUNCTION_ARGS)
{
	return code4_in(fcinfo, "customs_code", gettext_noop("customs office code (R-ID-2)"));
}

/* customs_code_out: always 4 digits, zero-padded. */
PG_FUNCTION_INFO_V1(customs_code_out);
Datum
customs_code_out(PG_FUNCTION_ARGS)
{
	return code4_out(fcinfo);
}

/* customs_code_recv: 2-byte integer, validated as text input is. */
PG_FUNCTION_INFO_V1(customs_code_recv);
Datum
customs_code_recv(PG_FUNCTION_ARGS)
{
	return code4_recv(fcinfo, "customs_code");
}

/* customs_code_send: 2-byte integer. */
PG_FUNCTION_INFO_V1(customs_code_send);
Datum
customs_code_send(PG_FUNCTION_ARGS)
{
	return code4_send(fcinfo);
}

/* district(customs_code): the first two digits (R-ID-2). */
PG_FUNCTION_INFO_V1(customs_code_district);
Datum
customs_code_district(PG_FUNCTION_ARGS)
{
	char		buf[5];

	cbr_format_code4(PG_GETARG_INT16(0), buf);
	PG_RETURN_TEXT_P(cstring_to_text_with_len(buf, 2));
}

/* supervision_code_in: 4 digits, e.g. '9610'. */
PG_FUNCTION_INFO_V1(supervision_code_in);
Datum
supervision_code_in(PG_FUNCTION_ARGS)
{
	return code4_in(fcinfo, "supervision_code", gettext_noop("supervision code (R-ID-3)"));
}

/* supervision_code_out: always 4 digits, zero-padded. */
PG_FUNCTION_INFO_V1(supervision_code_out);
Datum
supervision_code_out(PG_FUNCTION_ARGS)
{
	return code4_out(fcinfo);
}

/* supervision_code_recv: 2-byte integer, validated as text input is. */
PG_FUNCTION_INFO_V1(supervision_code_recv);
Datum
supervision_code_recv(PG_FUNCTION_ARGS)
{
	return code4_recv(fcinfo, "supervision_code");
}

/* supervision_code_send: 2-byte integer. */
PG_FUNCTION_INFO_V1(supervision_code_send);
Datum
supervision_code_send(PG_FUNCTION_ARGS)
{
	return code4_send(fcinfo);
}
