/**
 * `<levelmatch-meter>`: one signal's loudness meter in the style of an EBU Mode meter (EBU Tech 3341): two bars,
 * M (momentary, 400 ms) and S (short-term, 3 s), on the EBU +9 or +18 scale, each with a marker at its maximum,
 * and the integrated loudness (I, LUFS), loudness range (LRA, LU) and, when given, true peak (TP, dBTP) below.
 *
 * Readings arrive ~25 times a second for several meters at once, so `setReading` writes straight into the DOM
 * (a transform per bar, `top` per max marker, text only when it changes) instead of re-rendering through Lit;
 * Lit renders the static structure and the scale's ticks only. The template binds nothing the direct updates
 * touch (the readout texts are literals in the template, not bindings), so a re-render (new label or scale) leaves
 * them in place.
 *
 * Fills whatever box it is given. Its height is a size container, so small meters shed detail by CSS alone
 * (no ResizeObserver): every other tick label below 220 px, the LRA row and the M/S letters below 140 px, the
 * tick labels and all tick lines but the target's below 110 px.
 */
import { LitElement, html, css } from 'lit';
import type { PropertyValues } from 'lit';
import { baseStyles, defineOnce } from '../theme.ts';
import { formatLevel, formatRange } from '../format.ts';
import { levelToFraction, scaleTicks, scaleWarnFrom, TARGET_LUFS } from './meter-scale.ts';
import type { ScaleName } from './meter-scale.ts';

export type MeterTone = 'ref' | 'out';

const DASH = '\u2014';

/** Bar heights are quantised to 1/2000 of the scale (well under a pixel) so a steady signal writes no style. */
const Q = 2000;

export class LevelMatchMeter extends LitElement {
  static override properties = {
    label: { type: String },
    tone: { type: String, reflect: true },
    scale: { type: String },
  };

  static override styles = [
    baseStyles,
    css`
      :host {
        display: flex;
        flex-direction: column;
        min-width: 48px;
        min-height: 80px;
        --_tone: var(--_ref);
      }
      :host([tone='out']) { --_tone: var(--_out); }
      /* The size container: a flex item that takes the host's box (its own content does not size it). */
      .root {
        flex: 1 1 auto;
        min-height: 0;
        container: lm-meter / size;
      }
      .grid {
        height: 100%;
        display: flex;
        flex-direction: column;
        gap: 6px;
      }
      .label {
        font-size: 11px;
        line-height: 13px;
        color: var(--_dim);
        text-transform: uppercase;
        letter-spacing: 0.06em;
        white-space: nowrap;
        overflow: hidden;
        text-overflow: ellipsis;
        text-align: center;
      }
      .label::before {
        content: '';
        display: inline-block;
        width: 6px;
        height: 6px;
        margin-right: 5px;
        border-radius: 50%;
        vertical-align: 1px;
        background: var(--_tone);
      }
      /* Tick labels | M bar | S bar, the bars' letters in a second row. The tick labels and both bars share row 1,
         so a tick label sits exactly at its level on the bars. */
      .body {
        flex: 1 1 auto;
        min-height: 0;
        display: grid;
        grid-template-columns: auto minmax(6px, 20px) minmax(8px, 27px);
        grid-template-rows: minmax(0, 1fr) auto;
        column-gap: 3px;
        row-gap: 3px;
        justify-content: center;
        /* Room for the end labels, which are centred on their lines. */
        padding-top: 4px;
      }
      .ticks { grid-area: 1 / 1; position: relative; min-width: 20px; margin-right: 2px; }
      .tick {
        position: absolute;
        right: 0;
        transform: translateY(-50%);
        font: 9.5px/1 var(--_mono);
        color: var(--_dim);
        white-space: nowrap;
        font-variant-numeric: tabular-nums;
      }
      .tick.target { color: var(--_text); }
      .track {
        grid-row: 1;
        position: relative;
        overflow: hidden;
        background: var(--_panel2);
      }
      .track.m { grid-column: 2; }
      .track.s { grid-column: 3; }
      /* Square corners: a rounded clip would let the fill's colour fringe through the cover's antialiased edge. */
      /* The whole bar colour, tone below the top zone of the scale and the warning colour in it; the cover (the
         empty part of the bar, from the top down) is scaled to reveal the level. */
      .fill {
        position: absolute;
        inset: 0;
        background: linear-gradient(to top,
          color-mix(in srgb, var(--_tone) 62%, var(--_panel2)) 0%,
          var(--_tone) var(--warn-at),
          var(--_warn) var(--warn-at),
          var(--_warn) 100%);
      }
      .cover {
        position: absolute;
        inset: 0;
        background: var(--_panel2);
        transform-origin: 50% 0;
        transform: scaleY(1);
        will-change: transform;
      }
      .max {
        position: absolute;
        left: 0;
        right: 0;
        top: calc(100% + 2px);
        height: 2px;
        margin-top: -1px;
        background: var(--_text);
      }
      /* Tick lines over both bars: they read as segment gaps on a lit bar and as the scale on an empty one. */
      .lines { grid-area: 1 / 2 / 2 / 4; position: relative; pointer-events: none; }
      .lines i {
        position: absolute;
        left: -3px;
        right: 0;
        height: 1px;
        margin-top: -1px;
        background: color-mix(in srgb, var(--_bg) 55%, transparent);
      }
      .lines i.target { background: color-mix(in srgb, var(--_text) 35%, transparent); }
      .letter {
        grid-row: 2;
        font: 9.5px/1 var(--_mono);
        color: var(--_dim);
        text-align: center;
      }
      .letter.m { grid-column: 2; }
      .letter.s { grid-column: 3; }
      .readouts {
        display: grid;
        grid-template-columns: auto 1fr;
        column-gap: 6px;
        row-gap: 1px;
        font-size: 11px;
        line-height: 14px;
        padding: 0 2px;
      }
      .k { color: var(--_dim); }
      .v {
        font-family: var(--_mono);
        font-variant-numeric: tabular-nums;
        text-align: right;
        white-space: nowrap;
      }
      .v.i { font-weight: 600; }
      .off { visibility: hidden; }

      @container lm-meter (max-height: 220px) {
        .tick.minor { display: none; }
      }
      @container lm-meter (max-height: 140px) {
        .grid { gap: 3px; }
        .label { font-size: 10px; line-height: 12px; text-transform: none; letter-spacing: 0; }
        .label::before { display: none; }
        .letter, .lra { display: none; }
        .readouts { font-size: 10px; line-height: 12px; }
      }
      @container lm-meter (max-height: 110px) {
        .ticks { display: none; }
        .lines i:not(.target) { display: none; }
        .body { padding-top: 0; }
        .lines i { left: 0; }
      }
    `,
  ];

  /** Shown above the bars, e.g. 'Reference', 'Output'. */
  declare label: string;
  /** Bar colour: 'ref' (--lm-ref, blue) or 'out' (--lm-out, green). */
  declare tone: MeterTone;
  /** The EBU Tech 3341 scale: 'ebu9' (−41..−14 LUFS, default) or 'ebu18' (−59..−5 LUFS). */
  declare scale: ScaleName;

  // The latest reading, kept so a scale change (or a reading before the first render) can be drawn later.
  private m = NaN;
  private s = NaN;
  private mMax = NaN;
  private sMax = NaN;
  private integrated = -Infinity;
  private range = NaN;
  private truePeak = NaN;
  private cleared = true;

  // The elements the direct updates write to (after the first render) and what was last written.
  private els: {
    mCover: HTMLElement;
    sCover: HTMLElement;
    mMaxEl: HTMLElement;
    sMaxEl: HTMLElement;
    i: HTMLElement;
    lra: HTMLElement;
    tp: HTMLElement;
    tpRow: HTMLElement[];
  } | null = null;
  private last = new Float64Array(4).fill(-1); // quantised M, S, M max, S max
  private lastI = '';
  private lastLra = '';
  private lastTp = '';
  private lastTpShown = false;

  constructor() {
    super();
    this.label = '';
    this.tone = 'ref';
    this.scale = 'ebu9';
  }

  /**
   * One reading. Loudness in LUFS (−Infinity or NaN: silence / not measured yet: an empty bar, no marker), range
   * in LU, true peak in dBTP (NaN hides the TP row: the caller has no true peak for this signal).
   */
  setReading(momentary: number, shortTerm: number, momentaryMax: number, shortTermMax: number, integrated: number,
    range: number, truePeak: number): void {
    this.m = momentary;
    this.s = shortTerm;
    this.mMax = momentaryMax;
    this.sMax = shortTermMax;
    this.integrated = integrated;
    this.range = range;
    this.truePeak = truePeak;
    this.cleared = false;
    this.apply();
  }

  /** No reading yet: empty bars, no markers, I "−∞", LRA and TP "—". */
  clear(): void {
    this.m = this.s = this.mMax = this.sMax = NaN;
    this.integrated = -Infinity;
    this.range = NaN;
    this.truePeak = NaN;
    this.cleared = true;
    this.apply();
  }

  /** Writes the stored reading into the DOM, touching only what changed. */
  private apply(): void {
    const e = this.els;
    if (e === null) return;
    const scale = this.scale;
    this.bar(0, e.mCover, this.m, scale);
    this.bar(1, e.sCover, this.s, scale);
    this.marker(2, e.mMaxEl, this.mMax, scale);
    this.marker(3, e.sMaxEl, this.sMax, scale);
    this.text(e.i, 'lastI', formatLevel(this.integrated));
    this.text(e.lra, 'lastLra', formatRange(this.range));
    const tpShown = this.truePeak === this.truePeak;
    if (tpShown) this.text(e.tp, 'lastTp', formatLevel(this.truePeak));
    else if (this.cleared) this.text(e.tp, 'lastTp', DASH);
    // Cleared keeps the TP row as it was, so a reset does not make the layout jump.
    // The row keeps its place when hidden (visibility), so two meters side by side keep their scales aligned.
    const shown = this.cleared ? this.lastTpShown : tpShown;
    if (shown !== this.lastTpShown) {
      this.lastTpShown = shown;
      for (const el of e.tpRow) el.classList.toggle('off', !shown);
    }
  }

  private bar(k: number, cover: HTMLElement, lufs: number, scale: ScaleName): void {
    const q = Math.round(levelToFraction(lufs, scale) * Q);
    if (q === this.last[k]) return;
    this.last[k] = q;
    cover.style.transform = `scaleY(${1 - q / Q})`;
  }

  private marker(k: number, el: HTMLElement, lufs: number, scale: ScaleName): void {
    // A maximum at the very bottom of the scale (or none) puts the marker just below the bar, clipped away.
    const q = Math.round(levelToFraction(lufs, scale) * Q);
    if (q === this.last[k]) return;
    this.last[k] = q;
    el.style.top = q === 0 ? '' : `${(100 * (Q - q)) / Q}%`;
  }

  private text(el: HTMLElement, key: 'lastI' | 'lastLra' | 'lastTp', text: string): void {
    if (this[key] === text) return;
    this[key] = text;
    el.textContent = text;
  }

  protected override firstUpdated(): void {
    const root = this.renderRoot;
    const q = (sel: string): HTMLElement => root.querySelector<HTMLElement>(sel)!;
    this.els = {
      mCover: q('.track.m .cover'),
      sCover: q('.track.s .cover'),
      mMaxEl: q('.track.m .max'),
      sMaxEl: q('.track.s .max'),
      i: q('.v.i'),
      lra: q('.v.lra'),
      tp: q('.v.tp'),
      tpRow: Array.from(root.querySelectorAll<HTMLElement>('.tp')),
    };
  }

  protected override updated(changed: PropertyValues<this>): void {
    // A new scale moves every bar and marker: forget what was written and draw the stored reading again.
    if (changed.has('scale')) this.last.fill(-1);
    this.apply();
  }

  override render() {
    const scale = this.scale;
    const ticks = scaleTicks(scale);
    // Every other label, counted from the target, stays when the meter is too short for all of them.
    const step = ticks.length > 1 ? ticks[1] - ticks[0] : 1;
    const pos = (lufs: number): string => `${(100 * (1 - levelToFraction(lufs, scale))).toFixed(3)}%`;
    const warnAt = `${(100 * levelToFraction(scaleWarnFrom(scale), scale)).toFixed(3)}%`;
    const track = (k: 'm' | 's') => html`<div class="track ${k}" style="--warn-at:${warnAt}">
      <div class="fill"></div><div class="cover"></div><div class="max"></div></div>`;
    return html`<div class="root"><div class="grid">
      <div class="label" title=${this.label}>${this.label}</div>
      <div class="body" aria-hidden="true">
        <div class="ticks">${ticks.map((t) => {
          const minor = Math.round((t - TARGET_LUFS) / step) % 2 !== 0;
          return html`<span class="tick ${minor ? 'minor' : ''} ${t === TARGET_LUFS ? 'target' : ''}"
            style="top:${pos(t)}">${formatLevel(t, 0)}</span>`;
        })}</div>
        ${track('m')}${track('s')}
        <div class="lines">${ticks.map((t) => html`<i class=${t === TARGET_LUFS ? 'target' : ''} style="top:${pos(t)}"></i>`)}</div>
        <span class="letter m" title="Momentary (400 ms)">M</span>
        <span class="letter s" title="Short-term (3 s)">S</span>
      </div>
      <div class="readouts">
        <span class="k" title="Integrated loudness, LUFS">I</span><span class="v i">\u2212\u221e</span>
        <span class="k lra" title="Loudness range, LU">LRA</span><span class="v lra">\u2014</span>
        <span class="k tp off" title="True peak, dBTP">TP</span><span class="v tp off">\u2014</span>
      </div>
    </div></div>`;
  }
}

defineOnce('levelmatch-meter', LevelMatchMeter);

declare global {
  interface HTMLElementTagNameMap {
    'levelmatch-meter': LevelMatchMeter;
  }
}
