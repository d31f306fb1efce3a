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
 * Parse a declaration or list number: the canonical 18 characters, or the
 * hyphenated print form CCCC-YYYY-F-SSSSSSSSS; flag letters in either case.
 */
bool
cbr_parse_declaration_id(const char *str, int64 *result, CbrParseError *err)
{
	char		canon[18];
	int			srcpos[18];		/* 1-based position in str of canon[i] */
	int			len;
	int			offset;
	int			i;
	int			n = 0;
	const char *s = trim(str, &len, &offset);
	int			code = 0;
	int			year = 0;
	int32		seq = 0;
	CbrDeclFlag flag;

	if (len == 18)
	{
		for (i = 0; i < 18; i++)
		{
			canon[i] = s[i];
			srcpos[i] = offset + i + 1;
		}
	}
	else if (len == 21)
	{
		for (i = 0; i < 21; i++)
		{
			if (i == 4 || i == 9 || i == 11)
			{
				if (s[i] != '-')
					return parse_fail(err, CBR_PARSE_HYPHEN, offset + i + 1, s[i]);
				continue;
			}
			canon[n] = s[i];
			srcpos[n] = offset + i + 1;
			n++;
		}
	}
	else
	{
		err->length = len;
		return parse_fail(err, CBR_PARSE_LENGTH, 0, '\0');
	}

	for (i = 0; i < 18; i++)
	{
		char		c = canon[i];

		if (i == 8)
			continue;
		if (!is_digit(c))
			return parse_fail(err, CBR_PARSE_NOT_DIGIT, srcpos[i], c);
		if (i < 4)
			code = code * 10 + (c - '0');
		else if (i < 8)
			year = year * 10 + (c - '0');
		else
			seq = seq * 10 + (c - '0');
	}

	switch (canon[8])
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
			return parse_fail(err, CBR_PARSE_FLAG, srcpos[8], canon[8]);
	}

	if (year < CBR_YEAR_MIN || year > CBR_YEAR_MAX)
		return parse_fail(err, CBR_PARSE_YEAR_RANGE, srcpos[4], '\0');

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
