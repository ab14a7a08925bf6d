/**
 * Number formatting for the GUI: one place decides how loudness, gains and peaks read. Pure (no DOM), so it is
 * tested in Node. A minus sign is U+2212 (−), which lines up with "+" in proportional and monospaced fonts alike.
 */

const MINUS = '\u2212';

/** "−23.0" for LUFS / LU / dBTP readings; "−∞" for silence or no measurement yet (−Infinity, NaN). */
export function formatLevel(x: number, digits = 1): string {
  if (x !== x || x === -Infinity) return `${MINUS}\u221e`;
  if (x === Infinity) return '+\u221e';
  const s = x.toFixed(digits);
  // toFixed keeps the sign of tiny negatives ("-0.0"): a level that rounds to zero reads 0.
  if (Number(s) === 0) return (0).toFixed(digits);
  return s.startsWith('-') ? MINUS + s.slice(1) : s;
}

/** A gain in dB with an explicit sign: "+3.2", "−12.0", "0.0". */
export function formatGain(db: number, digits = 1): string {
  if (db !== db) return '\u2014';
  const s = formatLevel(db, digits);
  return s.startsWith(MINUS) || Number(db.toFixed(digits)) === 0 ? s : `+${s}`;
}

/** A loudness range in LU: "7.4"; "—" before there is one (NaN). */
export function formatRange(lu: number, digits = 1): string {
  return lu === lu && lu !== -Infinity ? Math.max(0, lu).toFixed(digits) : '\u2014';
}

/** Seconds as "12 s", or "2 min 05 s" from two minutes on (learning times). */
export function formatSeconds(s: number): string {
  if (!(s >= 0)) return '0 s';
  const whole = Math.floor(s);
  if (whole < 120) return `${whole} s`;
  const m = Math.floor(whole / 60);
  return `${m} min ${String(whole % 60).padStart(2, '0')} s`;
}

/**
 * Parses what a user typed for a value: "−3.5", "-3.5 dB", "+2", "2,5" (decimal comma), "1e-3". Units and
 * spaces around the number are ignored. Returns NaN when there is no number.
 */
export function parseTyped(text: string): number {
  const m = /^\s*([+\-\u2212]?)\s*(\d+(?:[.,]\d*)?|[.,]\d+)(?:e([+\-\u2212]?\d+))?/i.exec(text);
  if (m === null) return NaN;
  const sign = m[1] === '-' || m[1] === MINUS ? -1 : 1;
  const mant = Number(m[2].replace(',', '.'));
  const exp = m[3] === undefined ? 0 : Number(m[3].replace(MINUS, '-'));
  return sign * mant * 10 ** exp;
}
