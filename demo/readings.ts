/**
 * A strip of live figures under an example (e.g. "Reference −17.9 LUFS"), fed from the plugins' readouts. The
 * plugin GUIs show everything; this strip spells out the one comparison each example is about. Main thread.
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
}
