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

/**
 * A ratio or speed-up factor to 3 significant digits: "2.38" (as in 2.38×), "1.04", "12.5";
 * whole numbers from 1000 on. The same precision as the medians it is the ratio of.
 */
export function formatFactor(factor: number): string {
  if (!Number.isFinite(factor)) return String(factor);
  if (Math.abs(factor) >= 999.5) return factor.toFixed(0);
  return factor.toPrecision(3);
}

/**
 * A p-value with its relation, as a sentence writes it after "p": "< 0.001" below 0.001
 * (a normal approximation says nothing finer), "= 0.012" with three decimals below 0.1,
 * where the 0.05 threshold must be readable, and "= 0.41" above.
 */
export function formatPValue(p: number): string {
  if (!Number.isFinite(p)) return `= ${String(p)}`;
  if (p < 0.001) return '< 0.001';
  if (p < 0.1) return `= ${p.toFixed(3)}`;
  return `= ${p.toFixed(2)}`;
}

/** Bytes as MiB to 3 significant digits: "1.10 MiB", "249 MiB", "1536 MiB". */
export function formatMiB(bytes: number): string {
  return `${formatFactor(bytes / 2 ** 20)} MiB`;
}

/** Bytes as GiB with one decimal: "24.0 GiB". */
export function formatGiB(bytes: number): string {
  return `${(bytes / 2 ** 30).toFixed(1)} GiB`;
}

/** "1 line" / "3 lines". */
export function plural(count: number, singular: string, pluralForm = `${singular}s`): string {
  return `${count} ${count === 1 ? singular : pluralForm}`;
}
