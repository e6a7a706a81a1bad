interface Queued {
  chunk: Uint8Array;
  taken: () => void;
  refused: (reason: Error) => void;
}

/**
 * A push-to-pull bridge for one upload: the writer pushes chunks as they arrive and the
 * reader pulls them. `push` resolves once the reader has taken the chunk, so at most one
 * chunk waits in memory.
 */
export class ChunkChannel implements AsyncIterable<Uint8Array> {
  private queued: Queued[] = [];
  private ended = false;
  private error: Error | undefined;
  private closed: { reason: Error | undefined } | undefined;
  private wake: (() => void) | undefined;

  push(chunk: Uint8Array): Promise<void> {
    if (this.closed) return this.closed.reason ? Promise.reject(this.closed.reason) : Promise.resolve();
    if (this.ended) return Promise.resolve();
    return new Promise((taken, refused) => {
      this.queued.push({ chunk, taken, refused });
      this.notify();
    });
  }

  /** No more chunks; with an error, the reader fails with it after the chunks already pushed. */
  end(error?: Error): void {
    this.ended = true;
    this.error ??= error;
    this.notify();
  }

  /**
   * The reader is gone, whether it read to the end or not: every push waiting and every later
   * one settles at once, rejecting with `reason` when there is one (the writer learns why the
   * file is refused), else resolving with its bytes unread. The reader's owner calls this when
   * reading ends: a reader that fails early does not always return its iterator (a decoder that
   * throws abandons the generators wrapped around the source), and a writer waiting on it would
   * wait forever, holding its client's connection.
   */
  close(reason?: Error): void {
    // The reader may have let go of its iterator before its owner knew why: the reason still counts.
    if (!this.closed?.reason) this.closed = { reason };
    this.ended = true;
    for (const q of this.queued.splice(0)) {
      if (this.closed.reason) q.refused(this.closed.reason);
      else q.taken();
    }
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
        if (this.closed) {
          if (this.closed.reason) throw this.closed.reason;
          return;
        }
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
      this.close();
    }
  }
}
