-- cbreturn 0.1.0 -> 0.2.0.  Run by ALTER EXTENSION cbreturn UPDATE; attached
-- checks (their triggers and metadata) are kept.  Each section below names the
-- change it carries; test/checks/upgrade.sh requires the result to equal a
-- fresh 0.2.0 install.
\echo Use "ALTER EXTENSION cbreturn UPDATE" to load this file. \quit

-- ---- Messages in the clerk's language (sql/60_messages.sql, docs/i18n.md)

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
