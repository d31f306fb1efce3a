/*
 * parse.c
 *		Parsing and formatting of the identifier types (R-ID-1, R-ID-2, R-ID-3).
 *
 * Plain C without fmgr: the input and receive functions in declaration_id.c
 * and code4.c call these and turn a CbrParseError into a message.  Input
 * validation is syntax only (interface contract), so the input functions stay
 * immutable; whether a district or supervision code exists is a question for
 * the reference tables.
 */
#include "cbreturn.h"

static inline bool
is_digit(char c)
{
	return c >= '0' && c <= '9';
}

static inline bool
is_space(char c)
{
	return c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '\f' || c == '\v';
}

static bool
parse_fail(CbrParseError *err, CbrParseStatus status, int position, char found)
{
	err->status = status;
	err->position = position;
	if (status != CBR_PARSE_LENGTH)
		err->length = -1;
	err->found = found;
	return false;
}

/*
 * The first byte of a non-ASCII character in s[0..len), or -1.  No valid
 * literal holds one; length checks count bytes, so a literal such as one with
 * full-width digits must be reported by this character, not by its length.
 */
static int
first_non_ascii(const char *s, int len)
{
	int			i;

	for (i = 0; i < len; i++)
		if ((unsigned char) s[i] >= 0x80)
			return i;
	return -1;
}

/*
 * Trim surrounding white space, as the built-in integer types do.  Returns
 * the start of the value and sets *len and *offset (characters skipped).
 */
static const char *
trim(const char *str, int *len, int *offset)
{
	const char *start = str;
	const char *end;

	while (is_space(*start))
		start++;
	end = start + strlen(start);
	while (end > start && is_space(end[-1]))
		end--;
	*len = (int) (end - start);
	*offset = (int) (start - str);
	return start;
}

/*
 * Parse a declaration or list number (R-ID-1): the canonical 18 characters,
 * or the hyphenated print form CCCC-YYYY-F-SSSSSSSSS; flag letters in either
 * case.
 *
 * The literal is checked left to right and the first wrong character is
 * reported, so the message points where a user would look first.  The year
 * is range-checked as soon as its 4 digits are read, for the same reason.
 */
bool
cbr_parse_declaration_id(const char *str, int64 *result, CbrParseError *err)
{
	int			len;
	int			offset;
	int			i;
	int			n = 0;			/* index into the canonical form */
	bool		print_form;
	const char *s = trim(str, &len, &offset);
	int			code = 0;
	int			year = 0;
	int32		seq = 0;
	CbrDeclFlag flag = CBR_FLAG_EXPORT;

	if (len == 18)
		print_form = false;
	else if (len == 21)
		print_form = true;
	else if ((i = first_non_ascii(s, len)) >= 0)
		return parse_fail(err, CBR_PARSE_NOT_DIGIT, offset + i + 1, s[i]);
	else
	{
		err->length = len;
		return parse_fail(err, CBR_PARSE_LENGTH, 0, '\0');
	}

	for (i = 0; i < len; i++)
	{
		char		c = s[i];
		int			pos = offset + i + 1;	/* 1-based position in str */

		if (print_form && (i == 4 || i == 9 || i == 11))
		{
			if (c != '-')
				return parse_fail(err, CBR_PARSE_HYPHEN, pos, c);
			continue;
		}

		if (n == 8)
		{
			/* Position 9 of the canonical form: the direction flag. */
			switch (c)
			{
				case '0':
					flag = CBR_FLAG_EXPORT;
					break;
				case '1':
					flag = CBR_FLAG_IMPORT;
					break;
				case 'E':
				case 'e':
					flag = CBR_FLAG_LIST_EXPORT;
					break;
				case 'I':
				case 'i':
					flag = CBR_FLAG_LIST_IMPORT;
					break;
				default:
					return parse_fail(err, CBR_PARSE_FLAG, pos, c);
			}
			n++;
			continue;
		}

		if (!is_digit(c))
			return parse_fail(err, CBR_PARSE_NOT_DIGIT, pos, c);
		if (n < 4)
			code = code * 10 + (c - '0');
		else if (n < 8)
		{
			year = year * 10 + (c - '0');
			if (n == 7 && (year < CBR_YEAR_MIN || year > CBR_YEAR_MAX))
				return parse_fail(err, CBR_PARSE_YEAR_RANGE, pos - 3, '\0');
		}
		else
			seq = seq * 10 + (c - '0');
		n++;
	}

	*result = cbr_decl_pack(code, year, flag, seq);
	err->status = CBR_PARSE_OK;
	return true;
}

/* Does a packed value decode to a valid identifier?  Used by receive. */
bool
cbr_declaration_id_valid(int64 v)
{
	int			year;

	if (v < 0 || cbr_decl_code(v) > CBR_CODE_MAX)
		return false;
	year = cbr_decl_year(v);
	return year >= CBR_YEAR_MIN && year <= CBR_YEAR_MAX;
}

void
cbr_format_declaration_id(int64 v, char *buf)
{
	static const char flags[4] = {'0', '1', 'E', 'I'};
	int			code = cbr_decl_code(v);
	int			year = cbr_decl_year(v);
	int32		seq = cbr_decl_seq(v);
	int			i;

	for (i = 3; i >= 0; i--, code /= 10)
		buf[i] = '0' + code % 10;
	for (i = 7; i >= 4; i--, year /= 10)
		buf[i] = '0' + year % 10;
	buf[8] = flags[cbr_decl_flag(v)];
	for (i = 17; i >= 9; i--, seq /= 10)
		buf[i] = '0' + seq % 10;
	buf[18] = '\0';
}

/* Parse a 4-digit code: customs office (R-ID-2) or supervision code (R-ID-3). */
bool
cbr_parse_code4(const char *str, int16 *result, CbrParseError *err)
{
	int			len;
	int			offset;
	int			i;
	int			v = 0;
	const char *s = trim(str, &len, &offset);

	if (len != 4 && (i = first_non_ascii(s, len)) >= 0)
		return parse_fail(err, CBR_PARSE_NOT_DIGIT, offset + i + 1, s[i]);
	if (len != 4)
	{
		err->length = len;
		return parse_fail(err, CBR_PARSE_LENGTH, 0, '\0');
	}
	for (i = 0; i < 4; i++)
	{
		if (!is_digit(s[i]))
			return parse_fail(err, CBR_PARSE_NOT_DIGIT, offset + i + 1, s[i]);
		v = v * 10 + (s[i] - '0');
	}
	*result = (int16) v;
	err->status = CBR_PARSE_OK;
	return true;
}

void
cbr_format_code4(int16 v, char *buf)
{
	int			x = v;
	int			i;

	for (i = 3; i >= 0; i--, x /= 10)
		buf[i] = '0' + x % 10;
	buf[4] = '\0';
}
