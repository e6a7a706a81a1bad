import { readFileSync } from 'node:fs';
import { shuffled } from './random.js';

/**
 * The values a generated lead is made of. Given names (741), surnames (1,672), street names
 * (2,263) and towns (1,571) are the distinct values of the original records of the FEBRL
 * synthetic data sets (data/README.md says how they were taken, data/LICENSE.febrl under
 * which), joined by the international names below, which FEBRL (Australian) lacks: accents,
 * apostrophes, particles. States, area codes and the rest are written here.
 */
export interface LeadPools {
  givenNames: readonly string[];
  surnames: readonly string[];
  streetNames: readonly string[];
  towns: readonly string[];
}

const INTERNATIONAL_GIVEN = [
  'José', 'María', 'Zoë', 'Renée', 'Chloé', 'Søren', 'Łukasz', 'Małgorzata', 'Jürgen', 'Björn', 'Ömer', 'Çağla', 'Thảo',
  'Nguyệt', 'Siobhán', 'Seán', 'Aoife', 'Niamh', 'Dmitri', 'Yusuf', 'Fatima', 'Wanjiru', 'Oluwaseun', 'Chidi', 'Priya',
  'Arjun', 'Mei', 'Wei', 'Hiroshi', 'Yuki', 'Min-jun', 'Ji-woo', 'Jean-Luc', 'Anne-Marie', 'Mary Kate', 'Ximena', 'Joaquín',
  'Zainab', 'Ibrahim', 'Leilani', 'Kiri', 'Tariq', 'Nour', 'Goran', 'Zofia', 'Valentina', 'Esther', 'Farid', 'Gita',
];
const INTERNATIONAL_SURNAMES = [
  "O'Brien", "O'Connor", "D'Angelo", 'McDonald', 'MacLeod', 'García', 'Núñez', 'Müller', 'Groß', 'Schäfer', 'Nguyễn',
  'Trần', 'Kowalski', 'Wójcik', 'Dąbrowski', 'Østergaard', 'Sørensen', 'Åkesson', 'Çelik', 'Yılmaz', 'Papadopoulos',
  'de la Cruz', 'van der Berg', 'von Trapp', 'da Silva', 'dos Santos', 'Le Blanc', 'St. John', 'Smith-Jones', 'Okafor',
  'Adeyemi', 'Mbeki', 'Kariuki', 'Haddad', 'Al-Sayed', 'Chaudhry', 'Rahman', 'Tanaka', 'Nakamura', 'Kim', 'Park', 'Lee',
  'Chen', 'Wang', 'Zhang', 'Singh', 'Patel', 'Iyer', 'Rossi', 'Esposito', 'Petrović', 'Jovanović', 'Lindqvist', 'Nieminen',
];

/** The lines of a data file shipped in `data/`. */
function dataFile(name: string): string[] {
  const text = readFileSync(new URL(`../data/${name}`, import.meta.url), 'utf8');
  return text.split('\n').filter((line) => line.length > 0);
}

let pools: LeadPools | undefined;

/** The pools, each in a fixed shuffled order (read once). */
export function leadPools(): LeadPools {
  pools ??= {
    givenNames: shuffled([...dataFile('given-names.txt'), ...INTERNATIONAL_GIVEN], 1),
    surnames: shuffled([...dataFile('surnames.txt'), ...INTERNATIONAL_SURNAMES], 2),
    streetNames: shuffled(dataFile('street-names.txt'), 3),
    towns: shuffled(dataFile('towns.txt'), 4),
  };
  return pools;
}

/** What suppliers write for a given name in one file and for the same person in the next. */
export const NICKNAMES: Readonly<Record<string, string>> = {
  Robert: 'Bob', William: 'Bill', Katherine: 'Kate', Elizabeth: 'Liz', Margaret: 'Peggy', James: 'Jim', Michael: 'Mike',
  Jennifer: 'Jen', Richard: 'Rick', Thomas: 'Tom', Alexander: 'Alex', Benjamin: 'Ben', Christopher: 'Chris', Daniel: 'Dan',
  Jonathan: 'Jon', Joshua: 'Josh', Matthew: 'Matt', Nicholas: 'Nick', Samuel: 'Sam', Timothy: 'Tim', Rebecca: 'Becky',
  Jessica: 'Jess', Samantha: 'Sam', Victoria: 'Vicky', Patricia: 'Pat', Stephanie: 'Steph', Joseph: 'Joe', Anthony: 'Tony',
};

export const STREET_TYPES: readonly (readonly [full: string, short: string])[] = [
  ['Street', 'St'], ['Avenue', 'Ave'], ['Road', 'Rd'], ['Drive', 'Dr'], ['Lane', 'Ln'], ['Court', 'Ct'], ['Place', 'Pl'],
  ['Boulevard', 'Blvd'], ['Circle', 'Cir'], ['Terrace', 'Ter'],
];

/** States with the first three digits of one of their ZIP code areas. */
export const STATES: readonly (readonly [state: string, zip3: string])[] = [
  ['AL', '350'], ['AZ', '850'], ['CA', '900'], ['CA', '941'], ['CO', '802'], ['CT', '061'], ['FL', '331'], ['FL', '328'],
  ['GA', '303'], ['IL', '606'], ['IN', '462'], ['MA', '021'], ['MD', '212'], ['MI', '482'], ['MN', '554'], ['MO', '631'],
  ['NC', '282'], ['NJ', '070'], ['NV', '891'], ['NY', '100'], ['NY', '112'], ['OH', '432'], ['OR', '972'], ['PA', '191'],
  ['TN', '372'], ['TX', '770'], ['TX', '787'], ['UT', '841'], ['VA', '232'], ['WA', '981'], ['WI', '532'],
];

/** Area codes in service: a generated number is a valid North American number. */
export const AREA_CODES: readonly string[] = [
  '201', '202', '205', '206', '212', '213', '214', '215', '216', '301', '303', '305', '310', '312', '313', '314', '404', '407',
  '408', '412', '415', '503', '504', '512', '602', '612', '614', '617', '702', '704', '713', '718', '719', '720', '801', '804',
  '813', '816', '832', '858', '901', '904', '914', '916', '917', '919', '949', '954', '971', '972',
];

export const FREE_MAIL = ['gmail.com', 'yahoo.com', 'outlook.com', 'hotmail.com', 'aol.com', 'icloud.com', 'proton.me'];

export const COMPANY_SUFFIXES = ['LLC', 'Inc.', 'Group', 'Partners', '& Sons', 'Co.', 'Holdings', 'Consulting', 'Logistics', 'Realty'];

export const JOB_TITLES = [
  'Owner', 'CEO', 'Office Manager', 'Sales Director', 'VP of Marketing', 'Purchasing Manager', 'Operations Manager',
  'Account Executive', 'IT Manager', 'CFO', 'HR Director', 'Founder', 'Practice Manager', 'Facilities Manager', '',
];

export const NOTES = [
  'call after 5pm', 'asked for a quote, "urgent"', 'met at trade show; follow up', 'prefers email', 'left voicemail\ncall back Tue',
  'referred by J. Smith, via LinkedIn', 'do not call before 9am', 'interested in premium plan',
];
