import type { Bus } from './create-bus.js';
import { TOPICS } from './topics.js';

export interface DeadLetterInput {
  service: string;
  sourceTopic: string;
  partition: number;
  offset: string;
  /** The message key: the job id. */
  key: string;
  payload: Uint8Array;
  error: Error & { code?: unknown };
}

/** Puts a message that could not be handled on `leadflow.dlq.v1` with its error and origin. */
export async function sendDeadLetter(bus: Bus, d: DeadLetterInput): Promise<void> {
  await bus.send(TOPICS.dlq, [
    {
      key: d.key,
      value: {
        sourceTopic: d.sourceTopic,
        partition: d.partition,
        offset: d.offset,
        errorCode: typeof d.error.code === 'string' ? d.error.code : 'LEADFLOW_ERR_STAGE',
        errorMessage: d.error.message,
        payload: d.payload,
        jobId: d.key,
        service: d.service,
      },
    },
  ]);
}
