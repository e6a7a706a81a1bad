import { credentials, status as GrpcStatus, type ServiceError } from '@grpc/grpc-js';
import { LeadflowGatewayClient, LeadflowGatewayService } from '@leadflow/proto';
import { bearer, withApiKey } from './api-keys.js';
import { csvRowsByName } from './files.js';
import { waitUntil } from './wait-until.js';

/**
 * The access walk of issue 11, against a running gateway (`leadflow serve` or Kafka mode): the
 * routes come from the server's own API document and the RPCs from the service it registers, so
 * a route or RPC added later without a case here fails the walk, and one added without a tenant
 * scope fails its case.
 */

type Role = 'admin' | 'uploader' | 'viewer';

/** What tenant A owns, made through the API and the real pipeline (seedTenant). */
export interface TenantObjects {
  /** A completed job. */
  jobId: string;
  /** A job waiting for its mapping to be reviewed. */
  reviewJobId: string;
  /** A lead with a merge into it. */
  leadId: string;
  mergeId: string;
  /** A lead flagged as a possible duplicate of another. */
  possibleDuplicateId: string;
  /** A key of the tenant (viewer), by prefix, and the key itself. */
  keyPrefix: string;
  viewerKey: string;
  uploaderKey: string;
  /** The supplier of its jobs and of its dedup policy: a name no other tenant uses. */
  supplier: string;
  /** That supplier's id (made by the seed job's upload), with a price of 0.25 USD. */
  supplierId: string;
  /** A backup of its header synonyms (which name the supplier, so that no other tenant may see them). */
  synonymBackupId: string;
  /** A webhook endpoint of the tenant (disabled: nothing is sent to it). */
  webhookId: string;
  /** A Do-Not-Call exemption it recorded (docs/dnc-lists.md, "Exemptions"). */
  exemptionId: string;
  /** A re-screening it asked for (docs/rescreen.md). */
  rescreenId: string;
}

/**
 * Four rows whose pipeline makes every kind of object: Robert twice (the second adds a phone:
 * a merge into his lead), and Marek at Annette's address (a household: a possible duplicate).
 */
export const SEED_CSV = [
  'first_name,last_name,email,phone,street,city,state,postal_code',
  'Annette,Kowalski,annette@x.com,,44 Forbes Street,Kellerberrin,VIC,4510',
  'Marek,Kowalski,marek@y.com,,44 Forbes Street,Kellerberrin,VIC,4510',
  'Robert,Lee,rlee@acme.com,,9 Elm Road,Austin,TX,78701',
  'Robert,Lee,rlee@acme.com,+12015550123,9 Elm Road,Austin,TX,78701',
  '',
].join('\n');

interface Answer {
  status: number;
  text: string;
  /** The `code` of an error answer. */
  code?: string;
}

/** One REST call; `key` undefined sends none. */
export async function callRest(
  base: string, key: string | undefined, method: string, path: string, body?: { json?: unknown; form?: FormData; text?: string }, timeoutMs = 60_000,
): Promise<Answer> {
  const headers: Record<string, string> = key === undefined ? {} : bearer(key);
  let payload: string | FormData | undefined;
  if (body?.json !== undefined) {
    headers['content-type'] = 'application/json';
    payload = JSON.stringify(body.json);
  } else if (body?.form) payload = body.form;
  else if (body?.text !== undefined) {
    headers['content-type'] = 'text/plain';
    payload = body.text;
  }
  const res = await fetch(`${base}${path}`, { method, headers, body: payload, signal: AbortSignal.timeout(timeoutMs) });
  const text = await res.text();
  let code: string | undefined;
  try {
    code = (JSON.parse(text) as { code?: string }).code;
  } catch {
    // Not JSON: an export or an event stream.
  }
  return { status: res.status, text, code };
}

/** A multipart upload of `csv` as walk.csv, with the form fields given. */
export const uploadForm = (csv: string, fields: Record<string, string>) => {
  const form = new FormData();
  for (const [k, v] of Object.entries(fields)) form.append(k, v);
  form.append('file', new Blob([csv], { type: 'text/csv' }), 'walk.csv');
  return form;
};

async function expectOk(what: string, answer: Promise<Answer>): Promise<Answer> {
  const a = await answer;
  if (a.status >= 300) throw new Error(`${what}: ${a.status} ${a.text.slice(0, 300)}`);
  return a;
}

/** Makes tenant A's objects through the API with its admin key, and waits until the pipeline has filed them. */
export async function seedTenant(base: string, adminKey: string, supplier: string, opts: { timeoutMs?: number } = {}): Promise<TenantObjects> {
  const timeoutMs = opts.timeoutMs ?? 240_000;
  const job = JSON.parse((await expectOk('upload', callRest(base, adminKey, 'POST', '/v1/jobs', { form: uploadForm(SEED_CSV, { supplier }) }))).text) as { id: string };
  const status = (id: string) => callRest(base, adminKey, 'GET', `/v1/jobs/${id}`).then((a) => (JSON.parse(a.text) as { status: string }).status);
  await waitUntil('the seed job to complete', async () => ((await status(job.id)) === 'completed' ? true : undefined), { timeoutMs, intervalMs: 250 });
  const { supplierId } = JSON.parse((await expectOk('job', callRest(base, adminKey, 'GET', `/v1/jobs/${job.id}`))).text) as { supplierId: string };
  await expectOk('supplier', callRest(base, adminKey, 'PATCH', `/v1/suppliers/${supplierId}`, { json: { costPerLead: { amount: '0.25', currency: 'USD' } } }));
  const leads = csvRowsByName((await expectOk('export', callRest(base, adminKey, 'GET', `/v1/jobs/${job.id}/exports/leads.csv`))).text);
  const robert = leads.find((l) => l.email === 'rlee@acme.com');
  if (!robert) throw new Error(`the seed job stored no lead for Robert: ${JSON.stringify(leads.map((l) => l.email))}`);
  const merges = JSON.parse((await expectOk('merges', callRest(base, adminKey, 'GET', `/v1/leads/${robert.lead_id}/merges`))).text) as { merges: { id: string }[] };
  const possible = JSON.parse((await expectOk('possible duplicates', callRest(base, adminKey, 'GET', '/v1/possible-duplicates'))).text) as {
    possibleDuplicates: { leadId: string }[];
  };
  if (!merges.merges[0] || !possible.possibleDuplicates[0]) throw new Error(`the seed job made no merge or no possible duplicate: ${JSON.stringify({ merges, possible })}`);
  const review = JSON.parse(
    (await expectOk('review upload', callRest(base, adminKey, 'POST', '/v1/jobs', { form: uploadForm('email\nann@x.com\n', { supplier, review: 'true' }) }))).text,
  ) as { id: string };
  await waitUntil('the review job to wait for review', async () => ((await status(review.id)) === 'awaiting_review' ? true : undefined), { timeoutMs, intervalMs: 250 });
  await expectOk('policy', callRest(base, adminKey, 'PUT', '/v1/dedup/policy', { json: { supplier, policy: { lookbackDays: 30 } } }));
  await expectOk('synonyms', callRest(base, adminKey, 'PUT', '/v1/mapping/synonyms', { json: { synonyms: { source: [`${supplier} Herkunft`] } } }));
  await expectOk('supplier mapping', callRest(base, adminKey, 'PUT', `/v1/suppliers/${supplierId}/mapping`, { json: { mapping: [{ header: `${supplier} Ref`, field: 'source' }] } }));
  await expectOk('tag rules', callRest(base, adminKey, 'PUT', '/v1/tags/rules', { json: { rules: [{ tag: 'walk-vip', when: { field: 'supplier', equals: supplier } }] } }));
  const synonymBackup = JSON.parse((await expectOk('synonym backup', callRest(base, adminKey, 'POST', '/v1/mapping/synonyms/backups'))).text) as { id: string };
  const webhook = JSON.parse((await expectOk('webhook', callRest(base, adminKey, 'POST', '/v1/webhooks', { json: WALK_WEBHOOK }))).text) as { id: string };
  const exemption = JSON.parse(
    (await expectOk('exemption', callRest(base, adminKey, 'POST', '/v1/dnc/exemptions', { json: { phone: '+12015550123', kind: 'ebr_inquiry', date: '2026-01-02', evidence: { text: 'seed' } } }))).text,
  ) as { id: string };
  const rescreen = JSON.parse((await expectOk('rescreen', callRest(base, adminKey, 'POST', '/v1/dnc/rescreen', { json: { jobId: job.id } }))).text) as { id: string };
  const viewer = JSON.parse((await expectOk('key', callRest(base, adminKey, 'POST', '/v1/keys', { json: { role: 'viewer', name: 'walk viewer' } }))).text) as {
    key: string;
    prefix: string;
  };
  const uploader = JSON.parse((await expectOk('key', callRest(base, adminKey, 'POST', '/v1/keys', { json: { role: 'uploader', name: 'walk uploader' } }))).text) as {
    key: string;
  };
  return {
    uploaderKey: uploader.key,
    jobId: job.id,
    reviewJobId: review.id,
    leadId: robert.lead_id!,
    mergeId: merges.merges[0].id,
    possibleDuplicateId: possible.possibleDuplicates[0].leadId,
    keyPrefix: viewer.prefix,
    viewerKey: viewer.key,
    supplier,
    supplierId,
    synonymBackupId: synonymBackup.id,
    webhookId: webhook.id,
    exemptionId: exemption.id,
    rescreenId: rescreen.id,
  };
}

/** A webhook endpoint the walk makes: disabled, so that nothing is ever sent to it. */
const WALK_WEBHOOK = { url: 'http://127.0.0.1:9/walk', mode: 'record', enabled: false, description: 'walk' };

/** Robert of SEED_CSV, sent alone (POST /v1/leads, SubmitLead). */
const ROBERT_AGAIN = { first_name: 'Robert', last_name: 'Lee', email: 'rlee@acme.com' };

interface RestCase {
  role: Role;
  /** The request, aimed at tenant A's objects where the route takes one. */
  request: (a: TenantObjects) => { path: string; body?: { json?: unknown; form?: FormData; text?: string } };
  /** What another tenant gets: A's object not found (that code), or its own answer, which must name nothing of A's. */
  other: { notFound: string } | 'own';
}

const job = (suffix = '') => (a: TenantObjects) => ({ path: `/v1/jobs/${a.jobId}${suffix}` });

/** Every route but the open ones, by `METHOD /path` as the API document writes it. */
export const REST_CASES: Record<string, RestCase> = {
  'POST /v1/jobs': { role: 'uploader', request: () => ({ path: '/v1/jobs', body: { form: uploadForm('email\nb@x.com\n', {}) } }), other: 'own' },
  'GET /v1/jobs/{id}': { role: 'viewer', request: job(), other: { notFound: 'JOB_NOT_FOUND' } },
  'GET /v1/jobs/{id}/events': { role: 'viewer', request: job('/events'), other: { notFound: 'JOB_NOT_FOUND' } },
  'GET /v1/jobs': { role: 'viewer', request: () => ({ path: '/v1/jobs?limit=100' }), other: 'own' },
  'GET /v1/jobs/{id}/errors': { role: 'viewer', request: job('/errors'), other: { notFound: 'JOB_NOT_FOUND' } },
  'GET /v1/jobs/{id}/mapping': { role: 'viewer', request: job('/mapping'), other: { notFound: 'JOB_NOT_FOUND' } },
  'POST /v1/jobs/{id}/mapping': {
    role: 'uploader',
    request: (a) => ({ path: `/v1/jobs/${a.reviewJobId}/mapping`, body: { json: { fields: {} } } }),
    other: { notFound: 'JOB_NOT_FOUND' },
  },
  'GET /v1/jobs/{id}/exports/{kind}': { role: 'viewer', request: job('/exports/leads.csv'), other: { notFound: 'JOB_NOT_FOUND' } },
  'GET /v1/jobs/{id}/download': { role: 'viewer', request: job('/download'), other: { notFound: 'JOB_NOT_FOUND' } },
  'GET /v1/leads/{id}/merges': { role: 'viewer', request: (a) => ({ path: `/v1/leads/${a.leadId}/merges` }), other: { notFound: 'LEAD_NOT_FOUND' } },
  'POST /v1/merges/{id}/revert': { role: 'admin', request: (a) => ({ path: `/v1/merges/${a.mergeId}/revert` }), other: { notFound: 'MERGE_NOT_FOUND' } },
  'POST /v1/jobs/{id}/cancel': { role: 'uploader', request: (a) => ({ path: `/v1/jobs/${a.jobId}/cancel` }), other: { notFound: 'JOB_NOT_FOUND' } },
  'GET /v1/possible-duplicates': { role: 'viewer', request: () => ({ path: '/v1/possible-duplicates?status=open' }), other: 'own' },
  'POST /v1/possible-duplicates/{leadId}': {
    role: 'admin',
    request: (a) => ({ path: `/v1/possible-duplicates/${a.possibleDuplicateId}`, body: { json: { decision: 'distinct' } } }),
    other: { notFound: 'POSSIBLE_DUPLICATE_NOT_FOUND' },
  },
  'GET /v1/settings/jobs': { role: 'viewer', request: () => ({ path: '/v1/settings/jobs' }), other: 'own' },
  'PUT /v1/settings/jobs': { role: 'admin', request: () => ({ path: '/v1/settings/jobs', body: { json: { maxRunningJobs: 0 } } }), other: 'own' },
  'GET /v1/storage': { role: 'admin', request: () => ({ path: '/v1/storage' }), other: 'own' },
  // A person no tenant has: erasing them removes nothing, and only ever from the caller's tenant (docs/erasure.md).
  'POST /v1/erasure': { role: 'admin', request: () => ({ path: '/v1/erasure', body: { json: { email: 'nobody@walk.example' } } }), other: 'own' },
  'GET /v1/tags/rules': { role: 'viewer', request: () => ({ path: '/v1/tags/rules' }), other: 'own' },
  'PUT /v1/tags/rules': { role: 'admin', request: () => ({ path: '/v1/tags/rules', body: { json: { rules: [{ tag: 'walk', when: { field: 'email', exists: true } }] } } }), other: 'own' },
  'GET /v1/settings/quality': { role: 'viewer', request: () => ({ path: '/v1/settings/quality' }), other: 'own' },
  'PUT /v1/settings/quality': { role: 'admin', request: () => ({ path: '/v1/settings/quality', body: { json: { threshold: 0 } } }), other: 'own' },
  'GET /v1/dedup/policies': { role: 'viewer', request: () => ({ path: '/v1/dedup/policies' }), other: 'own' },
  'PUT /v1/dedup/policy': { role: 'admin', request: () => ({ path: '/v1/dedup/policy', body: { json: { supplier: 'walk', policy: { lookbackDays: 7 } } } }), other: 'own' },
  'POST /v1/dnc/numbers': { role: 'admin', request: () => ({ path: '/v1/dnc/numbers', body: { json: { numbers: ['+12015550123'] } } }), other: 'own' },
  // A tenant's own list: another tenant's admin loads and reads its own (docs/dnc-lists.md).
  'GET /v1/dnc/lists': { role: 'viewer', request: () => ({ path: '/v1/dnc/lists' }), other: 'own' },
  'PUT /v1/dnc/lists/{list}': { role: 'admin', request: () => ({ path: '/v1/dnc/lists/internal', body: { text: '2015550123\n2015550124\n' } }), other: 'own' },
  'POST /v1/dnc/lists/{list}/changes': { role: 'admin', request: () => ({ path: '/v1/dnc/lists/internal/changes', body: { text: '2015550124,D\n' } }), other: 'own' },
  // A tenant's own exemptions: another tenant's admin records and reads its own, and cannot revoke A's.
  'POST /v1/dnc/exemptions': {
    role: 'admin',
    request: () => ({ path: '/v1/dnc/exemptions', body: { json: { phone: '+12015550123', kind: 'consent', date: '2026-01-01', evidence: { url: 'https://cert.example/walk' } } } }),
    other: 'own',
  },
  'GET /v1/dnc/exemptions': { role: 'viewer', request: () => ({ path: '/v1/dnc/exemptions?phone=%2B12015550123' }), other: 'own' },
  // Re-screenings: another tenant's admin asks for its own, and cannot read A's.
  'POST /v1/dnc/rescreen': { role: 'admin', request: () => ({ path: '/v1/dnc/rescreen', body: { json: {} } }), other: 'own' },
  'GET /v1/dnc/rescreen/{id}': { role: 'viewer', request: (a) => ({ path: `/v1/dnc/rescreen/${a.rescreenId}` }), other: { notFound: 'RESCREEN_NOT_FOUND' } },
  'DELETE /v1/dnc/exemptions/{id}': { role: 'admin', request: (a) => ({ path: `/v1/dnc/exemptions/${a.exemptionId}` }), other: { notFound: 'DNC_EXEMPTION_NOT_FOUND' } },
  // Robert Lee's number, screened in tenant A's seed job: another tenant sees only its own checks.
  'GET /v1/dnc/audit': { role: 'viewer', request: () => ({ path: '/v1/dnc/audit?phone=%2B12015550123' }), other: 'own' },
  'GET /v1/dnc/policy': { role: 'viewer', request: () => ({ path: '/v1/dnc/policy' }), other: 'own' },
  'PUT /v1/dnc/policy': { role: 'admin', request: () => ({ path: '/v1/dnc/policy', body: { json: { staleList: 'hold' } } }), other: 'own' },
  'GET /v1/keys': { role: 'admin', request: () => ({ path: '/v1/keys' }), other: 'own' },
  'POST /v1/keys': { role: 'admin', request: () => ({ path: '/v1/keys', body: { json: { role: 'viewer', name: 'walk' } } }), other: 'own' },
  'DELETE /v1/keys/{prefix}': { role: 'admin', request: (a) => ({ path: `/v1/keys/${a.keyPrefix}` }), other: { notFound: 'KEY_NOT_FOUND' } },
  'POST /v1/keys/{prefix}/rotate': { role: 'admin', request: (a) => ({ path: `/v1/keys/${a.keyPrefix}/rotate` }), other: { notFound: 'KEY_NOT_FOUND' } },
  'POST /v1/suppliers': { role: 'admin', request: () => ({ path: '/v1/suppliers', body: { json: { name: 'walk rest supplier' } } }), other: 'own' },
  'GET /v1/suppliers': { role: 'viewer', request: () => ({ path: '/v1/suppliers' }), other: 'own' },
  'GET /v1/suppliers/{id}': { role: 'viewer', request: (a) => ({ path: `/v1/suppliers/${a.supplierId}` }), other: { notFound: 'SUPPLIER_NOT_FOUND' } },
  'PATCH /v1/suppliers/{id}': {
    role: 'admin',
    request: (a) => ({ path: `/v1/suppliers/${a.supplierId}`, body: { json: { active: false, costPerLead: null } } }),
    other: { notFound: 'SUPPLIER_NOT_FOUND' },
  },
  'GET /v1/suppliers/{id}/mapping': { role: 'viewer', request: (a) => ({ path: `/v1/suppliers/${a.supplierId}/mapping` }), other: { notFound: 'SUPPLIER_NOT_FOUND' } },
  'GET /v1/suppliers/{id}/scorecard': {
    role: 'viewer', request: (a) => ({ path: `/v1/suppliers/${a.supplierId}/scorecard?from=2020-01-01` }), other: { notFound: 'SUPPLIER_NOT_FOUND' },
  },
  'PUT /v1/suppliers/{id}/mapping': {
    role: 'admin',
    request: (a) => ({ path: `/v1/suppliers/${a.supplierId}/mapping`, body: { json: { mapping: [{ header: 'Walk Ref', field: 'source' }] } } }),
    other: { notFound: 'SUPPLIER_NOT_FOUND' },
  },
  'GET /v1/template.csv': { role: 'viewer', request: () => ({ path: '/v1/template.csv' }), other: 'own' },
  'GET /v1/mapping/synonyms': { role: 'viewer', request: () => ({ path: '/v1/mapping/synonyms' }), other: 'own' },
  'PUT /v1/mapping/synonyms': { role: 'admin', request: () => ({ path: '/v1/mapping/synonyms', body: { json: { synonyms: { source: ['Walk Herkunft'] } } } }), other: 'own' },
  'POST /v1/mapping/synonyms/backups': { role: 'admin', request: () => ({ path: '/v1/mapping/synonyms/backups' }), other: 'own' },
  'GET /v1/mapping/synonyms/backups': { role: 'viewer', request: () => ({ path: '/v1/mapping/synonyms/backups' }), other: 'own' },
  'POST /v1/mapping/synonyms/backups/{id}/restore': {
    role: 'admin',
    request: (a) => ({ path: `/v1/mapping/synonyms/backups/${a.synonymBackupId}/restore` }),
    other: { notFound: 'SYNONYM_BACKUP_NOT_FOUND' },
  },
  // Robert's email, which tenant A has as a lead: another tenant's lead is its own, no duplicate of A's.
  'POST /v1/leads': { role: 'uploader', request: () => ({ path: '/v1/leads?wait=30000', body: { json: ROBERT_AGAIN } }), other: 'own' },
  // Delivery's control surface (docs/delivery.md): another tenant makes and reads its own endpoints and secrets.
  'POST /v1/webhooks': { role: 'admin', request: () => ({ path: '/v1/webhooks', body: { json: WALK_WEBHOOK } }), other: 'own' },
  'GET /v1/webhooks': { role: 'viewer', request: () => ({ path: '/v1/webhooks' }), other: 'own' },
  'GET /v1/webhooks/{id}': { role: 'viewer', request: (a) => ({ path: `/v1/webhooks/${a.webhookId}` }), other: { notFound: 'WEBHOOK_NOT_FOUND' } },
  'PATCH /v1/webhooks/{id}': {
    role: 'admin',
    request: (a) => ({ path: `/v1/webhooks/${a.webhookId}`, body: { json: { description: 'walked', enabled: false } } }),
    other: { notFound: 'WEBHOOK_NOT_FOUND' },
  },
  'DELETE /v1/webhooks/{id}': { role: 'admin', request: (a) => ({ path: `/v1/webhooks/${a.webhookId}` }), other: { notFound: 'WEBHOOK_NOT_FOUND' } },
  'POST /v1/webhooks/{id}/rotate': { role: 'admin', request: (a) => ({ path: `/v1/webhooks/${a.webhookId}/rotate` }), other: { notFound: 'WEBHOOK_NOT_FOUND' } },
  'GET /v1/webhooks/{id}/secret': { role: 'admin', request: (a) => ({ path: `/v1/webhooks/${a.webhookId}/secret` }), other: { notFound: 'WEBHOOK_NOT_FOUND' } },
  'GET /v1/schemas/events/{type}': { role: 'viewer', request: () => ({ path: '/v1/schemas/events/lead.created' }), other: 'own' },
  'POST /v1/webhooks/{id}/replay': {
    role: 'admin',
    request: (a) => ({ path: `/v1/webhooks/${a.webhookId}/replay`, body: { json: { status: 'failed' } } }),
    other: { notFound: 'WEBHOOK_NOT_FOUND' },
  },
  'GET /v1/settings/webhook-secret': { role: 'admin', request: () => ({ path: '/v1/settings/webhook-secret' }), other: 'own' },
  'POST /v1/settings/webhook-secret/rotate': { role: 'admin', request: () => ({ path: '/v1/settings/webhook-secret/rotate' }), other: 'own' },
  'PUT /v1/jobs/{id}/rate': { role: 'uploader', request: (a) => ({ path: `/v1/jobs/${a.jobId}/rate`, body: { json: { perSecond: 10 } } }), other: { notFound: 'JOB_NOT_FOUND' } },
  'GET /v1/deliveries': { role: 'viewer', request: () => ({ path: '/v1/deliveries?limit=100' }), other: 'own' },
};

interface ApiDocument {
  paths: Record<string, Record<string, { security?: unknown[] }>>;
}

/** The routes of the server's API document, `METHOD /path`, split into open ones and those that need a key. */
export async function documentedRoutes(base: string): Promise<{ open: string[]; guarded: string[] }> {
  const doc = JSON.parse((await expectOk('/docs/json', callRest(base, undefined, 'GET', '/docs/json'))).text) as ApiDocument;
  const open: string[] = [];
  const guarded: string[] = [];
  for (const [path, ops] of Object.entries(doc.paths)) {
    for (const [method, op] of Object.entries(ops)) (op.security?.length === 0 ? open : guarded).push(`${method.toUpperCase()} ${path}`);
  }
  return { open: open.sort(), guarded: guarded.sort() };
}

const ROLES: Role[] = ['viewer', 'uploader', 'admin'];
const below = (role: Role) => ROLES.slice(0, ROLES.indexOf(role));

/** What of A's may show in nothing another tenant is answered. */
const secretsOf = (a: TenantObjects) => [
  a.jobId, a.reviewJobId, a.leadId, a.possibleDuplicateId, a.keyPrefix, a.supplier, a.supplierId, a.synonymBackupId, a.webhookId,
];

/**
 * The REST walk: every guarded route without a key (401), with a key of each role below the one
 * it needs (403), and with tenant B's admin key on tenant A's objects (404, or B's own answer
 * naming nothing of A's). Answers the violations found, one line each: none is a pass.
 */
export async function walkRest(base: string, a: TenantObjects, otherAdmin: string): Promise<string[]> {
  const byRole: Partial<Record<Role, string>> = { viewer: a.viewerKey, uploader: a.uploaderKey };
  const { guarded } = await documentedRoutes(base);
  const problems: string[] = [];
  for (const route of guarded) {
    const c = REST_CASES[route];
    if (!c) {
      problems.push(`${route}: no case in the access walk (libs/testkit/src/tenant-walk.ts): say who may call it and what another tenant gets`);
      continue;
    }
    const method = route.split(' ')[0]!;
    const bare = await callRest(base, undefined, method, c.request(a).path, c.request(a).body);
    if (bare.status !== 401 || bare.code !== 'UNAUTHENTICATED') problems.push(`${route} without a key: ${bare.status} ${bare.code}, not 401 UNAUTHENTICATED`);
    for (const role of below(c.role)) {
      const key = byRole[role];
      if (!key) continue;
      const r = await callRest(base, key, method, c.request(a).path, c.request(a).body);
      if (r.status !== 403 || r.code !== 'FORBIDDEN') problems.push(`${route} with a ${role} key: ${r.status} ${r.code}, not 403 FORBIDDEN`);
    }
    const other = await callRest(base, otherAdmin, method, c.request(a).path, c.request(a).body);
    if (c.other === 'own') {
      if (other.status >= 400) problems.push(`${route} by another tenant: ${other.status} ${other.code}, not its own answer`);
      const leaked = secretsOf(a).filter((s) => other.text.includes(s));
      if (leaked.length > 0) problems.push(`${route} by another tenant shows tenant A's ${leaked.join(', ')}`);
    } else if (other.status !== 404 || other.code !== c.other.notFound) {
      problems.push(`${route} on tenant A's object by another tenant: ${other.status} ${other.code}, not 404 ${c.other.notFound}`);
    }
  }
  return problems;
}

type Client = LeadflowGatewayClient;
type Outcome = { code: number; text: string };

/** A unary or streaming call's outcome: status code 0 and what it answered, or its error's code. */
function settle(run: (done: (err: ServiceError | null, res?: unknown) => void) => void): Promise<Outcome> {
  return new Promise((resolve) => run((err, res) => resolve(err ? { code: err.code, text: err.details } : { code: GrpcStatus.OK, text: JSON.stringify(res ?? '') })));
}

function readStream(stream: NodeJS.EventEmitter & { cancel(): void }): Promise<Outcome> {
  return new Promise((resolve) => {
    let text = '';
    stream.on('data', (m: unknown) => {
      text += JSON.stringify(m);
      // An answer at all is what the walk looks at: no need to watch a job to its end.
      stream.cancel();
    });
    stream.on('error', (err: ServiceError) => resolve(err.code === GrpcStatus.CANCELLED ? { code: GrpcStatus.OK, text } : { code: err.code, text: err.details }));
    stream.on('end', () => resolve({ code: GrpcStatus.OK, text }));
  });
}

interface RpcCase {
  role: Role;
  call: (client: Client, a: TenantObjects) => Promise<Outcome>;
  other: 'not_found' | 'own';
}

/** Every RPC of LeadflowGateway. */
export const RPC_CASES: Record<keyof typeof LeadflowGatewayService, RpcCase> = {
  uploadFile: {
    role: 'uploader',
    call: (client) =>
      settle((done) => {
        const call = client.uploadFile(done);
        call.write({ metadata: { fileName: 'walk.csv', supplier: '', webhookUrl: '', sheet: '', review: false } });
        call.write({ chunk: Buffer.from('email\nb@x.com\n') });
        call.end();
      }),
    other: 'own',
  },
  pushRecords: {
    role: 'uploader',
    call: (client) =>
      settle((done) => {
        const call = client.pushRecords(done);
        call.write({ metadata: { fileName: 'walk', supplier: '', webhookUrl: '', sheet: '', review: false } });
        call.write({ record: { fields: { email: 'b@x.com' } } });
        call.end();
      }),
    other: 'own',
  },
  getJob: { role: 'viewer', call: (c, a) => settle((done) => c.getJob({ id: a.jobId }, done)), other: 'not_found' },
  watchJob: { role: 'viewer', call: (c, a) => readStream(c.watchJob({ id: a.jobId })), other: 'not_found' },
  addDncNumbers: { role: 'admin', call: (c) => settle((done) => c.addDncNumbers({ numbers: ['+12015550123'] }, done)), other: 'own' },
  listDncLists: { role: 'viewer', call: (c) => settle((done) => c.listDncLists({}, done)), other: 'own' },
  addDncExemption: {
    role: 'admin',
    call: (c) => settle((done) => c.addDncExemption({ phone: '+12015550123', email: '', kind: 'consent', date: '2026-01-01', evidence: { url: '', text: 'walk' } }, done)),
    other: 'own',
  },
  listDncExemptions: { role: 'viewer', call: (c) => settle((done) => c.listDncExemptions({ phone: '+12015550123', email: '' }, done)), other: 'own' },
  rescreenLeads: { role: 'admin', call: (c) => settle((done) => c.rescreenLeads({ list: '', jobId: '' }, done)), other: 'own' },
  getRescreen: { role: 'viewer', call: (c, a) => settle((done) => c.getRescreen({ id: a.rescreenId }, done)), other: 'not_found' },
  revokeDncExemption: { role: 'admin', call: (c, a) => settle((done) => c.revokeDncExemption({ id: a.exemptionId }, done)), other: 'not_found' },
  getDncPolicy: { role: 'viewer', call: (c) => settle((done) => c.getDncPolicy({}, done)), other: 'own' },
  setDncPolicy: { role: 'admin', call: (c) => settle((done) => c.setDncPolicy({ staleList: 'hold' }, done)), other: 'own' },
  getDncAudit: { role: 'viewer', call: (c) => settle((done) => c.getDncAudit({ phone: '+12015550123', limit: 0 }, done)), other: 'own' },
  replaceDncList: {
    role: 'admin',
    call: (client) =>
      settle((done) => {
        const call = client.replaceDncList(done);
        call.write({ target: { list: 'internal', snapshotDate: '' } });
        call.write({ chunk: Buffer.from('2015550123\n2015550124\n') });
        call.end();
      }),
    other: 'own',
  },
  changeDncList: {
    role: 'admin',
    call: (client) =>
      settle((done) => {
        const call = client.changeDncList(done);
        call.write({ target: { list: 'internal', snapshotDate: '' } });
        call.write({ chunk: Buffer.from('2015550124,D\n') });
        call.end();
      }),
    other: 'own',
  },
  getMapping: { role: 'viewer', call: (c, a) => settle((done) => c.getMapping({ jobId: a.jobId }, done)), other: 'not_found' },
  confirmMapping: { role: 'uploader', call: (c, a) => settle((done) => c.confirmMapping({ jobId: a.reviewJobId, fields: {}, file: '' }, done)), other: 'not_found' },
  exportRows: { role: 'viewer', call: (c, a) => readStream(c.exportRows({ jobId: a.jobId, kind: 'leads' })), other: 'not_found' },
  downloadJob: { role: 'viewer', call: (c, a) => readStream(c.downloadJob({ jobId: a.jobId })), other: 'not_found' },
  listMerges: { role: 'viewer', call: (c, a) => settle((done) => c.listMerges({ leadId: a.leadId }, done)), other: 'not_found' },
  revertMerge: { role: 'admin', call: (c, a) => settle((done) => c.revertMerge({ id: a.mergeId }, done)), other: 'not_found' },
  setDedupPolicy: { role: 'admin', call: (c) => settle((done) => c.setDedupPolicy({ supplier: 'walk', policy: { lookbackDays: 7, compositeKeys: [] } }, done)), other: 'own' },
  listDedupPolicies: { role: 'viewer', call: (c) => settle((done) => c.listDedupPolicies({}, done)), other: 'own' },
  listPossibleDuplicates: { role: 'viewer', call: (c) => settle((done) => c.listPossibleDuplicates({ status: 'open', limit: 100, after: '' }, done)), other: 'own' },
  decidePossibleDuplicate: {
    role: 'admin',
    call: (c, a) => settle((done) => c.decidePossibleDuplicate({ leadId: a.possibleDuplicateId, decision: 'distinct' }, done)),
    other: 'not_found',
  },
  createSupplier: {
    role: 'admin',
    call: (c) => settle((done) => c.createSupplier({ name: 'walk grpc supplier', costPerLead: { amount: '1', currency: 'EUR' }, phoneRegion: '' }, done)),
    other: 'own',
  },
  listSuppliers: { role: 'viewer', call: (c) => settle((done) => c.listSuppliers({ limit: 0, after: '' }, done)), other: 'own' },
  getSupplier: { role: 'viewer', call: (c, a) => settle((done) => c.getSupplier({ id: a.supplierId }, done)), other: 'not_found' },
  updateSupplier: {
    role: 'admin',
    call: (c, a) => settle((done) => c.updateSupplier({ id: a.supplierId, costPerLead: undefined, clearCostPerLead: true, active: false }, done)),
    other: 'not_found',
  },
  getTemplate: { role: 'viewer', call: (c) => settle((done) => c.getTemplate({}, done)), other: 'own' },
  getSynonyms: { role: 'viewer', call: (c) => settle((done) => c.getSynonyms({}, done)), other: 'own' },
  setSynonyms: { role: 'admin', call: (c) => settle((done) => c.setSynonyms({ synonyms: { source: { headers: ['Walk Herkunft'] } } }, done)), other: 'own' },
  backupSynonyms: { role: 'admin', call: (c) => settle((done) => c.backupSynonyms({}, done)), other: 'own' },
  listSynonymBackups: { role: 'viewer', call: (c) => settle((done) => c.listSynonymBackups({}, done)), other: 'own' },
  restoreSynonyms: { role: 'admin', call: (c, a) => settle((done) => c.restoreSynonyms({ id: a.synonymBackupId }, done)), other: 'not_found' },
  listJobs: {
    role: 'viewer',
    call: (c) => settle((done) => c.listJobs({ status: [], supplier: '', q: '', createdFrom: '', createdTo: '', limit: 100, after: '' }, done)),
    other: 'own',
  },
  listJobErrors: { role: 'viewer', call: (c, a) => settle((done) => c.listJobErrors({ jobId: a.jobId, limit: 0 }, done)), other: 'not_found' },
  cancelJob: { role: 'uploader', call: (c, a) => settle((done) => c.cancelJob({ id: a.jobId }, done)), other: 'not_found' },
  getJobLimits: { role: 'viewer', call: (c) => settle((done) => c.getJobLimits({}, done)), other: 'own' },
  getStorage: { role: 'admin', call: (c) => settle((done) => c.getStorage({}, done)), other: 'own' },
  erasePerson: { role: 'admin', call: (c) => settle((done) => c.erasePerson({ email: 'nobody@walk.example', phone: '' }, done)), other: 'own' },
  setJobLimits: { role: 'admin', call: (c) => settle((done) => c.setJobLimits({ maxRunningJobs: 0 }, done)), other: 'own' },
  getTagRules: { role: 'viewer', call: (c) => settle((done) => c.getTagRules({}, done)), other: 'own' },
  setTagRules: { role: 'admin', call: (c) => settle((done) => c.setTagRules({ rules: [{ tag: 'walk', when: '{"field": "email", "exists": true}' }] }, done)), other: 'own' },
  getSupplierScorecard: { role: 'viewer', call: (c, a) => settle((done) => c.getSupplierScorecard({ id: a.supplierId, from: '', to: '' }, done)), other: 'not_found' },
  getQualitySettings: { role: 'viewer', call: (c) => settle((done) => c.getQualitySettings({}, done)), other: 'own' },
  setQualitySettings: { role: 'admin', call: (c) => settle((done) => c.setQualitySettings({ weights: {}, threshold: 0, callingWindow: undefined }, done)), other: 'own' },
  submitLead: { role: 'uploader', call: (c) => settle((done) => c.submitLead({ lead: ROBERT_AGAIN, supplier: '', waitMs: 30_000 }, done)), other: 'own' },
  getSupplierMapping: { role: 'viewer', call: (c, a) => settle((done) => c.getSupplierMapping({ id: a.supplierId }, done)), other: 'not_found' },
  setSupplierMapping: {
    role: 'admin',
    call: (c, a) =>
      settle((done) => c.setSupplierMapping({ id: a.supplierId, mapping: [{ header: 'Walk Ref', field: 'source', learnedAt: '', learnedBy: '', jobId: '' }] }, done)),
    other: 'not_found',
  },
  createWebhook: {
    role: 'admin',
    call: (c) => settle((done) => c.createWebhook({ ...WALK_WEBHOOK, events: [], headers: {} }, done)),
    other: 'own',
  },
  listWebhooks: { role: 'viewer', call: (c) => settle((done) => c.listWebhooks({}, done)), other: 'own' },
  getWebhook: { role: 'viewer', call: (c, a) => settle((done) => c.getWebhook({ id: a.webhookId }, done)), other: 'not_found' },
  updateWebhook: {
    role: 'admin',
    call: (c, a) => settle((done) => c.updateWebhook({ id: a.webhookId, description: 'walked', enabled: false, events: undefined, headers: undefined }, done)),
    other: 'not_found',
  },
  deleteWebhook: { role: 'admin', call: (c, a) => settle((done) => c.deleteWebhook({ id: a.webhookId }, done)), other: 'not_found' },
  rotateWebhookSecret: { role: 'admin', call: (c, a) => settle((done) => c.rotateWebhookSecret({ id: a.webhookId }, done)), other: 'not_found' },
  getWebhookSecret: { role: 'admin', call: (c, a) => settle((done) => c.getWebhookSecret({ id: a.webhookId }, done)), other: 'not_found' },
  getDefaultWebhookSecret: { role: 'admin', call: (c) => settle((done) => c.getDefaultWebhookSecret({}, done)), other: 'own' },
  rotateDefaultWebhookSecret: { role: 'admin', call: (c) => settle((done) => c.rotateDefaultWebhookSecret({}, done)), other: 'own' },
  setJobRate: { role: 'uploader', call: (c, a) => settle((done) => c.setJobRate({ id: a.jobId, perSecond: 10 }, done)), other: 'not_found' },
  listDeliveries: { role: 'viewer', call: (c) => settle((done) => c.listDeliveries({ status: '', job: '', endpoint: '', limit: 100, after: '' }, done)), other: 'own' },
  getEventSchema: { role: 'viewer', call: (c) => settle((done) => c.getEventSchema({ type: 'lead.created' }, done)), other: 'own' },
  replayWebhook: {
    role: 'admin',
    call: (c, a) => settle((done) => c.replayWebhook({ id: a.webhookId, job: '', from: '', to: '', status: 'failed' }, done)),
    other: 'not_found',
  },
};

/** The gRPC walk, as walkRest: every RPC the service has, without a key, with lesser roles, and as another tenant. */
export async function walkGrpc(address: string, a: TenantObjects, otherAdmin: string): Promise<string[]> {
  const client = (key?: string) => new LeadflowGatewayClient(address, credentials.createInsecure(), key ? { interceptors: [withApiKey(key)] } : {});
  const problems: string[] = [];
  const clients: Record<string, Client> = { bare: client(), other: client(otherAdmin), viewer: client(a.viewerKey), uploader: client(a.uploaderKey) };
  try {
    for (const method of Object.keys(LeadflowGatewayService) as (keyof typeof LeadflowGatewayService)[]) {
      const c = RPC_CASES[method];
      const bare = await c.call(clients.bare!, a);
      if (bare.code !== GrpcStatus.UNAUTHENTICATED) problems.push(`${method} without a key: status ${bare.code} (${bare.text.slice(0, 80)}), not UNAUTHENTICATED`);
      for (const role of below(c.role)) {
        const r = await c.call(clients[role]!, a);
        if (r.code !== GrpcStatus.PERMISSION_DENIED) problems.push(`${method} with a ${role} key: status ${r.code} (${r.text.slice(0, 80)}), not PERMISSION_DENIED`);
      }
      const other = await c.call(clients.other!, a);
      if (c.other === 'own') {
        if (other.code !== GrpcStatus.OK) problems.push(`${method} by another tenant: status ${other.code} (${other.text.slice(0, 80)}), not its own answer`);
        const leaked = secretsOf(a).filter((s) => other.text.includes(s));
        if (leaked.length > 0) problems.push(`${method} by another tenant shows tenant A's ${leaked.join(', ')}`);
      } else if (other.code !== GrpcStatus.NOT_FOUND) {
        problems.push(`${method} on tenant A's object by another tenant: status ${other.code} (${other.text.slice(0, 80)}), not NOT_FOUND`);
      }
    }
  } finally {
    for (const c of Object.values(clients)) c.close();
  }
  return problems;
}
