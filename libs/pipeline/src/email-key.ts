const GMAIL = new Set(['gmail.com', 'googlemail.com']);

/**
 * The key an email is matched on for duplicates: "+tags" removed (ann+leads@x.com is
 * ann@x.com), and for Gmail the dots in the local part too, googlemail.com read as gmail.com.
 * The stored email stays as the supplier gave it.
 */
export function emailKey(email: string): string {
  const at = email.lastIndexOf('@');
  if (at < 0) return email;
  let local = email.slice(0, at).toLowerCase();
  let domain = email.slice(at + 1).toLowerCase();
  const plus = local.indexOf('+');
  if (plus > 0) local = local.slice(0, plus);
  if (GMAIL.has(domain)) {
    domain = 'gmail.com';
    local = local.replace(/\./g, '');
  }
  return `${local}@${domain}`;
}
