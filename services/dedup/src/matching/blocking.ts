import { canonicalGivenName } from './nicknames.js';
import type { MatchRecord } from './record.js';
import { phonetic } from './similarity.js';

/**
 * The blocks a lead belongs to: each key names a small group of leads that could be the same
 * person, so a new row is compared only with the leads that share one of its keys, never with
 * the whole store. Several keys, each from different fields, so that a typo or a missing value
 * in one field still leaves the row in a block with its original.
 */
export function blockingKeys(r: MatchRecord): string[] {
  const keys = new Set<string>();
  const first = phonetic(canonicalGivenName(r.first.split(' ')[0] ?? ''));
  const last = phonetic(r.last.replace(/ /g, ''));
  const street = phonetic(r.streetName.split(' ')[0] ?? '');
  const city = phonetic(r.city.replace(/ /g, ''));
  const add = (kind: string, ...parts: string[]) => {
    if (parts.every((p) => p)) keys.add(`${kind}:${parts.join('|')}`);
  };
  // Names either way round, so that swapped first and last names share the key.
  add('names', ...[first, last].sort());
  add('last+postal', last, r.postalCode);
  add('first+postal', first, r.postalCode);
  add('last+city', last, city);
  add('number+street', r.streetNumber, street);
  add('postal+number', r.postalCode, r.streetNumber);
  add('postal+street', r.postalCode, street);
  add('city+street', city, street);
  add('last+initial', last, r.first.slice(0, 1));
  add('city+number', city, r.streetNumber);
  add('first+city', first, city);
  add('email', r.emailKey);
  add('phone', r.phone);
  // Alternates share the blocks of the same email or phone as another lead's own.
  for (const key of r.otherEmailKeys) add('email', key);
  for (const phone of r.otherPhones) add('phone', phone);
  add('local+last', r.emailKey.slice(0, r.emailKey.indexOf('@') + 1), last);
  return [...keys];
}
