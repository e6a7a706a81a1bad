/** A one-line progress bar on a terminal (stderr); prints nothing when stderr is not a terminal. */
export function createProgressBar(totalBytes: number, stream: NodeJS.WriteStream = process.stderr) {
  const enabled = stream.isTTY === true && totalBytes > 0;
  let bytes = 0;
  let rows = 0;
  let lastDraw = 0;
  const draw = (force = false) => {
    const now = Date.now();
    if (!enabled || (!force && now - lastDraw < 100)) return;
    lastDraw = now;
    const ratio = Math.min(1, bytes / totalBytes);
    const width = 30;
    const filled = Math.round(ratio * width);
    stream.write(`\r[${'#'.repeat(filled)}${'.'.repeat(width - filled)}] ${String(Math.round(ratio * 100)).padStart(3)}%  ${rows.toLocaleString('en-US')} rows`);
  };
  return {
    read(n: number) {
      bytes += n;
      draw();
    },
    rowsDone(n: number) {
      rows += n;
      draw();
    },
    finish() {
      if (!enabled) return;
      draw(true);
      stream.write('\n');
    },
  };
}
