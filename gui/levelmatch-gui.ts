/**
 * `<levelmatch-gui>`: the plugin's face, returned by LevelMatch.createGui(). Main thread only.
 *
 * It never touches DSP. It reads the node's readouts (the `readout` event, ~25/s while audio runs) and talks
 * to the plugin through the node's parameter API (ParameterBridge: setParameterValues / getParameterValues,
 * plus the parameter values every readout carries, which is how host automation moves the controls).
 *
 * Default size 760 x 500 CSS px (stated here and in the README); a host may size it anywhere from a compact
 * strip of about 360 x 200 (header, status, gain, meters; the rest scrolls) to as large as it likes (the
 * history graph takes the extra room). Restyle through the CSS custom properties of theme.ts.
 *
 * It shows what applies to its mode: a control whose parameter does nothing in the current mode is disabled
 * (dimmed, out of the tab order, its tooltip says where it acts; APPLIES below), and a reference instance, which
 * passes its audio untouched, shows its input meter, link and true peak only: no gain, A/B, bypass, learn or hold.
 *
 * Rendering budget: Lit re-renders only when a parameter, the mode or the scale changes. Readouts update the
 * meters, gain and status text directly (no template work at 25 Hz); the history canvas draws in its own
 * requestAnimationFrame loop, paused while hidden.
 */
import { LitElement, html, css, nothing, type PropertyValues } from 'lit';
import { baseStyles, defineOnce } from './theme.ts';
import { ParameterBridge, type ParameterNode } from './parameter-bridge.ts';
import { statusLine, WAITING, type StatusTone } from './status-text.ts';
import { formatLevel } from './format.ts';
import { latencyLine } from './latency-text.ts';
import { settleLine } from './settle-text.ts';
import { PARAMETERS, parameterIndex, isParameterId, MODE_CHOICES, DETECTOR_CHOICES, FOLLOW_CHOICES, type ParameterId } from '../wam/parameters.ts';
import type { Readout } from '../wam/readout.ts';
import type { ScaleName } from './display/meter-scale.ts';
import type { LevelMatchMeter } from './display/meter.ts';
import type { LevelMatchHistory } from './display/history.ts';
import type { LevelMatchGainReadout } from './display/gain-readout.ts';
import './display/index.ts';
import './widgets/index.ts';
import './track-panel.ts';

/** What the GUI needs of the node: the parameter API, readouts, meter reset (LevelMatchNode has all of it). */
export interface GuiNode extends ParameterNode {
  readonly readout: Readout | null;
  /** The node's context (an AudioNode has one): its sample rate turns latency frames into ms. */
  readonly context?: { readonly sampleRate: number };
  resetMeters(): void;
}

/** How each continuous parameter's knob behaves: arrow-key step, drag taper, decimals shown. */
interface KnobSpec {
  id: ParameterId;
  keyStep: number;
  taper: number;
  decimals: number;
}
const KNOBS: readonly KnobSpec[] = [
  { id: 'response', keyStep: 0.1, taper: 3, decimals: 1 },
  { id: 'tolerance', keyStep: 0.1, taper: 1, decimals: 1 },
  { id: 'maxBoost', keyStep: 0.5, taper: 1, decimals: 1 },
  { id: 'maxCut', keyStep: 0.5, taper: 1, decimals: 1 },
  { id: 'gate', keyStep: 1, taper: 1, decimals: 0 },
  { id: 'target', keyStep: 0.5, taper: 1, decimals: 1 },
  { id: 'offset', keyStep: 0.1, taper: 1, decimals: 1 },
  { id: 'latency', keyStep: 1, taper: 2, decimals: 0 },
  { id: 'ceiling', keyStep: 0.1, taper: 1, decimals: 1 },
];

/**
 * The modes (0 reference, 1 match, 2 sidechain, 3 target, 4 track) in which each parameter changes anything. A reference
 * passes its audio bit-exact, so only its mode and link channel act; the link joins a reference and its match
 * instances (a sidechain instance takes its reference from input 1, a target one needs none); `target` is target
 * mode's level; `latency` delays the reference a match or sidechain instance compares with, and `autoLatency`
 * measures that delay.
 */
const MATCHING = [1, 2, 3, 4];
export const APPLIES: Readonly<Record<ParameterId, readonly number[]>> = {
  mode: [0, 1, 2, 3, 4],
  link: [0, 1],
  detector: MATCHING,
  follow: MATCHING,
  response: MATCHING,
  tolerance: MATCHING,
  maxBoost: MATCHING,
  maxCut: MATCHING,
  gate: MATCHING,
  target: [3],
  offset: MATCHING,
  latency: [1, 2],
  ceiling: MATCHING,
  ceilingOn: MATCHING,
  listen: MATCHING,
  bypass: MATCHING,
  ceilingInMatch: [1, 2],
  autoLock: MATCHING,
  autoLatency: [1, 2],
};
const acts = (id: ParameterId, mode: number): boolean => APPLIES[id].includes(mode);
/** The tooltip of a control that does nothing in this mode: where it acts. */
const actsWhere = (id: ParameterId): string => `Acts in ${APPLIES[id].map((m) => MODE_CHOICES[m]).join(', ')} mode only`;

const label = (id: ParameterId): string => PARAMETERS[parameterIndex(id)].label;
const title = (s: string): string => s.charAt(0).toUpperCase() + s.slice(1);
const MODE_LABELS = MODE_CHOICES.map(title);
const DETECTOR_LABELS = ['M', 'S', 'I', 'RMS'];
const DETECTOR_TITLES = DETECTOR_CHOICES.map((c) => (c === 'rms' ? 'RMS (unweighted, 3 s)' : `${title(c)} loudness`));
const FOLLOW_LABELS = FOLLOW_CHOICES.map(title);
const LISTEN_LABELS = ['Out', 'Ref', 'Delta'];
const LISTEN_TITLES = ['Output: the matched signal', 'Reference: the aligned reference at matched loudness', 'Delta: the output minus the aligned reference (what the processing changed)'];
/** In target and track modes there is no reference: listen = 1 plays the input before the gain (no delta). */
const LISTEN_LABELS_TARGET = ['Output', 'Input'];
const MODE_SHORT = ['Ref', 'Match', 'Side', 'Target', 'Track'];
const SCALES: readonly ScaleName[] = ['ebu9', 'ebu18'];
/** Below either size (CSS px) the compact layout applies. */
const COMPACT_WIDTH = 560;
const COMPACT_HEIGHT = 300;

export class LevelMatchGui extends LitElement {
  static override properties = {
    scale: { type: String, reflect: true },
    _mode: { state: true },
    _version: { state: true },
    _compact: { state: true },
  };

  static override styles = [
    baseStyles,
    css`
      :host {
        display: block;
        width: 760px;
        height: 500px;
        min-width: 320px;
        min-height: 180px;
        container-type: size;
        background: var(--_bg);
        border-radius: var(--_radius);
        overflow: hidden;
        font-size: 12px;
        user-select: none;
        -webkit-user-select: none;
      }
      .frame {
        height: 100%;
        overflow: auto;
        display: flex;
        flex-direction: column;
        gap: 8px;
        padding: 10px 12px;
        scrollbar-width: thin;
        scrollbar-color: var(--_line) transparent;
      }
      header {
        display: flex;
        align-items: center;
        gap: 10px;
        flex-wrap: wrap;
      }
      .brand {
        font-weight: 700;
        letter-spacing: 0.02em;
        font-size: 14px;
        color: var(--_text);
      }
      .brand span { color: var(--_accent); }
      .spacer { flex: 1; }
      .status {
        display: flex;
        align-items: center;
        gap: 8px;
        min-height: 24px;
        padding: 3px 10px;
        background: var(--_panel);
        border-radius: var(--_radius);
        font-size: 13px;
        white-space: nowrap;
        overflow: hidden;
        text-overflow: ellipsis;
      }
      .status .text { overflow: hidden; text-overflow: ellipsis; }
      .dot { width: 8px; height: 8px; border-radius: 50%; flex: none; background: var(--_dim); }
      .status[data-tone='ok'] .dot { background: var(--_out); }
      .status[data-tone='busy'] .dot { background: var(--_ref); }
      .status[data-tone='warn'] .dot { background: var(--_warn); }
      .status[data-tone='error'] .dot { background: var(--_danger); }
      .status[data-tone='error'] .text { color: var(--_danger); }
      main {
        flex: 1 1 auto;
        min-height: 150px;
        display: grid;
        grid-template-columns: minmax(170px, 210px) auto minmax(0, 1fr);
        gap: 10px;
      }
      .panel {
        background: var(--_panel);
        border-radius: var(--_radius);
        padding: 8px;
        min-height: 0;
        min-width: 0;
      }
      .gaincol { display: flex; flex-direction: column; gap: 8px; }
      levelmatch-gain { flex: 1 1 auto; min-height: 0; }
      .peaks { display: flex; flex-wrap: wrap; justify-content: space-between; gap: 2px 12px; font-family: var(--_mono); font-size: 11px; color: var(--_dim); }
      .peaks span { white-space: nowrap; }
      /* How settled the learned gain is (settle-text.ts), beside the status (outside its live region: it counts
         seconds): a small bar filling towards settled, then the words. Below the status when the row is narrow. */
      .statusrow { display: flex; flex-wrap: wrap; gap: 6px 8px; }
      .statusrow .status { flex: 1 1 260px; min-width: 0; }
      .settle {
        flex: 0 1 auto;
        display: flex;
        align-items: center;
        gap: 8px;
        min-width: 0;
        min-height: 24px;
        padding: 3px 10px;
        background: var(--_panel);
        border-radius: var(--_radius);
        font-size: 12px;
        color: var(--_dim);
        white-space: nowrap;
        overflow: hidden;
      }
      .settle[data-state='none'] { display: none; }
      .settle .sbar { flex: none; width: 22px; height: 4px; border-radius: 2px; background: var(--_panel2); overflow: hidden; }
      .settle .sfill { display: block; height: 100%; width: 100%; background: var(--_dim); transform-origin: 0 50%; transform: scaleX(0); }
      .settle[data-state='settled'] .sfill { background: var(--_out); }
      .settle[data-state='locked'] .sfill { background: var(--_accent); }
      .settle .shead { color: var(--_text); white-space: nowrap; }
      .settle .sdrift, .settle .slock { font-family: var(--_mono); white-space: nowrap; }
      .settle .slock { color: var(--_accent); }
      .settle .slock:empty { display: none; }
      .refcol { display: flex; flex-direction: column; gap: 8px; }
      .refcol h3 { margin: 0; font-size: 11px; line-height: 14px; font-weight: 600; color: var(--_dim); text-transform: uppercase; letter-spacing: 0.06em; }
      .refcol p { margin: 0; color: var(--_dim); line-height: 1.4; }
      .refcol p b { color: var(--_ref); font-weight: 600; }
      .refcol .grow { flex: 1 1 auto; }
      .peaks b { color: var(--_text); font-weight: 500; }
      .peaks b.over { color: var(--_danger); }
      .buttons { display: flex; gap: 6px; flex-wrap: wrap; }
      .meters { display: flex; gap: 6px; }
      levelmatch-meter { width: 84px; height: 100%; }
      levelmatch-history { width: 100%; height: 100%; }
      .controls {
        flex: none;
        display: flex;
        flex-direction: column;
        gap: 8px;
        background: var(--_panel);
        border-radius: var(--_radius);
        padding: 8px 10px;
      }
      .choices { display: flex; gap: 14px; flex-wrap: wrap; align-items: flex-end; }
      .knobs { display: flex; gap: 4px; flex-wrap: wrap; justify-content: space-between; align-items: flex-end; }
      .ceil { display: flex; flex-direction: column; align-items: center; gap: 4px; }
      [data-dim] { opacity: 0.45; }
      .err { color: var(--_danger); }

      /* A compact strip: the header, the status, the gain and the meters stay in view; controls scroll. */
      @container (max-width: 560px) {
        header { gap: 6px; flex-wrap: nowrap; --lm-option-padding: 6px; --lm-button-padding: 7px; }
        main { grid-template-columns: minmax(0, 1fr) auto; }
        .historycol { display: none; }
        levelmatch-meter { width: 64px; }
        .frame { padding: 6px 8px; gap: 6px; }
      }
      /* Phone width: the header's buttons get tighter; with five modes, A/B and Bypass wrap to a second row
         rather than run past the edge. */
      @container (max-width: 380px) {
        header { gap: 4px; row-gap: 4px; flex-wrap: wrap; --lm-option-padding: 4px; --lm-button-padding: 5px; }
        .frame { padding: 6px 6px; }
        /* The gain column is narrow: the number, its bar, the peaks and two rows of buttons need the height. */
        main { min-height: 220px; }
      }
      @container (max-height: 300px) {
        /* header + status + gaps + padding take about 72 px; the rest of the strip is the gain and meters. */
        main { flex: none; min-height: 0; height: max(100px, calc(100cqh - 72px)); }
        .buttons, .peaks, .settle, .refcol p { display: none; }
        .status { min-height: 20px; font-size: 12px; padding: 2px 8px; }
        .frame { padding: 6px 8px; gap: 6px; }
      }
      @container (min-height: 640px) {
        :host { font-size: 13px; }
        main { min-height: 300px; }
      }
    `,
  ];

  /** The meter scale (EBU Tech 3341): 'ebu9' (default) or 'ebu18'. A GUI setting, not a plugin parameter. */
  declare scale: ScaleName;
  /** The mode as last seen (drives labels). */
  declare _mode: number;
  /** Bumped when parameter values change, to re-render the controls. */
  declare _version: number;
  /** The element is a small strip (under 560 x 300 px): short labels, link control moved below the fold. */
  declare _compact: boolean;

  private readonly node: GuiNode;
  private readonly bridge: ParameterBridge;
  private statusTone: StatusTone | '' = '';
  private statusText = '';
  /** The settle element last written and what was written to it (a re-render may replace the element). */
  private settleEl: HTMLElement | null = null;
  private settleKey = '';
  private destroyed = false;
  private readonly onReadout = (e: Event): void => this.showReadout((e as CustomEvent<Readout>).detail);
  /** Watches the element's own size (content box, from the observer entry: no layout reads). */
  private readonly sizeObserver = new ResizeObserver((entries) => {
    const box = entries[entries.length - 1].contentRect;
    const compact = box.width < COMPACT_WIDTH || box.height < COMPACT_HEIGHT;
    if (compact !== this._compact) this._compact = compact;
  });

  constructor(node: GuiNode) {
    super();
    this.node = node;
    this.scale = 'ebu9';
    this._version = 0;
    this._compact = false;
    this.bridge = new ParameterBridge(node, () => {
      this._mode = this.bridge.get('mode');
      this._version++;
    });
    this._mode = this.bridge.get('mode');
  }

  override connectedCallback(): void {
    super.connectedCallback();
    if (this.destroyed) return;
    this.bridge.connect();
    this.node.addEventListener('readout', this.onReadout);
    this.sizeObserver.observe(this);
  }

  override disconnectedCallback(): void {
    super.disconnectedCallback();
    this.bridge.disconnect();
    this.node.removeEventListener('readout', this.onReadout);
    this.sizeObserver.disconnect();
  }

  /** Releases the node for good (destroyGui): listeners off, element removed. */
  destroy(): void {
    this.destroyed = true;
    this.bridge.disconnect();
    this.node.removeEventListener('readout', this.onReadout);
    this.sizeObserver.disconnect();
    this.remove();
  }

  /** A parameter's current plain value as the GUI shows it. */
  value(id: ParameterId): number {
    return this.bridge.get(id);
  }

  protected override firstUpdated(): void {
    const r = this.node.readout;
    if (r !== null) this.showReadout(r);
    else this.setStatus(WAITING.text, WAITING.tone);
  }

  protected override updated(changed: PropertyValues): void {
    if (changed.has('_mode') && this.node.readout !== null) this.showReadout(this.node.readout);
  }

  // ---- readouts: direct DOM updates ----

  private q<T extends Element>(sel: string): T | null {
    return this.renderRoot.querySelector<T>(sel);
  }

  private showReadout(r: Readout): void {
    if (r === null || typeof r !== 'object' || r.status === undefined) return;
    const refMeter = this.q<LevelMatchMeter>('#meter-ref');
    const outMeter = this.q<LevelMatchMeter>('#meter-out');
    const gain = this.q<LevelMatchGainReadout>('levelmatch-gain');
    const history = this.q<LevelMatchHistory>('levelmatch-history');
    const mode = r.mode;
    // Match and sidechain compare against the reference; target and reference mode meter the input. A reference
    // instance's output is its input, so it has one meter and one history line.
    const left = mode === 'match' || mode === 'sidechain' ? r.reference : r.input;
    const right = r.output;
    refMeter?.setReading(left.momentary, left.shortTerm, left.momentaryMax, left.shortTermMax, left.integrated, left.range, mode === 'match' || mode === 'sidechain' ? NaN : r.input.truePeak);
    outMeter?.setReading(right.momentary, right.shortTerm, right.momentaryMax, right.shortTermMax, right.integrated, right.range, r.output.truePeak);
    const p = r.parameters;
    const s = r.status;
    const state = s.bypassed ? 'bypassed' : mode === 'reference' ? 'idle' : s.held || s.noReference || s.gated ? 'held' : s.atCeiling || s.atRangeLimit ? 'limited' : 'active';
    gain?.setGain(r.gain.applied, r.gain.wanted, p.maxCut, p.maxBoost, state);
    if (mode === 'reference') history?.push(left.shortTerm, NaN, NaN);
    else history?.push(left.shortTerm, right.shortTerm, r.gain.applied);
    // A reference has no ceiling of its own: its true peak is information, not a warning.
    this.setText('#tp-in', formatLevel(r.input.truePeak), mode !== 'reference' && r.input.truePeak > p.ceiling);
    this.setText('#tp-out', formatLevel(r.output.truePeak), r.output.truePeak > p.ceiling);
    this.showSettle(r);
    const line = statusLine(r);
    // Match and sidechain: the reference's alignment (applied latency, how it was found, how sure) ends the line;
    // the status tooltip tells it always.
    let text = line.text;
    let title = '';
    if ((mode === 'match' || mode === 'sidechain') && r.latency !== undefined && !s.bypassed) {
      const l = latencyLine(r.latency, this.node?.context?.sampleRate ?? NaN, p.autoLatency);
      // Only a latency that is applied is news on the line (no reference: nothing to align); the tooltip has the rest.
      if (r.latency.appliedFrames > 0 && s.linked) text = `${text} · Latency ${l.value}, ${l.how}`;
      title = l.title;
    }
    this.setStatus(text, line.tone);
    const el = this.q<HTMLElement>('.status');
    if (el !== null && el.title !== title) el.title = title;
  }

  /** The settle line (seconds learned, drift, auto-lock): written only when its words or its bar change. */
  private showSettle(r: Readout): void {
    const el = this.q<HTMLElement>('.settle');
    if (el === null) return;
    const l = settleLine(r);
    const bar = Math.round(l.progress * 22);
    const key = `${l.state}|${l.text}|${bar}`;
    if (el === this.settleEl && key === this.settleKey) return;
    this.settleEl = el;
    this.settleKey = key;
    el.dataset.state = l.state;
    el.title = l.title;
    el.setAttribute('aria-label', l.text === '' ? 'Settle' : l.text);
    (el.querySelector('.sfill') as HTMLElement).style.transform = `scaleX(${bar / 22})`;
    (el.querySelector('.shead') as HTMLElement).textContent = l.head;
    (el.querySelector('.sdrift') as HTMLElement).textContent = l.drift;
    (el.querySelector('.slock') as HTMLElement).textContent = l.lock;
  }

  private setText(sel: string, text: string, over: boolean): void {
    const el = this.q<HTMLElement>(sel);
    if (el === null) return;
    if (el.textContent !== text) el.textContent = text;
    el.classList.toggle('over', over);
  }

  private setStatus(text: string, tone: StatusTone): void {
    const el = this.q<HTMLElement>('.status');
    if (el === null) return;
    if (tone !== this.statusTone) {
      el.dataset.tone = tone;
      this.statusTone = tone;
    }
    if (text !== this.statusText) {
      (el.querySelector('.text') as HTMLElement).textContent = text;
      this.statusText = text;
    }
  }

  // ---- user input ----

  private onInput(e: CustomEvent<{ value: number }>): void {
    const id = (e.target as HTMLElement).dataset.param;
    if (id === 'scale') {
      this.scale = SCALES[e.detail.value] ?? 'ebu9';
      return;
    }
    if (isParameterId(id)) this.bridge.set(id, e.detail.value);
  }

  private onGesture(e: CustomEvent<{ active: boolean }>): void {
    const id = (e.target as HTMLElement).dataset.param;
    if (isParameterId(id)) this.bridge.gesture(id, e.detail.active);
  }

  /** Learn: on = learn (restarting it), off while learning = lock the learned gain (hold). */
  private onLearn(e: CustomEvent<{ value: number }>): void {
    e.stopPropagation();
    if (e.detail.value) {
      if (this.bridge.get('follow') === 1) this.bridge.set('follow', 0);
      this.bridge.set('follow', 1);
    } else if (this.bridge.get('follow') === 1) {
      this.bridge.set('follow', 2);
    }
  }

  /** Hold: on = hold the gain where it is; off = follow continuously again. */
  private onHold(e: CustomEvent<{ value: number }>): void {
    e.stopPropagation();
    this.bridge.set('follow', e.detail.value ? 2 : 0);
  }

  private onReset(): void {
    this.node.resetMeters();
    this.q<LevelMatchHistory>('levelmatch-history')?.clear();
    this.q<LevelMatchMeter>('#meter-ref')?.clear();
    this.q<LevelMatchMeter>('#meter-out')?.clear();
  }

  // ---- template ----

  override render() {
    const v = (id: ParameterId): number => this.bridge.get(id);
    const mode = v('mode');
    const follow = v('follow');
    const reference = mode === 0;
    const off = (id: ParameterId): boolean => !acts(id, mode);
    const tip = (id: ParameterId) => (off(id) ? actsWhere(id) : nothing);
    // A compact meter is 64 px wide: short names, so no label is cut off.
    const leftLabel = mode === 1 ? (this._compact ? 'Ref' : 'Reference') : mode === 2 ? (this._compact ? 'Side' : 'Sidechain') : 'Input';
    const knob = (k: KnobSpec) => {
      const p = PARAMETERS[parameterIndex(k.id)];
      return html`<levelmatch-knob
        data-param=${k.id}
        ?disabled=${off(k.id)}
        ?data-dim=${k.id === 'latency' && v('autoLatency') === 1}
        title=${tip(k.id)}
        .label=${p.label}
        .units=${p.units}
        .min=${p.minValue}
        .max=${p.maxValue}
        .step=${0}
        .defaultValue=${p.defaultValue}
        .keyStep=${k.keyStep}
        .taper=${k.taper}
        .decimals=${k.decimals}
        .value=${v(k.id)}
      ></levelmatch-knob>`;
    };
    const link = PARAMETERS[parameterIndex('link')];
    const linkField = html`<levelmatch-knob data-param="link" variant="field" ?disabled=${off('link')} title=${tip('link')} .label=${'Link'} .units=${''}
      .min=${link.minValue} .max=${link.maxValue} .step=${1} .keyStep=${1} .decimals=${0} .defaultValue=${link.defaultValue}
      .value=${v('link')}></levelmatch-knob>`;
    return html`<div
      class="frame"
      @levelmatch-input=${this.onInput}
      @levelmatch-gesture=${this.onGesture}
    >
      <header>
        ${this._compact ? nothing : html`<span class="brand">Level<span>Match</span></span>`}
        <levelmatch-segmented data-param="mode" hide-label .label=${'Mode'} .options=${this._compact ? MODE_SHORT : MODE_LABELS}
          .titles=${MODE_LABELS} .value=${mode}></levelmatch-segmented>
        ${this._compact ? nothing : linkField}
        <span class="spacer"></span>
        ${reference ? nothing : html`<levelmatch-toggle data-param="listen" .label=${'A/B'} tone="accent"
          .accessibleLabel=${mode >= 3 ? 'A/B: hear the input before the gain' : 'A/B: hear the reference'}
          .hint=${mode >= 3 ? 'Switch between the output and the input before the gain' : 'Switch between the output and the reference at matched loudness'}
          .pressed=${v('listen') !== 0}></levelmatch-toggle>
        <levelmatch-toggle data-param="bypass" .label=${'Bypass'} tone="warn" .pressed=${v('bypass') === 1}></levelmatch-toggle>`}
      </header>
      <div class="statusrow">
        <div class="status" role="status" aria-live="polite" data-tone="idle"><span class="dot"></span><span class="text"></span></div>
        <div class="settle" data-state="none" role="group" aria-label="Settle"><span class="sbar" aria-hidden="true"><span class="sfill"></span></span><span class="shead"></span><span class="sdrift"></span><span class="slock"></span></div>
      </div>
      <main>
        ${reference ? this.renderReferencePanel(v('link')) : html`<section class="panel gaincol" aria-label="Gain">
          <levelmatch-gain></levelmatch-gain>
          <div class="peaks" aria-label="True peak"><span>TP in <b id="tp-in">−∞</b></span><span>TP out <b id="tp-out">−∞</b></span></div>
          <div class="buttons">
            <levelmatch-toggle .label=${'Learn'} .pressed=${follow === 1} .hint=${'Learn the integrated difference; press again to lock it'}
              @levelmatch-input=${this.onLearn}></levelmatch-toggle>
            <levelmatch-toggle .label=${'Hold'} tone="warn" .pressed=${follow === 2} .hint=${'Hold the gain where it is'}
              @levelmatch-input=${this.onHold}></levelmatch-toggle>
            <levelmatch-toggle data-param="autoLock" ?disabled=${off('autoLock')} .label=${'Auto-lock'} .pressed=${v('autoLock') === 1}
              .hint=${'Hold the gain once the estimate has settled'}></levelmatch-toggle>
            ${this.renderReset()}
          </div>
        </section>`}
        <section class="panel meters" aria-label="Loudness meters">
          <levelmatch-meter id="meter-ref" .label=${leftLabel} tone="ref" .scale=${this.scale}></levelmatch-meter>
          ${reference ? nothing : html`<levelmatch-meter id="meter-out" .label=${'Output'} tone="out" .scale=${this.scale}></levelmatch-meter>`}
        </section>
        <section class="panel historycol" aria-label="History, last 30 seconds">
          <levelmatch-history .scale=${this.scale} .refLabel=${mode === 1 ? 'Ref S' : mode === 2 ? 'Side S' : 'In S'}
            .outLabel=${reference ? '' : 'Out S'} .gainLabel=${reference ? '' : 'Gain'}></levelmatch-history>
        </section>
      </main>
      <section class="controls" aria-label="Settings">
        ${mode >= 3 ? html`<levelmatch-track-panel .node=${this.node} .bridge=${this.bridge} .mode=${mode} .version=${this._version}></levelmatch-track-panel>` : nothing}
        <div class="choices">
          ${this._compact ? linkField : nothing}
          ${reference ? nothing : html`<levelmatch-segmented data-param="detector" ?disabled=${off('detector')} .label=${label('detector')} .options=${DETECTOR_LABELS}
              .titles=${DETECTOR_TITLES} .value=${v('detector')}></levelmatch-segmented>
          <levelmatch-segmented data-param="follow" ?disabled=${off('follow')} .label=${label('follow')} .options=${FOLLOW_LABELS}
              .value=${follow}></levelmatch-segmented>
          <levelmatch-segmented data-param="listen" ?disabled=${off('listen')} .label=${label('listen')} .options=${mode >= 3 ? LISTEN_LABELS_TARGET : LISTEN_LABELS}
              .titles=${mode >= 3 ? LISTEN_LABELS_TARGET : LISTEN_TITLES} .value=${v('listen')}></levelmatch-segmented>`}
          <levelmatch-segmented data-param="scale" .label=${'Meter scale'} .options=${['EBU +9', 'EBU +18']}
              .value=${SCALES.indexOf(this.scale)}></levelmatch-segmented>
        </div>
        ${reference ? nothing : html`<div class="knobs">
          ${KNOBS.map(knob)}
          <span class="ceil">
            <levelmatch-toggle data-param="ceilingOn" ?disabled=${off('ceilingOn')} .label=${'Ceiling'} .accessibleLabel=${'Ceiling on'} tone="accent"
              .pressed=${v('ceilingOn') === 1}></levelmatch-toggle>
            <levelmatch-toggle data-param="ceilingInMatch" ?disabled=${off('ceilingInMatch')} .label=${'In match'} .accessibleLabel=${'Ceiling in match and sidechain modes'} tone="accent"
              .hint=${'Apply the ceiling in match and sidechain modes too (target mode always)'} .pressed=${v('ceilingInMatch') === 1}></levelmatch-toggle>
          </span>
          <span class="ceil">
            <levelmatch-toggle data-param="autoLatency" ?disabled=${off('autoLatency')} title=${tip('autoLatency')} .label=${'Auto'} .accessibleLabel=${'Auto latency on'} tone="accent"
              .hint=${'Measure the effect chain\'s latency from the programme and line the reference up (the Latency knob is then ignored)'}
              .pressed=${v('autoLatency') === 1}></levelmatch-toggle>
          </span>
        </div>`}
      </section>
    </div>`;
  }

  private renderReset() {
    return html`<levelmatch-toggle kind="action" .label=${'Reset'} .accessibleLabel=${'Reset meters'} .hint=${'Reset the meters and the history'}
      @levelmatch-action=${this.onReset}></levelmatch-toggle>`;
  }

  /** A reference instance's first panel: what it does (it has no gain), its true peak, Reset. */
  private renderReferencePanel(link: number) {
    return html`<section class="panel refcol" aria-label="Reference">
      <h3>Reference</h3>
      <p>Passes the audio <b>untouched</b> and sends it on link ${link} to the match instances, which set their gain from it.</p>
      <span class="grow"></span>
      <div class="peaks" aria-label="True peak"><span>TP <b id="tp-in">−∞</b> dBTP</span></div>
      <div class="buttons">${this.renderReset()}</div>
    </section>`;
  }
}

defineOnce('levelmatch-gui', LevelMatchGui);

declare global {
  interface HTMLElementTagNameMap {
    'levelmatch-gui': LevelMatchGui;
  }
}
