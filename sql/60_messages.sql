-- Messages in the clerk's language (docs/i18n.md).  The C side is
-- src/i18n/i18n.c.  PL/pgSQL's RAISE cannot use cbreturn's message
-- catalogue, so the extension's PL/pgSQL functions raise a catalogued message
-- by its key:
--
--     PERFORM cbreturn._error('attach.partitioned', cbreturn._text('the_table'), rel::text);
--
-- which raises the message with its SQLSTATE, DETAIL and HINT in the language
-- of lc_messages, or of cbreturn.language when that is set.

CREATE FUNCTION cbreturn._error(key text, VARIADIC args text[] DEFAULT '{}')
RETURNS void
AS 'MODULE_PATHNAME', 'cbreturn_error'
LANGUAGE C VOLATILE PARALLEL UNSAFE;
COMMENT ON FUNCTION cbreturn._error(text, text[]) IS
    'raises the catalogued message key (SQLSTATE, message, DETAIL, HINT) in the session''s language; arguments replace {1} .. {9}';

CREATE FUNCTION cbreturn._text(key text)
RETURNS text
AS 'MODULE_PATHNAME', 'cbreturn_text'
LANGUAGE C STABLE STRICT PARALLEL SAFE;
COMMENT ON FUNCTION cbreturn._text(text) IS
    'a catalogued word or phrase in the session''s language, for an argument of cbreturn._error';
