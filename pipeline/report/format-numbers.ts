/**
 * Number formats of the report, one place for all of them so every table and sentence
 * agrees. All are locale-free (no toLocaleString): the same number gives the same bytes on
 * every machine.
 */

/**
 * Milliseconds to 3 significant digits (23.9, 3.28, 0.412), which is what a bootstrap
 * interval of a 20-sample median supports; from 1000 ms on, whole milliseconds (1234) rather
 * than an exponent (1.23e+3). Trailing zeros are kept: "12.0" says the tenth was measured.
 */
export function formatMs(ms: number): string {
  if (!Number.isFinite(ms)) return String(ms);
  // 999.5 would round up to "1.00e+3" under toPrecision(3).
  if (Math.abs(ms) >= 999.5) return ms.toFixed(0);
  return ms.toPrecision(3);
}

/** "23.9 [23.0–24.7]": a median with its confidence interval, for table cells. */
export function formatMedianWithCi(medianMs: number, ciLowMs: number, ciHighMs: number): string {
  return `${formatMs(medianMs)} [${formatMs(ciLowMs)}–${formatMs(ciHighMs)}]`;
}

/** "11.3–12.3 ms". */
export function formatIntervalMs(lowMs: number, highMs: number): string {
  return `${formatMs(lowMs)}–${formatMs(highMs)} ms`;
}

/** Bytes as GiB with one decimal: "24.0 GiB". */
export function formatGiB(bytes: number): string {
  return `${(bytes / 2 ** 30).toFixed(1)} GiB`;
}

/** "1 line" / "3 lines". */
export function plural(count: number, singular: string, pluralForm = `${singular}s`): string {
  return `${count} ${count === 1 ? singular : pluralForm}`;
}
