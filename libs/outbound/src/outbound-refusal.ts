/**
 * An outbound URL that may not be called: its scheme, or an address that is not public. The
 * message is the reason ("127.0.0.1 is a loopback address"); retrying cannot help.
 */
export class OutboundRefusal extends Error {
  readonly code = 'OUTBOUND_FORBIDDEN';
  readonly retryable = false;

  constructor(readonly reason: string) {
    super(reason);
    this.name = 'OutboundRefusal';
  }
}
