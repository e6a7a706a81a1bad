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

/**
 * A read that a busy server may drop (a reset connection, no answer in time: `leadflow serve`
 * on a loaded machine), tried up to `attempts` times, a second apart; the last failure is thrown.
 */
export async function readAgain<T>(read: () => Promise<T>, attempts = 5): Promise<T> {
  for (let attempt = 1; ; attempt++) {
    try {
      return await read();
    } catch (err) {
      if (attempt >= attempts || !(err instanceof TypeError)) throw err;
      await sleep(1000);
    }
  }
}
