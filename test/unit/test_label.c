/*
 * test_label.c
 *		Unit and property tests of the R-V-1 label key (src/rules/label.c),
 *		outside the server.  Prints TAP; run by test/checks/unit.sh.
 */
#include "rules/label.h"

#include <stdio.h>
#include <stdlib.h>
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

/* key of a NUL-terminated string, in a static buffer */
static const char *
key(const char *s, bool utf8)
{
	static char buf[4][256];
	static int	next = 0;
	char	   *out = buf[next++ % 4];

	cbr_label_key(s, (int) strlen(s), utf8, out);
	return out;
}

static void
is_key(const char *s, const char *expected, const char *name)
{
	const char *got = key(s, true);

	ok(strcmp(got, expected) == 0, name);
	if (strcmp(got, expected) != 0)
		printf("# got \"%s\", expected \"%s\"\n", got, expected);
}

int
main(void)
{
	char		buf[64];
	int			i;
	unsigned int seed = 12345;

	is_key("ZXTY", "zxty", "Latin letters fold to lower case");
	is_key("  zxty\t", "zxty", "ASCII blanks around are dropped");
	is_key("\xE3\x80\x80ZXTY\xE3\x80\x80", "zxty", "ideographic spaces around are dropped");
	is_key("\xC2\xA0" "THTY" "\xC2\xA0", "thty", "no-break spaces around are dropped");
	is_key("\xEF\xBC\xBA\xEF\xBC\xB8\xEF\xBC\xB4\xEF\xBC\xB9", "zxty", "full-width ZXTY is zxty");
	is_key("\xEF\xBD\x90\xEF\xBD\x87\xEF\xBD\x94\xEF\xBD\x99", "pgty", "full-width lower-case pgty is pgty");
	is_key("\xEF\xBC\x81\xEF\xBC\xBF\xEF\xBD\x80\xEF\xBD\x9E", "!_`~", "the ends of the full-width block");
	is_key("\xEF\xBD\x9F", "\xEF\xBD\x9F", "U+FF5F is not folded");
	is_key("\xE6\xBB\x9E\xE9\x94\x80", "\xE6\xBB\x9E\xE9\x94\x80", "Chinese is kept byte for byte (滞销)");
	is_key(" \xE6\xBB\x9E\xE9\x94\x80 ", "\xE6\xBB\x9E\xE9\x94\x80", "Chinese with blanks around");
	is_key("consumer return", "consumer return", "interior blanks are kept");
	is_key("Quality_Or_Spec", "quality_or_spec", "enum label in any case");
	is_key("", "", "empty");
	is_key(" \t\xE3\x80\x80 ", "", "blank only");
	is_key("\xE3\x80", "\xE3\x80", "a cut ideographic space is not a blank");
	ok(strcmp(key("\xE3\x80\x80" "a", false), "\xE3\x80\x80" "a") == 0,
	   "not UTF-8: the ideographic-space bytes are kept");
	ok(strcmp(key("\xEF\xBC\xBA", false), "\xEF\xBC\xBA") == 0,
	   "not UTF-8: full-width bytes are kept");

	/* properties: the key is idempotent, and case or blanks never change it */
	for (i = 0; i < 2000; i++)
	{
		char		word[16];
		char		variant[64];
		int			n = 1 + (int) ((seed = seed * 1103515245u + 12345u) >> 16) % 10;
		int			j;
		int			v = 0;
		bool		idem;
		bool		same;

		for (j = 0; j < n; j++)
		{
			seed = seed * 1103515245u + 12345u;
			word[j] = (char) ('a' + (seed >> 16) % 26);
		}
		word[n] = '\0';
		variant[v++] = ' ';
		for (j = 0; j < n; j++)
		{
			seed = seed * 1103515245u + 12345u;
			if ((seed >> 16) % 3 == 0)
			{
				/* full-width form of the letter, upper or lower */
				int			cp = 0xFF41 + (word[j] - 'a') - ((seed >> 18) % 2 ? 0x20 : 0);

				variant[v++] = (char) 0xEF;
				variant[v++] = (char) (0x80 | ((cp >> 6) & 0x3F));
				variant[v++] = (char) (0x80 | (cp & 0x3F));
			}
			else
				variant[v++] = (seed >> 17) % 2 ? word[j] - ('a' - 'A') : word[j];
		}
		memcpy(variant + v, "\xE3\x80\x80", 3);
		v += 3;
		variant[v] = '\0';
		strcpy(buf, key(variant, true));
		same = strcmp(buf, word) == 0;
		idem = strcmp(key(buf, true), buf) == 0;
		if (!same || !idem)
		{
			ok(false, "property: case, full width and blanks do not change the key");
			printf("# word \"%s\" variant \"%s\" key \"%s\"\n", word, variant, buf);
			break;
		}
	}
	if (i == 2000)
		ok(true, "property: case, full width and blanks do not change the key (2000 words)");
	printf("1..%d\n", test_no);
	return failures == 0 ? 0 : 1;
}
