import type { ServerWritableStream } from '@grpc/grpc-js';

/** Resolves when the stream can take more, or the client has gone. */
function drained(call: ServerWritableStream<unknown, unknown>): Promise<void> {
  return new Promise((resolve) => {
    const done = () => {
      call.off('drain', done);
      call.off('cancelled', done);
      call.off('close', done);
      resolve();
    };
    call.on('drain', done);
    call.on('cancelled', done);
    call.on('close', done);
  });
}

/**
 * CSV lines as a server stream (ExportRows, DownloadJob), in messages of about 64 KiB: few
 * enough to be cheap, small enough to stream. A client that reads slower than the rows come is
 * waited for (the stream's drain), so a job's rows are never all in memory; one that goes away
 * ends the stream. `release` (the tenant's stream slot) is called once, however it ends.
 */
export async function streamCsv<Res>(
  call: ServerWritableStream<unknown, Res>,
  release: () => void,
  lines: AsyncIterable<string>,
  message: (csv: string) => Res,
): Promise<void> {
  try {
    let buffered = '';
    for await (const line of lines) {
      if (call.cancelled) return;
      buffered += line;
      if (buffered.length >= 65_536) {
        if (!call.write(message(buffered))) await drained(call as ServerWritableStream<unknown, unknown>);
        buffered = '';
      }
    }
    if (call.cancelled) return;
    if (buffered) call.write(message(buffered));
    call.end();
  } finally {
    release();
  }
}
