export interface GrowthOptions {
  /** CPU time one measurement lasts at least (a small input is worked on again until it does), in ms. @default 25 */
  minMs?: number;
  /** Measurements of each size, taken in turn; the fastest of each counts. @default 3 */
  tries?: number;
}

const cpuMs = () => {
  const { user, system } = process.cpuUsage();
  return (user + system) / 1000;
};

async function measure(work: (size: number) => unknown, size: number, times: number): Promise<number> {
  const start = cpuMs();
  for (let i = 0; i < times; i++) await work(size);
  return (cpuMs() - start) / times;
}

/**
 * How much more CPU time `work` takes per unit of input at size `large` than at `small`:
 * about 1 when its cost grows linearly with its input (less when a fixed cost dominates),
 * about `large / small` when it grows with the square. Made to hold on a machine that other
 * processes load: CPU time of this process rather than the wall clock, the sizes measured in
 * turn, the fastest of `tries` measurements of each kept, a small input repeated until it
 * lasts `minMs`. Bounded: `tries` runs of the large input, whatever it costs.
 */
export async function costGrowth(work: (size: number) => unknown, small: number, large: number, opts: GrowthOptions = {}): Promise<number> {
  const minMs = opts.minMs ?? 25;
  const tries = opts.tries ?? 3;
  await work(small);
  let times = 1;
  while (times < 1_000_000 && (await measure(work, small, times)) * times < minMs) times *= 2;
  const largeTimes = Math.max(1, Math.round((times * small) / large));
  let bestSmall = Infinity;
  let bestLarge = Infinity;
  for (let i = 0; i < tries; i++) {
    bestSmall = Math.min(bestSmall, await measure(work, small, times));
    bestLarge = Math.min(bestLarge, await measure(work, large, largeTimes));
  }
  return bestLarge / large / (Math.max(bestSmall, 0.001) / small);
}
