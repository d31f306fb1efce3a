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

-- Labels for people (docs/i18n.md, "Labels"): what a report shows for a value
-- of cbreturn's enums, a status of return_status and a stage of rules
-- section 6, in the session's language.  The values stay what programs
-- compare; STABLE, as the answer follows lc_messages and cbreturn.language.
CREATE FUNCTION cbreturn.label(value anyenum)
RETURNS text
AS 'MODULE_PATHNAME', 'cbreturn_enum_label'
LANGUAGE C STABLE STRICT PARALLEL SAFE;
COMMENT ON FUNCTION cbreturn.label(anyenum) IS
    'the label for people of a value of return_reason, return_site_kind, customs_credit_rating or import_agent_role, in the session''s language (滞销退运（ZXTY） for unsold under zh_CN)';

CREATE FUNCTION cbreturn.return_status_label(status text)
RETURNS text
AS 'MODULE_PATHNAME', 'cbreturn_return_status_label'
LANGUAGE C STABLE STRICT PARALLEL SAFE;
COMMENT ON FUNCTION cbreturn.return_status_label(text) IS
    'the label for people of a status of return_status (open, due_soon, overdue, closed_on_time, closed_late), in the session''s language';

CREATE FUNCTION cbreturn.stage_label(stage text)
RETURNS text
AS 'MODULE_PATHNAME', 'cbreturn_stage_label'
LANGUAGE C STABLE STRICT PARALLEL SAFE;
COMMENT ON FUNCTION cbreturn.stage_label(text) IS
    'the label for people of a stage of rules section 6 (registered … rejected), in the session''s language';
