import type { RowOutcome } from '@leadflow/persistence';

/** How concurrent single leads are gathered into one job (docs/single-leads.md, "Leads sent at once"). */
export interface LeadBatchingOptions {
  /**
   * The longest a lead waits for the batch before it of the same group to be answered before it
   * goes on without it, ms. A lead that finds nothing of its group on its way goes at once.
   * @default 10
   */
  lingerMs?: number;
  /**
   * The most leads in one batch.
   * @default 64
   */
  maxRows?: number;
}

/** One lead's place in the batch that carried it, and how it was filed (undefined: not within its wait). */
export interface BatchedLead {
  jobId: string;
  row: number;
  outcome: RowOutcome | undefined;
}

/** Leads of one group handed on as one batch: the job made for them, and each row's outcome within the time left of its wait. */
export type FlushLeads = (group: LeadGroup, leads: readonly { cells: string[]; deadline: number }[]) => Promise<{
  jobId: string;
  /** Row `row` (1-based, in the order given) filed, or undefined once `waitMs` has passed. */
  outcome(row: number, waitMs: number): Promise<RowOutcome | undefined>;
}>;

/** What the leads of one batch share: tenant, supplier and the field names in the order sent. */
export interface LeadGroup {
  tenantId: string;
  supplier: string;
  header: string[];
}

interface Pending {
  cells: string[];
  /** performance.now() at which the caller stops waiting. */
  deadline: number;
  resolve(lead: BatchedLead): void;
  reject(err: unknown): void;
}

interface Group extends LeadGroup {
  key: string;
  forming: Pending[];
  inFlight: number;
  timer: NodeJS.Timeout | undefined;
  immediate: NodeJS.Immediate | undefined;
}

/**
 * Gathers single leads that arrive while others of the same tenant, supplier and field names are
 * on their way into one batch (one job, a row each), as a database gathers commits: a lead that
 * finds none of its group in flight goes at once (after the current turn of the event loop, so
 * that requests read in the same turn go with it), one that finds one waits until that one is
 * answered or `lingerMs` passed, whichever is first, and `maxRows` waiting go at once. Each lead
 * is answered with its own row's outcome.
 */
export function createLeadBatcher(flush: FlushLeads, opts: LeadBatchingOptions = {}) {
  const lingerMs = opts.lingerMs ?? 10;
  const maxRows = opts.maxRows ?? 64;
  const groups = new Map<string, Group>();

  const send = (group: Group) => {
    clearTimeout(group.timer);
    group.timer = undefined;
    if (group.immediate) clearImmediate(group.immediate);
    group.immediate = undefined;
    const leads = group.forming.splice(0, maxRows);
    if (leads.length === 0) return;
    group.inFlight++;
    const done = () => {
      group.inFlight--;
      // Gathered while it ran: they go after the next poll for I/O, with what it reads.
      if (group.forming.length > 0) schedule(group);
      else if (group.inFlight === 0) groups.delete(group.key);
    };
    void (async () => {
      let batch;
      try {
        batch = await flush(group, leads.map(({ cells, deadline }) => ({ cells, deadline })));
      } catch (err) {
        for (const lead of leads) lead.reject(err);
        return done();
      }
      const { jobId } = batch;
      await Promise.all(
        leads.map(async (lead, i) => {
          const waitMs = Math.max(0, Math.ceil(lead.deadline - performance.now()));
          const outcome = waitMs > 0 ? await batch.outcome(i + 1, waitMs).catch(() => undefined) : undefined;
          lead.resolve({ jobId, row: i + 1, outcome });
        }),
      );
      done();
    })();
    if (group.forming.length > 0) schedule(group);
  };

  const schedule = (group: Group) => {
    if (group.forming.length >= maxRows) return send(group);
    if (group.inFlight === 0) {
      group.immediate ??= setImmediate(() => send(group));
      return;
    }
    group.timer ??= setTimeout(() => send(group), lingerMs);
  };

  return {
    /** Hands the lead on with others of its group; resolves with its job, row and outcome once known or its wait ran out. */
    add(lead: LeadGroup & { cells: string[]; waitMs: number }): Promise<BatchedLead> {
      const key = JSON.stringify([lead.tenantId, lead.supplier, lead.header]);
      let group = groups.get(key);
      if (!group) {
        group = { key, tenantId: lead.tenantId, supplier: lead.supplier, header: lead.header, forming: [], inFlight: 0, timer: undefined, immediate: undefined };
        groups.set(key, group);
      }
      const g = group;
      return new Promise<BatchedLead>((resolve, reject) => {
        g.forming.push({ cells: lead.cells, deadline: performance.now() + lead.waitMs, resolve, reject });
        schedule(g);
      });
    },
  };
}
