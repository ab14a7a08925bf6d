/**
 * `<levelmatch-gain>`: the gain LevelMatch applies, as a large number ("+3.2 dB") with the gain it wants beside
 * it ("wanted +3.5"), and under it a bar from −maxCut to +maxBoost with zero marked, a needle at the applied gain
 * and a triangle at the wanted gain. The colour says what the gain engine is doing: following (accent), held or
 * at a limit (warn), bypassed or idle (dim).
 *
 * `setGain` runs ~25 times a second, so it writes straight into the DOM (transforms for the needle, fill and
 * triangle; text only when it changes) instead of re-rendering through Lit. The template binds only the label.
 *
 * The host is a size container: it fills the box it is given, the number is ~40 px tall when there is room and
 * ~26 px in a compact strip, and "wanted" wraps under the number when it does not fit beside it.
 */
import { LitElement, html, css } from 'lit';
import { baseStyles, defineOnce } from '../theme.ts';
import { formatGain } from '../format.ts';
import { gainToFraction } from './gain-scale.ts';

export type GainState = 'active' | 'held' | 'limited' | 'bypassed' | 'idle';

const STATE_TAGS: Readonly<Record<GainState, string>> = {
  active: '',
  held: 'Held',
  limited: 'Limit',
  bypassed: 'Bypass',
  idle: '',
};

/** Positions are quantised to 1/2000 of the bar (under a pixel) so a steady gain writes no style. */
const Q = 2000;

export class LevelMatchGainReadout extends LitElement {
  static override properties = {
    label: { type: String },
  };

  static override styles = [
    baseStyles,
    css`
      :host {
        display: block;
        min-width: 120px;
        min-height: 76px;
        container: lm-gain / size;
      }
      .root {
        --_st: var(--_accent);
        height: 100%;
        display: flex;
        flex-direction: column;
        justify-content: center;
        gap: 4px;
      }
      .root[data-state='held'], .root[data-state='limited'] { --_st: var(--_warn); }
      .root[data-state='bypassed'], .root[data-state='idle'] { --_st: var(--_dim); }
      .head {
        display: flex;
        align-items: center;
        justify-content: space-between;
        gap: 6px;
        font-size: 11px;
        line-height: 14px;
        color: var(--_dim);
        text-transform: uppercase;
        letter-spacing: 0.06em;
      }
      .tag {
        padding: 0 5px;
        border-radius: 3px;
        border: 1px solid var(--_st);
        color: var(--_st);
        font-size: 9.5px;
        line-height: 13px;
        font-weight: 600;
      }
      .tag:empty { display: none; }
      .value {
        display: flex;
        flex-wrap: wrap;
        align-items: baseline;
        column-gap: 10px;
      }
      .num {
        font: 600 40px/1 var(--_mono);
        font-variant-numeric: tabular-nums;
        letter-spacing: -0.02em;
        color: var(--_st);
        white-space: nowrap;
      }
      .unit { font-size: 0.42em; font-weight: 500; margin-left: 0.25em; color: var(--_dim); letter-spacing: 0; }
      .wanted { font-size: 11px; color: var(--_dim); white-space: nowrap; }
      .wanted b { font: 500 12px var(--_mono); color: var(--_text); font-variant-numeric: tabular-nums; }
      /* The bar: track, zero line, fill from zero to the gain, needle; the triangle for the wanted gain above. */
      .bar { position: relative; height: 22px; margin-top: 2px; }
      .rail { position: absolute; left: 4px; right: 4px; top: 7px; height: 8px; }
      .track { position: absolute; inset: 0; border-radius: 4px; background: var(--_panel2); overflow: hidden; }
      .fill {
        position: absolute;
        top: 0;
        bottom: 0;
        left: 50%;
        width: 100%;
        background: color-mix(in srgb, var(--_st) 55%, transparent);
        transform-origin: 0 50%;
        transform: scaleX(0);
        will-change: transform;
      }
      .zero { position: absolute; top: -4px; bottom: -4px; left: 50%; width: 1px; margin-left: -0.5px; background: var(--_dim); }
      .mover { position: absolute; inset: 0; transform: translateX(50%); will-change: transform; pointer-events: none; }
      .needle::before {
        content: '';
        position: absolute;
        left: -1px;
        top: -4px;
        bottom: -4px;
        width: 2px;
        border-radius: 1px;
        background: var(--_st);
        box-shadow: 0 0 0 1px var(--_bg);
      }
      .want::before {
        content: '';
        position: absolute;
        left: -4px;
        top: -8px;
        border: 4px solid transparent;
        border-top: 5px solid var(--_text);
        border-bottom: 0;
      }
      .scale {
        position: relative;
        height: 12px;
        margin: 0 4px;
        font: 9.5px/12px var(--_mono);
        color: var(--_dim);
      }
      .scale span { position: absolute; top: 0; white-space: nowrap; }
      .lo { left: 0; transform: translateX(-4px); }
      .hi { right: 0; transform: translateX(4px); }
      .z { left: 50%; transform: translateX(-50%); }
      [hidden] { display: none !important; }

      @container lm-gain (max-height: 130px) or (max-width: 180px) {
        .num { font-size: 26px; }
        .root { gap: 2px; }
      }
      @container lm-gain (max-height: 96px) {
        .head { display: none; }
        .scale { display: none; }
      }
    `,
  ];

  /** The heading, 'Gain' by default. */
  declare label: string;

  private els: {
    root: HTMLElement;
    num: Text;
    wanted: HTMLElement;
    tag: HTMLElement;
    fill: HTMLElement;
    zero: HTMLElement;
    needle: HTMLElement;
    want: HTMLElement;
    lo: HTMLElement;
    z: HTMLElement;
    hi: HTMLElement;
  } | null = null;

  // The latest values, kept for a call before the first render; then what was last written.
  private applied = NaN;
  private wantedDb = NaN;
  private maxCut = 24;
  private maxBoost = 24;
  private state: GainState = 'idle';
  private lastNum = '';
  private lastWanted = '';
  private lastState = '';
  private lastCut = NaN;
  private lastBoost = NaN;
  private lastNeedle = -1;
  private lastWant = -1;
  private zeroQ = Q / 2;

  constructor() {
    super();
    this.label = 'Gain';
  }

  /**
   * Applied and wanted gain in dB (NaN: none yet, shown as "—"), the range limits maxCut and maxBoost as
   * magnitudes in dB (the bar runs from −maxCut to +maxBoost), and what the gain engine is doing.
   */
  setGain(applied: number, wanted: number, maxCut: number, maxBoost: number, state: GainState): void {
    this.applied = applied;
    this.wantedDb = wanted;
    this.maxCut = maxCut;
    this.maxBoost = maxBoost;
    this.state = state;
    this.apply();
  }

  private apply(): void {
    const e = this.els;
    if (e === null) return;
    const cut = this.maxCut;
    const boost = this.maxBoost;
    if (cut !== this.lastCut || boost !== this.lastBoost) {
      this.lastCut = cut;
      this.lastBoost = boost;
      this.zeroQ = Math.round(gainToFraction(0, cut, boost) * Q);
      const z = `${(100 * this.zeroQ) / Q}%`;
      e.zero.style.left = z;
      e.fill.style.left = z;
      e.z.style.left = z;
      // The "0" label would collide with an end label when zero is near an end of the bar.
      e.z.hidden = this.zeroQ < 0.15 * Q || this.zeroQ > 0.85 * Q;
      e.lo.textContent = formatGain(-Math.abs(cut), 0);
      e.hi.textContent = formatGain(Math.abs(boost), 0);
      this.lastNeedle = this.lastWant = -1;
    }
    const n = Math.round(gainToFraction(this.applied, cut, boost) * Q);
    if (n !== this.lastNeedle) {
      this.lastNeedle = n;
      e.needle.style.transform = `translateX(${(100 * n) / Q}%)`;
      e.fill.style.transform = `scaleX(${(n - this.zeroQ) / Q})`;
    }
    const has = this.wantedDb === this.wantedDb;
    const w = has ? Math.round(gainToFraction(this.wantedDb, cut, boost) * Q) : -2;
    if (w !== this.lastWant) {
      this.lastWant = w;
      e.want.hidden = !has;
      if (has) e.want.style.transform = `translateX(${(100 * w) / Q}%)`;
    }
    const num = formatGain(this.applied);
    if (num !== this.lastNum) {
      this.lastNum = num;
      e.num.data = num;
    }
    const wanted = formatGain(this.wantedDb);
    if (wanted !== this.lastWanted) {
      this.lastWanted = wanted;
      e.wanted.textContent = wanted;
    }
    if (this.state !== this.lastState) {
      this.lastState = this.state;
      e.root.dataset.state = this.state;
      e.tag.textContent = STATE_TAGS[this.state] ?? '';
    }
  }

  protected override firstUpdated(): void {
    const root = this.renderRoot;
    const q = (sel: string): HTMLElement => root.querySelector<HTMLElement>(sel)!;
    const numEl = q('.num');
    const num = document.createTextNode('\u2014');
    numEl.insertBefore(num, numEl.firstChild);
    this.els = {
      root: q('.root'),
      num,
      wanted: q('.wanted b'),
      tag: q('.tag'),
      fill: q('.fill'),
      zero: q('.zero'),
      needle: q('.needle'),
      want: q('.want'),
      lo: q('.lo'),
      z: q('.z'),
      hi: q('.hi'),
    };
    this.apply();
  }

  override render() {
    return html`<div class="root" data-state="idle" role="group" aria-label=${this.label}>
      <div class="head"><span>${this.label}</span><span class="tag"></span></div>
      <div class="value">
        <span class="num"><span class="unit">dB</span></span>
        <span class="wanted" title="The gain LevelMatch is moving towards, dB">wanted <b>\u2014</b></span>
      </div>
      <div class="bar" aria-hidden="true">
        <div class="rail">
          <div class="track"><div class="fill"></div></div>
          <div class="zero"></div>
          <div class="mover want" hidden></div>
          <div class="mover needle"></div>
        </div>
      </div>
      <div class="scale" aria-hidden="true"><span class="lo"></span><span class="z">0</span><span class="hi"></span></div>
    </div>`;
  }
}

defineOnce('levelmatch-gain', LevelMatchGainReadout);

declare global {
  interface HTMLElementTagNameMap {
    'levelmatch-gain': LevelMatchGainReadout;
  }
}
