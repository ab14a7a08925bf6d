/**
 * `<levelmatch-history>`: the last `seconds` (30) of matching as lines on a canvas: the reference's and the
 * output's short-term loudness (LUFS, left axis: the EBU Tech 3341 scale in use) and the applied gain (dB, right
 * axis, symmetric ±R with R = max(6, the largest stored |gain| rounded up to 6 dB)). Newest on the right.
 *
 * It runs next to audio in a plugin host, so drawing is frugal:
 * - a frame is requested only when a reading arrived since the last one (dirty flag), and only while the element
 *   is connected, its document visible (visibilitychange) and the element on screen (IntersectionObserver, which
 *   also reports `display: none`). Pausing cancels the pending frame, so nothing runs in the background;
 * - a frame allocates nothing: the readings live in a preallocated ring (HistoryBuffer), the frame callback is
 *   one function bound once, colours are read (getComputedStyle) on connect, resize and scale change and kept as
 *   strings, axis labels are built when the scale or the gain range changes, and lines are plain
 *   beginPath/moveTo/lineTo;
 * - the backing store follows the element's size × devicePixelRatio through a ResizeObserver, whose entries are
 *   the only place sizes are read: a frame never reads layout.
 *
 * Everything is drawn in device pixels; 1-px grid lines sit on pixel centres so they stay crisp at any ratio.
 * Readings are assumed to arrive at READINGS_PER_SECOND; the x axis counts readings, not wall time.
 */
import { LitElement, html, css, nothing } from 'lit';
import type { PropertyValues } from 'lit';
import { baseStyles, defineOnce } from '../theme.ts';
import { formatGain, formatLevel } from '../format.ts';
import { HistoryBuffer } from './history-buffer.ts';
import { gainAxisRange } from './gain-scale.ts';
import { scaleRange, scaleTicks, TARGET_LUFS } from './meter-scale.ts';
import type { ScaleName } from './meter-scale.ts';

/** The plugin's readout rate, readings per second. */
export const READINGS_PER_SECOND = 25;

/** Layout in CSS pixels (scaled by the device pixel ratio when drawn). */
const FONT_PX = 10;
const PAD_TOP = 7;
const PAD_GAP = 5; // between an axis label and the plot
const LINE_PX = 1.5; // signal lines
/**
 * Signal lines are drawn in 1/SUB device-pixel units (the context scaled by 1/SUB), so every coordinate passed
 * to the canvas is a whole number. V8 passes whole numbers to the canvas bindings as small integers; a
 * fractional one is boxed into a new heap number per argument, which at 3 x 750 points per frame would be
 * ~70 KB of garbage per frame. Grid lines sit on whole pixels with the half-pixel offset in the transform.
 */
const SUB = 4;

/** Ring capacity for `seconds` of history: two seconds more than shown, so the oldest line enters from the edge. */
function capacityFor(seconds: number): number {
  return Math.round((seconds > 0 ? seconds : 30) * READINGS_PER_SECOND) + 2 * READINGS_PER_SECOND;
}

export class LevelMatchHistory extends LitElement {
  static override properties = {
    scale: { type: String },
    seconds: { type: Number },
    refLabel: { type: String },
    outLabel: { type: String },
    gainLabel: { type: String },
  };

  static override styles = [
    baseStyles,
    css`
      :host {
        display: flex;
        flex-direction: column;
        gap: 4px;
        min-width: 120px;
        min-height: 80px;
      }
      .legend {
        flex: none;
        display: flex;
        gap: 12px;
        justify-content: flex-end;
        font-size: 10.5px;
        line-height: 13px;
        color: var(--_dim);
        white-space: nowrap;
        overflow: hidden;
      }
      .legend span::before {
        content: '';
        display: inline-block;
        width: 12px;
        height: 2px;
        margin-right: 5px;
        vertical-align: 3px;
        border-radius: 1px;
        background: var(--c);
      }
      .legend .title { margin-right: auto; text-transform: uppercase; letter-spacing: 0.06em; }
      .legend .title::before { display: none; }
      .plot { flex: 1 1 auto; min-height: 0; position: relative; }
      canvas { position: absolute; inset: 0; width: 100%; height: 100%; display: block; }
    `,
  ];

  /** The LUFS axis: an EBU Tech 3341 scale, 'ebu9' (−41..−14 LUFS, default) or 'ebu18' (−59..−5 LUFS). */
  declare scale: ScaleName;
  /** How much history is shown, seconds (default 30). */
  declare seconds: number;
  /**
   * The legend's names of the three lines (defaults 'Ref S', 'Out S', 'Gain'). '' means the line is not drawn by
   * this GUI (e.g. a reference instance has no output line of its own and no gain): its legend entry goes, and
   * with no gain the gain axis goes too. The names describe what the caller pushes.
   */
  declare refLabel: string;
  declare outLabel: string;
  declare gainLabel: string;

  private buf: HistoryBuffer;
  private canvas: HTMLCanvasElement | null = null;
  private ctx: CanvasRenderingContext2D | null = null;

  // Drawing state.
  private raf = 0;
  private dirty = true;
  private connected = false;
  private docVisible = true;
  private onScreen = false;
  private width = 0; // backing store, device pixels
  private height = 0;
  private dpr = 1;

  // Cached at connect / resize / scale change.
  private cRef = '#5cb2ff';
  private cOut = '#6fdc8c';
  private cGain = '#f4b63f';
  private cLine = '#343a46';
  private cDim = '#8d94a5';
  private cText = '#e7e9ef';
  private font = '10px monospace';
  private fontFamily = 'monospace';
  private lufsMin = -41;
  private lufsMax = -14;
  private ticks: number[] = [];
  private tickLabels: string[] = [];
  private targetIndex = 6; // index of −23 LUFS in ticks
  private gainRange = 0; // R, dB; 0 until the labels are built
  private gainLabels: string[] = []; // +R, +R/2, 0, −R/2, −R
  private timeLabels: string[] = [];
  private timeSteps: number[] = []; // seconds before now, for each time label
  private padLeft = 0; // device pixels
  private padRight = 0;
  private padBottom = 0;
  // The current trace's mapping (device pixels), set by draw() before each trace().
  private tRight = 0.5;
  private tDx = 0.5;
  private tY0 = 0.5;
  private tKy = 0.5;
  private tV0 = 0.5;
  /** Signal line width in the 1/SUB units of the traces (set with the size, so no number is made per frame). */
  private traceWidth = LINE_PX * SUB;
  private plotTop = 0; // device pixels, set by draw for trace
  private plotBottom = 0;

  private resizeObserver: ResizeObserver | null = null;
  private intersectionObserver: IntersectionObserver | null = null;

  /** The one frame callback, bound once. */
  private readonly frame = (): void => {
    this.raf = 0;
    if (!this.running()) return;
    this.dirty = false;
    this.draw();
  };

  private readonly onVisibility = (): void => {
    this.docVisible = document.visibilityState !== 'hidden';
    this.reschedule();
  };

  private readonly onResize = (entries: ResizeObserverEntry[]): void => {
    const entry = entries[entries.length - 1];
    const dpr = window.devicePixelRatio || 1;
    const box = entry.contentBoxSize?.[0];
    let w = Math.round((box?.inlineSize ?? entry.contentRect.width) * dpr);
    let h = Math.round((box?.blockSize ?? entry.contentRect.height) * dpr);
    // The exact device-pixel size (Chromium) avoids a blurry half-pixel stretch; it is used only when it agrees
    // with CSS size × ratio (emulated ratios, e.g. in headless tests, report CSS pixels there).
    const device = entry.devicePixelContentBoxSize?.[0];
    if (device !== undefined && Math.abs(device.inlineSize - w) <= 1 && Math.abs(device.blockSize - h) <= 1) {
      w = device.inlineSize;
      h = device.blockSize;
    }
    this.dpr = dpr;
    this.traceWidth = LINE_PX * dpr * SUB;
    if (w !== this.width || h !== this.height) {
      this.width = w;
      this.height = h;
      if (this.canvas !== null) {
        this.canvas.width = w;
        this.canvas.height = h;
      }
    }
    this.readColours();
    this.layoutAxes();
    this.dirty = true;
    this.reschedule();
  };

  private readonly onIntersect = (entries: IntersectionObserverEntry[]): void => {
    this.onScreen = entries[entries.length - 1].isIntersecting;
    this.reschedule();
  };

  constructor() {
    super();
    this.scale = 'ebu9';
    this.seconds = 30;
    this.refLabel = 'Ref S';
    this.outLabel = 'Out S';
    this.gainLabel = 'Gain';
    this.buf = new HistoryBuffer(capacityFor(30));
  }

  /** True while a frame is requested (for tests: false whenever the graph is paused). */
  get animating(): boolean {
    return this.raf !== 0;
  }

  /** One reading: short-term loudness of the reference and the output (LUFS; −∞/NaN: a gap), applied gain (dB). */
  push(refShortTerm: number, outShortTerm: number, appliedGain: number): void {
    this.buf.push(refShortTerm, outShortTerm, appliedGain);
    this.dirty = true;
    if (this.raf === 0 && this.running()) this.raf = requestAnimationFrame(this.frame);
  }

  /** Forgets the history (e.g. on a meter reset). */
  clear(): void {
    this.buf.clear();
    this.dirty = true;
    this.reschedule();
  }

  override connectedCallback(): void {
    super.connectedCallback();
    this.connected = true;
    this.docVisible = document.visibilityState !== 'hidden';
    document.addEventListener('visibilitychange', this.onVisibility);
    if (this.canvas !== null) this.observe();
  }

  override disconnectedCallback(): void {
    super.disconnectedCallback();
    this.connected = false;
    document.removeEventListener('visibilitychange', this.onVisibility);
    this.resizeObserver?.disconnect();
    this.intersectionObserver?.disconnect();
    this.onScreen = false;
    this.reschedule();
  }

  protected override firstUpdated(): void {
    this.canvas = this.renderRoot.querySelector('canvas');
    this.ctx = this.canvas?.getContext('2d') ?? null;
    if (this.connected) this.observe();
  }

  protected override updated(changed: PropertyValues<this>): void {
    if (changed.has('seconds')) this.resize(capacityFor(this.seconds));
    if (changed.has('gainLabel')) this.gainRange = -1; // the right margin is rebuilt on the next draw
    if (changed.has('scale') || changed.has('seconds') || changed.has('gainLabel')) {
      this.readColours();
      this.layoutAxes();
      this.dirty = true;
      this.reschedule();
    }
  }

  /** Starts the observers; they report the first size and visibility at once, which starts drawing. */
  private observe(): void {
    const canvas = this.canvas!;
    if (typeof ResizeObserver !== 'undefined') {
      this.resizeObserver ??= new ResizeObserver(this.onResize);
      try {
        this.resizeObserver.observe(canvas, { box: 'device-pixel-content-box' });
      } catch {
        this.resizeObserver.observe(canvas);
      }
    }
    if (typeof IntersectionObserver !== 'undefined') {
      this.intersectionObserver ??= new IntersectionObserver(this.onIntersect);
      this.intersectionObserver.observe(this);
    } else {
      this.onScreen = true;
    }
  }

  private running(): boolean {
    return this.connected && this.docVisible && this.onScreen && this.ctx !== null && this.width > 0 && this.height > 0;
  }

  /** Requests a frame when there is something to draw and drawing is allowed; cancels the pending one when not. */
  private reschedule(): void {
    if (this.running()) {
      if (this.dirty && this.raf === 0) this.raf = requestAnimationFrame(this.frame);
    } else if (this.raf !== 0) {
      cancelAnimationFrame(this.raf);
      this.raf = 0;
    }
  }

  /** A new capacity keeps the newest readings that fit. */
  private resize(capacity: number): void {
    if (capacity === this.buf.capacity) return;
    const old = this.buf;
    const next = new HistoryBuffer(capacity);
    for (let i = Math.max(0, old.length - capacity); i < old.length; i++) next.push(old.ref(i), old.out(i), old.gain(i));
    this.buf = next;
  }

  /** Theme colours and the mono font, resolved once (custom properties cannot be read cheaply per frame). */
  private readColours(): void {
    if (!this.isConnected) return;
    const cs = getComputedStyle(this);
    const get = (name: string, fallback: string): string => cs.getPropertyValue(name).trim() || fallback;
    this.cRef = get('--_ref', this.cRef);
    this.cOut = get('--_out', this.cOut);
    this.cGain = get('--_accent', this.cGain);
    this.cLine = get('--_line', this.cLine);
    this.cDim = get('--_dim', this.cDim);
    this.cText = get('--_text', this.cText);
    this.fontFamily = get('--_mono', this.fontFamily);
  }

  /** Axis ranges, labels and margins for the current scale, seconds, size and gain range. */
  private layoutAxes(): void {
    const range = scaleRange(this.scale);
    this.lufsMin = range.min;
    this.lufsMax = range.max;
    this.ticks = scaleTicks(this.scale);
    this.tickLabels = this.ticks.map((t) => formatLevel(t, 0));
    this.targetIndex = this.ticks.indexOf(TARGET_LUFS);
    const secs = this.seconds > 0 ? this.seconds : 30;
    const step = secs <= 15 ? 5 : secs <= 40 ? 10 : secs <= 120 ? 30 : 60;
    this.timeSteps = [];
    this.timeLabels = [];
    for (let s = step; s <= secs; s += step) {
      this.timeSteps.push(s);
      this.timeLabels.push(`\u2212${s} s`);
    }
    this.font = `${Math.round(FONT_PX * this.dpr)}px ${this.fontFamily}`;
    this.gainRange = 0; // rebuilt (with the right margin) on the next draw
    this.padBottom = Math.round((FONT_PX + 6) * this.dpr);
    this.padLeft = this.measure(this.tickLabels) + Math.round(PAD_GAP * this.dpr);
  }

  private buildGainLabels(r: number): void {
    this.gainRange = r;
    this.gainLabels = [formatGain(r, 0), formatGain(r / 2, 0), '0', formatGain(-r / 2, 0), formatGain(-r, 0)];
    this.padRight = this.measure(this.gainLabels) + Math.round(PAD_GAP * this.dpr);
  }

  private measure(labels: string[]): number {
    const ctx = this.ctx;
    if (ctx === null) return 0;
    ctx.font = this.font;
    let w = 0;
    for (const s of labels) w = Math.max(w, ctx.measureText(s).width);
    return Math.ceil(w);
  }

  /** One frame. Allocation-free apart from the gain labels, rebuilt only when the gain range steps. */
  private draw(): void {
    const ctx = this.ctx!;
    const buf = this.buf;
    const W = this.width;
    const H = this.height;
    const dpr = this.dpr;
    const gainOn = this.gainLabel !== '';
    const r = gainOn ? gainAxisRange(buf.gainExtent()) : 0;
    if (r !== this.gainRange) {
      if (gainOn) this.buildGainLabels(r);
      else {
        this.gainRange = 0;
        this.padRight = Math.round(PAD_GAP * dpr);
      }
    }

    // Plot rectangle, device pixels. Grid lines are 1 CSS px, rounded to whole device pixels and centred on
    // pixel centres when odd.
    const lw = Math.max(1, Math.round(dpr));
    const half = (lw & 1) * 0.5;
    const left = this.padLeft;
    const right = W - this.padRight;
    const top = Math.round(PAD_TOP * dpr);
    const showTime = H > 90 * dpr;
    const bottom = H - (showTime ? this.padBottom : Math.round(PAD_TOP * dpr));
    const pw = right - left;
    const ph = bottom - top;
    ctx.clearRect(0, 0, W, H);
    if (pw < 4 || ph < 4) return;

    ctx.font = this.font;
    ctx.lineWidth = lw;
    ctx.textBaseline = 'middle';
    // Odd line widths sit on pixel centres: the half-pixel goes into the transform, coordinates stay whole.
    ctx.setTransform(1, 0, 0, 1, half, half);

    // LUFS grid and labels (left). The target (−23 LUFS, 0 LU) is drawn a little brighter.
    const lmin = this.lufsMin;
    const lspan = this.lufsMax - lmin;
    const ticks = this.ticks;
    ctx.textAlign = 'right';
    const spacing = ph / (ticks.length - 1) / dpr; // CSS px between ticks
    // When the plot is short, every 2nd or 3rd label, counted from the target (every 3rd keeps both ends).
    const every = spacing >= 15 ? 1 : spacing >= 9 ? 2 : 3;
    for (let i = 0; i < ticks.length; i++) {
      const labelled = (i - this.targetIndex) % every === 0;
      // Very short plots (every 3rd label) draw only the labelled lines too.
      if (every === 3 && !labelled) continue;
      const y = Math.round(bottom - ((ticks[i] - lmin) / lspan) * ph);
      ctx.strokeStyle = ticks[i] === TARGET_LUFS ? this.cDim : this.cLine;
      ctx.globalAlpha = ticks[i] === TARGET_LUFS ? 0.55 : 1;
      ctx.beginPath();
      ctx.moveTo(left, y);
      ctx.lineTo(right, y);
      ctx.stroke();
      ctx.globalAlpha = 1;
      if (!labelled) continue;
      ctx.fillStyle = ticks[i] === TARGET_LUFS ? this.cText : this.cDim;
      ctx.fillText(this.tickLabels[i], left - Math.round(PAD_GAP * dpr), y);
    }

    // Gain axis labels (right), 0 dB line in the gain colour.
    ctx.textAlign = 'left';
    ctx.fillStyle = this.cGain;
    ctx.globalAlpha = 0.8;
    for (let k = 0; gainOn && k <= 4; k++) {
      const y = Math.round(top + (k / 4) * ph);
      if (k === 2) {
        ctx.strokeStyle = this.cGain;
        ctx.globalAlpha = 0.3;
        ctx.beginPath();
        ctx.moveTo(left, y);
        ctx.lineTo(right, y);
        ctx.stroke();
        ctx.globalAlpha = 0.8;
      }
      if (ph < 60 * dpr && (k & 1) === 1) continue;
      ctx.fillText(this.gainLabels[k], right + Math.round(PAD_GAP * dpr), y);
    }
    ctx.globalAlpha = 1;

    // Time grid (vertical) and labels (bottom).
    const slots = Math.max(2, Math.round((this.seconds > 0 ? this.seconds : 30) * READINGS_PER_SECOND));
    const dx = pw / (slots - 1);
    ctx.strokeStyle = this.cLine;
    ctx.fillStyle = this.cDim;
    ctx.textBaseline = 'top';
    const ty = bottom + Math.round(4 * dpr);
    for (let k = 0; k < this.timeSteps.length; k++) {
      const x = Math.round(right - this.timeSteps[k] * READINGS_PER_SECOND * dx);
      if (x < left) continue;
      ctx.beginPath();
      ctx.moveTo(x, top);
      ctx.lineTo(x, bottom);
      ctx.stroke();
      if (!showTime) continue;
      ctx.textAlign = x - left < 20 * dpr ? 'left' : 'center';
      ctx.fillText(this.timeLabels[k], x, ty);
    }
    if (showTime) {
      ctx.textAlign = 'right';
      ctx.fillText('now', right, ty);
    }
    // Plot frame: left and bottom edges.
    ctx.beginPath();
    ctx.moveTo(left, top);
    ctx.lineTo(left, bottom);
    ctx.lineTo(right, bottom);
    ctx.stroke();
    ctx.setTransform(1, 0, 0, 1, 0, 0);

    // Signals, clipped to the plot: gain underneath, then reference, output on top.
    const n = buf.length;
    if (n === 0) return;
    // Values off the scale are clamped to its edges; the clip leaves room for the line's width there.
    this.plotTop = top;
    this.plotBottom = bottom;
    const m = Math.ceil(LINE_PX * dpr);
    ctx.save();
    ctx.beginPath();
    ctx.rect(left, top - m, pw + m, ph + 2 * m);
    ctx.clip();
    ctx.setTransform(1 / SUB, 0, 0, 1 / SUB, 0, 0);
    ctx.lineWidth = this.traceWidth;
    ctx.lineJoin = 'round';
    ctx.lineCap = 'round';
    const first = n > slots + 1 ? n - slots - 1 : 0;
    // gain: −R at the bottom, +R at the top
    // The trace's numbers travel in fields, not arguments: a call that is not inlined would box each
    // fractional argument into a new heap number, every frame.
    this.tRight = right;
    this.tDx = dx;
    this.tY0 = top + ph / 2;
    this.tKy = -ph / (2 * r);
    this.tV0 = 0;
    this.trace(2, first, n, this.cGain);
    this.tY0 = bottom;
    this.tKy = -ph / lspan;
    this.tV0 = lmin;
    this.trace(0, first, n, this.cRef);
    this.trace(1, first, n, this.cOut);
    ctx.restore();
  }

  /**
   * Strokes one column (0 reference, 1 output, 2 gain) from reading `first` to the newest: x = tRight − (n − 1 − i)
   * · tDx, y = tY0 + (v − tV0) · tKy, clamped to the plot edges; a NaN lifts the pen.
   */
  private trace(col: number, first: number, n: number, colour: string): void {
    const ctx = this.ctx!;
    const right = this.tRight;
    const dx = this.tDx;
    const y0 = this.tY0;
    const ky = this.tKy;
    const v0 = this.tV0;
    const buf = this.buf;
    const top = this.plotTop;
    const bottom = this.plotBottom;
    ctx.strokeStyle = colour;
    ctx.beginPath();
    let pen = false;
    const data = buf.column(col);
    const cap = buf.capacity;
    let slot = buf.oldestSlot + first;
    if (slot >= cap) slot -= cap;
    for (let i = first; i < n; i++) {
      const v = data[slot];
      slot = slot + 1 === cap ? 0 : slot + 1;
      if (v !== v) {
        pen = false;
        continue;
      }
      let y = y0 + (v - v0) * ky;
      if (y < top) y = top;
      else if (y > bottom) y = bottom;
      const x = right - (n - 1 - i) * dx;
      const qx = Math.round(x * SUB);
      const qy = Math.round(y * SUB);
      if (pen) ctx.lineTo(qx, qy);
      else {
        ctx.moveTo(qx, qy);
        pen = true;
      }
    }
    ctx.stroke();
  }

  override render() {
    const lines = [this.refLabel, this.outLabel, this.gainLabel].filter((l) => l !== '').join(', ');
    return html`<div class="legend" aria-hidden="true">
        <span class="title">History</span>
        ${this.refLabel ? html`<span style="--c: var(--_ref)">${this.refLabel}</span>` : nothing}
        ${this.outLabel ? html`<span style="--c: var(--_out)">${this.outLabel}</span>` : nothing}
        ${this.gainLabel ? html`<span style="--c: var(--_accent)">${this.gainLabel}</span>` : nothing}
      </div>
      <div class="plot"><canvas role="img" aria-label="History over the last ${this.seconds} seconds: ${lines}"></canvas></div>`;
  }
}

defineOnce('levelmatch-history', LevelMatchHistory);

declare global {
  interface HTMLElementTagNameMap {
    'levelmatch-history': LevelMatchHistory;
  }
}
