import { percentile } from './lead-latency.js';

/** Where each delivery run is inserted in services/delivery/bench/RESULTS.md, newest first. */
export const DELIVERY_RUNS_MARKER = '<!-- npm run bench:delivery inserts each run below this line, newest first -->';

/** The goals of issue 14 ("Throughput"). */
export const DELIVERY_GOALS = { recordPerSecond: 1_000, batchLeadsPerSecond: 20_000, p99AddedMs: 50 } as const;

/** A throughput mode's figure: what was sent and how long until the outbox recorded all of it delivered. */
export interface ThroughputFigure {
  events: number;
  leads: number;
  seconds: number;
  /** CPU time of the bench process (dispatcher and receiver) meanwhile. */
  cpuSeconds?: number;
  /** CPU time of the PostgreSQL server meanwhile (every process of it), when it runs from `npm run infra`'s local binaries. */
  dbCpuSeconds?: number;
}

/** The added latency of events written at a steady pace, ms from written to received. */
export interface LatencyFigure {
  events: number;
  pacePerSecond: number;
  p50: number;
  p99: number;
  max: number;
}

export interface DeliveryRun {
  date: Date;
  commit: string;
  machine: string;
  concurrency: number;
  /** The dispatcher's PostgreSQL pool. */
  pgConnections: number;
  record?: ThroughputFigure | { failure: string };
  batch?: ThroughputFigure | { failure: string };
  latency?: LatencyFigure | { failure: string };
}

/** p50, p99 and max of latencies in ms (nearest rank). */
export function latencyOf(latencies: readonly number[], pacePerSecond: number): LatencyFigure {
  const sorted = [...latencies].sort((x, y) => x - y);
  return { events: sorted.length, pacePerSecond, p50: percentile(sorted, 50), p99: percentile(sorted, 99), max: sorted.at(-1) ?? Number.NaN };
}

/** "met" or "missed": a rate is met at or above its goal, a latency strictly below it. */
export function verdict(value: number, goal: number, kind: 'rate' | 'latency'): 'met' | 'missed' {
  if (!Number.isFinite(value)) return 'missed';
  return (kind === 'rate' ? value >= goal : value < goal) ? 'met' : 'missed';
}

const int = (n: number) => Math.round(n).toLocaleString('en-US');
const ms = (n: number) => `${n < 10 ? n.toFixed(1) : Math.round(n)} ms`;

function throughputRow(name: string, unit: 'requests' | 'leads', f: DeliveryRun['record'], goal: number): string {
  if (!f) return `| ${name} | not run | | |`;
  if ('failure' in f) return `| ${name} | **failed**: ${f.failure.replace(/\|/g, '\\|')} | | |`;
  const rate = (unit === 'requests' ? f.events : f.leads) / f.seconds;
  const what = unit === 'requests' ? `${int(f.events)} events of 1 lead` : `${int(f.events)} events of ${int(f.leads / f.events)} leads (${int(f.leads)} leads)`;
  const cpu = f.cpuSeconds === undefined ? '' : `; process CPU ${((1000 * f.cpuSeconds) / f.events).toFixed(2)} ms/request (${Math.round((100 * f.cpuSeconds) / f.seconds)}% of a core)`;
  const perCpu = (seconds: number) => `${int((unit === 'requests' ? f.events : f.leads) / seconds)} ${unit}/CPU-second`;
  const db =
    f.dbCpuSeconds === undefined || f.cpuSeconds === undefined
      ? ''
      : `; PostgreSQL CPU ${((1000 * f.dbCpuSeconds) / f.events).toFixed(2)} ms/request; ${perCpu(f.cpuSeconds)} of the process, ${perCpu(f.cpuSeconds + f.dbCpuSeconds)} with PostgreSQL's`;
  return `| ${name} | ${what} in ${f.seconds.toFixed(2)} s${cpu}${db} | **${int(rate)} ${unit}/s** | ≥ ${int(goal)}/s: ${verdict(rate, goal, 'rate')} |`;
}

/** One run as Markdown: heading, machine, then a table of the three figures against their goals. */
export function formatDeliveryRun(run: DeliveryRun): string {
  const l = run.latency;
  const latencyRow = !l
    ? '| added latency | not run | | |'
    : 'failure' in l
      ? `| added latency | **failed**: ${l.failure.replace(/\|/g, '\\|')} | | |`
      : `| added latency (record mode, written at ${int(l.pacePerSecond)}/s) | ${int(l.events)} events | p50 ${ms(l.p50)}, **p99 ${ms(l.p99)}**, max ${ms(l.max)} | ` +
        `p99 < ${DELIVERY_GOALS.p99AddedMs} ms: ${verdict(l.p99, DELIVERY_GOALS.p99AddedMs, 'latency')} |`;
  return [
    `### ${run.date.toISOString().slice(0, 16).replace('T', ' ')} UTC · commit ${run.commit}`,
    '',
    `- Machine: ${run.machine}`,
    `- One dispatcher, concurrency ${run.concurrency}, real PostgreSQL (pool of ${run.pgConnections} connections); receiver: node:http on 127.0.0.1 answering 200 at once (keep-alive), in the same process.`,
    '',
    '| mode | sent | figure | goal (issue 14) |',
    '|---|---|---|---|',
    throughputRow('record', 'requests', run.record, DELIVERY_GOALS.recordPerSecond),
    throughputRow('batch', 'leads', run.batch, DELIVERY_GOALS.batchLeadsPerSecond),
    latencyRow,
    '',
  ].join('\n');
}

/** `text` with `entry` inserted just below the marker (added at the end when missing): newest first. */
export function insertNewestFirst(text: string, marker: string, entry: string): string {
  const withMarker = text.includes(marker) ? text : `${text.trimEnd()}\n\n${marker}\n`;
  const at = withMarker.indexOf(marker) + marker.length;
  const rest = withMarker.slice(at).replace(/^\n+/, '');
  return `${withMarker.slice(0, at)}\n\n${entry.trimEnd()}\n${rest ? `\n${rest}` : ''}`;
}
