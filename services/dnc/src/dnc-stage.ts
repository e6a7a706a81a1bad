import { Disposition } from '@leadflow/proto';
import { isOpen, reason, type BatchStage } from '@leadflow/pipeline';
import type { DncRegistry } from '@leadflow/stores';
import type { DncAudit, DncCheck } from './dnc-audit.js';

export interface DncStageOptions {
  registry: DncRegistry;
  audit: DncAudit;
}

const NATIONAL = 'national';

/** Open rows whose phone is on the Do-Not-Call registry become SUPPRESSED; every check is audited. */
export function createDncStage(opts: DncStageOptions): BatchStage {
  return async (batch) => {
    const rows = batch.rows.filter((r) => isOpen(r) && r.lead?.phone);
    if (rows.length === 0) return batch;
    const listed = await opts.registry.contains(rows.map((r) => r.lead!.phone));
    const checks: DncCheck[] = rows.map((row, i) => ({
      jobId: batch.job?.jobId ?? '',
      rowNumber: row.rowNumber,
      tenantId: batch.job?.tenantId ?? '',
      phone: row.lead!.phone,
      list: NATIONAL,
      listed: listed[i] === true,
    }));
    await opts.audit.record(checks);
    rows.forEach((row, i) => {
      if (!listed[i]) return;
      row.disposition = Disposition.DISPOSITION_SUPPRESSED;
      row.reasons.push(reason('DNC_NATIONAL', 'phone'));
    });
    return batch;
  };
}
