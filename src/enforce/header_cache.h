/*
 * header_cache.h
 *		The transaction's cache of the declaration header rows it has already
 *		found and locked FOR KEY SHARE (header_cache.c), so that only the
 *		first return of a header row pays the index lookup and the lock.
 */
#ifndef CBRETURN_ENFORCE_HEADER_CACHE_H
#define CBRETURN_ENFORCE_HEADER_CACHE_H

#include "enforce/header.h"

/* What the cache must know of a header link (filled when the check's config is built). */
typedef struct CbrHeaderCacheShape
{
	uint64		id;				/* unique in the backend: one per built link */
	Oid			relid;			/* the header table */
	int			nkeys;
	int16		keylen[CBR_HEADER_MAX_KEYS];
	bool		keybyval[CBR_HEADER_MAX_KEYS];
	int			nroles;			/* the check's roles */
	bool		from_header[CBR_MAX_ROLES];
	int16		vallen[CBR_MAX_ROLES];	/* of the value as a check reads it */
	bool		valbyval[CBR_MAX_ROLES];
} CbrHeaderCacheShape;

/* A fresh id for a shape. */
extern uint64 cbr_header_cache_new_id(void);

/*
 * The values of the roles a header row gives, when this transaction has
 * found and locked the row of keys[] already: true, v[r] / isnull[r] set for
 * each role from the header (by-reference values point into the cache: valid
 * until the next call of this file's functions).
 */
extern bool cbr_header_cache_get(const CbrHeaderCacheShape *s, const Datum *keys,
								 Datum *v, bool *isnull);

/* Remember a header row this transaction has just locked FOR KEY SHARE. */
extern void cbr_header_cache_put(const CbrHeaderCacheShape *s, const Datum *keys,
								 const Datum *v, const bool *isnull);

/* Forget every row (the guard of a header runs in this backend). */
extern void cbr_header_cache_forget(void);

#endif							/* CBRETURN_ENFORCE_HEADER_CACHE_H */
