/**
 * What a user typed into a control's type-in box, read in the control's unit. Pure (no DOM), tested in Node.
 *
 * - A number alone is in the control's unit: "2.5" in Response is 2.5 s.
 * - A number with a unit is converted when the unit measures the same thing: "500 ms" in Response is 0.5 s,
 *   "1.2 s" in Latency is 1200 ms. Levels and level differences share one scale (a dB, a LU, a LUFS and a dBTP
 *   step are the same size), so any of dB, dBFS, dBTP, LU, LUFS, LKFS is accepted where one of them is shown.
 * - A decimal comma ("-6,5"), a true minus (U+2212), a leading "+", an exponent ("1e-3") and spaces are fine;
 *   case does not matter ("MS", "lufs").
 * - Anything else (no number, a unit of another kind, trailing words) is refused with a reason in words, so the
 *   control can say so instead of guessing.
 */

/** One unit a control may show, with the factor that converts a typed value in it to the family's base unit. */
interface UnitInfo {
  family: 'time' | 'level';
  /** Multiply by this to get the family's base unit (seconds; dB). */
  toBase: number;
}

const UNITS: Readonly<Record<string, UnitInfo>> = {
  s: { family: 'time', toBase: 1 },
  sec: { family: 'time', toBase: 1 },
  ms: { family: 'time', toBase: 1e-3 },
  db: { family: 'level', toBase: 1 },
  dbfs: { family: 'level', toBase: 1 },
  dbtp: { family: 'level', toBase: 1 },
  lu: { family: 'level', toBase: 1 },
  lufs: { family: 'level', toBase: 1 },
  lkfs: { family: 'level', toBase: 1 },
};

export type TypedValue = { ok: true; value: number } | { ok: false; reason: string };

const NUMBER = /^\s*([+\-\u2212]?)\s*(\d+(?:[.,]\d*)?|[.,]\d+)(?:e([+\-\u2212]?\d+))?\s*(.*?)\s*$/i;

/**
 * Reads `text` as a value in `units` (the control's unit as shown: "s", "ms", "dB", "LUFS", "dBTP", or "" for a
 * plain number). Does not clamp: the caller decides what an out-of-range number means.
 */
export function parseTypedValue(text: string, units: string): TypedValue {
  const m = NUMBER.exec(text);
  const shown = units === '' ? 'a number' : `a number in ${units}`;
  if (m === null) return { ok: false, reason: text.trim() === '' ? `Type ${shown}` : `Not a number: type ${shown}` };
  const sign = m[1] === '' || m[1] === '+' ? 1 : -1;
  const mantissa = Number(m[2].replace(',', '.'));
  const exponent = m[3] === undefined ? 0 : Number(m[3].replace('\u2212', '-'));
  const x = sign * mantissa * 10 ** exponent;
  if (!Number.isFinite(x)) return { ok: false, reason: `Too large: type ${shown}` };
  const typedUnit = m[4];
  if (typedUnit === '') return { ok: true, value: x };
  const target = UNITS[units.toLowerCase()];
  const given = UNITS[typedUnit.toLowerCase()];
  if (given === undefined || target === undefined || given.family !== target.family) {
    return { ok: false, reason: `“${typedUnit}” is not a unit here: type ${shown}` };
  }
  const value = (x * given.toBase) / target.toBase;
  // Converting ms <-> s multiplies by 1000 or 0.001: round away the binary noise (0.1 * 1e-3 ...).
  return { ok: true, value: Number(value.toPrecision(12)) };
}
