import { describe, expect, it } from 'vitest';
import { compileTagRules, parseTagRules, TagRuleError, type TagFacts } from './tag-rules.js';

const facts = (fields: Record<string, string>, tags: string[] = [], quality = 0): TagFacts & { tags: string[] } => ({ fields, tags, quality });
const tagsOf = (rules: unknown, f: TagFacts & { tags: string[] }) => compileTagRules(parseTagRules(rules)).apply(f);
const refusal = (rules: unknown): string => {
  try {
    parseTagRules(rules);
  } catch (err) {
    if (err instanceof TagRuleError) return err.message;
    throw err;
  }
  return 'accepted';
};

describe('tag rules', () => {
  it('tag a lead when its condition holds, with every operator', () => {
    const lead = facts({ email_type: 'business', state: 'TX', job_title: 'VP of Sales', email: 'ann@acme.com', company: 'Acme', industry_confidence: '0.75' }, ['email:business'], 72);
    expect(
      tagsOf(
        [
          { tag: 'biz', when: { field: 'email_type', equals: 'Business' } },
          { tag: 'south', when: { field: 'state', in: ['tx', 'OK'] } },
          { tag: 'sales', when: { field: 'job_title', contains: 'sales' } },
          { tag: 'ann', when: { field: 'email', startsWith: 'ann@' } },
          { tag: 'has-company', when: { field: 'company', exists: true } },
          { tag: 'no-phone', when: { field: 'phone', exists: false } },
          { tag: 'good', when: { field: 'quality', '>': 70 } },
          { tag: 'great', when: { field: 'quality', '>=': 90 } },
          { tag: 'sure', when: { field: 'industry_confidence', '>=': 0.75 } },
          { tag: 'tagged-biz', when: { field: 'tags', contains: 'email:business' } },
          { tag: 'both', when: { all: [{ field: 'state', equals: 'TX' }, { not: { field: 'quality', '<': 50 } }] } },
          { tag: 'either', when: { any: [{ field: 'state', equals: 'CA' }, { field: 'tags', contains: 'both' }] } },
        ],
        lead,
      ),
    ).toEqual(['biz', 'south', 'sales', 'ann', 'has-company', 'no-phone', 'good', 'sure', 'tagged-biz', 'both', 'either']);
    expect(lead.tags).toEqual(['email:business', 'biz', 'south', 'sales', 'ann', 'has-company', 'no-phone', 'good', 'sure', 'tagged-biz', 'both', 'either']);
  });

  it('pass no numeric comparison on a field without a number', () => {
    expect(tagsOf([{ tag: 'low', when: { field: 'industry_confidence', '<': 0.6 } }], facts({ industry_confidence: '' }))).toEqual([]);
  });

  it('add a tag the lead has once only', () => {
    expect(tagsOf([{ tag: 'x', when: { field: 'state', exists: false } }, { tag: 'x', when: { field: 'city', exists: false } }], facts({}, ['x']))).toEqual([]);
  });

  it('refuse what is not a rule, naming the part', () => {
    expect(refusal({ tag: 'x' })).toMatch(/^rules: must be a list/);
    expect(refusal([{ tag: 'email:vip', when: { field: 'state', equals: 'TX' } }])).toMatch(/^rules\[0\]\.tag: "email:vip" is a tag the enrichment stage sets itself/);
    expect(refusal([{ tag: 'has space', when: { field: 'state', equals: 'TX' } }])).toMatch(/^rules\[0\]\.tag: must be 1 to 64/);
    expect(refusal([{ tag: 'ok' }])).toMatch(/^rules\[0\]\.when: is missing/);
    expect(refusal([{ tag: 'ok', when: { field: 'state', equals: 'TX' }, then: 1 }])).toMatch(/^rules\[0\]\.then: is not part of a rule/);
    expect(refusal([{ tag: 'ok', when: { all: [{ field: 'state', equals: 'TX' }, { field: 'zip', equals: '1' }] } }])).toMatch(
      /^rules\[0\]\.when\.all\[1\]\.field: "zip" is not a field a rule can test; use one of first_name/,
    );
    expect(refusal([{ tag: 'ok', when: { field: 'state', contians: 'T' } }])).toMatch(/^rules\[0\]\.when\.contians: is not an operator/);
    expect(refusal([{ tag: 'ok', when: { field: 'state', equals: 'TX', in: ['TX'] } }])).toMatch(/^rules\[0\]\.when: needs exactly one operator/);
    expect(refusal([{ tag: 'ok', when: { field: 'state', '>': 3 } }])).toMatch(/^rules\[0\]\.when\.>: compares numbers, and state is not one/);
    expect(refusal([{ tag: 'ok', when: { field: 'quality', '>': '70' } }])).toMatch(/^rules\[0\]\.when\.>: must be a number/);
    expect(refusal([{ tag: 'ok', when: { field: 'state', in: [] } }])).toMatch(/^rules\[0\]\.when\.in: must be a list of 1 to/);
    expect(refusal([{ tag: 'ok', when: { any: [] } }])).toMatch(/^rules\[0\]\.when\.any: must be a list of 1 to/);
    expect(refusal([{ tag: 'ok', when: { not: { field: 'state', exists: 'yes' } } }])).toMatch(/^rules\[0\]\.when\.not\.exists: must be true or false/);
    expect(refusal([{ tag: 'ok', when: 'state == "TX"' }])).toMatch(/^rules\[0\]\.when: must be a condition object/);
    let deep: unknown = { field: 'state', exists: true };
    for (let i = 0; i < 8; i++) deep = { not: deep };
    expect(refusal([{ tag: 'ok', when: deep }])).toMatch(/conditions nest at most 8 deep/);
    expect(refusal(Array.from({ length: 101 }, () => ({ tag: 'x', when: { field: 'state', exists: true } })))).toMatch(/^rules: at most 100 rules/);
    expect(refusal([])).toBe('accepted');
  });
});
