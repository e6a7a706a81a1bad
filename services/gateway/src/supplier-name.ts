/** The longest supplier name, in characters, once clean: a name, not a document (the name index holds it whole). */
export const MAX_SUPPLIER_NAME = 200;

/** A supplier's name as kept and shown: trimmed, each run of white space one space. */
export const cleanSupplierName = (name: string): string => name.trim().replace(/\s+/g, ' ');

/**
 * What makes two names the same supplier (suppliers.name_key): the clean name in Unicode
 * compatibility form (NFKC: a full-width "ＡＣＭＥ" is "ACME") and lowercase. Migration 006 folds
 * names of printable ASCII alike in SQL.
 */
export const supplierNameKey = (name: string): string => cleanSupplierName(name.normalize('NFKC')).toLowerCase();
