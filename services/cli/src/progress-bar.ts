/** Where the bar is drawn: a terminal (stderr), or a stand-in in tests. */
export interface ProgressStream {
  isTTY?: boolean;
  /** The terminal's width in characters. */
  columns?: number;
  write(text: string): unknown;
}

export interface ProgressBarOptions {
  /** @default process.stderr */
  stream?: ProgressStream;
  /** Milliseconds; injected by tests. @default Date.now */
  now?: () => number;
  /** Least time between two draws. @default 100 */
  intervalMs?: number;
}

/** 0:07, 12:34, 1:02:03. */
export function formatDuration(seconds: number): string {
  const s = Math.max(0, Math.round(seconds));
  const [h, m, sec] = [Math.floor(s / 3600), Math.floor((s % 3600) / 60), s % 60];
  const two = (n: number) => String(n).padStart(2, '0');
  return h > 0 ? `${h}:${two(m)}:${two(sec)}` : `${m}:${two(sec)}`;
}

const count = (n: number) => Math.round(n).toLocaleString('en-US');

/**
 * The progress of `leadflow run` on one line: rows done (out of the pipeline) out of the rows the
 * file holds, the rate and the time left. Until ingest has read the whole file its row count is
 * an estimate (~): the rows read so far scaled by the share of the file's bytes read. Bytes alone
 * would reach 100% while the rows read are still in the pipeline's queues.
 *
 * Draws only on a terminal (stream.isTTY): piped or redirected, it writes nothing.
 */
export function createProgressBar(totalBytes: number, opts: ProgressBarOptions = {}) {
  const stream = opts.stream ?? process.stderr;
  const now = opts.now ?? Date.now;
  const interval = opts.intervalMs ?? 100;
  const enabled = stream.isTTY === true;
  const started = now();
  let bytes = 0;
  let read = 0;
  let allRead = false;
  let done = 0;
  let lastDraw = -Infinity;

  /** The file's rows: exact once ingest read them all, else estimated from the bytes read. */
  const total = () => (allRead || bytes === 0 || totalBytes <= 0 ? read : Math.max(read, (read * totalBytes) / Math.min(bytes, totalBytes)));

  function line(): string {
    const rows = total();
    const ratio = rows > 0 ? Math.min(1, done / rows) : 0;
    const seconds = (now() - started) / 1000;
    const rate = seconds > 0 ? done / seconds : 0;
    const of = rows > 0 ? ` of ${allRead ? '' : '~'}${count(rows)}` : '';
    const left = rate > 0 && rows > done ? `  ${formatDuration((rows - done) / rate)} left` : '';
    const text = `${String(Math.floor(ratio * 100)).padStart(3)}%  ${count(done)}${of} rows  ${count(rate)} rows/s${left}`;
    // The bar takes what the terminal's width leaves, at most 30 characters.
    const width = Math.max(0, Math.min(30, (stream.columns ?? 80) - text.length - 4));
    const filled = Math.floor(ratio * width);
    const bar = width >= 5 ? `[${'#'.repeat(filled)}${'.'.repeat(width - filled)}] ` : '';
    return `${bar}${text}`;
  }

  const draw = (force = false) => {
    if (!enabled) return;
    const t = now();
    if (!force && t - lastDraw < interval) return;
    lastDraw = t;
    // Back to the line's start, the line, then clear what a longer line before left.
    stream.write(`\r${line()}\x1b[K`);
  };

  return {
    /** Bytes of the file read. */
    bytesRead(n: number) {
      bytes += n;
      draw();
    },
    /** Rows ingest read; `last` once it read the file's last row. */
    rowsRead(n: number, last: boolean) {
      read += n;
      allRead ||= last;
      draw();
    },
    /** Rows out of the pipeline, in their output files. */
    rowsDone(n: number) {
      done += n;
      draw();
    },
    finish() {
      if (!enabled) return;
      draw(true);
      stream.write('\n');
    },
    /** The line as it would be drawn now (for tests and logs). */
    line,
  };
}
