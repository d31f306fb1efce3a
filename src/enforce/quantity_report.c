/*
 * quantity_report.c
 *		The errors of the quantity check (R-EX-3, R-IM-2): a refused return,
 *		with the line and the quantities in DETAIL when the writing role may
 *		read them, and a ledger or metadata found broken.
 *
 * No message shows a value the writing role could not SELECT (quantity.c,
 * docs/security.md): cbr_qty_values_visible decides what DETAIL may show.
 */
#include "enforce/quantity_int.h"

#include "utils/builtins.h"
#include "utils/rel.h"

/* "(a, b)=(1, 2)": the line as the writer named it in its own row. */
static char *
line_text(QuantityCache *c, const QtySide *s)
{
	StringInfoData names;
	int			i;

	initStringInfo(&names);
	appendStringInfoChar(&names, '(');
	for (i = 0; i < c->nkeys; i++)
		appendStringInfo(&names, "%s%s", i ? ", " : "", quote_identifier(c->keyname[i]));
	appendStringInfo(&names, ")=%s", cbr_key_text(c->nkeys, s->keys, c->keytype));
	return names.data;
}

/* A verdict on a return as its error (nothing for CBR_QTY_OK). */
void
cbr_qty_raise_return(const CbrQtyErrorCtx *e, const CbrQtyVerdict *v)
{
	char		row[CBR_QTY_TEXT_LEN];
	char		total[CBR_QTY_TEXT_LEN];
	char		before[CBR_QTY_TEXT_LEN];
	char		declared[CBR_QTY_TEXT_LEN];
	char		room[CBR_QTY_TEXT_LEN];

	cbr_qty_format(v->row, row);
	cbr_qty_format(v->total, total);
	cbr_qty_format(v->before, before);
	cbr_qty_format(v->declared, declared);
	cbr_qty_format(v->room, room);
	switch (v->outcome)
	{
		case CBR_QTY_OK:
			return;
		case CBR_QTY_NEGATIVE:
			ereport(ERROR,
					(errcode(ERRCODE_CBRETURN_QUANTITY),
					 errmsg("returned quantity %s is negative (R-EX-3, R-IM-2)", row),
					 errdetail("%sthe quantity is %s.", cbr_row_identity(e->rel, e->tuple), row),
					 errhint("A return carries a quantity of zero or more."),
					 errtablecol(e->rel, e->quantity)));
			break;
		case CBR_QTY_NO_LINE:
			ereport(ERROR,
					(errcode(ERRCODE_CBRETURN_QUANTITY),
					 errmsg("return refers to no declared line (R-EX-3, R-IM-2)"),
					 errdetail("%sline %s has no row in %s.", cbr_row_identity(e->rel, e->tuple),
							   e->line, cbr_qty_rel_text(e->declared)),
					 errhint("Record the original declaration line first; every return, of any quantity, is counted against one."),
					 errtablecol(e->rel, e->key)));
			break;
		case CBR_QTY_EXCEEDED:
			if (e->values_visible)
				ereport(ERROR,
						(errcode(ERRCODE_CBRETURN_QUANTITY),
						 errmsg("returned quantity %s of line %s exceeds the declared quantity %s (R-EX-3, R-IM-2)",
								total, e->line, declared),
						 v->row_was_counted
						 ? errdetail("%sthis row would return %s; the line's other returns hold %s, %s was declared.",
									 cbr_row_identity(e->rel, e->tuple), row, before, declared)
						 : errdetail("%sthis row returns %s; %s of the line was returned before, %s was declared.",
									 cbr_row_identity(e->rel, e->tuple), row, before, declared),
						 v->row_was_counted
						 ? errhint("This row may return at most %s.", room)
						 : errhint("At most %s more may be returned on this line.", room),
						 errtablecol(e->rel, e->quantity)));
			ereport(ERROR,
					(errcode(ERRCODE_CBRETURN_QUANTITY),
					 errmsg("returned quantity of line %s would exceed its declared quantity (R-EX-3, R-IM-2)",
							e->line),
					 errdetail("%sthis row returns %s.  The declared quantity and what was returned before are not shown: the current role may not read every table they come from.",
							   cbr_row_identity(e->rel, e->tuple), row),
					 errhint("Ask the owner of table %s how much of the line may still be returned.",
							 cbr_qty_rel_text(e->declared)),
					 errtablecol(e->rel, e->quantity)));
			break;
		default:
			ereport(ERROR,
					(errcode(ERRCODE_NUMERIC_VALUE_OUT_OF_RANGE),
					 errmsg("the quantities of line %s cannot be compared exactly (R-EX-3, R-IM-2)", e->line),
					 errdetail("%sthis row returns %s.", cbr_row_identity(e->rel, e->tuple), row),
					 errhint("Quantities are compared with at most 18 significant digits.")));
	}
}

/* A verdict on a declared line lowered, deleted or re-keyed as its error (nothing for CBR_QTY_OK). */
void
cbr_qty_raise_declared(const CbrQtyErrorCtx *e, bool is_delete, const CbrQtyVerdict *v)
{
	char		returned[CBR_QTY_TEXT_LEN];
	char		declared[CBR_QTY_TEXT_LEN];

	if (v->outcome == CBR_QTY_OK)
		return;
	cbr_qty_format(v->total, returned);
	cbr_qty_format(v->declared, declared);
	if (v->outcome == CBR_QTY_LINE_HAS_RETURNS)
		ereport(ERROR,
				(errcode(ERRCODE_CBRETURN_QUANTITY),
				 errmsg("declared line %s has returns and cannot be %s (R-EX-3, R-IM-2)",
						e->line, is_delete ? _("deleted") : _("re-keyed")),
				 e->values_visible
				 ? errdetail("%s%s has been returned of it.", cbr_row_identity(e->rel, e->tuple), returned)
				 : errdetail("Returns name it in a table attached to %s.", cbr_qty_rel_text(RelationGetRelid(e->rel))),
				 errhint("Delete or move its returns first."),
				 errtable(e->rel)));
	if (v->outcome == CBR_QTY_BELOW_RETURNED && e->values_visible)
		ereport(ERROR,
				(errcode(ERRCODE_CBRETURN_QUANTITY),
				 errmsg("declared quantity %s of line %s is below the quantity already returned, %s (R-EX-3, R-IM-2)",
						declared, e->line, returned),
				 errdetail("%s%s has been returned of it.", cbr_row_identity(e->rel, e->tuple), returned),
				 errhint("A declared quantity of %s or more is accepted.", returned),
				 errtablecol(e->rel, e->quantity)));
	if (v->outcome == CBR_QTY_BELOW_RETURNED)
		ereport(ERROR,
				(errcode(ERRCODE_CBRETURN_QUANTITY),
				 errmsg("declared quantity %s of line %s is below the quantity already returned (R-EX-3, R-IM-2)",
						declared, e->line),
				 errdetail("What was returned is not shown: the current role may not read every table the returns are in."),
				 errhint("Ask the owners of the returns tables how much of the line was returned."),
				 errtablecol(e->rel, e->quantity)));
	ereport(ERROR,
			(errcode(ERRCODE_NUMERIC_VALUE_OUT_OF_RANGE),
			 errmsg("the quantities of declared line %s cannot be compared exactly (R-EX-3, R-IM-2)", e->line)));
}

/* A verdict on a return of this server's check as its error. */
static void
report_return_values(QuantityCache *c, Relation rel, const QtySide *s, const CbrQtyVerdict *v)
{
	CbrQtyErrorCtx e = {rel, s->tuple, line_text(c, s), c->declared.relid, c->quantity, c->key[0],
		v->outcome == CBR_QTY_EXCEEDED && cbr_qty_values_visible(c->columns, c->ncolumns)};

	cbr_qty_raise_return(&e, v);
}

/*
 * The same, without the row's own values (key, quantity, row identity) when
 * the current role may not read them (row_values.c).
 */
void
cbr_qty_report_return(QuantityCache *c, Relation rel, const QtySide *s, const CbrQtyVerdict *v)
{
	AttrNumber	cols[CBR_MAX_KEYS + 1];

	if (v->outcome == CBR_QTY_OK)
		return;
	if (c->request_change != NULL)
		cbr_qty_report_request(c, rel, v);
	memcpy(cols, c->key, sizeof(AttrNumber) * c->nkeys);
	cols[c->nkeys] = c->quantity;
	CBR_REPORT_VISIBLE(rel, s->tuple, cols, c->nkeys + 1, gettext_noop("quantity"),
					   report_return_values(c, rel, s, v));
}

/* The ledger row of a line is missing or wrong: refuse (fail closed). */
void
cbr_qty_ledger_broken(QuantityCache *c, Relation rel, const QtySide *s)
{
	if (cbr_columns_visible(rel, s->tuple, c->key, c->nkeys))
		ereport(ERROR,
				(errcode(ERRCODE_OBJECT_NOT_IN_PREREQUISITE_STATE),
				 errmsg("the quantity ledger of line %s of %s is missing or inconsistent (R-EX-3, R-IM-2)",
						line_text(c, s), cbr_qty_rel_text(c->declared.relid)),
				 errdetail("The write is refused so that no over-return slips through."),
				 errhint("Compare with SELECT * FROM cbreturn.verify_quantity_ledger('%s'); and rebuild with cbreturn.rebuild_quantity_ledger().",
						 cbr_qty_rel_text(c->declared.relid))));
	ereport(ERROR,
			(errcode(ERRCODE_OBJECT_NOT_IN_PREREQUISITE_STATE),
			 errmsg("the quantity ledger of a line of %s is missing or inconsistent (R-EX-3, R-IM-2)",
					cbr_qty_rel_text(c->declared.relid)),
			 errdetail("The write is refused so that no over-return slips through."),
			 errhint("Compare with SELECT * FROM cbreturn.verify_quantity_ledger('%s'); and rebuild with cbreturn.rebuild_quantity_ledger().",
					 cbr_qty_rel_text(c->declared.relid))));
}

