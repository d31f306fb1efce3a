/*
 * test_uscc.c
 *		Unit tests of the plain-C unified social credit code parser
 *		(src/types/uscc_parse.c; GB 32100-2015, R-EX-4, R-IM-5), outside the
 *		server.  Prints TAP; run by test/checks/unit_uscc.sh.
 *
 * The check character is recomputed here from the standard's definition
 * (weights 3^(i-1) mod 31, check = 31 - sum mod 31, 31 written as 0) rather
 * than from the parser's table, so the two share no constant.
 */
#include "types/uscc.h"

#include <stdio.h>
#include <string.h>

static int	test_no = 0;
static int	failures = 0;

static void
ok(bool cond, const char *name)
{
	test_no++;
	if (!cond)
		failures++;
	printf("%s %d - %s\n", cond ? "ok" : "not ok", test_no, name);
}

/* GB 32100-2015 table 1, written out independently of the parser. */
static const char *charset = "0123456789ABCDEFGHJKLMNPQRTUWXY";

static char
reference_check(const char *s)
{
	int			sum = 0;
	int			w = 1;
	int			i;

	for (i = 0; i < 17; i++)
	{
		const char *p = strchr(charset, s[i]);

		if (p == NULL || s[i] == '\0')
			return '\0';
		sum += (int) (p - charset) * w;
		w = (w * 3) % 31;
	}
	return charset[(31 - sum % 31) % 31];
}

static bool
parses(const char *s, CbrUscc *v, CbrUsccError *e)
{
	return cbr_parse_uscc(s, (int) strlen(s), false, v, e);
}

/* Real codes of well-known companies (see test/sql/13_uscc.sql for sources). */
static const char *real_codes[] = {
	"914403001922038216",		/* Huawei Technologies */
	"91440300708461136T",		/* Shenzhen Tencent Computer Systems */
	"91330100799655058B",		/* Alibaba (China) */
	"91110108551385082Q",		/* Xiaomi */
	"91440300192317458F",		/* BYD */
	"91110000802100433B",		/* Beijing Baidu Netcom */
};

int
main(void)
{
	CbrUscc		v,
				w;
	CbrUsccError e;
	char		buf[CBR_USCC_LEN + 1];
	size_t		k;
	int			i,
				c;
	int			rejected = 0,
				tried = 0;
	bool		all_ok;

	/* The standard's weights are 3^(i-1) mod 31: the parser agrees. */
	for (k = 0; k < lengthof(real_codes); k++)
	{
		const char *code = real_codes[k];
		char		msg[100];

		snprintf(msg, sizeof(msg), "%s is accepted and formats back", code);
		ok(parses(code, &v, &e) && (cbr_format_uscc(&v, buf), strcmp(buf, code) == 0), msg);
		snprintf(msg, sizeof(msg), "%s: check character agrees with the reference", code);
		ok(reference_check(code) == code[17] && cbr_uscc_check_char(code) == code[17], msg);
	}

	/* Every single-character change of every real code is rejected. */
	for (k = 0; k < lengthof(real_codes); k++)
		for (i = 0; i < 18; i++)
			for (c = 0x21; c < 0x7f; c++)
			{
				char		s[CBR_USCC_LEN + 1];

				memcpy(s, real_codes[k], sizeof(s));
				if (s[i] == c || (c >= 'a' && c <= 'z' && s[i] == c - 'a' + 'A'))
					continue;	/* no change, or the same letter in lower case */
				s[i] = (char) c;
				tried++;
				if (!parses(s, &v, &e) && e.status != CBR_USCC_OK)
					rejected++;
			}
	ok(tried > 0 && rejected == tried, "every single printable-character change of each real code is rejected");

	/* Error reports: status, position, characters. */
	ok(!parses("914403001922038217", &v, &e) && e.status == CBR_USCC_CHECK &&
	   e.position == 18 && e.found == '7' && e.expected == '6',
	   "wrong check character: position 18, found 7, expected 6");
	ok(!parses("9I4403001922038216", &v, &e) && e.status == CBR_USCC_BAD_CHAR &&
	   e.position == 2 && e.found == 'I', "I at position 2 is outside the character set");
	ok(!parses("91A403001922038216", &v, &e) && e.status == CBR_USCC_NOT_DIGIT && e.position == 3,
	   "a letter in the division code (3-8) is reported as such");
	ok(!parses("  9144030019220382", &v, &e) && e.status == CBR_USCC_LENGTH && e.length == 16,
	   "16 characters after trimming: length error");
	ok(!parses("", &v, &e) && e.status == CBR_USCC_LENGTH && e.length == 0, "empty: length 0");
	ok(!parses("\xef\xbc\x99" "14403001922038216", &v, &e) && e.status == CBR_USCC_BAD_CHAR &&
	   e.position == 1, "a full-width digit is reported by position, not by length");
	ok(!parses(" 9I4403001922038216", &v, &e) && e.position == 3,
	   "positions count the leading white space");
	ok(parses(" 91330100799655058b\n", &v, &e) && (cbr_format_uscc(&v, buf), strcmp(buf, "91330100799655058B") == 0),
	   "lower case and surrounding white space accepted, output upper case");
	ok(!cbr_parse_uscc(" 91330100799655058B", 19, true, &v, &e),
	   "exact mode (binary receive) does not trim");
	ok(!cbr_parse_uscc("91330100799655058\0", 18, true, &v, &e) && e.status == CBR_USCC_BAD_CHAR &&
	   e.position == 18, "exact mode: a NUL byte is a bad character");

	/* Order: the packed order is the text order, over many generated codes. */
	all_ok = true;
	for (i = 0; i < 2000 && all_ok; i++)
	{
		char		a[CBR_USCC_LEN + 1],
					b[CBR_USCC_LEN + 1];
		unsigned	seed = (unsigned) i * 2654435761u;
		int			j;
		int			tc;

		for (j = 0; j < 17; j++)
		{
			seed = seed * 1103515245u + 12345u;
			a[j] = (j >= 2 && j <= 7) ? charset[(seed >> 16) % 10] : charset[(seed >> 16) % 31];
			seed = seed * 1103515245u + 12345u;
			/* b shares a prefix of random length with a */
			b[j] = (j < (int) ((seed >> 20) % 18)) ? a[j] :
				((j >= 2 && j <= 7) ? charset[(seed >> 16) % 10] : charset[(seed >> 16) % 31]);
		}
		a[17] = reference_check(a);
		b[17] = reference_check(b);
		a[18] = b[18] = '\0';
		if (!parses(a, &v, &e) || !parses(b, &w, &e))
		{
			all_ok = false;
			break;
		}
		tc = strcmp(a, b);
		tc = tc < 0 ? -1 : tc > 0;
		if (cbr_uscc_cmp(&v, &w) != tc)
			all_ok = false;
		cbr_format_uscc(&v, buf);
		if (strcmp(buf, a) != 0)
			all_ok = false;
	}
	ok(all_ok, "2000 generated pairs: valid, round-trip, and packed order = text order");

	/* The largest code fits the words: YY999999YYYYYYYYY + check. */
	{
		char		s[CBR_USCC_LEN + 1] = "YY999999YYYYYYYYY";

		s[17] = reference_check(s);
		s[18] = '\0';
		ok(parses(s, &v, &e) && (cbr_format_uscc(&v, buf), strcmp(buf, s) == 0),
		   "the largest code round-trips");
	}

	printf("1..%d\n", test_no);
	return failures > 0;
}
