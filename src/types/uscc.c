/*
 * uscc.c
 *		The cbreturn.uscc type: the 18-character unified social credit code
 *		(统一社会信用代码, GB 32100-2015) of an applicant (R-EX-4) or of a
 *		return-centre warehouse operator (R-IM-5).  Fixed-size, 12 bytes
 *		(uscc.h says why not 8), with its own comparison and hash functions.
 *
 * Text input checks the character set, the digits of the division code and
 * the check character; a bad literal is a soft 22P02 error naming the wrong
 * character or the expected check character.  Binary I/O is the 18 ASCII
 * characters of the canonical text, validated on receipt exactly as text
 * input is, so the wire format does not depend on the packing.
 */
#include "cbreturn.h"
#include "types/uscc.h"

#include "common/hashfn.h"
#include "libpq/pqformat.h"
#include "mb/pg_wchar.h"
#include "utils/builtins.h"
#include "utils/sortsupport.h"

#define DatumGetUsccP(X)		((CbrUscc *) DatumGetPointer(X))
#define PG_GETARG_USCC_P(n)		DatumGetUsccP(PG_GETARG_DATUM(n))
#define PG_RETURN_USCC_P(x)		PG_RETURN_POINTER(x)

/* Character position (1-based) of the byte at 1-based byte position bytepos. */
static int
uscc_char_position(const char *str, int bytepos)
{
	return pg_mbstrlen_with_len(str, bytepos - 1) + 1;
}

/* The character at 1-based byte position bytepos, quoted for a message. */
static char *
uscc_quoted_char(const char *str, int bytepos)
{
	const char *p = str + bytepos - 1;
	unsigned char c = (unsigned char) *p;

	if (c < 0x20 || c == 0x7f)
		return psprintf("a control character (0x%02X)", c);
	if (c >= 0x80)
		return psprintf("\"%.*s\"", pg_mblen(p), p);
	return psprintf("\"%c\"", c);
}

/* The "what is wrong" part of a 22P02 message for the literal str. */
static char *
uscc_error_text(const CbrUsccError *err, const char *str)
{
	switch (err->status)
	{
		case CBR_USCC_LENGTH:
			{
				const char *start = str;
				int			nchars;

				while (*start == ' ' || (*start >= '\t' && *start <= '\r'))
					start++;
				nchars = pg_mbstrlen_with_len(start, err->length);
				if (nchars == 0)
					return pstrdup(_("it is empty"));
				return psprintf(dngettext(TEXTDOMAIN, "it has %d character, not 18",
										   "it has %d characters, not 18", nchars), nchars);
			}
		case CBR_USCC_BAD_CHAR:
			if ((unsigned char) err->found >= 0x80)
				return psprintf(_("character %d is %s, which is not an ASCII character"),
								uscc_char_position(str, err->position),
								uscc_quoted_char(str, err->position));
			return psprintf(_("character %d is %s, which a unified social credit code never uses"),
							uscc_char_position(str, err->position),
							uscc_quoted_char(str, err->position));
		case CBR_USCC_NOT_DIGIT:
			return psprintf(_("character %d is %s, not a digit of the administrative division code (characters 3 to 8)"),
							uscc_char_position(str, err->position),
							uscc_quoted_char(str, err->position));
		case CBR_USCC_CHECK:
			return psprintf(_("check character %s is wrong, expected \"%c\""),
							uscc_quoted_char(str, err->position), err->expected);
		case CBR_USCC_OK:
			break;
	}
	elog(ERROR, "unexpected uscc parse status %d", (int) err->status);
	return NULL;				/* keep compiler quiet */
}

#define USCC_DETAIL gettext_noop( \
	"A unified social credit code has 18 characters from 0-9 and A-Z without I, O, S, V and Z; " \
	"characters 3 to 8 are digits, and the 18th is the check character of GB 32100-2015.")

/*
 * uscc_in
 *		Text input: 18 characters, letters in either case, surrounding white
 *		space ignored.
 */
PG_FUNCTION_INFO_V1(uscc_in);
Datum
uscc_in(PG_FUNCTION_ARGS)
{
	char	   *str = PG_GETARG_CSTRING(0);
	CbrUscc    *result = palloc(sizeof(CbrUscc));
	CbrUsccError err;

	if (!cbr_parse_uscc(str, (int) strlen(str), false, result, &err))
		ereturn(fcinfo->context, (Datum) 0,
				(errcode(ERRCODE_INVALID_TEXT_REPRESENTATION),
				 errmsg("invalid input syntax for type uscc: \"%s\": %s",
						str, uscc_error_text(&err, str)),
				 errdetail(USCC_DETAIL),
				 errhint("For example '914403001922038216'.")));
	PG_RETURN_USCC_P(result);
}

/*
 * uscc_out
 *		The 18-character canonical form, letters in upper case.
 */
PG_FUNCTION_INFO_V1(uscc_out);
Datum
uscc_out(PG_FUNCTION_ARGS)
{
	char	   *buf = palloc(CBR_USCC_LEN + 1);

	cbr_format_uscc(PG_GETARG_USCC_P(0), buf);
	PG_RETURN_CSTRING(buf);
}

/*
 * uscc_recv
 *		Binary input: exactly the 18 characters, validated as text input is.
 */
PG_FUNCTION_INFO_V1(uscc_recv);
Datum
uscc_recv(PG_FUNCTION_ARGS)
{
	StringInfo	buf = (StringInfo) PG_GETARG_POINTER(0);
	int			n = buf->len - buf->cursor;
	const char *data = buf->data + buf->cursor;
	CbrUscc    *result = palloc(sizeof(CbrUscc));
	CbrUsccError err;

	if (!cbr_parse_uscc(data, n, true, result, &err))
	{
		/* Quote the bytes only when they are printable ASCII. */
		int			i;
		bool		printable = (n == CBR_USCC_LEN);

		for (i = 0; printable && i < n; i++)
			printable = data[i] >= 0x21 && data[i] <= 0x7e;
		if (err.status == CBR_USCC_LENGTH)
			ereport(ERROR,
					(errcode(ERRCODE_INVALID_BINARY_REPRESENTATION),
					 errmsg("invalid binary value for type uscc: %d bytes instead of 18", n)));
		if (!printable)
			ereport(ERROR,
					(errcode(ERRCODE_INVALID_BINARY_REPRESENTATION),
					 errmsg("invalid binary value for type uscc: byte %d is not a code character",
							err.position),
					 errdetail(USCC_DETAIL)));
		{
			char	   *str = pnstrdup(data, n);

			ereport(ERROR,
					(errcode(ERRCODE_INVALID_BINARY_REPRESENTATION),
					 errmsg("invalid binary value for type uscc: \"%s\": %s",
							str, uscc_error_text(&err, str)),
					 errdetail(USCC_DETAIL)));
		}
	}
	buf->cursor = buf->len;
	PG_RETURN_USCC_P(result);
}

/*
 * uscc_send
 *		Binary output: the 18 characters of the canonical form.
 */
PG_FUNCTION_INFO_V1(uscc_send);
Datum
uscc_send(PG_FUNCTION_ARGS)
{
	char		txt[CBR_USCC_LEN + 1];
	StringInfoData buf;

	cbr_format_uscc(PG_GETARG_USCC_P(0), txt);
	pq_begintypsend(&buf);
	pq_sendbytes(&buf, txt, CBR_USCC_LEN);
	PG_RETURN_BYTEA_P(pq_endtypsend(&buf));
}

/*
 * Comparison operators.  Their order is the order of the canonical text
 * (uscc.h), so they agree with uscc_cmp and with ORDER BY on the text.
 */

/* uscc_eq: equal */
PG_FUNCTION_INFO_V1(uscc_eq);
Datum
uscc_eq(PG_FUNCTION_ARGS)
{
	PG_RETURN_BOOL(cbr_uscc_cmp(PG_GETARG_USCC_P(0), PG_GETARG_USCC_P(1)) == 0);
}

/* uscc_ne: not equal */
PG_FUNCTION_INFO_V1(uscc_ne);
Datum
uscc_ne(PG_FUNCTION_ARGS)
{
	PG_RETURN_BOOL(cbr_uscc_cmp(PG_GETARG_USCC_P(0), PG_GETARG_USCC_P(1)) != 0);
}

/* uscc_lt: less than */
PG_FUNCTION_INFO_V1(uscc_lt);
Datum
uscc_lt(PG_FUNCTION_ARGS)
{
	PG_RETURN_BOOL(cbr_uscc_cmp(PG_GETARG_USCC_P(0), PG_GETARG_USCC_P(1)) < 0);
}

/* uscc_le: less than or equal */
PG_FUNCTION_INFO_V1(uscc_le);
Datum
uscc_le(PG_FUNCTION_ARGS)
{
	PG_RETURN_BOOL(cbr_uscc_cmp(PG_GETARG_USCC_P(0), PG_GETARG_USCC_P(1)) <= 0);
}

/* uscc_gt: greater than */
PG_FUNCTION_INFO_V1(uscc_gt);
Datum
uscc_gt(PG_FUNCTION_ARGS)
{
	PG_RETURN_BOOL(cbr_uscc_cmp(PG_GETARG_USCC_P(0), PG_GETARG_USCC_P(1)) > 0);
}

/* uscc_ge: greater than or equal */
PG_FUNCTION_INFO_V1(uscc_ge);
Datum
uscc_ge(PG_FUNCTION_ARGS)
{
	PG_RETURN_BOOL(cbr_uscc_cmp(PG_GETARG_USCC_P(0), PG_GETARG_USCC_P(1)) >= 0);
}

/* uscc_cmp: btree support function 1. */
PG_FUNCTION_INFO_V1(uscc_cmp);
Datum
uscc_cmp(PG_FUNCTION_ARGS)
{
	PG_RETURN_INT32(cbr_uscc_cmp(PG_GETARG_USCC_P(0), PG_GETARG_USCC_P(1)));
}

static int
uscc_fastcmp(Datum a, Datum b, SortSupport ssup)
{
	return cbr_uscc_cmp(DatumGetUsccP(a), DatumGetUsccP(b));
}

/*
 * uscc_sortsupport: btree support function 2, so sorts and index builds
 * compare without a function call through fmgr per comparison.
 */
PG_FUNCTION_INFO_V1(uscc_sortsupport);
Datum
uscc_sortsupport(PG_FUNCTION_ARGS)
{
	SortSupport ssup = (SortSupport) PG_GETARG_POINTER(0);

	ssup->comparator = uscc_fastcmp;
	PG_RETURN_VOID();
}

/* uscc_smaller: the smaller of two codes (state function of min()). */
PG_FUNCTION_INFO_V1(uscc_smaller);
Datum
uscc_smaller(PG_FUNCTION_ARGS)
{
	CbrUscc    *a = PG_GETARG_USCC_P(0);
	CbrUscc    *b = PG_GETARG_USCC_P(1);

	PG_RETURN_USCC_P(cbr_uscc_cmp(a, b) <= 0 ? a : b);
}

/* uscc_larger: the larger of two codes (state function of max()). */
PG_FUNCTION_INFO_V1(uscc_larger);
Datum
uscc_larger(PG_FUNCTION_ARGS)
{
	CbrUscc    *a = PG_GETARG_USCC_P(0);
	CbrUscc    *b = PG_GETARG_USCC_P(1);

	PG_RETURN_USCC_P(cbr_uscc_cmp(a, b) >= 0 ? a : b);
}

/*
 * The words in big-endian byte order, so that a hash (and so a hash
 * partition) does not depend on the server's byte order.
 */
static void
uscc_hash_bytes(const CbrUscc *v, unsigned char *out)
{
	int			i;

	for (i = 0; i < 3; i++)
	{
		out[4 * i] = (unsigned char) (v->w[i] >> 24);
		out[4 * i + 1] = (unsigned char) (v->w[i] >> 16);
		out[4 * i + 2] = (unsigned char) (v->w[i] >> 8);
		out[4 * i + 3] = (unsigned char) v->w[i];
	}
}

/* uscc_hash: hash support function 1. */
PG_FUNCTION_INFO_V1(uscc_hash);
Datum
uscc_hash(PG_FUNCTION_ARGS)
{
	unsigned char b[12];

	uscc_hash_bytes(PG_GETARG_USCC_P(0), b);
	PG_RETURN_INT32((int32) hash_bytes(b, sizeof(b)));
}

/* uscc_hash_extended: hash support function 2 (seeded, for partitioning). */
PG_FUNCTION_INFO_V1(uscc_hash_extended);
Datum
uscc_hash_extended(PG_FUNCTION_ARGS)
{
	unsigned char b[12];

	uscc_hash_bytes(PG_GETARG_USCC_P(0), b);
	PG_RETURN_INT64((int64) hash_bytes_extended(b, sizeof(b), (uint64) PG_GETARG_INT64(1)));
}

/* Characters from..from+len-1 (1-based) of the canonical text. */
static text *
uscc_part(const CbrUscc *v, int from, int len)
{
	char		buf[CBR_USCC_LEN + 1];

	cbr_format_uscc(v, buf);
	return cstring_to_text_with_len(buf + from - 1, len);
}

/* registration_authority(uscc): character 1 (e.g. 9 market regulation). */
PG_FUNCTION_INFO_V1(uscc_registration_authority);
Datum
uscc_registration_authority(PG_FUNCTION_ARGS)
{
	PG_RETURN_TEXT_P(uscc_part(PG_GETARG_USCC_P(0), 1, 1));
}

/* organisation_category(uscc): character 2 (e.g. 1 enterprise under authority 9). */
PG_FUNCTION_INFO_V1(uscc_organisation_category);
Datum
uscc_organisation_category(PG_FUNCTION_ARGS)
{
	PG_RETURN_TEXT_P(uscc_part(PG_GETARG_USCC_P(0), 2, 1));
}

/* division_code(uscc): characters 3-8, the GB/T 2260 administrative division. */
PG_FUNCTION_INFO_V1(uscc_division_code);
Datum
uscc_division_code(PG_FUNCTION_ARGS)
{
	PG_RETURN_TEXT_P(uscc_part(PG_GETARG_USCC_P(0), 3, 6));
}

/* organisation_code(uscc): characters 9-17, the GB 11714 organisation code. */
PG_FUNCTION_INFO_V1(uscc_organisation_code);
Datum
uscc_organisation_code(PG_FUNCTION_ARGS)
{
	PG_RETURN_TEXT_P(uscc_part(PG_GETARG_USCC_P(0), 9, 9));
}

/*
 * uscc_check_character(text): the check character for 17 characters, so a
 * DBA can see what a code should end in.  NULL input gives NULL (STRICT).
 */
PG_FUNCTION_INFO_V1(uscc_check_character);
Datum
uscc_check_character(PG_FUNCTION_ARGS)
{
	char	   *s = text_to_cstring(PG_GETARG_TEXT_PP(0));
	int			i;
	char		c;

	if (strlen(s) != 17)
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
				 errmsg("uscc_check_character needs the first 17 characters of a code, got %d",
						pg_mbstrlen(s)),
				 errhint("Pass a code without its last character, e.g. '91440300192203821'.")));
	for (i = 0; i < 17; i++)
		if ((unsigned char) s[i] >= 0x80)
			ereport(ERROR,
					(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
					 errmsg("\"%s\" holds a character that is not ASCII", s),
					 errdetail(USCC_DETAIL)));
		else if (cbr_uscc_char_value(s[i]) < 0)
			ereport(ERROR,
					(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
					 errmsg("character %d of \"%s\" is \"%c\", which a unified social credit code never uses",
							i + 1, s, s[i]),
					 errdetail(USCC_DETAIL)));
	c = cbr_uscc_check_char(s);
	PG_RETURN_TEXT_P(cstring_to_text_with_len(&c, 1));
}
