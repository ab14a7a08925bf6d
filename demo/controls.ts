/**
 * Small DOM building blocks for the demo page: an element helper, labelled sliders that show their value and
 * unit, power (on/off) buttons, and click-free parameter ramps. Main thread only.
 */

const MINUS = '\u2212';

/** Creates an element with attributes (string values; `class` and `text` are shortcuts) and children. */
export function h<K extends keyof HTMLElementTagNameMap>(
  tag: K,
  attrs: Record<string, string> = {},
  ...children: (Node | string)[]
): HTMLElementTagNameMap[K] {
  const e = document.createElement(tag);
  for (const [k, v] of Object.entries(attrs)) {
    if (k === 'text') e.textContent = v;
    else if (k === 'class') e.className = v;
    else e.setAttribute(k, v);
  }
  e.append(...children);
  return e;
}

/** Returns the element with this id, or throws naming it (the page and the script must agree). */
export function byId<T extends HTMLElement = HTMLElement>(id: string): T {
  const e = document.getElementById(id);
  if (e === null) throw new Error(`the page has no #${id}`);
  return e as T;
}

/** A number with a real minus sign, fixed digits, and optionally an explicit plus ("+6.0"). */
export function formatNumber(x: number, digits = 1, signed = false): string {
  if (!Number.isFinite(x)) return x > 0 ? '+\u221e' : `${MINUS}\u221e`;
  const s = x.toFixed(digits);
  if (Number(s) === 0) return (0).toFixed(digits);
  if (s.startsWith('-')) return MINUS + s.slice(1);
  return signed ? `+${s}` : s;
}

/** dB to a linear gain factor. */
export const dbToGain = (db: number): number => 10 ** (db / 20);

/**
 * Moves an AudioParam to `value` smoothly (an exponential approach with time constant `tau` seconds, about
 * 5 tau to settle) from wherever it is now, so changes never click.
 */
export function glide(param: AudioParam, value: number, ctx: BaseAudioContext, tau = 0.012): void {
  const now = ctx.currentTime;
  param.cancelScheduledValues(now);
  param.setTargetAtTime(value, now, tau);
}

export interface SliderOptions {
  /** Used for the input's id (`${id}`) and name; tests set values through it. */
  id: string;
  label: string;
  min: number;
  max: number;
  step: number;
  value: number;
  /** Unit shown after the value ("dB", ":1"). */
  unit: string;
  /** Digits after the point in the shown value. */
  digits?: number;
  /** Show an explicit "+" for positive values (gains). */
  signed?: boolean;
  /** Called with the new value on every movement. */
  onInput(value: number): void;
}

/**
 * A labelled `<input type=range>` with its value and unit. The track is filled from zero (bipolar ranges) or
 * from the minimum, through CSS variables --lo / --hi (percent). Double-click resets to the initial value.
 */
export class Slider {
  readonly element: HTMLElement;
  readonly input: HTMLInputElement;
  private readonly output: HTMLOutputElement;
  private readonly options: SliderOptions;
  private readonly initial: number;

  constructor(options: SliderOptions) {
    this.options = options;
    this.initial = options.value;
    this.input = h('input', {
      type: 'range', id: options.id, name: options.id,
      min: String(options.min), max: String(options.max), step: String(options.step), value: String(options.value),
    });
    this.output = h('output', { for: options.id, class: 'slider-value' });
    this.element = h('div', { class: 'slider' },
      h('label', { for: options.id, class: 'slider-label', text: options.label }),
      this.output,
      this.input,
    );
    this.input.addEventListener('input', () => {
      this.show();
      options.onInput(this.value);
    });
    this.input.addEventListener('dblclick', () => {
      this.value = this.initial;
      options.onInput(this.value);
    });
    this.show();
  }

  get value(): number {
    return Number(this.input.value);
  }

  /** Sets the value (clamped by the input) and shows it; does not call onInput. */
  set value(v: number) {
    this.input.value = String(v);
    this.show();
  }

  set disabled(d: boolean) {
    this.input.disabled = d;
    this.element.classList.toggle('is-disabled', d);
  }

  private show(): void {
    const { min, max, unit, digits = 1, signed = false } = this.options;
    const v = this.value;
    this.output.textContent = `${formatNumber(v, digits, signed)}${unit.startsWith(':') ? '' : '\u2009'}${unit}`;
    const pct = (x: number): string => `${((x - min) / (max - min)) * 100}%`;
    const from = min < 0 && max > 0 ? 0 : min;
    this.input.style.setProperty('--lo', pct(Math.min(from, v)));
    this.input.style.setProperty('--hi', pct(Math.max(from, v)));
  }
}

/**
 * An on/off button (aria-pressed) with a power glyph and a visible label, e.g. for an effect's bypass.
 * `onChange` gets the new state.
 */
export class PowerButton {
  readonly element: HTMLButtonElement;
  private _on: boolean;

  constructor(id: string, label: string, on: boolean, onChange: (on: boolean) => void) {
    this._on = on;
    this.element = h('button', { type: 'button', id, class: 'power', title: `Switch ${label} on or off` });
    this.element.innerHTML =
      '<svg viewBox="0 0 16 16" aria-hidden="true"><path d="M8 1.5v6" /><path d="M4.4 3.9a5.5 5.5 0 1 0 7.2 0" /></svg>';
    this.element.append(h('span', { class: 'power-label', text: label }));
    this.element.addEventListener('click', () => {
      this.on = !this._on;
      onChange(this._on);
    });
    this.on = on;
  }

  get on(): boolean {
    return this._on;
  }

  /** Sets the state and shows it; does not call onChange. */
  set on(v: boolean) {
    this._on = v;
    this.element.setAttribute('aria-pressed', String(v));
  }
}
