import { credentials, type ClientReadableStream } from '@grpc/grpc-js';
import { JobEvent, JobStatus, LeadflowGatewayClient, type Job, type WatchJobResponse } from '@leadflow/proto';
import { bearer, withApiKey } from './api-keys.js';

/** A job as REST shows it, as far as a watcher looks at it. */
export interface WatchedJob {
  id: string;
  status: string;
  counts: Record<string, number>;
  progress: {
    percent: number | null;
    rate: number | null;
    estimatedEnd: string | null;
    stages: Record<string, { rowsIn: number; rowsOut: Record<string, number> }>;
  };
}

/** An event a watcher received, and when (ms, this process's clock). */
export interface ReceivedEvent {
  event: string;
  job: WatchedJob;
  at: number;
}

/** Every Server-Sent Event of GET /v1/jobs/{id}/events until the server ends the stream; fails after `timeoutMs`. */
export async function readJobEvents(base: string, key: string, jobId: string, timeoutMs = 240_000): Promise<ReceivedEvent[]> {
  const res = await fetch(`${base}/v1/jobs/${jobId}/events`, { headers: bearer(key), signal: AbortSignal.timeout(timeoutMs) });
  if (res.status !== 200) throw new Error(`events of job ${jobId}: ${res.status} ${await res.text()}`);
  const events: ReceivedEvent[] = [];
  const decoder = new TextDecoder();
  let buffer = '';
  for await (const chunk of res.body!) {
    buffer += decoder.decode(chunk, { stream: true });
    for (let end = buffer.indexOf('\n\n'); end >= 0; end = buffer.indexOf('\n\n')) {
      const lines = buffer.slice(0, end).split('\n');
      buffer = buffer.slice(end + 2);
      const field = (name: string) => lines.find((l) => l.startsWith(`${name}: `))?.slice(name.length + 2);
      events.push({ event: field('event') ?? '', job: JSON.parse(field('data') ?? 'null') as WatchedJob, at: Date.now() });
    }
  }
  return events;
}

/** Every message of gRPC WatchJob until the server ends the stream, each with its event name as REST has it. */
export function watchJobOverGrpc(address: string, key: string, jobId: string, timeoutMs = 240_000): Promise<{ event: string; job: Job; at: number }[]> {
  const client = new LeadflowGatewayClient(address, credentials.createInsecure(), { interceptors: [withApiKey(key)] });
  const got: { event: string; job: Job; at: number }[] = [];
  return new Promise<typeof got>((resolve, reject) => {
    const stream = client.watchJob({ id: jobId }, { deadline: Date.now() + timeoutMs }) as unknown as ClientReadableStream<WatchJobResponse>;
    stream.on('data', (m: WatchJobResponse) => got.push({ event: JobEvent[m.event].replace('JOB_EVENT_', '').toLowerCase(), job: m.job!, at: Date.now() }));
    stream.on('end', () => resolve(got));
    stream.on('error', reject);
  }).finally(() => client.close());
}

export const grpcStatusName = (s: JobStatus) => JobStatus[s].replace('JOB_STATUS_', '').toLowerCase();

const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)] ?? Infinity;

/**
 * What is wrong with the events a watcher got of a job that ran for a while and ended `ended`:
 * `progress` events first, at least once a second while the job ran (the median gap between
 * two events at most a second, and as many events as seconds it ran: a loaded machine may
 * delay one, not the cadence), then one `ended` event, last. Answers one line per problem.
 */
export function cadenceProblems(events: { event: string; at: number }[], ended: string): string[] {
  const problems: string[] = [];
  const names = events.map((e) => e.event);
  if (names.at(-1) !== ended) problems.push(`the last event is "${names.at(-1)}", not "${ended}"`);
  const progress = events.slice(0, -1);
  const others = progress.filter((e) => e.event !== 'progress');
  if (others.length > 0) problems.push(`events before the end that are not progress: ${others.map((e) => e.event).join(', ')}`);
  if (progress.length < 3) problems.push(`only ${progress.length} progress events: the job ran too briefly to judge, or they were not sent`);
  const gaps = events.slice(1).map((e, i) => e.at - events[i]!.at);
  const seconds = (events.at(-1)!.at - events[0]!.at) / 1000;
  if (median(gaps) > 1000) problems.push(`median gap between events ${median(gaps)} ms, over a second (gaps: ${gaps.join(', ')})`);
  if (progress.length < Math.floor(seconds)) problems.push(`${progress.length} progress events over ${seconds.toFixed(1)} s: fewer than one a second`);
  return problems;
}
