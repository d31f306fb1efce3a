/*
 * header_cache.c
 *		The transaction's cache of declaration header rows it has already
 *		found and locked (issue 12: COPY of returns through a header lookup).
 *
 * Why it is right.  A return's check finds its header row and locks it FOR
 * KEY SHARE (header.c), and a row lock lasts until the transaction ends:
 * from then on no other transaction can delete the row or change its key
 * (both need a lock that conflicts with KEY SHARE), and a correction of a
 * fact the checks read waits too, because the header's guard raises its
 * lock to FOR UPDATE before it re-checks the returns (header.c, "Why KEY
 * SHARE is enough").  So for the rest of the transaction the row's facts
 * can change only through this transaction itself, and what the first
 * lookup read is what every later lookup would read.  The cache therefore
 * keeps, per header link and key, the values of the roles the header gives,
 * and is dropped:
 *
 *	 - at the end of the transaction (its memory is the transaction's);
 *	 - when a subtransaction aborts: the locks it took are released with it;
 *	 - when this backend's guard on a header runs (an UPDATE or DELETE of a
 *	   header row by this transaction: cbr_header_cache_forget);
 *	 - on a relcache invalidation of a header table it holds rows of (ALTER
 *	   TABLE, a trigger disabled, TRUNCATE, a cache reset), or of any table
 *	   once it holds rows of more headers than it tracks.
 *
 * Under session_replication_role = replica the guard does not fire, so the
 * cache is not read then.
 *
 * A row changed by the writing statement itself (TM_SelfModified) is not
 * cached; nor is a header key whose image is longer than CBR_HC_MAX_IMAGE
 * bytes.  Keys are compared by their stored bytes (detoasted): equal bytes
 * are equal keys, so a hit is always the row the index found for the same
 * value; a value equal by the key type but stored otherwise is only a miss.
 * The cache stops growing at CBR_HC_MAX_BYTES (the returns after that pay
 * the lookup, as before).
 *
 * Invalidations only mark the cache stale; it is emptied at the next call,
 * so that the by-reference values a check is reading are never freed under
 * it (an invalidation may arrive while it decides the row).
 */
#include "enforce/header_cache.h"

#include "access/xact.h"
#include "commands/trigger.h"
#include "common/hashfn.h"
#include "utils/datum.h"
#include "utils/inval.h"
#include "utils/memutils.h"

#define CBR_HC_MAX_IMAGE	256
#define CBR_HC_MAX_BYTES	((Size) 64 * 1024 * 1024)
#define CBR_HC_MAX_RELS		8
#define CBR_HC_INLINE		8	/* key images up to this long are kept in the slot */
#define CBR_HC_MAX_VALS		4	/* the header roles one check reads, at most */
#define CBR_HC_MAX_PROBE	32

/*
 * One header row: a slot of an open-addressing table (linear probing), so
 * that a hit costs one probe into one slot, values included: a COPY of a
 * million returns finds most of its header rows here, and a chain of
 * pointers per lookup (dynahash) cost as much as the lookup it saves.
 */
typedef struct HcSlot
{
	uint64		id;				/* the shape's id; 0: empty slot */
	uint32		hash;
	uint16		len;			/* of the key's image */
	uint8		nulls;			/* bit v: value v is NULL */
	union
	{
		const char *ptr;		/* the image, when longer than CBR_HC_INLINE */
		char		inl[CBR_HC_INLINE];
	}			image;
	Datum		values[CBR_HC_MAX_VALS];	/* the header's roles in role order */
} HcSlot;						/* 56 bytes: one cache line a probe */

static MemoryContext hc_cxt = NULL;
static HcSlot *hc_slots = NULL;
static uint32 hc_mask = 0;		/* capacity - 1 (a power of two) */
static uint32 hc_used = 0;
static Size hc_bytes = 0;
static bool hc_stale = false;
static Oid	hc_rels[CBR_HC_MAX_RELS];
static int	hc_nrels = 0;			/* past CBR_HC_MAX_RELS: any invalidation */
static bool hc_callbacks = false;
static uint64 hc_next_id = 0;

uint64
cbr_header_cache_new_id(void)
{
	return ++hc_next_id;
}

/* Forget the cache; its memory is freed now (free) or with the transaction's. */
static void
hc_reset(bool free)
{
	if (free && hc_cxt != NULL)
		MemoryContextDelete(hc_cxt);
	hc_cxt = NULL;
	hc_slots = NULL;
	hc_mask = 0;
	hc_used = 0;
	hc_bytes = 0;
	hc_nrels = 0;
	hc_stale = false;
}

static void
hc_xact_callback(XactEvent event, void *arg)
{
	switch (event)
	{
		case XACT_EVENT_COMMIT:
		case XACT_EVENT_PARALLEL_COMMIT:
		case XACT_EVENT_ABORT:
		case XACT_EVENT_PARALLEL_ABORT:
		case XACT_EVENT_PREPARE:
			/* the memory is TopTransactionContext's, freed with it */
			hc_reset(false);
			break;
		default:
			break;
	}
}

static void
hc_subxact_callback(SubXactEvent event, SubTransactionId mySubid, SubTransactionId parentSubid, void *arg)
{
	/* the row locks the subtransaction took are gone with it */
	if (event == SUBXACT_EVENT_ABORT_SUB && hc_slots != NULL)
		hc_stale = true;
}

static void
hc_relcache_callback(Datum arg, Oid relid)
{
	int			i;

	if (hc_slots == NULL)
		return;
	if (!OidIsValid(relid) || hc_nrels > CBR_HC_MAX_RELS)
	{
		hc_stale = true;
		return;
	}
	for (i = 0; i < hc_nrels; i++)
		if (hc_rels[i] == relid)
			hc_stale = true;
}

void
cbr_header_cache_forget(void)
{
	if (hc_slots != NULL)
		hc_stale = true;
}

/*
 * The image of keys[] in buf: a by-value key's Datum, any other key's
 * stored bytes (detoasted) after their length; false when it is longer
 * than the buffer.
 */
static bool
hc_image(const CbrHeaderCacheShape *s, const Datum *keys, char *buf, uint32 *len)
{
	uint32		n = 0;
	int			i;

	for (i = 0; i < s->nkeys; i++)
	{
		const char *p;
		uint32		l;

		if (s->keybyval[i])
		{
			/* a by-value key has the same length in every image of the shape */
			if (n + sizeof(Datum) > CBR_HC_MAX_IMAGE)
				return false;
			memcpy(buf + n, &keys[i], sizeof(Datum));
			n += sizeof(Datum);
			continue;
		}
		else if (s->keylen[i] == -1)
		{
			struct varlena *t = pg_detoast_datum_packed((struct varlena *) DatumGetPointer(keys[i]));

			p = VARDATA_ANY(t);
			l = VARSIZE_ANY_EXHDR(t);
		}
		else
		{
			p = DatumGetPointer(keys[i]);
			l = s->keylen[i] == -2 ? (uint32) strlen(p) + 1 : (uint32) s->keylen[i];
		}
		if (n + sizeof(uint32) + l > CBR_HC_MAX_IMAGE)
			return false;
		memcpy(buf + n, &l, sizeof(uint32));
		memcpy(buf + n + sizeof(uint32), p, l);
		n += sizeof(uint32) + l;
	}
	*len = n;
	return true;
}

/*
 * The slot of (id, image): the one holding it, or the empty one where it
 * would go; NULL when neither is within CBR_HC_MAX_PROBE slots of its home
 * (then the row is not cached: a bound on what a lookup costs, whatever the
 * keys).
 */
static HcSlot *
hc_probe(HcSlot *slots, uint32 mask, uint64 id, uint32 hash, const char *image, uint32 len)
{
	uint32		i = hash & mask;
	int			n;

	for (n = 0; n < CBR_HC_MAX_PROBE; n++)
	{
		HcSlot	   *e = &slots[i];

		if (e->id == 0)
			return e;
		if (e->id == id && e->hash == hash && e->len == len &&
			memcmp(len <= CBR_HC_INLINE ? e->image.inl : e->image.ptr, image, len) == 0)
			return e;
		i = (i + 1) & mask;
	}
	return NULL;
}

/* Empty the cache if it was marked stale; make it if asked.  NULL when there is none. */
static HcSlot *
hc_table(bool create)
{
	if (hc_stale)
		hc_reset(true);
	if (hc_slots == NULL && create)
	{
		if (!hc_callbacks)
		{
			RegisterXactCallback(hc_xact_callback, NULL);
			RegisterSubXactCallback(hc_subxact_callback, NULL);
			CacheRegisterRelcacheCallback(hc_relcache_callback, (Datum) 0);
			hc_callbacks = true;
		}
		hc_cxt = AllocSetContextCreate(TopTransactionContext, "cbreturn header rows",
									   ALLOCSET_DEFAULT_SIZES);
		hc_mask = 1024 - 1;
		hc_slots = MemoryContextAllocZero(hc_cxt, sizeof(HcSlot) * (hc_mask + 1));
		hc_bytes = sizeof(HcSlot) * (hc_mask + 1);
	}
	return hc_slots;
}

/* Double the table (kept at most half full, so that probes stay short). */
static void
hc_grow(void)
{
	uint32		mask = hc_mask * 2 + 1;
	HcSlot	   *slots = MemoryContextAllocExtended(hc_cxt, sizeof(HcSlot) * ((Size) mask + 1),
												   MCXT_ALLOC_HUGE | MCXT_ALLOC_ZERO);
	uint32		i;

	for (i = 0; i <= hc_mask; i++)
		if (hc_slots[i].id != 0)
		{
			const HcSlot *e = &hc_slots[i];
			HcSlot	   *to = hc_probe(slots, mask, e->id, e->hash,
									  e->len <= CBR_HC_INLINE ? e->image.inl : e->image.ptr, e->len);

			if (to != NULL)
				*to = *e;
			else
				hc_used--;		/* too far from home: no longer cached */
		}
	pfree(hc_slots);
	hc_slots = slots;
	hc_bytes += sizeof(HcSlot) * ((Size) mask - hc_mask);
	hc_mask = mask;
}

/*
 * The hash of an image.  A key of one integer column (the common header
 * key: a list number) keeps runs of 16 consecutive values in 16 consecutive
 * slots: returns usually come in the order of their headers, and a lookup
 * then finds its slot next to the one before instead of at a random place
 * of a table of several megabytes (a cache and TLB miss each, most of what
 * a hit cost).  Strided keys share slots more often; CBR_HC_MAX_PROBE bounds
 * what that can cost.
 */
static uint32
hc_hash(const CbrHeaderCacheShape *s, const Datum *keys, const char *image, uint32 len)
{
	if (s->nkeys == 1 && s->keybyval[0] && s->keylen[0] >= 2)
	{
		uint64		k = (uint64) keys[0];
		uint32		block = hash_bytes_uint32((uint32) (k >> 4) ^ (uint32) (k >> 36) ^ (uint32) s->id);

		return (block << 4) | (uint32) (k & 15);
	}
	return hash_bytes((const unsigned char *) image, (int) len) ^ (uint32) s->id;
}

bool
cbr_header_cache_get(const CbrHeaderCacheShape *s, const Datum *keys, Datum *v, bool *isnull)
{
	char		buf[CBR_HC_MAX_IMAGE];
	uint32		len;
	HcSlot	   *e;
	int			r;
	int			k = 0;

	/*
	 * With session_replication_role = replica this transaction may change a
	 * header row without its guard (and without an invalidation): read it.
	 */
	if (SessionReplicationRole == SESSION_REPLICATION_ROLE_REPLICA ||
		hc_table(false) == NULL || !hc_image(s, keys, buf, &len))
		return false;
	e = hc_probe(hc_slots, hc_mask, s->id, hc_hash(s, keys, buf, len), buf, len);
	if (e == NULL || e->id == 0)
		return false;
	for (r = 0; r < s->nroles; r++)
		if (s->from_header[r])
		{
			v[r] = e->values[k];
			isnull[r] = (e->nulls & (1 << k)) != 0;
			k++;
		}
	return true;
}

/* Track relid for the relcache callback. */
static void
hc_track(Oid relid)
{
	int			i;

	for (i = 0; i < hc_nrels && i < CBR_HC_MAX_RELS; i++)
		if (hc_rels[i] == relid)
			return;
	if (hc_nrels < CBR_HC_MAX_RELS)
		hc_rels[hc_nrels] = relid;
	if (hc_nrels <= CBR_HC_MAX_RELS)
		hc_nrels++;
}

void
cbr_header_cache_put(const CbrHeaderCacheShape *s, const Datum *keys, const Datum *v, const bool *isnull)
{
	char		buf[CBR_HC_MAX_IMAGE];
	uint32		len;
	uint32		hash;
	HcSlot	   *e;
	Size		size = 0;
	char	   *p = NULL;
	int			r;
	int			k = 0;

	for (r = 0; r < s->nroles; r++)
		if (s->from_header[r])
		{
			k++;
			if (!isnull[r] && !s->valbyval[r])
				size += MAXALIGN(datumGetSize(v[r], false, s->vallen[r]));
		}
	if (k > CBR_HC_MAX_VALS || hc_bytes >= CBR_HC_MAX_BYTES || !hc_image(s, keys, buf, &len))
		return;
	(void) hc_table(true);
	if ((hc_used + 1) * 2 > hc_mask + 1)
		hc_grow();
	hash = hc_hash(s, keys, buf, len);
	e = hc_probe(hc_slots, hc_mask, s->id, hash, buf, len);
	if (e == NULL || e->id != 0)
		return;

	/* the longer image and the by-reference values in one chunk */
	if (len > CBR_HC_INLINE)
		size += MAXALIGN(len);
	if (size > 0)
		p = MemoryContextAlloc(hc_cxt, size);
	e->id = s->id;
	e->hash = hash;
	e->len = (uint16) len;
	e->nulls = 0;
	if (len <= CBR_HC_INLINE)
		memcpy(e->image.inl, buf, len);
	else
	{
		memcpy(p, buf, len);
		e->image.ptr = p;
		p += MAXALIGN(len);
	}
	k = 0;
	for (r = 0; r < s->nroles; r++)
	{
		if (!s->from_header[r])
			continue;
		e->values[k] = (Datum) 0;
		if (isnull[r])
			e->nulls |= (uint8) (1 << k);
		else if (s->valbyval[r])
			e->values[k] = v[r];
		else
		{
			Size		l = datumGetSize(v[r], false, s->vallen[r]);

			memcpy(p, DatumGetPointer(v[r]), l);
			e->values[k] = PointerGetDatum(p);
			p += MAXALIGN(l);
		}
		k++;
	}
	hc_used++;
	hc_bytes += size;
	hc_track(s->relid);
}
