/*
 * label.c
 *		R-V-1 (rules: reason vocabularies): the normalisation under which an
 *		ERP's reason label is compared with the labels of
 *		cbreturn.reason_labels.  Pure C: no palloc, no ereport.
 *
 * Why these folds and no others: ERP clerks type the remark codes in any
 * case and, with a Chinese input method, often in full-width letters, and
 * spreadsheets leave blanks (ASCII, the ideographic space, the no-break
 * space) around a value; none of that changes which label was meant.  The
 * Chinese labels are compared as they are: simplified and traditional forms,
 * or 品质 and 质量, are different labels that a DBA adds as rows.
 */
#include "rules/label.h"

/* Bytes of the blank at p (ASCII whitespace; U+3000 and U+00A0 in UTF-8), or 0. */
static int
cbr_label_blank_at(const unsigned char *p, const unsigned char *end, bool utf8)
{
	if (p >= end)
		return 0;
	if (*p == ' ' || (*p >= '\t' && *p <= '\r'))
		return 1;
	if (!utf8)
		return 0;
	if (end - p >= 3 && p[0] == 0xE3 && p[1] == 0x80 && p[2] == 0x80)
		return 3;
	if (end - p >= 2 && p[0] == 0xC2 && p[1] == 0xA0)
		return 2;
	return 0;
}

/* Bytes of the blank that ends at end (the same blanks), or 0. */
static int
cbr_label_blank_before(const unsigned char *start, const unsigned char *end, bool utf8)
{
	if (end <= start)
		return 0;
	if (end[-1] == ' ' || (end[-1] >= '\t' && end[-1] <= '\r'))
		return 1;
	if (!utf8)
		return 0;
	if (end - start >= 3 && end[-3] == 0xE3 && end[-2] == 0x80 && end[-1] == 0x80)
		return 3;
	if (end - start >= 2 && end[-2] == 0xC2 && end[-1] == 0xA0)
		return 2;
	return 0;
}

int
cbr_label_key(const char *s, int len, bool utf8, char *out)
{
	const unsigned char *p = (const unsigned char *) s;
	const unsigned char *end = p + (len > 0 ? len : 0);
	int			n;
	int			k = 0;

	while ((n = cbr_label_blank_at(p, end, utf8)) > 0)
		p += n;
	while ((n = cbr_label_blank_before(p, end, utf8)) > 0)
		end -= n;
	while (p < end)
	{
		unsigned char c = *p;

		/* U+FF01..U+FF5E: EF BC 81..BF and EF BD 80..9E, ASCII 0x21..0x7E */
		if (utf8 && end - p >= 3 && p[0] == 0xEF &&
			((p[1] == 0xBC && p[2] >= 0x81 && p[2] <= 0xBF) ||
			 (p[1] == 0xBD && p[2] >= 0x80 && p[2] <= 0x9E)))
		{
			c = (unsigned char) (p[1] == 0xBC ? p[2] - 0x60 : p[2] - 0x20);
			p += 3;
		}
		else
			p++;
		if (c >= 'A' && c <= 'Z')
			c = (unsigned char) (c + ('a' - 'A'));
		out[k++] = (char) c;
	}
	out[k] = '\0';
	return k;
}
