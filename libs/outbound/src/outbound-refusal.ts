/**
 * An outbound URL that may not be called: its scheme, or an address that is not public. The
 * message is the reason ("127.0.0.1 is a loopback address"); retrying cannot help.
 */
export class OutboundRefusal extends Error {
  readonly code = 'OUTBOUND_FORBIDDEN';
  readonly retryable = false;

  /**
   * @param setting The variable an operator could set to allow it (OUTBOUND_ALLOW_CIDRS for an
   *   address, OUTBOUND_ALLOW_HTTP for plain http); null when none could.
   */
  constructor(
    readonly reason: string,
    readonly setting: 'OUTBOUND_ALLOW_CIDRS' | 'OUTBOUND_ALLOW_HTTP' | null = 'OUTBOUND_ALLOW_CIDRS',
  ) {
    super(reason);
    this.name = 'OutboundRefusal';
  }
}
