/*
 * registers.h
 *		The registers a DBA maintains (R-EX-4 applicants, R-EX-6 return
 *		sites, R-IM-5 return-centre warehouses and their operators' credit
 *		ratings, R-IM-7 import agents) as a read-only snapshot, and the
 *		decisions over it: as-of-date lookups that return a verdict, as the
 *		rest of the decision layer does (rules.h).
 *
 * The snapshot is loaded from the tables of sql/35_registers.sql by
 * src/policy/registers.c, each register sorted by its key (text keys in
 * byte order, COLLATE "C"; codes in the order of cbreturn.uscc), so that a
 * lookup is a binary search followed by a walk over the periods of one key.
 * Nothing here allocates or raises; the verdicts point into the snapshot.
 */
/*
 * rules.h includes this header where what it needs (CbrOutcome,
 * CbrValueState) is defined, and uses its verdict in CbrExportVerdict.
 */
#ifndef CBRETURN_RULES_H
#include "rules/rules.h"
#endif

#ifndef CBRETURN_REGISTERS_H
#define CBRETURN_REGISTERS_H

#include "types/uscc.h"

/* A period of validity: first and last day; to = DATEVAL_NOEND while it runs. */
typedef struct CbrRegApplicant
{
	CbrUscc		uscc;
	const char *registration;	/* customs registration code */
	const char *name;
	DateADT		from;
	DateADT		to;
} CbrRegApplicant;

typedef struct CbrRegSite
{
	const char *code;
	int16		office;
	const char *kind;			/* the label of cbreturn.return_site_kind */
	const char *name;
	DateADT		from;
	DateADT		to;
} CbrRegSite;

typedef struct CbrRegWarehouse
{
	const char *code;
	const char *area;			/* special area, compared exactly */
	int16		office;
	CbrUscc		operator_uscc;
	const char *name;
	bool		video_linked;
	bool		wms;
	bool		customs_interface;
	DateADT		from;
	DateADT		to;
} CbrRegWarehouse;

typedef struct CbrRegRating
{
	CbrUscc		uscc;
	const char *label;			/* the label of cbreturn.customs_credit_rating */
	uint32		value;			/* its enum value (OID), for credit_rating() */
	bool		discredited;	/* 失信 */
	DateADT		from;			/* holds until the next row of the same code */
} CbrRegRating;

typedef struct CbrRegAgent
{
	const char *enterprise;		/* customs registration code */
	CbrUscc		agent;
	const char *role;			/* the label of cbreturn.import_agent_role */
	const char *name;
	DateADT		from;
	DateADT		to;
} CbrRegAgent;

typedef struct CbrRegisters
{
	uint64		generation;		/* changes with every load */
	int			napplicants;
	const CbrRegApplicant *applicants;	/* by uscc, from */
	int			nsites;
	const CbrRegSite *sites;	/* by code, office, from */
	int			nwarehouses;
	const CbrRegWarehouse *warehouses;	/* by code, from */
	int			nratings;
	const CbrRegRating *ratings;	/* by uscc, from */
	int			nagents;
	const CbrRegAgent *agents;	/* by enterprise, agent, from */
} CbrRegisters;

/* What a lookup found; src/policy/registers_report.c words it. */
typedef enum CbrRegFinding
{
	CBR_REG_FOUND,				/* a row covers the date */
	CBR_REG_ABSENT,				/* no row for the key */
	CBR_REG_NOT_YET,			/* the nearest row starts after the date */
	CBR_REG_ENDED,				/* the nearest row ended before the date */
	CBR_REG_OTHER_OFFICE,		/* R-EX-6: the site is registered under other offices only */
	CBR_REG_OTHER_AREA,			/* R-IM-5: the warehouse is in another special area */
	CBR_REG_DISCREDITED,		/* R-IM-5: its operator is rated discredited that day */
	CBR_REG_FACILITIES,			/* R-IM-5: a facility is missing */
	CBR_REG_NOT_BONDED,			/* R-IM-5: a return that is not 1210 sent to a warehouse */
	CBR_REG_ORIGINAL,			/* R-IM-1: arrived at the original place */
	CBR_REG_DECLARED_AREA,		/* R-IM-6: arrived in the special area of declaration */
	CBR_REG_NOT_ORIGINAL,		/* R-IM-1: 9610 or 1239 elsewhere than the original site */
	CBR_REG_ELSEWHERE			/* R-IM-1: 1210 neither original area, warehouse nor declared area */
} CbrRegFinding;

/* R-IM-5 facilities (seed 002 import IV), bits of CbrRegisterVerdict.missing */
#define CBR_FACILITY_VIDEO		0x01
#define CBR_FACILITY_WMS		0x02
#define CBR_FACILITY_INTERFACE	0x04

typedef struct CbrRegisterVerdict
{
	CbrOutcome	outcome;		/* CBR_PASS, a CBR_FAIL_* of the registers, CBR_BAD_INFINITE, CBR_BAD_ARGUMENT */
	const char *rule_id;		/* the rule that decided: "R-EX-4", ..., "R-IM-6" */
	CbrRegFinding finding;
	DateADT		on_date;
	/* the covering row (FOUND) or the nearest one (NOT_YET, ENDED) */
	const CbrRegApplicant *applicant;
	const CbrRegSite *site;
	const CbrRegWarehouse *warehouse;
	const CbrRegAgent *agent;
	/* R-EX-6 OTHER_OFFICE: the rows of the site, under every office */
	const CbrRegSite *site_rows;
	int			nsite_rows;
	/* R-IM-5: the operator's rating that day (NULL: none recorded), facilities missing */
	const CbrRegRating *rating;
	unsigned	missing;
	/* R-IM-1 ... R-IM-6 */
	int16		code;
} CbrRegisterVerdict;

/*
 * R-EX-4 (seed 002 export I): the applicant holds a CBEC export
 * registration valid on the date.
 */
extern CbrOutcome cbr_decide_applicant(const CbrRegisters *r, const CbrUscc *applicant,
									   DateADT on_date, CbrRegisterVerdict *v);

/*
 * R-EX-6 (seeds 000, 001; GACC 2024 No. 167): the site is authorised for
 * CBEC retail export returns at the customs office on the date.
 */
extern CbrOutcome cbr_decide_return_site(const CbrRegisters *r, const char *site, int16 office,
										 DateADT on_date, CbrRegisterVerdict *v);

/* The credit rating of an enterprise in effect on the date, or NULL. */
extern const CbrRegRating *cbr_register_rating(const CbrRegisters *r, const CbrUscc *enterprise,
											   DateADT on_date);

/*
 * R-IM-5 (seed 002 import II-IV, GACC 2021 No. 70): a 1210 return may go to
 * the return-centre warehouse on the date: registered, in special_area when
 * not NULL, its operator not discredited, with the three facilities.
 */
extern CbrOutcome cbr_decide_return_warehouse(const CbrRegisters *r, const char *warehouse,
											  const char *special_area, DateADT on_date,
											  CbrRegisterVerdict *v);

/*
 * R-IM-7 (seed 002 import I): the applicant is the enterprise's domestic
 * agent or a customs broker it authorised, on the date.
 */
extern CbrOutcome cbr_decide_import_applicant(const CbrRegisters *r, const char *enterprise,
											  const CbrUscc *applicant, DateADT on_date,
											  CbrRegisterVerdict *v);

/*
 * R-IM-1, R-IM-5, R-IM-6: may a retail import return of supervision code
 * code arrive at arrival_place (declared_area NULL when none was given)?
 * CBR_BAD_ARGUMENT when code is not a retail import code (1210, 1239, 9610).
 */
extern CbrOutcome cbr_decide_arrival_place(const CbrRegisters *r, int16 code,
										   const char *original_place, const char *arrival_place,
										   const char *declared_area, DateADT on_date,
										   CbrRegisterVerdict *v);

/* Does the register hold a return-centre warehouse of this code (on any date)? */
extern bool cbr_register_has_warehouse(const CbrRegisters *r, const char *warehouse);

/* ---------------------------------------------------------------------
 * The register checks of one import-return row (the write-time check and
 * its WHEN function), after the R-IM-1 windows.  NULL (has_* false) means
 * "not known yet" and skips the rule that needs it.
 * --------------------------------------------------------------------- */
typedef struct CbrImportPlaceRow
{
	CbrValueState code_state;
	int16		code;
	const char *original_place; /* NULL: NULL or not attached */
	const char *arrival_place;
	const char *declared_area;
	const char *warehouse;
	const char *enterprise;
	CbrValueState applicant_state;
	CbrUscc		applicant;
	bool		has_applied;
	DateADT		applied_on;
	bool		has_arrived;
	DateADT		arrived_on;
} CbrImportPlaceRow;

typedef struct CbrImportPlaceVerdict
{
	CbrOutcome	outcome;
	int			bad_text;		/* CBR_BAD_TEXT: 0 the code, 1 the applicant */
	const char *place;			/* the place a failed R-IM-5 verdict is about */
	CbrRegisterVerdict reg;		/* the rule that failed, or the last one asked */
} CbrImportPlaceVerdict;

extern CbrOutcome cbr_decide_import_places(const CbrRegisters *r, const CbrImportPlaceRow *row,
										   CbrImportPlaceVerdict *v);

#endif							/* CBRETURN_REGISTERS_H */
