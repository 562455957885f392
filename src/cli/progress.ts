/**
 * A progress bar with ETA on stderr. On a terminal it redraws one line; elsewhere (CI logs,
 * pipes) it prints a line every 10 %, so logs stay short.
 */
export function progressBar(label: string): (done: number, total: number) => void {
  const start = Date.now();
  const tty = process.stderr.isTTY;
  let lastDecile = -1;
  return (done, total) => {
    const fraction = total > 0 ? Math.min(1, done / total) : 1;
    const elapsed = (Date.now() - start) / 1000;
    const eta = fraction > 0 ? (elapsed * (1 - fraction)) / fraction : 0;
    const width = 30;
    const filled = Math.round(fraction * width);
    const text = `${label} [${'#'.repeat(filled)}${'.'.repeat(width - filled)}] ${(fraction * 100).toFixed(0).padStart(3)}% ${done}/${total} passes, ${elapsed.toFixed(0)}s elapsed, ETA ${eta.toFixed(0)}s`;
    if (tty) {
      process.stderr.write(`\r${text}${done >= total ? '\n' : ''}`);
    } else {
      const decile = Math.floor(fraction * 10);
      if (decile !== lastDecile) {
        lastDecile = decile;
        process.stderr.write(`${text}\n`);
      }
    }
  };
}
