import { describe, expect, it } from 'vitest';
import { classifyIndustry, classifyJobTitle } from './index.js';

const of = (company: string, supplierIndustry = '', domain = '') => classifyIndustry({ company, supplierIndustry, domain });

describe('classifyIndustry', () => {
  it('reads the supplier\'s words first, a NAICS code as such', () => {
    expect(of('', 'Commercial Banking')).toMatchObject({ industry: '52', confidence: 0.9 });
    expect(of('', '541110 Offices of Lawyers')).toMatchObject({ industry: '54', evidence: ['supplier:"541110 Offices of Lawyers"'] });
    expect(of('', '32-33')).toMatchObject({ industry: '31' });
  });

  it('reads a keyword of the company name, then the domain, with the evidence', () => {
    expect(of('Bluewater Plumbing LLC')).toEqual({ industry: '23', confidence: 0.75, evidence: ['company:"plumbing"'] });
    expect(of('', '', 'smithdental.com')).toEqual({ industry: '62', confidence: 0.55, evidence: ['domain:"dental"'] });
    expect(of('Smith Dental Group', '', 'smithdental.com')).toMatchObject({ industry: '62', confidence: 0.8 });
    expect(of('', '', 'cityofaustin.gov')).toMatchObject({ industry: '92' });
  });

  it('gives the phrase over its words: a credit union is finance', () => {
    expect(of('Lakeside Federal Credit Union').industry).toBe('52');
    expect(of('Springfield Water Authority').industry).toBe('22');
  });

  it('is unknown when nothing supports a choice', () => {
    expect(of('Acme')).toEqual({ industry: '', confidence: 0, evidence: [] });
    expect(of('', '', 'xq7.com').industry).toBe('');
  });
});

describe('classifyJobTitle', () => {
  it('reads rank and function', () => {
    expect(classifyJobTitle('VP of Sales')).toMatchObject({ seniority: 'vp', department: 'sales' });
    expect(classifyJobTitle('Chief Financial Officer')).toMatchObject({ seniority: 'c_level', department: 'finance' });
    expect(classifyJobTitle('Senior Software Engineer')).toMatchObject({ seniority: 'individual_contributor', department: 'engineering' });
    expect(classifyJobTitle('Director, IT')).toMatchObject({ seniority: 'director', department: 'it' });
    expect(classifyJobTitle('HR Manager')).toMatchObject({ seniority: 'manager', department: 'hr' });
    expect(classifyJobTitle('General Counsel')).toMatchObject({ department: 'legal' });
  });

  it('does not take a rank word that is not a rank', () => {
    expect(classifyJobTitle('Executive Assistant to the CEO').seniority).toBe('individual_contributor');
    expect(classifyJobTitle('Account Manager')).toMatchObject({ seniority: 'individual_contributor', department: 'sales' });
    expect(classifyJobTitle('Vice President, Finance').seniority).toBe('vp');
    expect(classifyJobTitle('Partner Marketing Manager')).toMatchObject({ seniority: 'manager', department: 'marketing' });
  });

  it('answers nothing for an empty or rankless title', () => {
    expect(classifyJobTitle('')).toEqual({ seniority: '', department: '', evidence: [] });
    expect(classifyJobTitle('Sales').seniority).toBe('');
  });
});
