/**
 * A strip of live figures (e.g. "Reference −17.9 LUFS"), fed from the plugins' readouts. The plugin GUIs show
 * everything; a strip spells out the one comparison an example is about. Every figure says which instance's
 * meter it reads (`from`), so two figures of "the same" signal from different instances are never confused.
 * Main thread.
 */
import { formatNumber, h } from './controls.ts';

/** Colour family of a figure, matching the GUI theme: reference blue, output green, gain amber. */
export type Tone = 'ref' | 'in' | 'out' | 'gain';

export interface ReadingSpec {
  key: string;
  label: string;
  tone: Tone;
  /** Unit after the number ("LUFS", "LU", "dB"). */
  unit: string;
  /** Show an explicit "+" (differences and gains). */
  signed?: boolean;
  /** Where the figure comes from, shown under it: "reference instance · S" (an instance and what it reads). */
  from: string;
}

export class Readings {
  readonly element: HTMLElement;
  private readonly cells = new Map<string, { value: HTMLElement; spec: ReadingSpec }>();

  constructor(id: string, specs: readonly ReadingSpec[]) {
    this.element = h('dl', { class: 'readings', id });
    for (const spec of specs) {
      const value = h('span', { class: 'reading-number', text: '\u2014' });
      this.element.append(
        h('div', { class: `reading tone-${spec.tone}`, 'data-key': spec.key },
          h('dt', { text: spec.label }),
          h('dd', {}, value, h('span', { class: 'reading-unit', text: spec.unit })),
          // No break around the "·": "match instance · S" wraps between words, never before the S.
          h('dd', { class: 'reading-from', text: spec.from.replace(/ \u00b7 /g, '\u00a0\u00b7\u00a0') }),
        ),
      );
      this.cells.set(spec.key, { value, spec });
    }
  }

  /** Shows a value (dB / LUFS / LU); -Infinity or NaN (silence, not measured yet) shows a dash. */
  set(key: string, x: number): void {
    const c = this.cells.get(key);
    if (c === undefined) return;
    c.value.textContent = Number.isFinite(x) ? formatNumber(x, 1, c.spec.signed === true) : '\u2014';
  }

  /** Every figure back to a dash (a new programme: the old readings described the old one). */
  clear(): void {
    for (const c of this.cells.values()) c.value.textContent = '\u2014';
  }
}
