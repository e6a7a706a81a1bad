import { bestHit, createKeywordMatcher } from './keyword-matcher.js';

export type Seniority = 'c_level' | 'vp' | 'director' | 'manager' | 'individual_contributor';

export interface JobTitleResult {
  /** '' when the title says nothing of rank. */
  seniority: Seniority | '';
  /** '' when the title names no function. */
  department: string;
  /** The words that decided: `seniority:"vp"`, `department:"sales"`. */
  evidence: string[];
}

/** A whole-word pattern of alternatives; `plural` also takes them with an "s". */
const words = (alternatives: readonly string[], plural = false) =>
  new RegExp(`\\b(${alternatives.join('|')})${plural ? 's?' : ''}\\b`);

/**
 * Rank words, highest first: the first rank found wins, so "VP and General Manager" is vp and
 * "Assistant Director" is director. Owners, founders, presidents and partners count as c_level.
 * Junior and senior qualify a rank, they are not one: "Senior Engineer" is an individual contributor.
 */
const SENIORITY: readonly [Seniority, RegExp][] = [
  ['c_level', words([
    'ceo', 'cfo', 'coo', 'cto', 'cio', 'cmo', 'cro', 'cso', 'cpo', 'cdo', 'cco', 'chro', 'ciso', 'chief', 'owner',
    'co owner', 'founder', 'cofounder', 'co founder', '(?<!vice )president', 'chairman', 'chairwoman', 'chairperson',
    'chair of the board', '(?:managing|senior|founding|general|equity|name) partner', 'partner$', '^principal$',
    'proprietor', 'managing director', 'executive director', 'md', 'board member',
  ])],
  ['vp', words([
    'vp', 'svp', 'evp', 'avp', 'vice president', 'vicepresident', 'vice pres',
  ])],
  ['director', words([
    'director', 'dir', 'head',
  ])],
  ['manager', words([
    'manager', 'mgr', 'mngr', 'supervisor', 'superintendent', 'team lead', 'team leader', 'foreman', 'forewoman',
    'controller', 'comptroller', 'captain', 'gm',
  ])],
  ['individual_contributor', words([
    'engineer', 'developer', 'analyst', 'specialist', 'associate', 'representative', 'rep', 'assistant',
    'coordinator', 'consultant', 'accountant', 'designer', 'architect', 'scientist', 'technician', 'agent', 'clerk',
    'officer', 'advisor', 'adviser', 'intern', 'trainee', 'writer', 'editor', 'nurse', 'teacher', 'recruiter',
    'generalist', 'sdr', 'bdr', 'ae', 'executive', 'attorney', 'counsel', 'paralegal', 'administrator', 'admin',
    'planner', 'buyer', 'strategist', 'programmer', 'tester', 'support', 'receptionist', 'secretary', 'bookkeeper',
    'cashier', 'driver', 'operator', 'mechanic', 'electrician', 'plumber', 'installer', 'therapist', 'physician',
    'pharmacist', 'staff', 'member', 'worker', 'producer', 'copywriter', 'auditor', 'underwriter', 'broker',
    'realtor', 'advocate', 'instructor', 'professor', 'lecturer', 'tutor', 'doctor', 'dentist', 'hygienist',
    'surveyor', 'inspector', 'dispatcher', 'estimator', 'scheduler', 'machinist', 'welder', 'carpenter', 'laborer',
    'chef', 'cook', 'server', 'barista', 'host', 'stylist', 'trader', 'actuary', 'economist', 'researcher', 'fellow',
    'apprentice', 'principal', 'partner', 'owner', 'lead',
  ], true)],
];

/**
 * Titles whose rank word is not a rank: an assistant to an executive, an account or case
 * manager (a client-facing individual role), a product owner.
 */
const NOT_A_RANK = words([
  '(?:executive |personal |administrative )?(?:assistant|secretary) to(?: the)? \\w+', 'executive assistant',
  'account manager', 'relationship manager', 'case manager', 'product owner',
]);

/** Functions by the words of a title; the matcher is industry's (whole words, phrases, stems). */
const DEPARTMENTS: Readonly<Record<string, readonly string[]>> = {
  sales: ['sales', 'account executive', 'account manager', 'business development', 'bdr', 'sdr', 'ae', 'inside sales',
    'channel', 'partnerships', 'revenue', 'territory', 'key account*', 'pre sales', 'presales', 'cro', 'selling', 'dealer',
    'salesperson', 'salesman', 'saleswoman', 'realtor', 'broker', 'merchandis*'],
  marketing: ['marketing', 'marketer', 'brand', 'branding', 'content', 'seo', 'sem', 'growth', 'demand generation',
    'demand gen', 'communications', 'public relations', 'pr', 'social media', 'digital', 'cmo', 'campaign*', 'advertising',
    'copywriter', 'events', 'product marketing', 'community', 'creative', 'media'],
  engineering: ['engineering', 'engineer', 'developer', 'software', 'devops', 'sre', 'programmer', 'cto', 'architect',
    'frontend', 'front end', 'backend', 'back end', 'full stack', 'fullstack', 'qa', 'quality assurance', 'tester', 'firmware',
    'mobile developer', 'machine learning', 'data scientist', 'data engineer', 'r and d', 'research and development',
    'mechanical', 'electrical', 'civil', 'hardware', 'embedded'],
  finance: ['finance', 'financial', 'cfo', 'accounting', 'accountant', 'controller', 'comptroller', 'treasury', 'treasurer',
    'payroll', 'bookkeeper', 'bookkeeping', 'fp and a', 'fpa', 'audit', 'auditor', 'tax', 'accounts payable', 'accounts receivable',
    'billing', 'credit', 'investment*', 'actuary', 'underwriter', 'budget', 'cpa', 'trader'],
  operations: ['operations', 'operation', 'coo', 'logistics', 'supply chain', 'procurement', 'purchasing', 'buyer',
    'warehouse', 'facilities', 'facility', 'production', 'plant', 'manufacturing', 'fleet', 'dispatcher', 'scheduler',
    'inventory', 'shipping', 'office manager', 'office', 'general manager', 'gm', 'project manager', 'program manager',
    'administrative', 'executive assistant', 'administrator', 'admin', 'quality', 'safety', 'store manager', 'store',
    'planner', 'estimator', 'superintendent', 'foreman'],
  hr: ['human resources', 'hr', 'people', 'talent', 'recruiter', 'recruiting', 'recruitment', 'chro', 'benefits',
    'compensation', 'hris', 'learning and development', 'training', 'workforce', 'personnel', 'staffing', 'payroll and benefits',
    'employee experience', 'diversity'],
  it: ['it', 'information technology', 'cio', 'systems administrator', 'sysadmin', 'network', 'helpdesk', 'help desk',
    'desktop support', 'infrastructure', 'security', 'cybersecurity', 'ciso', 'information security', 'database', 'dba',
    'technology', 'technical support', 'it support', 'cloud', 'systems'],
  legal: ['legal', 'counsel', 'attorney', 'lawyer', 'paralegal', 'compliance', 'general counsel', 'contracts', 'regulatory',
    'privacy', 'litigation', 'solicitor', 'clerk of court', 'intellectual property', 'ip counsel', 'risk'],
  support: ['customer service', 'customer support', 'customer success', 'customer experience', 'support', 'client services',
    'customer care', 'service desk', 'call center', 'contact center', 'client success', 'service', 'helpline'],
  product: ['product', 'product manager', 'product owner', 'ux', 'ui', 'user experience', 'design', 'designer', 'cpo',
    'product design', 'user research'],
  executive: ['ceo', 'founder', 'co founder', 'cofounder', 'owner', 'president', 'chairman', 'chief executive', 'managing director',
    'executive director', 'board', 'principal', 'proprietor', 'partner', 'general partner', 'managing partner'],
};

const department = createKeywordMatcher(DEPARTMENTS);

/** Seniority and department of a job title, with the words that decided. */
export function classifyJobTitle(title: string): JobTitleResult {
  if (!title) return { seniority: '', department: '', evidence: [] };
  const folded = title.toLowerCase().replace(/[^a-z0-9]+/g, ' ').trim();
  const evidence: string[] = [];
  let seniority: Seniority | '' = '';
  const notRank = NOT_A_RANK.exec(folded);
  if (notRank) {
    seniority = 'individual_contributor';
    evidence.push(`seniority:"${notRank[0]}"`);
  }
  if (!seniority) for (const [rank, pattern] of SENIORITY) {
    const m = pattern.exec(folded);
    if (m) {
      seniority = rank;
      evidence.push(`seniority:"${m[0]}"`);
      break;
    }
  }
  const hits = department.hits(folded);
  const best = bestHit(hits);
  if (best) evidence.push(`department:"${best.hits.map((h) => h.keyword).join(', ')}"`);
  return { seniority, department: best?.label ?? '', evidence };
}
