/**
 * A push-to-pull bridge for one upload: the Kafka consumer pushes chunks as they arrive and
 * the reader pulls them. `push` resolves once the reader has taken the chunk, so at most one
 * chunk waits in memory.
 */
export class ChunkChannel implements AsyncIterable<Uint8Array> {
  private queued: { chunk: Uint8Array; taken: () => void }[] = [];
  private ended = false;
  private error: Error | undefined;
  private wake: (() => void) | undefined;

  push(chunk: Uint8Array): Promise<void> {
    if (this.ended) return Promise.resolve();
    return new Promise((taken) => {
      this.queued.push({ chunk, taken });
      this.notify();
    });
  }

  /** No more chunks; with an error, the reader fails with it after the chunks already pushed. */
  end(error?: Error): void {
    this.ended = true;
    this.error ??= error;
    this.notify();
  }

  private notify() {
    const wake = this.wake;
    this.wake = undefined;
    wake?.();
  }

  async *[Symbol.asyncIterator](): AsyncGenerator<Uint8Array> {
    try {
      for (;;) {
        const next = this.queued.shift();
        if (next) {
          next.taken();
          yield next.chunk;
          continue;
        }
        if (this.ended) {
          if (this.error) throw this.error;
          return;
        }
        await new Promise<void>((resolve) => (this.wake = resolve));
      }
    } finally {
      // A reader that stops early releases every pusher still waiting.
      this.ended = true;
      for (const q of this.queued.splice(0)) q.taken();
    }
  }
}
