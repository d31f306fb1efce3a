-- PL/pgSQL twins of the C functions and triggers, written as a competent DBA
-- would write them: same rules, same policy tables, no needless work.
-- run.sh checks that they give the C functions' answers on the benchmark
-- data before timing them.

\set ON_ERROR_STOP 1

-- R-EX-1 with R-P-1 (see sqlfuncs.sql for the arithmetic).
CREATE FUNCTION bench.export_return_deadline_plpgsql(exported_on date, reason cbreturn.return_reason)
    RETURNS date LANGUAGE plpgsql IMMUTABLE STRICT PARALLEL SAFE
AS $$
BEGIN
    IF NOT isfinite(exported_on) THEN
        RAISE EXCEPTION 'export date % is not finite', exported_on USING ERRCODE = '22008';
    END IF;
    IF reason = 'quality_or_spec' THEN
        RETURN (exported_on + interval '12 months')::date;
    END IF;
    RETURN (exported_on + interval '6 months')::date;
END
$$;

-- The export-return checks of a returns table, as a BEFORE INSERT OR UPDATE
-- row trigger: R-EX-2 (the remarks start with ZXTY, THTY or PGTY, leading
-- white space and case ignored, not followed by a letter or digit) and
-- R-EX-1 (returned_on on or before the deadline for that reason, not before
-- the export; a NULL date skips the window).  Written
-- for the benchmark's returns tables (columns exported_on, returned_on,
-- remarks); a DBA writes one per table.  Same SQLSTATEs as the C trigger.
CREATE FUNCTION bench.export_return_checks_plpgsql() RETURNS trigger LANGUAGE plpgsql
AS $$
DECLARE
    code text;
    reason cbreturn.return_reason;
    deadline date;
BEGIN
    code := upper((regexp_match(NEW.remarks, E'^[[:space:]\u3000]*([A-Za-z]{4})(?![A-Za-z0-9])'))[1]);
    reason := CASE code WHEN 'ZXTY' THEN 'unsold'
                        WHEN 'THTY' THEN 'consumer_return'
                        WHEN 'PGTY' THEN 'quality_or_spec' END;
    IF reason IS NULL THEN
        RAISE EXCEPTION 'R-EX-2: remarks do not start with a return code'
            USING ERRCODE = 'CB002', DETAIL = format('The remarks are %L.', NEW.remarks),
                  HINT = 'Start the remarks with ZXTY, THTY or PGTY.';
    END IF;
    -- A NULL date skips the window check, as in the C trigger.
    deadline := (NEW.exported_on + CASE reason WHEN 'quality_or_spec' THEN interval '12 months'
                                               ELSE interval '6 months' END)::date;
    IF NEW.returned_on > deadline THEN
        RAISE EXCEPTION 'R-EX-1: return is past the deadline'
            USING ERRCODE = 'CB001',
                  DETAIL = format('Exported on %s, returned on %s, reason %s, deadline %s.',
                                  NEW.exported_on, NEW.returned_on, reason, deadline);
    END IF;
    IF NEW.returned_on < NEW.exported_on THEN
        -- bad input, as from the SQL functions (docs/rules.md, "Bad input")
        RAISE EXCEPTION 'R-EX-1: return is before the export'
            USING ERRCODE = '22023',
                  DETAIL = format('Exported on %s, returned on %s.', NEW.exported_on, NEW.returned_on);
    END IF;
    RETURN NEW;
END
$$;

-- R-EX-5: may a return re-enter through another customs district?  Reads the
-- same policy tables as the C function (cbreturn.districts,
-- cbreturn.supervision_codes, cbreturn.rule_parameters) and raises the same
-- errors for unknown codes.  Same district: always; otherwise 9610 only, on
-- or after the nationwide date, or within the pilot (the return district,
-- and the export district too when cross_customs_pilot_both_districts).
CREATE FUNCTION bench.cross_customs_return_allowed_plpgsql(code cbreturn.supervision_code,
                                                           export_office cbreturn.customs_code,
                                                           return_office cbreturn.customs_code,
                                                           returned_on date)
    RETURNS boolean LANGUAGE plpgsql STABLE STRICT PARALLEL SAFE
AS $$
DECLARE
    ed text := left(export_office::text, 2);
    rd text := left(return_office::text, 2);
    e_pilot date;
    r_pilot date;
    nationwide date;
    both_districts boolean;
BEGIN
    IF NOT isfinite(returned_on) THEN
        RAISE EXCEPTION 'returned_on must be a finite date' USING ERRCODE = '22008';
    END IF;
    SELECT d.cross_return_pilot_from INTO e_pilot FROM cbreturn.districts d WHERE d.code = ed;
    IF NOT FOUND THEN
        RAISE EXCEPTION 'customs district % of export office % is not in cbreturn.districts', ed, export_office
            USING ERRCODE = 'CB007';
    END IF;
    SELECT d.cross_return_pilot_from INTO r_pilot FROM cbreturn.districts d WHERE d.code = rd;
    IF NOT FOUND THEN
        RAISE EXCEPTION 'customs district % of return office % is not in cbreturn.districts', rd, return_office
            USING ERRCODE = 'CB007';
    END IF;
    PERFORM FROM cbreturn.supervision_codes s WHERE s.code = cross_customs_return_allowed_plpgsql.code;
    IF NOT FOUND THEN
        RAISE EXCEPTION 'supervision code % is not in cbreturn.supervision_codes', code USING ERRCODE = 'CB007';
    END IF;
    IF ed = rd THEN
        RETURN true;
    END IF;
    IF code <> '9610' THEN
        RETURN false;
    END IF;
    SELECT p.value_date INTO nationwide FROM cbreturn.rule_parameters p
     WHERE p.name = 'cross_customs_nationwide_from';
    IF returned_on >= nationwide THEN
        RETURN true;
    END IF;
    SELECT p.value_boolean INTO both_districts FROM cbreturn.rule_parameters p
     WHERE p.name = 'cross_customs_pilot_both_districts';
    RETURN coalesce(r_pilot <= returned_on, false)
           AND (NOT both_districts OR coalesce(e_pilot <= returned_on, false));
END
$$;

SELECT to_regtype('cbreturn.tax_relief') IS NOT NULL AS have_tax_relief \gset
\if :have_tax_relief
-- R-TX-1 ... R-TX-6: tax relief on a returned export, reading the same
-- policy tables as the C function (cbreturn.supervision_codes,
-- cbreturn.tax_policy_periods), with the same answer in every field of
-- cbreturn.tax_relief (docs/rules.md).  One query finds the period: among
-- the periods covering the export date, one listing the code first, then the
-- one that starts last, ends last (the most recent announcement is the basis).
-- Not STRICT, like the C function: left_special_area_on may be NULL.
CREATE FUNCTION bench.export_tax_relief_plpgsql(code cbreturn.supervision_code, exported_on date,
                                                returned_on date, reason cbreturn.return_reason,
                                                is_food boolean, original_state boolean,
                                                left_special_area_on date DEFAULT NULL,
                                                rebate_claimed boolean DEFAULT false)
    RETURNS cbreturn.tax_relief LANGUAGE plpgsql STABLE PARALLEL SAFE
AS $$
DECLARE
    p record;
    months integer := 6;
    window_from date;
    failed text[] := '{}';
    evidence text;
    -- R-TX-3: the certificate is always part of the evidence; what it states
    certificate text := '; the tax authority''s Certificate of Supplementary Tax Payment / Non-refund '
                        'of Export Goods (出口货物已补税/未退税证明), stating that '
                        || CASE WHEN rebate_claimed THEN 'the refunded export rebate was repaid'
                                ELSE 'no export rebate was refunded' END;
BEGIN
    IF code IS NULL OR exported_on IS NULL OR returned_on IS NULL OR reason IS NULL
       OR is_food IS NULL OR original_state IS NULL OR rebate_claimed IS NULL THEN
        RETURN NULL;
    END IF;
    IF NOT isfinite(exported_on) OR NOT isfinite(returned_on) THEN
        RAISE EXCEPTION 'dates must be finite' USING ERRCODE = '22008';
    END IF;
    PERFORM FROM cbreturn.supervision_codes s WHERE s.code = export_tax_relief_plpgsql.code;
    IF NOT FOUND THEN
        RAISE EXCEPTION 'supervision code % is not in cbreturn.supervision_codes', code USING ERRCODE = 'CB007';
    END IF;
    IF returned_on < exported_on THEN
        RAISE EXCEPTION 'returned_on % is before exported_on %', returned_on, exported_on USING ERRCODE = '22023';
    END IF;
    IF code = '1210' AND left_special_area_on IS NOT NULL THEN
        IF NOT isfinite(left_special_area_on) THEN
            RAISE EXCEPTION 'left_special_area_on must be finite' USING ERRCODE = '22008';
        END IF;
        IF left_special_area_on < exported_on OR returned_on < left_special_area_on THEN
            RAISE EXCEPTION 'left_special_area_on % is out of order', left_special_area_on USING ERRCODE = '22023';
        END IF;
    END IF;

    IF reason = 'quality_or_spec' THEN
        -- R-TX-6 (statutory route): within 1 year of the export, original state
        -- (failed rule ids are listed in rule order).
        IF NOT original_state THEN
            failed := failed || 'R-TX-4'::text;
        END IF;
        IF returned_on > (exported_on + interval '12 months')::date THEN
            failed := failed || 'R-TX-6'::text;
        END IF;
        IF failed <> '{}' THEN
            RETURN (false, false, false, false, false, false, NULL, NULL, failed, false)::cbreturn.tax_relief;
        END IF;
        -- R-TX-6: import duty, import VAT and consumption tax not levied, on
        -- the tax authority's certificate (R-TX-3)
        evidence := 'export declaration list or export declaration form'
                    '; proof of the quality or specification reason for the return'
                    || certificate;
        RETURN (true, true, true, true, true, rebate_claimed, evidence,
                'Tariff Law of the PRC; GACC measures for the administration of tax collection on imported '
                'and exported goods; GACC announcement of 2024-12-15 on CBEC export returns, export returns point II',
                '{}', true)::cbreturn.tax_relief;
    END IF;

    -- Announcement route: R-TX-1 (a period covers the export date), R-TX-2
    -- (the period lists the code; not food; back within its months, for 1210
    -- from leaving the special area), R-TX-4 (original state).
    SELECT t.announcement, t.extends, t.months, code = ANY (t.supervision_codes) AS covers INTO p
      FROM cbreturn.tax_policy_periods t
     WHERE exported_on BETWEEN t.declared_from AND t.declared_to
     ORDER BY code = ANY (t.supervision_codes) DESC, t.declared_from DESC, t.declared_to DESC,
              t.announcement COLLATE "C" DESC
     LIMIT 1;
    IF NOT FOUND THEN
        failed := failed || 'R-TX-1'::text;
    ELSIF NOT p.covers THEN
        failed := failed || 'R-TX-2'::text;
    ELSE
        months := p.months;
    END IF;
    window_from := CASE WHEN code = '1210' THEN left_special_area_on ELSE exported_on END;
    -- 1210 without the departure: it lies between the export and the return,
    -- so a return within the months of the export is within them of leaving
    IF window_from IS NULL AND returned_on <= (exported_on + make_interval(months => months))::date THEN
        window_from := exported_on;
    END IF;
    IF (is_food OR window_from IS NULL OR returned_on > (window_from + make_interval(months => months))::date)
       AND NOT 'R-TX-2' = ANY (failed) THEN
        failed := failed || 'R-TX-2'::text;
    END IF;
    IF NOT original_state THEN
        failed := failed || 'R-TX-4'::text;
    END IF;
    IF failed <> '{}' THEN
        RETURN (false, false, false, false, false, false, NULL, NULL, failed, false)::cbreturn.tax_relief;
    END IF;
    evidence := 'export declaration list or export declaration form'
                || CASE WHEN reason = 'unsold'
                        THEN '; the enterprise''s self-declaration that the goods are returned unsold'
                        ELSE '; platform return or rejection records, or a return agreement' END
                || certificate;
    RETURN (true, true, true, true, true, rebate_claimed, evidence,
            p.announcement || coalesce(' (extends ' || p.extends || ')', '') || ', art. 1', '{}',
            true)::cbreturn.tax_relief;
END
$$;
\endif

SELECT to_regprocedure('cbreturn.return_status(date,date,date,integer)') IS NOT NULL AS have_status \gset
\if :have_status
-- Rules section 6, for reports: the status of a return as of a day.  A
-- return dated after as_of had not happened yet on that day; the deadline day
-- is on time (R-P-1).
CREATE FUNCTION bench.return_status_plpgsql(deadline date, returned_on date, as_of date,
                                            due_soon_days integer DEFAULT 7)
    RETURNS text LANGUAGE plpgsql IMMUTABLE PARALLEL SAFE
AS $$
BEGIN
    IF deadline IS NULL OR as_of IS NULL OR due_soon_days IS NULL THEN
        RETURN NULL;
    END IF;
    IF NOT isfinite(deadline) OR NOT isfinite(as_of) OR NOT isfinite(returned_on) THEN
        RAISE EXCEPTION 'dates must be finite' USING ERRCODE = '22008';
    END IF;
    IF due_soon_days < 0 THEN
        RAISE EXCEPTION 'due_soon_days must be 0 or more' USING ERRCODE = '22023';
    END IF;
    IF returned_on <= as_of THEN
        RETURN CASE WHEN returned_on <= deadline THEN 'closed_on_time' ELSE 'closed_late' END;
    ELSIF as_of > deadline THEN
        RETURN 'overdue';
    ELSIF deadline - as_of <= due_soon_days THEN
        RETURN 'due_soon';
    END IF;
    RETURN 'open';
END
$$;

-- Days left before the deadline (negative: overdue), or the margin a closed
-- return was made with.
CREATE FUNCTION bench.return_days_left_plpgsql(deadline date, returned_on date, as_of date)
    RETURNS integer LANGUAGE plpgsql IMMUTABLE PARALLEL SAFE
AS $$
BEGIN
    IF deadline IS NULL OR as_of IS NULL THEN
        RETURN NULL;
    END IF;
    IF NOT isfinite(deadline) OR NOT isfinite(as_of) OR NOT isfinite(returned_on) THEN
        RAISE EXCEPTION 'dates must be finite' USING ERRCODE = '22008';
    END IF;
    IF returned_on <= as_of THEN
        RETURN deadline - returned_on;
    END IF;
    RETURN deadline - as_of;
END
$$;
\endif
