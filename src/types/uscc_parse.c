/*
 * uscc_parse.c
 *		Parsing, check character and packing of the unified social credit
 *		code (GB 32100-2015; R-EX-4, R-IM-5).  Plain C without fmgr: uscc.c
 *		wraps it, test/unit/test_uscc.c tests it outside the server.
 */
#include "types/uscc.h"

/* GB 32100-2015 section 5: the weight of positions 1-17 (3^(i-1) mod 31). */
static const int uscc_weights[17] = {
	1, 3, 9, 27, 19, 26, 16, 17, 20, 29, 25, 13, 8, 24, 10, 30, 28
};

/*
 * The 31 characters by value (GB 32100-2015 table 1).  I, O, S, V and Z are
 * left out because they are read as 1, 0, 5, U and 2.
 */
static const char uscc_chars[CBR_USCC_RADIX + 1] = "0123456789ABCDEFGHJKLMNPQRTUWXY";

static inline bool
is_space(char c)
{
	return c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '\f' || c == '\v';
}

int
cbr_uscc_char_value(char c)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	if (c >= 'a' && c <= 'z')
		c = c - 'a' + 'A';
	if (c >= 'A' && c <= 'Z')
	{
		const char *p;

		for (p = uscc_chars + 10; *p; p++)
			if (*p == c)
				return (int) (p - uscc_chars);
	}
	return -1;
}

char
cbr_uscc_check_char(const char *first17)
{
	int			sum = 0;
	int			i;

	for (i = 0; i < 17; i++)
	{
		int			v = cbr_uscc_char_value(first17[i]);

		if (v < 0)
			return '\0';
		sum += v * uscc_weights[i];
	}
	return uscc_chars[(CBR_USCC_RADIX - sum % CBR_USCC_RADIX) % CBR_USCC_RADIX];
}

static bool
uscc_fail(CbrUsccError *err, CbrUsccStatus status, int position, char found)
{
	err->status = status;
	err->position = position;
	err->found = found;
	err->expected = '\0';
	return false;
}

/*
 * Parse a code.  Characters are checked left to right and the first wrong
 * one is reported; the check character is compared last, so a message about
 * it always means the other 17 are well-formed.
 */
bool
cbr_parse_uscc(const char *str, int len, bool exact, CbrUscc *result, CbrUsccError *err)
{
	const char *s = str;
	int			offset = 0;
	int			n = len;
	int			i;
	int			vals[17];
	int			sum = 0;
	char		want;

	err->length = -1;
	if (!exact)
	{
		while (n > 0 && is_space(*s))
		{
			s++;
			n--;
		}
		while (n > 0 && is_space(s[n - 1]))
			n--;
		offset = (int) (s - str);
	}

	if (n != CBR_USCC_LEN)
	{
		/*
		 * Length counts bytes; a literal with a multibyte character (such as
		 * a full-width letter) is reported by that character, not by length.
		 */
		for (i = 0; i < n; i++)
			if ((unsigned char) s[i] >= 0x80 || (exact && s[i] == '\0'))
				return uscc_fail(err, CBR_USCC_BAD_CHAR, offset + i + 1, s[i]);
		err->length = n;
		return uscc_fail(err, CBR_USCC_LENGTH, 0, '\0');
	}

	for (i = 0; i < 17; i++)
	{
		char		c = s[i];

		vals[i] = cbr_uscc_char_value(c);
		if (vals[i] < 0)
			return uscc_fail(err, CBR_USCC_BAD_CHAR, offset + i + 1, c);
		/* Positions 3-8: the GB/T 2260 administrative division code. */
		if (i >= 2 && i <= 7 && vals[i] > 9)
			return uscc_fail(err, CBR_USCC_NOT_DIGIT, offset + i + 1, c);
		sum += vals[i] * uscc_weights[i];
	}
	if (cbr_uscc_char_value(s[17]) < 0)
		return uscc_fail(err, CBR_USCC_BAD_CHAR, offset + 18, s[17]);
	want = uscc_chars[(CBR_USCC_RADIX - sum % CBR_USCC_RADIX) % CBR_USCC_RADIX];
	if (uscc_chars[cbr_uscc_char_value(s[17])] != want)
	{
		uscc_fail(err, CBR_USCC_CHECK, offset + 18, s[17]);
		err->expected = want;
		return false;
	}

	result->w[0] = result->w[1] = result->w[2] = 0;
	for (i = 0; i < 17; i++)
		result->w[i / 6] = result->w[i / 6] * CBR_USCC_RADIX + (uint32) vals[i];
	err->status = CBR_USCC_OK;
	return true;
}

void
cbr_format_uscc(const CbrUscc *v, char *buf)
{
	static const int width[3] = {6, 6, 5};
	int			i;
	int			k;
	int			pos = 0;

	for (i = 0; i < 3; i++)
	{
		uint32		x = v->w[i];

		for (k = width[i] - 1; k >= 0; k--, x /= CBR_USCC_RADIX)
			buf[pos + k] = uscc_chars[x % CBR_USCC_RADIX];
		pos += width[i];
	}
	buf[17] = cbr_uscc_check_char(buf);
	buf[18] = '\0';
}
