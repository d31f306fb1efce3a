/*
 * cbreturn.h
 *		Declarations shared by every cbreturn source file: the packed
 *		representation of the identifier types, the project's SQLSTATEs and a
 *		shim so soft input errors compile on servers before PostgreSQL 16.
 *
 * Parsing and packing are plain C with no fmgr dependency, so they can be
 * unit-tested and fuzzed outside the server (see docs/architecture.md).
 */
#ifndef CBRETURN_H
#define CBRETURN_H

#include "postgres.h"
#include "fmgr.h"

/*
 * Soft input errors.  PostgreSQL 16 added ereturn(), which records the error
 * in fcinfo->context when the caller asked for that (pg_input_is_valid) and
 * throws it otherwise.  Before 16 every input error is thrown.
 */
#if PG_VERSION_NUM < 160000
#define ereturn(context, dummy_value, ...) \
	do { \
		ereport(ERROR, __VA_ARGS__); \
		return dummy_value; \
	} while (0)
#endif

/*
 * Index scans.  PostgreSQL 18 added an instrumentation argument to
 * index_beginscan() (access/genam.h); cbreturn's direct index lookups pass
 * none.  Callers include access/genam.h themselves.
 */
#if PG_VERSION_NUM >= 180000
#define cbr_index_beginscan(heap, index, snapshot, nkeys, norderbys) \
	index_beginscan((heap), (index), (snapshot), NULL, (nkeys), (norderbys))
#else
#define cbr_index_beginscan(heap, index, snapshot, nkeys, norderbys) \
	index_beginscan((heap), (index), (snapshot), (nkeys), (norderbys))
#endif

/*
 * Messages.  As in PL/pgSQL (plpgsql.h), TEXTDOMAIN is cbreturn's own gettext
 * domain, so errmsg, errdetail and errhint look their format up in cbreturn's
 * catalogue (po/, docs/i18n.md); every C file includes this header.  _() does the same for a text that is not a format of
 * its own, such as a label put into a message; c.h's _() would look in the
 * server's catalogue.  Mark a constant that is translated later with
 * gettext_noop().  A message is one whole sentence with placeholders, never
 * assembled from English pieces: a translator must see all of it.
 *
 * ereport() is wrapped so that the cbreturn.language setting, when set, wins
 * over lc_messages while the message, DETAIL and HINT are being evaluated
 * (src/i18n/i18n.c); PostgreSQL's own messages are left to lc_messages.
 */
#undef TEXTDOMAIN
#define TEXTDOMAIN PG_TEXTDOMAIN("cbreturn")
#undef _
#define _(x) dgettext(TEXTDOMAIN, x)
extern void cbr_language_begin(void);
extern char *cbr_translated_vformat(const char *fmt, va_list args) pg_attribute_printf(1, 0);
extern void cbr_language_end(void);
extern const char *cbr_language_key(void);
/* The label for people of a value of one of cbreturn's enums (src/i18n/labels.c). */
extern const char *cbr_label_cstring(const char *type, const char *value);
#undef ereport
#define ereport(elevel, ...) \
	ereport_domain(elevel, TEXTDOMAIN, (cbr_language_begin(), __VA_ARGS__, cbr_language_end()))
/*
 * The soft input errors of PostgreSQL 16 and later (ereturn) go through
 * errsave, not ereport: wrap them alike, or an input function's message
 * would ignore cbreturn.language.  Before 16 ereturn is ereport (above).
 */
#if PG_VERSION_NUM >= 160000
#undef ereturn
#define ereturn(context, dummy_value, ...) \
	ereturn_domain(context, dummy_value, TEXTDOMAIN, (cbr_language_begin(), __VA_ARGS__, cbr_language_end()))
#endif

/*
 * SQLSTATEs of the project, one per rule family (docs/errors.md).  Class
 * "CB" is not used by PostgreSQL; the third character names the family.
 */
#define ERRCODE_CBRETURN_POLICY_DATA		MAKE_SQLSTATE('C','B','0','0','0')	/* policy tables inconsistent */
#define ERRCODE_CBRETURN_WINDOW				MAKE_SQLSTATE('C','B','0','0','1')	/* R-EX-1, R-IM-1 */
#define ERRCODE_CBRETURN_REMARK				MAKE_SQLSTATE('C','B','0','0','2')	/* R-EX-2 */
#define ERRCODE_CBRETURN_QUANTITY			MAKE_SQLSTATE('C','B','0','0','3')	/* R-EX-3, R-IM-2 */
#define ERRCODE_CBRETURN_CROSS_CUSTOMS		MAKE_SQLSTATE('C','B','0','0','5')	/* R-EX-5 */
#define ERRCODE_CBRETURN_STATUS				MAKE_SQLSTATE('C','B','0','0','6')	/* rules section 6 */
#define ERRCODE_CBRETURN_UNKNOWN_CODE		MAKE_SQLSTATE('C','B','0','0','7')	/* R-ID-2, R-ID-3 reference data */
#define ERRCODE_CBRETURN_APPLICANT			MAKE_SQLSTATE('C','B','0','0','8')	/* R-EX-4 */
#define ERRCODE_CBRETURN_SITE				MAKE_SQLSTATE('C','B','0','0','9')	/* R-EX-6 */
#define ERRCODE_CBRETURN_WAREHOUSE			MAKE_SQLSTATE('C','B','0','1','0')	/* R-IM-5 */
#define ERRCODE_CBRETURN_ARRIVAL			MAKE_SQLSTATE('C','B','0','1','1')	/* R-IM-1, R-IM-6 arrival place */
#define ERRCODE_CBRETURN_IMPORT_APPLICANT	MAKE_SQLSTATE('C','B','0','1','2')	/* R-IM-7 */
#define ERRCODE_CBRETURN_DISTRIBUTED		MAKE_SQLSTATE('C','B','0','1','5')	/* a Citus table or shard (docs/scale-out.md) */
#define ERRCODE_CBRETURN_REASON_LABEL		MAKE_SQLSTATE('C','B','0','1','3')	/* R-V-1 reason vocabulary */
#define ERRCODE_CBRETURN_HEADER				MAKE_SQLSTATE('C','B','0','1','4')	/* facts read from a declaration header */

/* ---------------------------------------------------------------------
 * declaration_id (R-ID-1)
 *
 * Canonical text: CCCC YYYY F SSSSSSSSS (18 characters) where CCCC is the
 * customs code, YYYY the year (1980-2099), F one of 0 1 E I and S a 9-digit
 * sequence.  Packed into an int64 as a mixed-radix number whose digit order
 * follows the text, so that integer order is text order and the int8
 * comparison, hash and sort-support functions serve the type directly:
 *
 *		value = ((code * 10000 + year) * 4 + flag) * 10^9 + sequence
 *
 * with flag 0 = '0', 1 = '1', 2 = 'E', 3 = 'I' (ASCII order).  The largest
 * value is below 4 * 10^17, so every value is positive.  This is also the
 * binary wire format (send/recv), and must never change for a stored value.
 * --------------------------------------------------------------------- */
#define CBR_SEQ_RADIX		INT64CONST(1000000000)
#define CBR_YEAR_MIN		1980
#define CBR_YEAR_MAX		2099
#define CBR_CODE_MAX		9999

typedef enum CbrDeclFlag
{
	CBR_FLAG_EXPORT = 0,		/* '0': export declaration */
	CBR_FLAG_IMPORT = 1,		/* '1': import declaration */
	CBR_FLAG_LIST_EXPORT = 2,	/* 'E': export list (CBEC / consolidated) */
	CBR_FLAG_LIST_IMPORT = 3	/* 'I': import list */
} CbrDeclFlag;

static inline int64
cbr_decl_pack(int code, int year, CbrDeclFlag flag, int32 seq)
{
	return (((int64) code * 10000 + year) * 4 + (int64) flag) * CBR_SEQ_RADIX + seq;
}

static inline int
cbr_decl_code(int64 v)
{
	return (int) (v / (CBR_SEQ_RADIX * 4 * 10000));
}

static inline int
cbr_decl_year(int64 v)
{
	return (int) ((v / (CBR_SEQ_RADIX * 4)) % 10000);
}

static inline CbrDeclFlag
cbr_decl_flag(int64 v)
{
	return (CbrDeclFlag) ((v / CBR_SEQ_RADIX) % 4);
}

static inline int32
cbr_decl_seq(int64 v)
{
	return (int32) (v % CBR_SEQ_RADIX);
}

static inline bool
cbr_flag_is_import(CbrDeclFlag f)
{
	return f == CBR_FLAG_IMPORT || f == CBR_FLAG_LIST_IMPORT;
}

static inline bool
cbr_flag_is_list(CbrDeclFlag f)
{
	return f == CBR_FLAG_LIST_EXPORT || f == CBR_FLAG_LIST_IMPORT;
}

/* What is wrong with a literal; the input functions turn it into a message. */
typedef enum CbrParseStatus
{
	CBR_PARSE_OK = 0,
	CBR_PARSE_LENGTH,			/* wrong number of characters */
	CBR_PARSE_NOT_DIGIT,		/* a non-digit where a digit belongs */
	CBR_PARSE_YEAR_RANGE,		/* year outside 1980-2099 */
	CBR_PARSE_FLAG,				/* direction flag not one of 0 1 E I */
	CBR_PARSE_HYPHEN			/* hyphenated form with a hyphen missing or misplaced */
} CbrParseStatus;

typedef struct CbrParseError
{
	CbrParseStatus status;
	int			position;		/* 1-based position in the input, 0 if none */
	int			length;			/* characters after trimming white space */
	char		found;			/* the offending character, if any */
} CbrParseError;

extern bool cbr_parse_declaration_id(const char *str, int64 *result, CbrParseError *err);
extern bool cbr_declaration_id_valid(int64 v);
extern void cbr_format_declaration_id(int64 v, char *buf);	/* buf: 19 bytes */

extern bool cbr_parse_code4(const char *str, int16 *result, CbrParseError *err);
extern void cbr_format_code4(int16 v, char *buf);	/* buf: 5 bytes */

/* Server side (declaration_id.c): the "what is wrong" part of a 22P02 message. */
extern char *cbr_parse_error_text(const CbrParseError *err, const char *str);

#endif							/* CBRETURN_H */
