/**
 * Runs `source` ahead of its consumer by up to `capacity` items, so that the stages before
 * and after a bounded queue work at the same time while memory stays bounded.
 */
export async function* bounded<T>(source: AsyncIterable<T>, capacity: number): AsyncGenerator<T> {
  const iterator = source[Symbol.asyncIterator]();
  const ahead: Promise<IteratorResult<T>>[] = [];
  let done = false;
  const pull = () => {
    // Each pull chains on the previous one: the source is never asked twice at once.
    const prev = ahead.at(-1);
    const next = prev ? prev.then((r) => (r.done ? r : iterator.next())) : iterator.next();
    ahead.push(next);
  };
  try {
    while (!done) {
      while (ahead.length < capacity) pull();
      const result = await ahead.shift()!;
      if (result.done) {
        done = true;
      } else {
        yield result.value;
      }
    }
  } finally {
    if (!done) {
      // Let settled promises settle so that nothing rejects unhandled, then close the source.
      await Promise.allSettled(ahead);
      await iterator.return?.();
    }
  }
}
