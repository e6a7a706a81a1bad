import { FREE_EMAIL_DOMAINS } from '@leadflow/pipeline';

/** `free` for a consumer mailbox provider, `business` for any other domain, '' without an email. */
export function emailType(email: string): 'free' | 'business' | '' {
  const at = email.lastIndexOf('@');
  if (at < 0) return '';
  return FREE_EMAIL_DOMAINS.has(email.slice(at + 1)) ? 'free' : 'business';
}
