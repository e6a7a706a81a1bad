import { setTimeout as sleep } from 'node:timers/promises';

/**
 * Polls `check` until it returns a value other than undefined, and returns it; fails naming
 * `what` and the last value seen after `timeoutMs`. For outcomes that arrive asynchronously.
 */
export async function waitUntil<T>(
  what: string,
  check: () => Promise<T | undefined> | T | undefined,
  opts: { timeoutMs?: number; intervalMs?: number; describe?: () => Promise<unknown> | unknown } = {},
): Promise<T> {
  const deadline = Date.now() + (opts.timeoutMs ?? 60_000);
  for (;;) {
    const value = await check();
    if (value !== undefined) return value;
    if (Date.now() > deadline) {
      const seen = opts.describe ? JSON.stringify(await opts.describe()) : '';
      throw new Error(`timed out waiting for ${what}${seen ? `; last seen: ${seen}` : ''}`);
    }
    await sleep(opts.intervalMs ?? 200);
  }
}
