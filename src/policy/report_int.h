/*
 * report_int.h
 *		What the three files of the reports share (report.c: dates, bad
 *		input, explain steps; report_steps.c: the explain steps of the
 *		deadline, import and R-EX-5 rules; report_tax.c: the texts of the
 *		tax relief): the legal bases that are law, and the step helpers.
 */
#ifndef CBRETURN_POLICY_REPORT_INT_H
#define CBRETURN_POLICY_REPORT_INT_H

#include "policy/policy.h"

/*
 * The legal bases that are law, not policy data: the rule's source with its
 * article or point where the sources give one (docs/rules.md lists them by
 * rule id).  Seed 002 is GACC's announcement of 2024-12-15 on CBEC exports
 * and its return procedures; the article numbers of the MoF/GACC/STA
 * announcements are those of seed 003 (2026 No. 16), which repeats the
 * structure of 2023 No. 4.  What an announcement a DBA can edit names (tax
 * policy periods, the pilot and nationwide dates of R-EX-5) is built from
 * the policy snapshot below, never written here.
 */
#define BASIS_P1 gettext_noop("Civil Code arts. 201-202")
#define BASIS_EX1 gettext_noop("GACC announcement of 2024-12-15 on CBEC export returns, timeframes for returned goods (supersedes the single window of GACC 2020 No. 44)")
#define BASIS_EX2 gettext_noop("GACC announcement of 2024-12-15 on CBEC export returns, export returns point III (remarks column)")
#define BASIS_ID2 gettext_noop("GACC customs code list (the first two digits name the directly subordinate customs district)")
#define BASIS_IM1 gettext_noop("GACC 2020 No. 45 (returns of CBEC retail imports); GACC 2018 No. 194 (supervision of CBEC retail imports and exports); GACC announcement of 2024-12-15, import returns")
#define BASIS_TX6 gettext_noop("Tariff Law of the PRC; GACC measures for the administration of tax collection on imported and exported goods; GACC announcement of 2024-12-15 on CBEC export returns, export returns point II")
#define BASIS_TX6_ORIGINAL gettext_noop("Tariff Law of the PRC (returned in original state); GACC measures for the administration of tax collection on imported and exported goods")
#define BASIS_TX_CERTIFICATE gettext_noop("GACC announcement of 2024-12-15 on CBEC export returns, export returns point II")
#define BASIS_TX_PERIODS gettext_noop("MoF/GACC/STA announcements on returned CBEC exports (cbreturn.tax_policy_periods)")
#define BASIS_TX2_1210 gettext_noop("MoF/GACC/STA announcements on returned CBEC exports, art. 1: for 1210 the period runs from the day the goods left the special customs supervision area or bonded logistics centre (type B)")
#define BASIS_IM3 gettext_noop("GACC 2020 No. 45, GACC 2018 No. 194: once customs has inspected and released the return, its tax is not levied or is refunded the way it was paid, and the consumer's annual amount of the purchase's calendar year is reduced by the returned value")
/* issue 12, item 4: an ordinary (taxed) return, declared outside the CBEC return procedures */
#define BASIS_TX_ORDINARY gettext_noop("an ordinary return (declared as ordinary returned goods, e.g. 4561) is not relieved by the MoF/GACC/STA announcements on returned CBEC exports (R-TX-2): it is taxed as an ordinary import (Tariff Law of the PRC; outside R-TX-2 and R-TX-6)")
#define BASIS_IM3_ORDINARY gettext_noop("an ordinary return (declared as ordinary returned goods, e.g. 4561) is not a return of a CBEC retail import (GACC 2020 No. 45): its tax is not refunded and the consumer's annual amount is not reduced (R-IM-3)")
#define BASIS_IM4 gettext_noop("MoF/GACC/STA 2018 No. 49: tariff 0, import VAT and consumption tax at %s%% of the statutory amount (rule parameter import_tax_share)")
#define BASIS_IM4_ABOVE gettext_noop("MoF/GACC/STA 2018 No. 49: above the per-transaction or annual limit, not taxed as a CBEC retail import")

/* Whether the texts being built are Chinese (inside cbr_language_begin/end). */
extern bool cbr_texts_zh(void);

/* A basis that is law (BASIS_*), in the session's language. */
extern const char *cbr_basis(const char *msgid);

/* Append one explain step whose text is built already (translated). */
extern void cbr_step_add_text(List **steps, const char *rule_id, bool passed, const char *basis,
							  const char *text);

#endif							/* CBRETURN_POLICY_REPORT_INT_H */
