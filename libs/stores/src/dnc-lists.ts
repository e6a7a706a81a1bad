import { fileURLToPath } from 'node:url';
import type { Migrations } from './migrate.js';

/**
 * What a Do-Not-Call list is for (docs/dnc-lists.md). `national`, `national-ca`, `state:XX`,
 * `litigator` and `wireless` lists are shared by every tenant; `internal` (a tenant's own
 * do-not-call list) and the suppression lists (`suppression:email`, `suppression:domain`,
 * `suppression:phone`, entries with an optional expiry) belong to one tenant.
 */
export type DncListKind = 'national' | 'national-ca' | `state:${string}` | 'litigator' | 'wireless' | 'internal' | SuppressionKind;

/** A tenant's suppression lists: of email addresses, of email domains, of phone numbers. */
export type SuppressionKind = 'suppression:email' | 'suppression:domain' | 'suppression:phone';

/** What a screened value is: an E.164 phone (`+...`), an email address (has `@`), else an email domain. */
export type DncValueKind = 'phone' | 'email' | 'domain';
export const valueKindOf = (value: string): DncValueKind => (value.startsWith('+') ? 'phone' : value.includes('@') ? 'email' : 'domain');

export const isSuppressionKind = (kind: string): kind is SuppressionKind => kind.startsWith('suppression:');

/** The values a list holds: emails, domains, or (every other kind) phone numbers. */
export const valuesOfKind = (kind: DncListKind): DncValueKind =>
  kind === 'suppression:email' ? 'email' : kind === 'suppression:domain' ? 'domain' : 'phone';

/** A list as it stands: what a screening names in its audit. */
export interface DncListHead {
  id: string;
  kind: DncListKind;
  /** '' for a shared list; else the tenant that owns it. */
  owner: string;
  /** Bumped by every change. */
  version: number;
  /** The content in force (a full replacement writes the next and switches in one commit). */
  generation: number;
  /** YYYY-MM-DD; '' while a shared list was never loaded. */
  snapshotDate: string;
}

/** Where numbers are added: the shared national list, or a tenant's internal list. */
export type DncTarget = { tenantId: string } | undefined;

/** The answer for some numbers: the lists they were checked against, and for each number the indexes of those it is on. */
export interface DncScreening {
  lists: readonly DncListHead[];
  on: number[][];
}

export const dncListMigrations: Migrations = { owner: 'dnc-lists', dir: fileURLToPath(new URL('../migrations/dnc-lists', import.meta.url)) };

/** Subscriber numbers a block of a bitmap holds: 8 KiB of bits. */
export const BLOCK_NUMBERS = 65_536;
export const BLOCK_BYTES = BLOCK_NUMBERS / 8;

/** `+1AAANNNNNNN` → area code and subscriber number; undefined for a number outside the NANP. */
export function splitNanp(e164: string): { areaCode: number; subscriber: number } | undefined {
  // Read by character codes, not a regex: every number of every batch goes through here.
  if (e164.length !== 12 || e164.charCodeAt(0) !== 43 || e164.charCodeAt(1) !== 49) return undefined;
  let areaCode = 0;
  let subscriber = 0;
  for (let i = 2; i < 12; i++) {
    const d = e164.charCodeAt(i) - 48;
    if (d < 0 || d > 9) return undefined;
    if (i < 5) areaCode = areaCode * 10 + d;
    else subscriber = subscriber * 10 + d;
  }
  return { areaCode, subscriber };
}

/** Where a number's bit is: its block, and its bit within the block, most significant bit first as Redis's SETBIT. */
export function bitOf(subscriber: number): { block: number; bit: number } {
  return { block: Math.floor(subscriber / BLOCK_NUMBERS), bit: subscriber % BLOCK_NUMBERS };
}

/** Sets bit `bit` of `bytes` (most significant first); true when it was not set. */
export function setBit(bytes: Uint8Array, bit: number): boolean {
  const mask = 0x80 >> (bit & 7);
  const was = (bytes[bit >> 3]! & mask) !== 0;
  bytes[bit >> 3]! |= mask;
  return !was;
}

/** The kinds a list may be named by: `state:XX` with a state's two letters. */
export const DNC_LIST_KIND = /^(national|national-ca|litigator|wireless|internal|state:[A-Z]{2}|suppression:(email|domain|phone))$/;

/** A list's kind from its name in a route or an option (`state:tx` is `state:TX`); undefined when it is none. */
export function parseDncListKind(name: string): DncListKind | undefined {
  const kind = name.startsWith('state:') ? `state:${name.slice(6).toUpperCase()}` : name.toLowerCase();
  return DNC_LIST_KIND.test(kind) ? (kind as DncListKind) : undefined;
}

/** Kinds a tenant owns its own list of; every other kind is shared by every tenant. */
export const isTenantKind = (kind: DncListKind) => kind === 'internal' || isSuppressionKind(kind);

/** How a decision names a list, as the scrubbers do: "National (USA)", "State (TX)". */
export function dncListLabel(kind: DncListKind): string {
  if (kind === 'national') return 'National (USA)';
  if (kind === 'national-ca') return 'National (Canada)';
  if (kind.startsWith('state:')) return `State (${kind.slice(6)})`;
  if (isSuppressionKind(kind)) return `Suppression (${kind.slice(12)})`;
  return kind.charAt(0).toUpperCase() + kind.slice(1);
}

/** Shared lists keep North American numbers as bits; a tenant's lists (small) keep every number as a row. */
export const usesBits = (head: Pick<DncListHead, 'owner'>, e164: string) => head.owner === '' && splitNanp(e164) !== undefined;
