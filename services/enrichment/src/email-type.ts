import { FREE_EMAIL_DOMAINS } from '@leadflow/pipeline';
import { createRequire } from 'node:module';
import { emailSuggestion } from './email-suggestion.js';

export type EmailType = 'free' | 'business' | 'role' | 'disposable';

// Both are CommonJS without named exports that Node's ESM loader can see; loaded on first use,
// so that a process that never enriches (leadflow map, --help) does not read 150,000 domains.
const require = createRequire(import.meta.url);
let disposable: ReadonlySet<string> | undefined;
let freeList: ReadonlySet<string> | undefined;
const DISPOSABLE = () => (disposable ??= (require('mailchecker') as typeof import('mailchecker')).blacklist());
const FREE_DOMAINS_LIST = () =>
  (freeList ??= (require('free-email-domains-list') as typeof import('free-email-domains-list')).DOMAINS);

/**
 * Local parts that name a function, not a person (RFC 2142 mailbox names and the shared inboxes
 * lead lists carry). Compared after removing a "+tag" and the separators ". - _".
 */
export const ROLE_LOCAL_PARTS: ReadonlySet<string> = new Set([
  'info', 'information', 'sales', 'support', 'help', 'helpdesk', 'admin', 'administrator', 'office', 'contact',
  'contactus', 'hello', 'hi', 'team', 'enquiries', 'enquiry', 'inquiries', 'inquiry', 'marketing', 'billing',
  'accounts', 'accounting', 'accountspayable', 'ap', 'ar', 'finance', 'invoices', 'invoice', 'payments', 'hr',
  'jobs', 'careers', 'recruiting', 'recruitment', 'hiring', 'press', 'media', 'pr', 'news', 'newsletter', 'noreply',
  'donotreply', 'no-reply', 'webmaster', 'postmaster', 'hostmaster', 'abuse', 'security', 'privacy', 'legal',
  'compliance', 'service', 'services', 'customerservice', 'customercare', 'care', 'feedback', 'orders', 'order',
  'booking', 'bookings', 'reservations', 'reception', 'frontdesk', 'mail', 'email', 'general', 'team', 'staff',
  'all', 'everyone', 'dev', 'developers', 'it', 'tech', 'ops', 'operations', 'purchasing', 'procurement', 'shop',
  'store', 'events', 'partners', 'partnerships', 'investors', 'ir', 'studio', 'welcome', 'membership', 'members',
  'admissions', 'registrar', 'frontoffice', 'dispatch', 'service', 'root', 'sysadmin',
].map((p) => p.replace(/[.\-_]/g, '')));

/** The domain or one of its parents is on the list (as mailchecker checks): "x.mailinator.com" too. */
function isDisposable(domain: string): boolean {
  for (let d = domain; d.includes('.'); d = d.slice(d.indexOf('.') + 1)) if (DISPOSABLE().has(d)) return true;
  return false;
}

/** The part before "+", without ". - _": "Customer.Service+x" → "customerservice". */
export const roleKey = (local: string) => local.toLowerCase().replace(/\+.*$/, '').replace(/[.\-_]/g, '');

/**
 * `disposable` for a throwaway domain (the mailchecker list), `role` for a function mailbox
 * (ROLE_LOCAL_PARTS), `free` for a consumer provider (ours, then free-email-domains-list),
 * `business` for any other domain; '' without an email. A likely typo of a big provider's domain
 * counts as `free`: the lists carry many such typo domains as disposable or free, and the person
 * meant the provider (the typo itself is reported apart, as email_suggestion; pass it when
 * known, to spare computing it twice).
 */
export function emailType(email: string, suggestion: string = emailSuggestion(email)): EmailType | '' {
  const at = email.lastIndexOf('@');
  if (at < 0) return '';
  const domain = email.slice(at + 1).toLowerCase();
  if (FREE_EMAIL_DOMAINS.has(domain)) return ROLE_LOCAL_PARTS.has(roleKey(email.slice(0, at))) ? 'role' : 'free';
  if (suggestion) return 'free';
  if (isDisposable(domain)) return 'disposable';
  if (ROLE_LOCAL_PARTS.has(roleKey(email.slice(0, at)))) return 'role';
  return FREE_DOMAINS_LIST().has(domain) ? 'free' : 'business';
}

/**
 * What an email's domain (in lower case) decides of emailType, kept by domain: `free-unless-role`
 * (a provider of either free list), `free` (a likely typo of a big provider: the suggestion),
 * `disposable`, or `business-unless-role`. Only a role mailbox (the local part) changes the first
 * and the last.
 */
export type DomainKind = 'free-unless-role' | 'free' | 'disposable' | 'business-unless-role';

/** emailType's order of tests, by the domain alone (the suggestion is domainSuggestion(domain)). */
export function domainKind(domain: string, suggestion: string): DomainKind {
  if (FREE_EMAIL_DOMAINS.has(domain)) return 'free-unless-role';
  if (suggestion) return 'free';
  if (isDisposable(domain)) return 'disposable';
  return FREE_DOMAINS_LIST().has(domain) ? 'free-unless-role' : 'business-unless-role';
}

const LONGEST_ROLE = Math.max(...[...ROLE_LOCAL_PARTS].map((p) => p.length));

/**
 * Whether a local part can be a role mailbox, without building its key: its key keeps at least
 * every character before the first "+" that is not a separator (lower case never makes a letter
 * shorter nor a separator), so more of them than the longest role name rules it out.
 */
function mayBeRole(local: string): boolean {
  let n = 0;
  for (let i = 0; i < local.length; i++) {
    const c = local.charCodeAt(i);
    if (c === 43) break; // +
    if (c !== 46 && c !== 45 && c !== 95 && ++n > LONGEST_ROLE) return false; // . - _
  }
  return true;
}

/** emailType from the domain's kind and the local part. */
export function typeOfKind(kind: DomainKind, local: string): EmailType {
  if (kind === 'free' || kind === 'disposable') return kind;
  if (mayBeRole(local) && ROLE_LOCAL_PARTS.has(roleKey(local))) return 'role';
  return kind === 'free-unless-role' ? 'free' : 'business';
}
