import { emptyLead, LeadflowError, type BatchStage } from '@leadflow/pipeline';
import { Disposition, JobRef, LeadRow, type LeadBatch } from '@leadflow/proto';
import type { SqlClient } from '@leadflow/stores';

/** A stored lead as a re-screening reads it (persistence's RescreenLeadStore answers these). */
export interface RescreenLead {
  id: string;
  tenantId: string;
  jobId: string;
  rowNumber: number;
  phone: string;
  email: string;
  state: string;
  consentDate: string;
  alternates: { emails: string[]; phones: string[] };
}

export interface RescreenReason {
  code: string;
  field?: string;
  detail?: string;
}

/** A lead marked suppressed by a re-screening. */
export interface RescreenSuppressed {
  id: string;
  tenantId: string;
  jobId: string;
  rowNumber: number;
  reasons: RescreenReason[];
  suppressedAt: string;
}

/** The stored leads (services/persistence/src/rescreen-store.ts), structurally. */
export interface RescreenLeads {
  nextTenant(after: string): Promise<string | null>;
  page(q: { tenantId: string; after: { jobId: string; rowNumber: number } | null; limit: number; jobId?: string; dueBefore?: Date }): Promise<RescreenLead[]>;
  screened(db: SqlClient, ids: readonly string[]): Promise<void>;
  suppress(db: SqlClient, tenantId: string, leads: readonly { id: string; reasons: RescreenReason[] }[]): Promise<RescreenSuppressed[]>;
}

/** One re-screening (a row of dnc_rescreens), with its place. */
export interface RescreenRun {
  id: string;
  /** null: every tenant's leads. */
  tenantId: string | null;
  jobId: string | null;
  dueBefore: Date | null;
  cursor: { tenantId: string; jobId: string | null; rowNumber: number | null } | null;
}

export interface RescreenDeps {
  db: SqlClient;
  leads: RescreenLeads;
  /** The dnc stage, its checks audited under the re-screening's id (createSqlDncAudit's `rescreen`); without freshness: nothing is held. */
  stageFor(rescreenId: string): BatchStage;
  /** Writes what delivery must do for the leads just suppressed (lead.suppressed, pending events withdrawn), in the page's transaction. */
  notify(tx: SqlClient, tenantId: string, leads: readonly RescreenSuppressed[]): Promise<unknown>;
  /** Leads a page. @default 500 */
  pageSize?: number;
}

/** What one page did; `cursor` is where the run stands after it (null: the run is done). */
export interface PageOutcome {
  screened: number;
  suppressed: number;
  cursor: RescreenRun['cursor'];
  /** The leads suppressed by this page (tests, logs). */
  leads: RescreenSuppressed[];
}

/** The reasons a re-screening keeps on a suppressed lead: what suppressed it, not the info an exemption left. */
const suppressing = (row: LeadRow): RescreenReason[] =>
  row.reasons.filter((r) => r.code !== 'DNC_EXEMPT').map((r) => ({ code: r.code, ...(r.field ? { field: r.field } : {}), ...(r.detail ? { detail: r.detail } : {}) }));

/** A stored lead as a row the dnc stage screens: its phones, emails, state and consent. */
export function rowOf(lead: RescreenLead): LeadRow {
  return LeadRow.fromPartial({
    rowNumber: lead.rowNumber,
    leadId: lead.id,
    disposition: Disposition.DISPOSITION_ACCEPTED,
    lead: {
      ...emptyLead(),
      phone: lead.phone,
      email: lead.email,
      state: lead.state,
      consentDate: lead.consentDate,
      alternatePhones: lead.alternates.phones.map((value) => ({ value, header: '' })),
      alternateEmails: lead.alternates.emails.map((value) => ({ value, header: '' })),
    },
  });
}

/**
 * Screens one page of a run's leads (docs/rescreen.md): the next `pageSize` leads not suppressed
 * after the run's cursor (moving on to the next tenant when the run is every tenant's), through
 * the dnc stage a job at a time, then in one transaction stamps them screened, marks those now
 * listed suppressed and tells delivery. Answers what it did and where the run stands.
 */
export async function rescreenPage(deps: RescreenDeps, run: RescreenRun): Promise<PageOutcome> {
  const limit = deps.pageSize ?? 500;
  let tenantId = run.cursor?.tenantId ?? run.tenantId ?? (await deps.leads.nextTenant(''));
  let after = run.cursor?.jobId ? { jobId: run.cursor.jobId, rowNumber: run.cursor.rowNumber ?? 0 } : null;
  // Tenants with nothing left to screen are passed over; bounded by the tenants there are.
  for (let hops = 0; tenantId !== null && hops < 10_000; hops++) {
    const leads = await deps.leads.page({
      tenantId, after, limit, ...(run.jobId ? { jobId: run.jobId } : {}), ...(run.dueBefore ? { dueBefore: run.dueBefore } : {}),
    });
    if (leads.length === 0) {
      if (run.tenantId !== null) return { screened: 0, suppressed: 0, cursor: null, leads: [] };
      tenantId = await deps.leads.nextTenant(tenantId);
      after = null;
      continue;
    }
    const tenant = tenantId;
    const stage = deps.stageFor(run.id);
    const listed: { id: string; reasons: RescreenReason[] }[] = [];
    for (let i = 0; i < leads.length; ) {
      const jobId = leads[i]!.jobId;
      let j = i;
      while (j < leads.length && leads[j]!.jobId === jobId) j++;
      const group = leads.slice(i, j);
      const batch: LeadBatch = {
        job: JobRef.fromPartial({ jobId, tenantId: tenant }), seq: 0, header: [], mapping: [], last: false, totalRows: 0, failure: undefined,
        rows: group.map(rowOf),
      };
      const out = await stage(batch);
      if (out.rows.length !== batch.rows.length) throw new LeadflowError('RESCREEN_ROWS_HELD', 'the dnc stage held rows of a re-screening: it must run without freshness', false);
      out.rows.forEach((r, k) => {
        if (r.disposition === Disposition.DISPOSITION_SUPPRESSED) listed.push({ id: group[k]!.id, reasons: suppressing(r) });
      });
      i = j;
    }
    const last = leads.at(-1)!;
    const suppressed = await deps.db.transaction(async (tx) => {
      await deps.leads.screened(tx, leads.map((l) => l.id));
      const marked = await deps.leads.suppress(tx, tenant, listed);
      if (marked.length > 0) await deps.notify(tx, tenant, marked);
      return marked;
    });
    return {
      screened: leads.length, suppressed: suppressed.length, leads: suppressed,
      cursor: { tenantId: tenant, jobId: last.jobId, rowNumber: last.rowNumber },
    };
  }
  return { screened: 0, suppressed: 0, cursor: null, leads: [] };
}
