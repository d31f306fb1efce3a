/*
 * district_number.c
 *		district_number(): the customs district (R-ID-2) as an integer.
 *
 * district() answers text ('01'), and a collatable result defeats
 * postgres_fdw: a comparison of it with a constant takes its collation from
 * neither side's foreign column, so the condition is evaluated locally
 * after every row came over the network.  An integer has no collation, so
 * district_number(office) = 1 is sent to the remote server (with
 * OPTIONS (extensions 'cbreturn')) and filters there; docs/scale-out.md.
 */
#include "cbreturn.h"

/* district_number(customs_code): 0 to 99, the first two digits. */
PG_FUNCTION_INFO_V1(customs_code_district_number);
Datum
customs_code_district_number(PG_FUNCTION_ARGS)
{
	PG_RETURN_INT32(PG_GETARG_INT16(0) / 100);
}

/* district_number(declaration_id): of the declaring office. */
PG_FUNCTION_INFO_V1(declaration_id_district_number);
Datum
declaration_id_district_number(PG_FUNCTION_ARGS)
{
	PG_RETURN_INT32((int32) (cbr_decl_code(PG_GETARG_INT64(0)) / 100));
}
