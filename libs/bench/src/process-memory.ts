import { readdirSync, readFileSync } from 'node:fs';

/**
 * Memory of processes as the kernel counts it (Linux /proc), not the JS heap: resident pages
 * of the whole process, native buffers, WebAssembly memory (PGlite) and the JVM alike.
 */

function statusField(pid: number, field: 'VmRSS' | 'VmHWM'): number | undefined {
  try {
    const match = new RegExp(`^${field}:\\s+(\\d+) kB`, 'm').exec(readFileSync(`/proc/${pid}/status`, 'utf8'));
    return match ? Number(match[1]) * 1024 : undefined;
  } catch {
    return undefined; // gone, or not ours to read
  }
}

/** The process's peak resident set since it started (VmHWM), in bytes. */
export const peakRss = (pid: number) => statusField(pid, 'VmHWM');

/**
 * The process's proportional set size in bytes: its private pages plus its share of pages it
 * shares. Summed over the processes of a server (PostgreSQL's backends share its buffers) it
 * counts each page once, where summed resident sets would count shared buffers per backend.
 */
export function proportionalSetSize(pid: number): number | undefined {
  try {
    const match = /^Pss:\s+(\d+) kB/m.exec(readFileSync(`/proc/${pid}/smaps_rollup`, 'utf8'));
    return match ? Number(match[1]) * 1024 : undefined;
  } catch {
    return undefined;
  }
}

/** `pid` and every process below it. */
export function processTree(pid: number): number[] {
  const children = new Map<number, number[]>();
  for (const entry of readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    try {
      // The command name (field 2) is in parentheses and may hold spaces: the parent pid follows the last ')'.
      const stat = readFileSync(`/proc/${entry}/stat`, 'utf8');
      const parent = Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[1]);
      children.set(parent, [...(children.get(parent) ?? []), Number(entry)]);
    } catch {
      // exited while we looked
    }
  }
  const out: number[] = [];
  const visit = (p: number) => {
    out.push(p);
    for (const child of children.get(p) ?? []) visit(child);
  };
  visit(pid);
  return out;
}

/**
 * processTree(pid), scanned again at most every `everyMs`: a scan of /proc takes some 20 ms on
 * a loaded machine, which sampling four times a second would take from the process measured.
 */
export function cachedTree(pid: number, everyMs = 5000): () => number[] {
  let scannedAt = -Infinity;
  let pids = [pid];
  return () => {
    if (performance.now() - scannedAt >= everyMs) {
      pids = processTree(pid);
      scannedAt = performance.now();
    }
    return pids;
  };
}

/** Whether this machine exposes the counters above. */
export const canMeasureMemory = () => peakRss(process.pid) !== undefined;

/**
 * The peak memory of a group of processes, sampled: `peakOfEach` keeps the highest VmHWM seen
 * of every process of the group (processes that exit keep their last reading) and sums them;
 * `sharedServer` sums the proportional set size of the group at each sample and keeps the
 * highest sum.
 */
export interface MemoryProbe {
  sample(): void;
  /** Bytes, or undefined when nothing could be read. */
  peak(): number | undefined;
  /** The latest reading of the group, in bytes (for a memory cap). */
  current(): number;
}

export function peakOfEach(pids: () => number[]): MemoryProbe {
  const peaks = new Map<number, number>();
  let latest = 0;
  return {
    sample() {
      latest = 0;
      for (const pid of pids()) {
        const hwm = peakRss(pid);
        if (hwm === undefined) continue;
        peaks.set(pid, Math.max(hwm, peaks.get(pid) ?? 0));
        latest += statusField(pid, 'VmRSS') ?? 0;
      }
    },
    peak: () => (peaks.size === 0 ? undefined : [...peaks.values()].reduce((a, b) => a + b, 0)),
    current: () => latest,
  };
}

export function sharedServer(pids: () => number[]): MemoryProbe {
  let peak: number | undefined;
  let latest = 0;
  return {
    sample() {
      const sizes = pids().map(proportionalSetSize).filter((s): s is number => s !== undefined);
      if (sizes.length === 0) return;
      latest = sizes.reduce((a, b) => a + b, 0);
      peak = Math.max(peak ?? 0, latest);
    },
    peak: () => peak,
    current: () => latest,
  };
}

/** Samples the probes every `intervalMs` until stopped; `onSample` may end the run (a memory cap). */
export function startSampling(probes: readonly MemoryProbe[], intervalMs: number, onSample: () => void = () => {}): { stop(): void } {
  const tick = () => {
    for (const probe of probes) probe.sample();
    onSample();
  };
  tick();
  const timer = setInterval(tick, intervalMs);
  return {
    stop() {
      clearInterval(timer);
      tick();
    },
  };
}
