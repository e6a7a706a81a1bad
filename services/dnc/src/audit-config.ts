import { int } from '@leadflow/config';

/** How long the DNC audit keeps a check (docs/dnc-lists.md, "The audit"). */
export const auditRetentionSchema = {
  auditRetentionDays: [
    'DNC_AUDIT_RETENTION_DAYS',
    int({ min: 1, default: 1826, description: 'days the Do-Not-Call audit keeps each check (five years by default), then deletes it' }),
  ],
} as const;
