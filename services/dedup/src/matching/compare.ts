import { streetCore, type MatchRecord } from './record.js';
import { sameGivenName } from './nicknames.js';
import { editDistance, jaroWinkler, tokenSimilarity } from './similarity.js';

/**
 * Fellegi-Sunter comparison of two leads. Each field's values agree at one of a few levels
 * (exact, close, ..., different); each level has m, the chance of that level when the two are
 * the same person, and u, its chance for two different people; the level adds log2(m/u) to the
 * pair's weight, and a field missing on either side adds nothing. The weight plus the prior
 * log-odds of a match gives the match probability, the score a pair is judged by.
 *
 * m and u are set from what is known of lead data (a name typo in a few percent of copies,
 * one person in thousands sharing a surname, one address in a hundred thousand), not fitted
 * to a test set; `npm run bench:dedup` measures them on FEBRL and generated files.
 */

type Mu = readonly [m: number, u: number];

export interface FieldModel {
  readonly [level: string]: Mu;
}

export const DEFAULT_MODEL = {
  first: { exact: [0.86, 0.01], close: [0.07, 0.003], similar: [0.03, 0.01], initial: [0.02, 0.04], different: [0.02, 0.937] },
  last: { exact: [0.86, 0.002], close: [0.07, 0.002], similar: [0.03, 0.008], different: [0.04, 0.988] },
  streetNumber: { exact: [0.9, 0.01], close: [0.04, 0.06], different: [0.06, 0.93] },
  streetName: { exact: [0.85, 0.002], close: [0.09, 0.003], similar: [0.03, 0.01], different: [0.03, 0.985] },
  line2: { exact: [0.8, 0.005], close: [0.1, 0.005], different: [0.1, 0.99] },
  city: { exact: [0.86, 0.01], close: [0.08, 0.004], different: [0.06, 0.986] },
  postalCode: { exact: [0.88, 0.005], close: [0.06, 0.03], different: [0.06, 0.965] },
  state: { exact: [0.95, 0.25], different: [0.05, 0.75] },
  email: { exact: [0.9, 0.000001], local: [0.05, 0.001], different: [0.05, 0.999] },
  phone: { exact: [0.85, 0.00001], close: [0.05, 0.0005], different: [0.1, 0.9995] },
  company: { exact: [0.7, 0.02], close: [0.15, 0.02], different: [0.15, 0.96] },
} as const satisfies Record<string, FieldModel>;

export type MatchModel = { readonly [F in keyof typeof DEFAULT_MODEL]: FieldModel };

/**
 * Log-odds (base 2) that two leads picked at random are one person, before their fields are
 * compared: about one pair in 65,000, the rate in a store where a few percent of a hundred
 * thousand leads have a copy.
 */
export const PRIOR_LOG_ODDS = -16;

export interface FieldResult {
  field: Field;
  level: string;
  weight: number;
}

export interface PairScore {
  /** Sum of the fields' weights. */
  weight: number;
  /** Match probability in [0, 1]: the pair's score. */
  probability: number;
  /** The fields both sides have, with their level and weight (the explanation). */
  fields: FieldResult[];
  /**
   * The given names differ outright and each side has an email or phone the other does not:
   * at the same address and surname this is another member of the household, so the pair is
   * never a sure duplicate.
   */
  otherPerson: boolean;
  /** The names agreed only with first and last name swapped. */
  swapped: boolean;
  /**
   * Something that places the person agrees: street (or the house number with a street or second
   * address line that is alike), postal code, email or phone; and, unless an email or phone
   * agrees, neither the house numbers (where the postal codes do not agree, the given names
   * differ, or the streets are other kinds of street of one name) nor the towns (where the postal
   * codes do not agree either) differ; under other names, or in another postal code, a house
   * number one slip away differs too. Names with a city or an employer alone are not enough for a sure duplicate (many a John
   * Smith lives in one city, or works for one large company), nor is the same name at another
   * house number of a street, or on a street of the same name in another town.
   */
  located: boolean;
}

const LOCATING = ['streetName', 'postalCode', 'email', 'phone'] as const;

/** A value without its spaces (the value itself when it has none: no copy). */
const joined = (s: string) => (s.includes(' ') ? s.replace(/ /g, '') : s);

const nameLevel = (a: string, b: string, given: boolean): string => {
  if (a === b || joined(a) === joined(b) || (given && sameGivenName(a, b))) return 'exact';
  if (given && (a.length === 1 || b.length === 1)) return a[0] === b[0] ? 'initial' : 'different';
  const jw = jaroWinkler(a, b);
  if (jw >= 0.92) return 'close';
  // Two slips in a longer name ("sylvie" typed "syivbe") still leave it similar; names that differ
  // in their first letter as well ("tariq", "farid") are other names.
  return jw >= 0.85 || (a[0] === b[0] && Math.min(a.length, b.length) >= 6 && editDistance(a, b, 2) <= 2) ? 'similar' : 'different';
};

const textLevel = (a: string, b: string): string => {
  if (!a || !b) return 'missing';
  if (a === b) return 'exact';
  const [joinedA, joinedB] = [joined(a), joined(b)];
  if (joinedA === joinedB) return 'exact';
  // As one word, for a typo that moved a space ("flemington m zrkets"); or word by word, whatever
  // the order (for single words the same thing, and not needed once the whole agrees closely).
  let sim = jaroWinkler(joinedA, joinedB);
  if (sim < 0.92 && (joinedA !== a || joinedB !== b)) sim = Math.max(sim, tokenSimilarity(a, b));
  return sim >= 0.92 ? 'close' : sim >= 0.85 ? 'similar' : 'different';
};

/** Streets agree as wholes, but never on their type words alone ("aspen avenue", "thistle avenue"). */
const streetLevel = (a: string, b: string): string => {
  const level = textLevel(a, b);
  return (level === 'close' || level === 'similar') && textLevel(streetCore(a), streetCore(b)) === 'different' ? 'different' : level;
};

const codeLevel = (a: string, b: string): string => (a === b ? 'exact' : editDistance(a, b, 1) <= 1 ? 'close' : 'different');

type Field = keyof typeof DEFAULT_MODEL;

type Weights = { readonly [F in Field]: Readonly<Record<string, number>> };

/** Each model's weights, log2(m/u) by field and level, worked out once: comparisons are the hot path. */
const WEIGHTS = new WeakMap<MatchModel, Weights>();

function weightsOf(model: MatchModel): Weights {
  let weights = WEIGHTS.get(model);
  if (!weights) {
    weights = Object.fromEntries(
      Object.entries(model).map(([field, levels]) => [field, Object.fromEntries(Object.entries(levels).map(([level, [m, u]]) => [level, Math.log2(m / u)]))]),
    ) as Weights;
    WEIGHTS.set(model, weights);
  }
  return weights;
}

/** A level's weight; a level the field's model does not tell apart counts as 'different'. */
function weighed(weights: Weights, field: Field, level: string): { level: string; weight: number } {
  const known = weights[field][level];
  return known === undefined ? { level: 'different', weight: weights[field].different! } : { level, weight: known };
}

export function comparePair(a: MatchRecord, b: MatchRecord, model: MatchModel = DEFAULT_MODEL, priorLogOdds = PRIOR_LOG_ODDS): PairScore {
  const weights = weightsOf(model);
  const fields: FieldResult[] = [];
  let weight = 0;
  const add = (field: Field, level: string, counts = true) => {
    const w = weighed(weights, field, level);
    fields.push({ field, level: w.level, weight: counts ? w.weight : 0 });
    if (counts) weight += w.weight;
  };

  // Names, in the order given or swapped, whichever agrees better.
  let swapped = false;
  let otherPerson = false;
  let otherGivenName = false;
  if ((a.first || a.last) && (b.first || b.last)) {
    const straight = namePair(a.first, a.last, b.first, b.last, weights);
    // Names that agree as given cannot agree better crossed.
    const crossed = straight.agree ? straight : namePair(a.first, a.last, b.last, b.first, weights);
    const best = crossed.weight - 1 > straight.weight ? crossed : straight;
    swapped = best !== straight;
    for (const [field, level] of best.levels) add(field, level);
    otherGivenName = best.levels.some(([f, l]) => f === 'first' && l === 'different');
    otherPerson = otherGivenName;
  }
  // Another given name with an email and a phone of their own is another person (a household
  // shares an address and a surname); without contacts to tell them apart, the weights decide.
  const sameEmail = sharesContact(a.emailKey, a.otherEmailKeys, b.emailKey, b.otherEmailKeys);
  const samePhone = sharesContact(a.phone, a.otherPhones, b.phone, b.otherPhones);
  const ownContacts = (a.emailKey !== '' && b.emailKey !== '' && !sameEmail) || (a.phone !== '' && b.phone !== '' && !samePhone);
  otherPerson &&= ownContacts;
  if (a.streetNumber && b.streetNumber) add('streetNumber', codeLevel(a.streetNumber, b.streetNumber));
  // The street and the second address line, as given or swapped, whichever agrees better
  // (compared crossed only when that could agree on more: not without a second line, nor when
  // the lines agree as given).
  const straight = [streetLevel(a.streetName, b.streetName), streetLevel(a.line2, b.line2)] as const;
  const agreeing = (levels: readonly string[]) => levels.filter((l) => l === 'exact' || l === 'close').length;
  const crossable = Number(a.streetName !== '' && b.line2 !== '') + Number(a.line2 !== '' && b.streetName !== '');
  const crossed =
    crossable > agreeing(straight) ? ([streetLevel(a.streetName, b.line2), streetLevel(a.line2, b.streetName)] as const) : straight;
  const [street, line2] = agreeing(crossed) > agreeing(straight) ? crossed : straight;
  if (street !== 'missing') add('streetName', street);
  if (line2 !== 'missing') add('line2', line2);
  if (a.postalCode && b.postalCode) add('postalCode', codeLevel(a.postalCode, b.postalCode));
  if (a.city && b.city) {
    const level = weighed(weights, 'city', textLevel(a.city, b.city)).level;
    // A postal code that agrees already says the city: the city's agreement adds nothing more
    // (the two are not independent; counting both would make neighbours look alike).
    const placed = a.postalCode !== '' && a.postalCode === b.postalCode;
    add('city', level, level === 'different' || !placed);
  }
  if (a.state && b.state) add('state', a.state === b.state ? 'exact' : 'different');
  if (a.emailKey && b.emailKey) {
    add('email', sameEmail ? 'exact' : a.emailKey.slice(0, a.emailKey.indexOf('@')) === b.emailKey.slice(0, b.emailKey.indexOf('@')) ? 'local' : 'different');
  }
  if (a.phone && b.phone) add('phone', samePhone ? 'exact' : a.phone.slice(-7) === b.phone.slice(-7) ? 'close' : 'different');
  if (a.company && b.company) add('company', textLevel(a.company, b.company));
  const probability = 1 / (1 + 2 ** -(weight + priorLogOdds));
  const agrees = (field: string) => fields.some((f) => f.field === field && (f.level === 'exact' || f.level === 'close'));
  const level = (field: string) => fields.find((f) => f.field === field)?.level;
  const contact = agrees('email') || agrees('phone');
  // Another house number is another address, outside the postal code, under another given name,
  // or on another kind of street of the same name (Ridgeview Lane, Ridgeview Avenue): a relative
  // or a namesake nearby, not a typo. A number one slip away is a typo only under the same names
  // and where the postal codes do not differ outright; else it is another number too.
  const number = level('streetNumber');
  const numberDiffers =
    number === 'different' || (number === 'close' && (level('last') === 'different' || otherGivenName || level('postalCode') === 'different'));
  const otherKindOfStreet = level('streetName') !== 'exact' && a.streetName !== '' && streetCore(a.streetName) === streetCore(b.streetName);
  const otherNumber = numberDiffers && (level('postalCode') !== 'exact' || otherGivenName || otherKindOfStreet);
  // Another town (not a typo of it) is another place, however alike the street: every town has
  // its Chestnut Street. Unless the postal codes agree, or a contact says it is the same person.
  const otherTown = level('city') === 'different' && !agrees('postalCode');
  const elsewhere = (otherNumber || otherTown) && !contact;
  const sameNumber = level('streetNumber') === 'exact';
  const located = !elsewhere && (LOCATING.some(agrees) || (sameNumber && (level('streetName') === 'similar' || agrees('line2'))));
  return { weight, probability, fields, otherPerson, swapped, located };
}

/** Two leads share an email (by key) or a phone: their own, or one of their alternates. */
function sharesContact(a: string, aOther: readonly string[], b: string, bOther: readonly string[]): boolean {
  if (a === '' || b === '') return false;
  if (a === b) return true;
  if (aOther.length === 0 && bOther.length === 0) return false;
  return bOther.includes(a) || aOther.includes(b) || aOther.some((x) => bOther.includes(x));
}

function namePair(aFirst: string, aLast: string, bFirst: string, bLast: string, weights: Weights) {
  const levels: [Field, string][] = [];
  let weight = 0;
  let agree = true;
  const name = (field: 'first' | 'last', x: string, y: string) => {
    if (!x || !y) return;
    const w = weighed(weights, field, nameLevel(x, y, field === 'first'));
    levels.push([field, w.level]);
    weight += w.weight;
    agree &&= w.level === 'exact';
  };
  name('first', aFirst, bFirst);
  name('last', aLast, bLast);
  return { levels, weight, agree: agree && levels.length > 0 };
}
