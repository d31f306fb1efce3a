/*
 * declaration_id.c
 *		The cbreturn.declaration_id type: customs declaration numbers and CBEC
 *		declaration list numbers (R-ID-1), packed into 8 bytes passed by value.
 *
 * Comparison, hashing and sorting are the int8 functions bound in SQL (see
 * sql/10_types.sql), which is correct because the packing preserves the
 * order of the canonical text (cbreturn.h).  This file holds only I/O and the
 * accessors.
 */
#include "cbreturn.h"

#include "libpq/pqformat.h"
#include "mb/pg_wchar.h"
#include "utils/builtins.h"

PG_MODULE_MAGIC;

/*
 * Character position (1-based) in str of the byte at 1-based byte position
 * bytepos.  The parser counts bytes; messages count characters, which is
 * what a user sees when a literal holds a multibyte character such as a
 * full-width digit.
 */
static int
char_position(const char *str, int bytepos)
{
	return pg_mbstrlen_with_len(str, bytepos - 1) + 1;
}

/* The character at 1-based byte position bytepos, quoted for a message. */
static char *
quoted_char(const char *str, int bytepos)
{
	const char *p = str + bytepos - 1;
	unsigned char c = (unsigned char) *p;

	if (c < 0x20 || c == 0x7f)
		return psprintf(_("a control character (0x%02X)"), c);
	if (c >= 0x80)
		return psprintf("\"%.*s\"", pg_mblen(p), p);
	return psprintf("\"%c\"", c);
}

/*
 * The "what is wrong" part of a 22P02 message for a bad literal str; the
 * caller's message names the type and quotes str, its DETAIL gives the form.
 */
char *
cbr_parse_error_text(const CbrParseError *err, const char *str)
{
	/*
	 * A non-ASCII character is wrong wherever it stands (full-width digits
	 * and letters are the usual case); say so rather than what was expected.
	 */
	if ((err->status == CBR_PARSE_NOT_DIGIT || err->status == CBR_PARSE_FLAG ||
		 err->status == CBR_PARSE_HYPHEN) &&
		(unsigned char) str[err->position - 1] >= 0x80)
		return psprintf(_("character %d is %s, which is not an ASCII character"),
						char_position(str, err->position),
						quoted_char(str, err->position));

	switch (err->status)
	{
		case CBR_PARSE_LENGTH:
			{
				/* err->length counts bytes after trimming; say characters. */
				const char *start = str;
				int			nchars;

				while (*start == ' ' || (*start >= '\t' && *start <= '\r'))
					start++;
				nchars = pg_mbstrlen_with_len(start, err->length);
				if (nchars == 0)
					return pstrdup(_("it is empty"));
				return psprintf(dngettext(TEXTDOMAIN, "it has %d character", "it has %d characters", nchars), nchars);
			}
		case CBR_PARSE_NOT_DIGIT:
			return psprintf(_("character %d is %s, not a digit"),
							char_position(str, err->position),
							quoted_char(str, err->position));
		case CBR_PARSE_YEAR_RANGE:
			return psprintf(_("year %.4s is outside %d to %d"),
							str + err->position - 1, CBR_YEAR_MIN, CBR_YEAR_MAX);
		case CBR_PARSE_FLAG:
			return psprintf(_("character %d is %s, not a direction flag (0, 1, E or I)"),
							char_position(str, err->position),
							quoted_char(str, err->position));
		case CBR_PARSE_HYPHEN:
			return psprintf(_("character %d is %s, not the hyphen of the print form"),
							char_position(str, err->position),
							quoted_char(str, err->position));
		case CBR_PARSE_OK:
			break;
	}
	elog(ERROR, "unexpected parse status %d", (int) err->status);
	return NULL;				/* keep compiler quiet */
}

/*
 * declaration_id_in
 *		Text input: canonical, hyphenated print form, lower-case flag letters.
 */
PG_FUNCTION_INFO_V1(declaration_id_in);
Datum
declaration_id_in(PG_FUNCTION_ARGS)
{
	char	   *str = PG_GETARG_CSTRING(0);
	int64		result;
	CbrParseError err;

	if (!cbr_parse_declaration_id(str, &result, &err))
		ereturn(fcinfo->context, (Datum) 0,
				(errcode(ERRCODE_INVALID_TEXT_REPRESENTATION),
				 errmsg("invalid input syntax for type declaration_id: \"%s\": %s",
						str, cbr_parse_error_text(&err, str)),
				 errdetail("A declaration or list number has 18 characters: a 4-digit customs code, "
						   "a 4-digit year from %d to %d, a flag 0 (export), 1 (import), "
						   "E (export list) or I (import list), and a 9-digit sequence (R-ID-1).",
						   CBR_YEAR_MIN, CBR_YEAR_MAX),
				 errhint("For example '29242020I439440284', or in print form '2924-2020-I-439440284'.")));
	PG_RETURN_INT64(result);
}

/*
 * declaration_id_out
 *		Always the 18-character canonical form.
 */
PG_FUNCTION_INFO_V1(declaration_id_out);
Datum
declaration_id_out(PG_FUNCTION_ARGS)
{
	int64		v = PG_GETARG_INT64(0);
	char	   *buf = palloc(19);

	cbr_format_declaration_id(v, buf);
	PG_RETURN_CSTRING(buf);
}

/*
 * declaration_id_recv
 *		Binary input: the packed int64, validated as strictly as text input.
 */
PG_FUNCTION_INFO_V1(declaration_id_recv);
Datum
declaration_id_recv(PG_FUNCTION_ARGS)
{
	StringInfo	buf = (StringInfo) PG_GETARG_POINTER(0);
	int64		v;

	/*
	 * A short value would otherwise fail in pq_getmsgint64() as a protocol
	 * violation (08P01); it is a bad value of this type, so say that.
	 */
	if (buf->len - buf->cursor < (int) sizeof(int64))
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_BINARY_REPRESENTATION),
				 errmsg("invalid binary value for type declaration_id: %d bytes instead of 8",
						buf->len - buf->cursor)));
	v = pq_getmsgint64(buf);
	if (!cbr_declaration_id_valid(v))
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_BINARY_REPRESENTATION),
				 errmsg("invalid binary value for type declaration_id: %lld", (long long) v),
				 errdetail("The value does not decode to a customs code, a year from %d to %d, "
						   "a direction flag and a sequence.", CBR_YEAR_MIN, CBR_YEAR_MAX)));
	PG_RETURN_INT64(v);
}

/*
 * declaration_id_send
 *		Binary output: the packed int64 (documented in docs/types.md).
 */
PG_FUNCTION_INFO_V1(declaration_id_send);
Datum
declaration_id_send(PG_FUNCTION_ARGS)
{
	int64		v = PG_GETARG_INT64(0);
	StringInfoData buf;

	pq_begintypsend(&buf);
	pq_sendint64(&buf, v);
	PG_RETURN_BYTEA_P(pq_endtypsend(&buf));
}

/*
 * customs_code(declaration_id): the office that accepted the declaration.
 */
PG_FUNCTION_INFO_V1(declaration_id_customs_code);
Datum
declaration_id_customs_code(PG_FUNCTION_ARGS)
{
	PG_RETURN_INT16((int16) cbr_decl_code(PG_GETARG_INT64(0)));
}

/*
 * district(declaration_id): the 2-digit directly-subordinate district (R-ID-2).
 */
PG_FUNCTION_INFO_V1(declaration_id_district);
Datum
declaration_id_district(PG_FUNCTION_ARGS)
{
	char		buf[5];

	cbr_format_code4((int16) cbr_decl_code(PG_GETARG_INT64(0)), buf);
	PG_RETURN_TEXT_P(cstring_to_text_with_len(buf, 2));
}

/*
 * declared_year(declaration_id)
 */
PG_FUNCTION_INFO_V1(declaration_id_declared_year);
Datum
declaration_id_declared_year(PG_FUNCTION_ARGS)
{
	PG_RETURN_INT32(cbr_decl_year(PG_GETARG_INT64(0)));
}

/*
 * is_import(declaration_id): flag 1 or I.
 */
PG_FUNCTION_INFO_V1(declaration_id_is_import);
Datum
declaration_id_is_import(PG_FUNCTION_ARGS)
{
	PG_RETURN_BOOL(cbr_flag_is_import(cbr_decl_flag(PG_GETARG_INT64(0))));
}

/*
 * is_list(declaration_id): flag E or I, a CBEC / consolidated list.
 */
PG_FUNCTION_INFO_V1(declaration_id_is_list);
Datum
declaration_id_is_list(PG_FUNCTION_ARGS)
{
	PG_RETURN_BOOL(cbr_flag_is_list(cbr_decl_flag(PG_GETARG_INT64(0))));
}

/*
 * sequence_no(declaration_id)
 */
PG_FUNCTION_INFO_V1(declaration_id_sequence_no);
Datum
declaration_id_sequence_no(PG_FUNCTION_ARGS)
{
	PG_RETURN_INT32(cbr_decl_seq(PG_GETARG_INT64(0)));
}

/*
 * print_form(declaration_id): the hyphenated form used on paper.
 */
PG_FUNCTION_INFO_V1(declaration_id_print_form);
Datum
declaration_id_print_form(PG_FUNCTION_ARGS)
{
	char		canon[19];
	char		out[21];

	cbr_format_declaration_id(PG_GETARG_INT64(0), canon);
	memcpy(out, canon, 4);
	out[4] = '-';
	memcpy(out + 5, canon + 4, 4);
	out[9] = '-';
	out[10] = canon[8];
	out[11] = '-';
	memcpy(out + 12, canon + 9, 9);
	PG_RETURN_TEXT_P(cstring_to_text_with_len(out, 21));
}

/*
 * declaration_id(customs_code, year, flag, sequence): build from parts.
 * The flag is given as text ('0', '1', 'E', 'I') so that the call reads like
 * the number it makes.
 */
PG_FUNCTION_INFO_V1(declaration_id_make);
Datum
declaration_id_make(PG_FUNCTION_ARGS)
{
	int16		code = PG_GETARG_INT16(0);
	int32		year = PG_GETARG_INT32(1);
	text	   *flagt = PG_GETARG_TEXT_PP(2);
	int32		seq = PG_GETARG_INT32(3);
	char	   *flags = text_to_cstring(flagt);
	CbrDeclFlag flag;

	if (strcmp(flags, "0") == 0)
		flag = CBR_FLAG_EXPORT;
	else if (strcmp(flags, "1") == 0)
		flag = CBR_FLAG_IMPORT;
	else if (strcmp(flags, "E") == 0 || strcmp(flags, "e") == 0)
		flag = CBR_FLAG_LIST_EXPORT;
	else if (strcmp(flags, "I") == 0 || strcmp(flags, "i") == 0)
		flag = CBR_FLAG_LIST_IMPORT;
	else
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
				 errmsg("invalid direction flag \"%s\" for declaration_id", flags),
				 errhint("Use '0' (export), '1' (import), 'E' (export list) or 'I' (import list).")));
	if (year < CBR_YEAR_MIN || year > CBR_YEAR_MAX)
		ereport(ERROR,
				(errcode(ERRCODE_NUMERIC_VALUE_OUT_OF_RANGE),
				 errmsg("year %d is out of range for declaration_id", year),
				 errhint("Use a year from %d to %d.", CBR_YEAR_MIN, CBR_YEAR_MAX)));
	if (seq < 0 || seq >= CBR_SEQ_RADIX)
		ereport(ERROR,
				(errcode(ERRCODE_NUMERIC_VALUE_OUT_OF_RANGE),
				 errmsg("sequence %d is out of range for declaration_id", seq),
				 errhint("Use a sequence from 0 to 999999999.")));
	PG_RETURN_INT64(cbr_decl_pack(code, year, flag, seq));
}
