/**
 * Assertion and bookkeeping helpers shared by the LevelMatch test suites.
 */
import * as assert from 'uvu/assert';
import { LoudnessMeter } from '../../lib/index.ts';
import type { ChannelRole, LayoutName, LoudnessResult } from '../../lib/index.ts';
import { pushChunked, type Planar } from './signals.ts';

/** The sample rates every standard test runs at. */
export const RATES: readonly number[] = [48000, 44100, 96000];

/** The largest hop the contract allows: M and S are re-evaluated at least every 128 frames. */
export const MAX_HOP = 128;

export type Layout = LayoutName | readonly ChannelRole[];

export async function createMeter(sampleRate: number, channels: number, layout?: Layout): Promise<LoudnessMeter> {
  return LoudnessMeter.create(layout === undefined ? { sampleRate, channels } : { sampleRate, channels, layout });
}

/** Measures `p` with a fresh meter, pushed in `chunk`-frame pieces. */
export async function measure(sampleRate: number, p: Planar, chunk: number | readonly number[] = 4096, layout?: Layout): Promise<LoudnessResult> {
  const m = await createMeter(sampleRate, p.length, layout);
  pushChunked(m, p, chunk);
  return m.result();
}

/** The meter's hop if it exposes one (not part of the contract), else the contract's maximum. */
export function hopOf(m: LoudnessMeter): number {
  const h = (m as unknown as { hopFrames?: unknown }).hopFrames;
  return typeof h === 'number' && h > 0 ? h : MAX_HOP;
}

/** Worst deviation seen per test family, printed at the end of a suite. */
export class Worst {
  private readonly map = new Map<string, { dev: number; where: string }>();

  constructor(readonly label: string) {}

  /** Records a signed deviation; keeps the largest magnitude. */
  note(family: string, dev: number, where = ''): void {
    const cur = this.map.get(family);
    if (cur === undefined || !(Math.abs(dev) <= Math.abs(cur.dev))) this.map.set(family, { dev, where });
  }

  print(): void {
    const lines = [...this.map.entries()].map(
      ([k, v]) => `  ${k.padEnd(38)} worst ${v.dev >= 0 ? '+' : ''}${Math.abs(v.dev) >= 1e-3 || v.dev === 0 ? v.dev.toFixed(4) : v.dev.toExponential(1)}${v.where ? `  (${v.where})` : ''}`,
    );
    console.log(`\n[${this.label}] measured deviations:\n${lines.join('\n')}`);
  }
}

const fmt = (x: number): string => (Number.isFinite(x) ? x.toFixed(4) : String(x));

/** Asserts |actual - expected| <= tol, records the deviation under `family`. */
export function near(w: Worst | null, family: string, actual: number, expected: number, tol: number, what: string): void {
  const dev = actual - expected;
  w?.note(family, Number.isFinite(dev) ? dev : Infinity, what);
  assert.ok(
    Number.isFinite(actual) && Math.abs(dev) <= tol,
    `${what}: got ${fmt(actual)}, expected ${fmt(expected)} +-${tol} (deviation ${fmt(dev)})`,
  );
}

/** Asserts expected - below <= actual <= expected + above (the true-peak tolerance is +0.2 / -0.4 dB). */
export function within(w: Worst | null, family: string, actual: number, expected: number, above: number, below: number, what: string): void {
  const dev = actual - expected;
  w?.note(family, Number.isFinite(dev) ? dev : Infinity, what);
  assert.ok(
    Number.isFinite(actual) && dev <= above && dev >= -below,
    `${what}: got ${fmt(actual)}, expected ${fmt(expected)} +${above}/-${below} (deviation ${fmt(dev)})`,
  );
}

/** Two readings equal within tol, treating equal infinities as equal. */
export function sameReading(a: number, b: number, tol: number): boolean {
  if (a === b) return true;
  if (Number.isNaN(a) && Number.isNaN(b)) return true;
  return Number.isFinite(a) && Number.isFinite(b) && Math.abs(a - b) <= tol;
}

/** Asserts that two results agree field by field within `tol` (peaks and counts included). */
export function assertSameResult(a: LoudnessResult, b: LoudnessResult, tol: number, what: string): void {
  const keys = ['momentary', 'shortTerm', 'integrated', 'range', 'momentaryMax', 'shortTermMax', 'truePeak', 'samplePeak', 'nonFinite'] as const;
  for (const k of keys) {
    assert.ok(sameReading(a[k], b[k], tol), `${what}: ${k} ${fmt(a[k])} vs ${fmt(b[k])} (tol ${tol})`);
  }
  for (const k of ['channelTruePeak', 'channelSamplePeak'] as const) {
    assert.is(a[k].length, b[k].length, `${what}: ${k} length`);
    for (let c = 0; c < a[k].length; c++) {
      assert.ok(sameReading(a[k][c]!, b[k][c]!, tol), `${what}: ${k}[${c}] ${fmt(a[k][c]!)} vs ${fmt(b[k][c]!)}`);
    }
  }
}

/** Asserts that `fn` throws (or its promise rejects with) a RangeError whose message matches `re`. */
export async function expectRangeError(fn: () => unknown, re: RegExp, what: string): Promise<void> {
  let err: unknown = null;
  try {
    await fn();
  } catch (e) {
    err = e;
  }
  assert.ok(err !== null, `${what}: expected a RangeError, nothing was thrown`);
  assert.ok(err instanceof RangeError, `${what}: expected a RangeError, got ${String(err)}`);
  assert.match((err as RangeError).message, re, `${what}: message "${(err as RangeError).message}" should match ${re}`);
}

/**
 * EBU Tech 3342 loudness range of short-term loudness values (LUFS), computed exactly: absolute gate -70 LUFS,
 * relative gate 20 LU below the energy mean of the absolutely-gated values, then the 95th minus the 10th
 * percentile of the values passing both gates, the percentile index being round((n - 1) * p / 100) from 0.
 */
export function tech3342Range(values: readonly number[]): number {
  const abs = values.filter((v) => v >= -70);
  if (abs.length === 0) return 0;
  let e = 0;
  for (const v of abs) e += Math.pow(10, v / 10);
  const gate = 10 * Math.log10(e / abs.length) - 20;
  const kept = abs.filter((v) => v >= gate).sort((a, b) => a - b);
  if (kept.length === 0) return 0;
  const at = (p: number): number => kept[Math.round(((kept.length - 1) * p) / 100)]!;
  return at(95) - at(10);
}
