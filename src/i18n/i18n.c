/*
 * i18n.c
 *		cbreturn's messages in the clerk's language: the module's gettext
 *		domain and the cbreturn.language setting.  The route by which the
 *		PL/pgSQL parts of the extension raise catalogued messages is
 *		messages.c.
 *
 * The message catalogue works as PL/pgSQL's does: every C file is compiled
 * with TEXTDOMAIN = PG_TEXTDOMAIN("cbreturn") (Makefile), _PG_init binds that
 * domain to the server's locale directory, and po/zh_CN.po is installed as
 * LOCALEDIR/zh_CN/LC_MESSAGES/cbreturn-MAJOR.mo.  docs/i18n.md is the guide.
 */
#include "postgres.h"

#include <locale.h>

#include "access/xact.h"
#include "miscadmin.h"
#include "catalog/pg_type.h"
#include "lib/stringinfo.h"
#include "utils/array.h"
#include "utils/builtins.h"
#include "utils/guc.h"

#include "cbreturn.h"

/*
 * lc_messages as the server holds it (utils/pg_locale.h).  Declared here
 * rather than by including that header: from PostgreSQL 16 on it includes
 * ICU's headers, which would make libicu-dev a build dependency for this
 * one variable.
 */
extern PGDLLIMPORT char *locale_messages;

void		_PG_init(void);

/* ---------------------------------------------------------------------
 * cbreturn.language
 *
 * lc_messages may be set only by a superuser (per role or per database with
 * ALTER ... SET), because it also sets the language of the server log.  An ERP
 * usually connects with one role for every clerk, and picks each clerk's
 * language per session; cbreturn.language lets it do so for cbreturn's own
 * messages without privileges.  Empty (the default) follows lc_messages.
 *
 * How: ereport() in cbreturn's files is wrapped (cbreturn.h) so that while
 * the message, DETAIL and HINT are evaluated the thread's LC_MESSAGES is the
 * chosen locale (uselocale); gettext reads the catalogue of that locale.  The
 * locale is restored as soon as they are evaluated, and at the end of any
 * (sub)transaction in case an error interrupted the evaluation.  Only
 * LC_MESSAGES differs from the global locale, and only for that moment.
 * --------------------------------------------------------------------- */
static char *cbr_language = NULL;
static locale_t cbr_language_locale = (locale_t) 0;
static bool cbr_language_stale = true;
static bool cbr_language_active = false;
static int	cbr_language_depth = 0;	/* begin/end pairs may nest */

/*
 * A language without an encoding ("zh_CN", as a clerk types it) names the
 * server's UTF-8 locale of that language when it has one (zh_CN.UTF-8):
 * cbreturn's catalogue is UTF-8.  The locale found, malloc'd as GUC wants
 * it, or NULL.
 */
static char *
cbr_language_utf8(const char *name)
{
	static const char *const suffixes[] = {".UTF-8", ".utf8"};
	int			i;

	if (strchr(name, '.') != NULL || strchr(name, '@') != NULL || strlen(name) > 64)
		return NULL;
	for (i = 0; i < (int) lengthof(suffixes); i++)
	{
		char		buf[80];
		locale_t	l;

		snprintf(buf, sizeof(buf), "%s%s", name, suffixes[i]);
		l = newlocale(LC_MESSAGES_MASK, buf, (locale_t) 0);
		if (l != (locale_t) 0)
		{
			freelocale(l);
#if PG_VERSION_NUM >= 160000
			return guc_strdup(LOG, buf);
#else
			return strdup(buf);
#endif
		}
	}
	return NULL;
}

static bool
cbr_language_check(char **newval, void **extra, GucSource source)
{
	locale_t	l;
	char	   *utf8;

	if (*newval == NULL || (*newval)[0] == '\0')
		return true;
	l = newlocale(LC_MESSAGES_MASK, *newval, (locale_t) 0);
	if (l == (locale_t) 0 && (utf8 = cbr_language_utf8(*newval)) != NULL)
	{
#if PG_VERSION_NUM >= 160000
		guc_free(*newval);
#else
		free(*newval);
#endif
		*newval = utf8;
		return true;
	}
	if (l == (locale_t) 0)
	{
		GUC_check_errdetail("Locale \"%s\" is not available on the server.", *newval);
		GUC_check_errhint("Use a locale that lc_messages accepts, e.g. zh_CN.UTF-8 or C, or an empty string to follow lc_messages.");
		return false;
	}
	freelocale(l);
	return true;
}

static void
cbr_language_assign(const char *newval, void *extra)
{
	/* built on first use, in the backend, from its global locale of that time */
	cbr_language_stale = true;
}

/*
 * fmt, a message id of the catalogue, translated into the session's
 * language (cbreturn.language) and formatted with args; palloc'd.  For the
 * texts built outside ereport (explain steps, register verdicts).
 */
char *
cbr_translated_vformat(const char *fmt, va_list args)
{
	StringInfoData buf;
	const char *tfmt;

	cbr_language_begin();
	tfmt = _(fmt);
	initStringInfo(&buf);
	for (;;)
	{
		va_list		copy;
		int			needed;
		int			len = buf.len;

		va_copy(copy, args);
		needed = appendStringInfoVA(&buf, tfmt, copy);
		va_end(copy);
		if (needed == 0)
			break;
		buf.len = len;
		buf.data[len] = '\0';
		enlargeStringInfo(&buf, needed);
	}
	cbr_language_end();
	return buf.data;
}

void
cbr_language_begin(void)
{
	if (cbr_language_depth++ > 0)
		return;
	if (cbr_language_stale)
	{
		if (cbr_language_locale != (locale_t) 0)
			freelocale(cbr_language_locale);
		cbr_language_locale = (locale_t) 0;
		if (cbr_language != NULL && cbr_language[0] != '\0')
		{
			locale_t	base = duplocale(LC_GLOBAL_LOCALE);

			if (base != (locale_t) 0)
			{
				cbr_language_locale = newlocale(LC_MESSAGES_MASK, cbr_language, base);
				if (cbr_language_locale == (locale_t) 0)
					freelocale(base);
			}
		}
		cbr_language_stale = false;
	}
	if (cbr_language_locale != (locale_t) 0)
	{
		uselocale(cbr_language_locale);
		cbr_language_active = true;
	}
}

void
cbr_language_end(void)
{
	if (cbr_language_depth > 0 && --cbr_language_depth > 0)
		return;
	if (cbr_language_active)
	{
		uselocale(LC_GLOBAL_LOCALE);
		cbr_language_active = false;
	}
}

/* An error interrupted a begin/end pair: back to the global locale. */
static void
cbr_language_reset(void)
{
	cbr_language_depth = 0;
	cbr_language_end();
}

static void
cbr_language_xact_callback(XactEvent event, void *arg)
{
	cbr_language_reset();
}

static void
cbr_language_subxact_callback(SubXactEvent event, SubTransactionId mySubid,
							  SubTransactionId parentSubid, void *arg)
{
	cbr_language_reset();
}

/*
 * The language cbreturn's texts are in now: cbreturn.language, or
 * lc_messages when that is empty.  Caches of translated texts (the rows of
 * export_tax_relief) key on it; comparing it costs a strcmp.
 */
const char *
cbr_language_key(void)
{
	if (cbr_language != NULL && cbr_language[0] != '\0')
		return cbr_language;
	return locale_messages ? locale_messages : "";
}

/*
 * _PG_init
 *		Binds cbreturn's message catalogue and defines cbreturn.language.
 */
void
_PG_init(void)
{
	pg_bindtextdomain(TEXTDOMAIN);

	DefineCustomStringVariable("cbreturn.language",
							   gettext_noop("Language of cbreturn's messages; empty follows lc_messages."),
							   gettext_noop("A locale such as zh_CN.UTF-8 (Chinese) or C (English). Unlike lc_messages, any user may set it; it changes only the messages of cbreturn."),
							   &cbr_language,
							   "",
							   PGC_USERSET,
							   0,
							   cbr_language_check,
							   cbr_language_assign,
							   NULL);
	RegisterXactCallback(cbr_language_xact_callback, NULL);
	RegisterSubXactCallback(cbr_language_subxact_callback, NULL);
	/* no MarkGUCPrefixReserved: the install script uses cbreturn.* placeholders */
}
