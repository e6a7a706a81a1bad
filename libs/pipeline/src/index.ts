export { REASONS, reason, reasonCodes, reasonDetails, reasonInfo } from './reasons.js';
export type { ReasonCode, ReasonInfo, Severity } from './reasons.js';
export { JOB_FAILURES, jobFailure } from './job-failures.js';
export type { JobFailureCode } from './job-failures.js';
export { isUuid, leadIdFor } from './lead-id.js';
export {
  DISPOSITION_NAMES,
  countDispositions,
  dispositionName,
  isOpen,
} from './dispositions.js';
export type { DispositionCounts, DispositionName } from './dispositions.js';
export type { Stage, BatchStage, Sink, Fanout } from './stage.js';
export { fanout, isFanout, outputsOf } from './stage.js';
export { runPipeline } from './run-pipeline.js';
export type { PipelineOptions } from './run-pipeline.js';
export { bounded } from './bounded.js';
export { LeadflowError, isTransient } from './errors.js';
export { failedBatch } from './batches.js';
export { ALTERNATE_COLUMNS, alternateCells, alternateKeys, alternatesOf, emptyLead, foldText, LEAD_COLUMNS, leadRecord } from './lead-record.js';
export type { Alternates, LeadColumn, LeadRecord } from './lead-record.js';
export { emailKey } from './email-key.js';
export { instrument } from './instrument.js';
export { FREE_EMAIL_DOMAINS } from './free-email-domains.js';
export { csvCell, csvRow } from './csv-row.js';
export { OUTPUT_KINDS, OUTPUT_LAYOUTS, outputCells, outputOf } from './output-layouts.js';
export type {
  DuplicateOutput, LeadOutput, OutputColumns, OutputFields, OutputKind, OutputLayout, OutputRecords, RejectedOutput, SuppressedOutput,
} from './output-layouts.js';
export { createCancelledJobs, skipCancelled } from './cancelled-jobs.js';
export type { CancelLookup, CancelLookupMany, CancelledJobs, CancelledJobsOptions } from './cancelled-jobs.js';
export { throttledSave } from './throttled-save.js';
export type { ThrottledSave } from './throttled-save.js';
export { fileLabels, fileRowOf, jobRowNumber, MAX_FILE_ROWS, MAX_FILES, nextFileLabel } from './file-rows.js';
export {
  BUILT_IN_TAG_PREFIXES, BUILT_IN_TAGS, compileTagRules, MAX_TAG_RULES, NO_TAG_RULES, parseTagRules, TAG_RULE_FIELDS, TAG_RULE_OPERATORS, TagRuleError,
} from './tag-rules.js';
export type { CompiledTagRules, FieldCondition, TagCondition, TagFacts, TagRule } from './tag-rules.js';
