import pg from 'pg';

/** A channel listened on (listenPostgres). */
export interface Listening {
  close(): Promise<void>;
}

export interface ListenOptions {
  url: string;
  /** A plain identifier: lower-case letters, digits, underscores. */
  channel: string;
  /** Called for each notification, and after each (re)connection (what came while not listening). */
  onNotify: () => void;
  /** A connection that failed or was lost; it is made again after `retryMs`. */
  onError?: (err: unknown) => void;
  /** @default 1000 */
  retryMs?: number;
  applicationName?: string;
}

/**
 * Listens on a PostgreSQL channel (LISTEN/NOTIFY) with a connection of its own, outside the pool.
 * Never fails: a connection that cannot be made or is lost is made again `retryMs` later, and
 * whoever relies on it keeps its own fallback (a poll) meanwhile.
 */
export async function listenPostgres(opts: ListenOptions): Promise<Listening> {
  if (!/^[a-z_][a-z0-9_]*$/.test(opts.channel)) throw new Error(`not a plain channel name: ${opts.channel}`);
  const retryMs = opts.retryMs ?? 1_000;
  let closed = false;
  let client: pg.Client | undefined;
  let timer: NodeJS.Timeout | undefined;

  const schedule = () => {
    if (closed || timer) return;
    timer = setTimeout(() => {
      timer = undefined;
      void connect();
    }, retryMs);
    timer.unref();
  };
  const lost = (c: pg.Client) => {
    if (client !== c) return;
    client = undefined;
    void c.end().catch(() => {});
    schedule();
  };
  async function connect(): Promise<void> {
    if (closed) return;
    const c = new pg.Client({ connectionString: opts.url, application_name: opts.applicationName ?? 'leadflow-listen' });
    c.on('error', (err) => {
      opts.onError?.(err);
      lost(c);
    });
    c.on('end', () => lost(c));
    c.on('notification', (n) => {
      if (n.channel === opts.channel) opts.onNotify();
    });
    try {
      await c.connect();
      await c.query(`LISTEN ${opts.channel}`);
      if (closed) return void (await c.end().catch(() => {}));
      client = c;
      opts.onNotify();
    } catch (err) {
      opts.onError?.(err);
      await c.end().catch(() => {});
      schedule();
    }
  }

  await connect();
  return {
    async close() {
      closed = true;
      clearTimeout(timer);
      const c = client;
      client = undefined;
      await c?.end().catch(() => {});
    },
  };
}
