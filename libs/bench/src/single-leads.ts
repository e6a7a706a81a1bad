import { AREA_CODES, FREE_MAIL, leadPools } from './lead-pools.js';
import { createRandom } from './random.js';

/** One lead as a web form sends it to POST /v1/leads. */
export type FormLead = Record<string, string>;

/**
 * `count` leads as partners send them one at a time, the same for a seed: most a new person with
 * an email and a phone, one in twenty the same person as an earlier lead (a duplicate), one in
 * twenty with no usable contact (invalid). `run` makes the people of each run its own, so that a
 * second run on the same database does not find the first run's leads.
 */
export function formLeads(count: number, seed: number, run: string): FormLead[] {
  const random = createRandom(seed);
  const { givenNames, surnames, towns } = leadPools();
  const leads: FormLead[] = [];
  for (let i = 0; i < count; i++) {
    if (i > 10 && random.chance(0.05)) {
      const earlier = leads[random.int(leads.length)]!;
      leads.push({ ...earlier, first_name: earlier.first_name!.toUpperCase() });
      continue;
    }
    const first = random.skewed(givenNames);
    const last = random.skewed(surnames);
    if (random.chance(0.05)) {
      leads.push({ first_name: first, last_name: last, email: 'not an email', city: random.pick(towns) });
      continue;
    }
    const local = `${first}.${last}.${run}.${i}`.toLowerCase().replace(/[^a-z0-9.]/g, '');
    leads.push({
      first_name: first,
      last_name: last,
      email: `${local}@${random.pick(FREE_MAIL)}`,
      phone: `(${random.pick(AREA_CODES)}) 555-${String(1000 + random.int(9000))}`,
      city: random.pick(towns),
    });
  }
  return leads;
}
