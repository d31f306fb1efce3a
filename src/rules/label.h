/*
 * label.h
 *		R-V-1: the key under which a reason label is looked up (label.c).
 *		Pure C, no server calls; unit-tested in test/unit/test_label.c.
 */
#ifndef CBRETURN_LABEL_H
#define CBRETURN_LABEL_H

#include <stdbool.h>

/*
 * Write the key of the label s (len bytes, not NUL-terminated) into out,
 * which has room for len + 1 bytes, and return its length.  The key is the
 * label without leading and trailing blanks, with Latin letters in lower
 * case; when utf8, the blanks include U+3000 (ideographic space) and U+00A0,
 * and the full-width forms U+FF01..U+FF5E are read as their ASCII characters
 * (ＺＸＴＹ is ZXTY).  Everything else, Chinese included, is kept byte for
 * byte.  So "ZXTY", " zxty ", "Zxty" and "ＺＸＴＹ" share one key.
 */
extern int	cbr_label_key(const char *s, int len, bool utf8, char *out);

#endif							/* CBRETURN_LABEL_H */
