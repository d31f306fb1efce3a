/*
 * uscc.h
 *		The unified social credit code (统一社会信用代码, GB 32100-2015) that
 *		names an applicant (R-EX-4) or a return-centre warehouse operator
 *		(R-IM-5): parsing, the check character and the packed form.
 *
 * Plain C with no fmgr dependency, like parse.c, so the parser is unit-tested
 * outside the server (test/unit/test_uscc.c).
 *
 * The code has 18 characters from a 31-character set (0-9 and A-Z without
 * I, O, S, V and Z): position 1 the registration authority, 2 the
 * organisation category, 3-8 the administrative division code (GB/T 2260,
 * digits), 9-17 the subject identifier (the GB 11714 organisation code) and
 * 18 a check character computed from the first 17 (GB 32100-2015 section 5,
 * after GB/T 17710): 31 - (sum of value * weight) mod 31, with the weights
 * below; a result of 31 is written 0.
 *
 * Why 12 bytes and not 8: 17 free base-31 characters carry 17 * log2(31) =
 * 84.2 bits, and even with positions 3-8 limited to digits 74 bits remain,
 * more than an int64 holds.  The value is therefore three uint32 words, each
 * a base-31 number of consecutive characters (1-6, 7-12, 13-17); the check
 * character is not stored, since it follows from the rest.  Comparing the
 * words in order compares the characters in order, and the character values
 * rise with ASCII order, so the order of the packed value is the order of the
 * canonical text.
 */
#ifndef CBRETURN_USCC_H
#define CBRETURN_USCC_H

#include "postgres.h"

#define CBR_USCC_LEN		18
#define CBR_USCC_RADIX		31

typedef struct CbrUscc
{
	uint32		w[3];			/* characters 1-6, 7-12, 13-17 in base 31 */
} CbrUscc;

/* What is wrong with a literal; uscc.c turns it into a message. */
typedef enum CbrUsccStatus
{
	CBR_USCC_OK = 0,
	CBR_USCC_LENGTH,			/* not 18 characters */
	CBR_USCC_BAD_CHAR,			/* not in the code's character set */
	CBR_USCC_NOT_DIGIT,			/* a non-digit in the division code (3-8) */
	CBR_USCC_CHECK				/* the check character does not match */
} CbrUsccStatus;

typedef struct CbrUsccError
{
	CbrUsccStatus status;
	int			position;		/* 1-based byte position in the input, 0 if none */
	int			length;			/* bytes after trimming white space */
	char		found;			/* the offending character (as given) */
	char		expected;		/* CBR_USCC_CHECK: the right check character */
} CbrUsccError;

/* Value 0-30 of a code character (upper or lower case), -1 if not one. */
extern int	cbr_uscc_char_value(char c);

/* The check character for 17 code characters, or '\0' if one is invalid. */
extern char cbr_uscc_check_char(const char *first17);

/*
 * Parse str (surrounding white space ignored, letters in either case).
 * exact: no white space and exactly 18 bytes (binary receive).
 */
extern bool cbr_parse_uscc(const char *str, int len, bool exact,
						   CbrUscc *result, CbrUsccError *err);

/* Canonical text, 18 characters + NUL. */
extern void cbr_format_uscc(const CbrUscc *v, char *buf);

/* -1, 0, 1 as a sorts before, with, after b (text order). */
static inline int
cbr_uscc_cmp(const CbrUscc *a, const CbrUscc *b)
{
	int			i;

	for (i = 0; i < 3; i++)
		if (a->w[i] != b->w[i])
			return a->w[i] < b->w[i] ? -1 : 1;
	return 0;
}

#endif							/* CBRETURN_USCC_H */
