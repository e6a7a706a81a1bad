/**
 * A server could not listen on its port: which server, which port, and whether another
 * process holds the port (EADDRINUSE) or the port is not allowed (EACCES), so that the
 * composition root can name the variable that sets it.
 */
export class ListenError extends Error {
  override readonly name = 'ListenError';
  readonly reason: 'in_use' | 'denied' | 'other';

  constructor(
    /** The server, as the composition root names it ("REST", "gRPC", "ops"). */
    readonly server: string,
    readonly port: number,
    cause: unknown,
  ) {
    const message = (cause as Error | undefined)?.message ?? String(cause);
    // grpc-js reports a bind failure as a message without a code: "No address added ... [listen EADDRINUSE: ...]".
    const code = (cause as { code?: unknown } | undefined)?.code ?? /\b(EADDRINUSE|EACCES)\b/.exec(message)?.[1];
    super(`${server} server could not listen on port ${port}: ${message}`, { cause });
    this.reason = code === 'EADDRINUSE' ? 'in_use' : code === 'EACCES' ? 'denied' : 'other';
  }
}

/** Runs `listen`; a failure comes out as a ListenError naming the server and the port. */
export async function listenOrExplain<T>(server: string, port: number, listen: () => Promise<T>): Promise<T> {
  try {
    return await listen();
  } catch (err) {
    throw new ListenError(server, port, err);
  }
}
