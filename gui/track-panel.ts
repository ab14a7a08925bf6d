/**
 * `<levelmatch-track-panel>`: target and track modes' part of the GUI. Main thread only; never touches DSP.
 *
 * - Loudness presets (wam/presets.ts): choosing one sets `target` and `ceiling` (and turns the ceiling on)
 *   through the parameter bridge; the panel says which preset is in force, or that the values no longer match
 *   the one chosen.
 * - Track mode: the reference track's name and readings (integrated, LRA, true peak, duration), how far the
 *   output is from it (the output's integrated and short-term loudness minus the track's integrated), and the
 *   ways to bring one: "Pick from project" when the host has the assets extension (plus "Re-measure", which
 *   fetches it again from the host), "Choose file..." and drag-and-drop otherwise (and as well). A long file
 *   shows its measuring progress; a file that fails shows why, and the previous track stays.
 */
import { LitElement, html, css, nothing } from 'lit';
import { baseStyles, defineOnce } from './theme.ts';
import { formatGain, formatLevel, formatRange } from './format.ts';
import { LOUDNESS_PRESETS, matchingPresets, presetById, presetParameters } from '../wam/presets.ts';
import { canPickAsset } from '../wam/host-assets.ts';
import type { ReferenceTrack } from '../wam/reference-track.ts';
import type { Readout } from '../wam/readout.ts';
import type { ParameterBridge } from './parameter-bridge.ts';

/** The node's reference-track API (LevelMatchNode has it); every method optional, so any node can be shown. */
export interface TrackNode extends EventTarget {
  readonly readout: Readout | null;
  readonly referenceTrack?: ReferenceTrack | null;
  loadReferenceTrack?(source: Blob, options?: { name?: string; uri?: string }): Promise<ReferenceTrack>;
  pickReferenceTrack?(): Promise<ReferenceTrack | null>;
  reloadReferenceTrack?(): Promise<ReferenceTrack>;
  clearReferenceTrack?(): Promise<void>;
}

const MODE_TRACK = 4;

/** "3:21" (or "1:02:05"), for a track's duration in seconds. */
export function formatDuration(seconds: number): string {
  if (!(seconds >= 0)) return '\u2014';
  const s = Math.round(seconds);
  const h = Math.floor(s / 3600);
  const m = Math.floor((s % 3600) / 60);
  const ss = String(s % 60).padStart(2, '0');
  return h > 0 ? `${h}:${String(m).padStart(2, '0')}:${ss}` : `${m}:${ss}`;
}

/** What the preset line says: in force, modified (the chosen preset no longer matches) or custom. */
export function presetStatus(chosen: string, target: number, ceiling: number, ceilingOn: boolean): { state: 'in-force' | 'modified' | 'custom'; text: string; selected: string } {
  const matches = matchingPresets(target, ceiling, ceilingOn);
  const values = `${formatLevel(target)} LUFS, ceiling ${ceilingOn ? `${formatLevel(ceiling)} dBTP` : 'off'}`;
  const picked = presetById(chosen);
  if (picked !== undefined && matches.includes(picked)) return { state: 'in-force', text: `${picked.name} in force: ${values}`, selected: picked.id };
  if (picked !== undefined) return { state: 'modified', text: `${picked.name} no longer matches: ${values}`, selected: picked.id };
  if (matches.length > 0) return { state: 'in-force', text: `${matches.map((p) => p.name).join(', ')}: ${values}`, selected: matches[0].id };
  return { state: 'custom', text: `No preset: ${values}`, selected: '' };
}

export class LevelMatchTrackPanel extends LitElement {
  static override properties = {
    mode: { type: Number },
    version: { type: Number },
    _track: { state: true },
    _busy: { state: true },
    _progress: { state: true },
    _error: { state: true },
    _chosen: { state: true },
    _over: { state: true },
  };

  static override styles = [
    baseStyles,
    css`
      :host { display: block; }
      .panel { display: flex; flex-direction: column; gap: 6px; }
      .row { display: flex; align-items: center; gap: 8px; flex-wrap: wrap; }
      select, button {
        font: inherit; color: var(--_text); background: var(--_panel2); border: 1px solid var(--_line);
        border-radius: var(--_radius); padding: 3px 8px;
      }
      button:hover:not(:disabled) { border-color: var(--_dim); }
      button:disabled { opacity: 0.5; }
      .dim { color: var(--_dim); }
      .preset[data-state='modified'] { color: var(--_warn); }
      .drop { border: 1px dashed var(--_line); border-radius: var(--_radius); padding: 6px 8px; display: flex; flex-direction: column; gap: 4px; }
      .drop[data-over] { border-color: var(--_accent); background: var(--_panel2); }
      .name { font-weight: 600; overflow: hidden; text-overflow: ellipsis; white-space: nowrap; }
      .num { font-family: var(--_mono); }
      .err { color: var(--_danger); }
      progress { width: 160px; }
      input[type='file'] { display: none; }
    `,
  ];

  /** The mode parameter (3 target, 4 track). */
  declare mode: number;
  /** Bumped by the host GUI when parameter values change (re-renders the preset line). */
  declare version: number;
  declare _track: ReferenceTrack | null;
  declare _busy: boolean;
  declare _progress: number;
  declare _error: string;
  /** The preset the user chose here ('' = none). */
  declare _chosen: string;
  declare _over: boolean;

  node: TrackNode | null = null;
  bridge: ParameterBridge | null = null;
  private attached: TrackNode | null = null;
  private readonly onTrack = (): void => {
    this._track = this.attached?.referenceTrack ?? null;
  };
  private readonly onProgress = (e: Event): void => {
    this._progress = (e as CustomEvent<{ fraction: number }>).detail.fraction;
  };
  private readonly onReadout = (e: Event): void => this.showDifference((e as CustomEvent<Readout>).detail);

  constructor() {
    super();
    this.mode = 3;
    this.version = 0;
    this._track = null;
    this._busy = false;
    this._progress = 0;
    this._error = '';
    this._chosen = '';
    this._over = false;
  }

  override connectedCallback(): void {
    super.connectedCallback();
    this.attach();
  }

  override disconnectedCallback(): void {
    super.disconnectedCallback();
    this.detach();
  }

  protected override willUpdate(): void {
    if (this.isConnected && this.node !== this.attached) this.attach();
  }

  private attach(): void {
    this.detach();
    const node = this.node;
    if (node === null) return;
    node.addEventListener('referencetrack', this.onTrack);
    node.addEventListener('trackprogress', this.onProgress);
    node.addEventListener('readout', this.onReadout);
    this.attached = node;
    this._track = node.referenceTrack ?? null;
  }

  private detach(): void {
    const node = this.attached;
    if (node === null) return;
    node.removeEventListener('referencetrack', this.onTrack);
    node.removeEventListener('trackprogress', this.onProgress);
    node.removeEventListener('readout', this.onReadout);
    this.attached = null;
  }

  /** The output's distance from the track, written straight into the DOM (readouts come 25 times a second). */
  private showDifference(r: Readout | null): void {
    const el = this.renderRoot.querySelector<HTMLElement>('#diff');
    if (el === null) return;
    const t = this._track;
    let text = '';
    if (t !== null && r !== null && r.mode === 'track') {
      const i = r.output.integrated - t.integrated;
      const s = r.output.shortTerm - t.integrated;
      text = Number.isFinite(i)
        ? `Output ${formatGain(i)} LU from the track (integrated), ${Number.isFinite(s) ? formatGain(s) : '\u2014'} LU short-term`
        : 'Output: not measured yet';
    }
    if (el.textContent !== text) el.textContent = text;
  }

  // ---- actions ----

  private async run(job: () => Promise<unknown>): Promise<void> {
    this._busy = true;
    this._error = '';
    this._progress = 0;
    try {
      await job();
    } catch (e) {
      this._error = e instanceof Error ? e.message : String(e);
    } finally {
      this._busy = false;
      this._track = this.node?.referenceTrack ?? null;
    }
  }

  private loadFile(file: File | undefined): void {
    const node = this.node;
    if (file === undefined || node?.loadReferenceTrack === undefined) return;
    void this.run(() => node.loadReferenceTrack!(file, { name: file.name }));
  }

  private onPick(): void {
    const node = this.node;
    if (node?.pickReferenceTrack !== undefined) void this.run(() => node.pickReferenceTrack!());
  }

  private onRemeasure(): void {
    const node = this.node;
    if (node?.reloadReferenceTrack !== undefined) void this.run(() => node.reloadReferenceTrack!());
  }

  private onRemove(): void {
    const node = this.node;
    if (node?.clearReferenceTrack !== undefined) void this.run(() => node.clearReferenceTrack!());
  }

  private onChoose(): void {
    this.renderRoot.querySelector<HTMLInputElement>('input[type=file]')?.click();
  }

  private onFileInput(e: Event): void {
    const input = e.target as HTMLInputElement;
    this.loadFile(input.files?.[0]);
    input.value = '';
  }

  private onDragOver(e: DragEvent): void {
    e.preventDefault();
    if (e.dataTransfer) e.dataTransfer.dropEffect = 'copy';
    this._over = true;
  }

  private onDrop(e: DragEvent): void {
    e.preventDefault();
    this._over = false;
    this.loadFile(e.dataTransfer?.files?.[0]);
  }

  private onPreset(e: Event): void {
    const id = (e.target as HTMLSelectElement).value;
    const p = presetById(id);
    this._chosen = id;
    if (p === undefined || this.bridge === null) return;
    const v = presetParameters(p);
    this.bridge.set('target', v.target);
    this.bridge.set('ceiling', v.ceiling);
    this.bridge.set('ceilingOn', v.ceilingOn);
  }

  // ---- template ----

  override render() {
    const b = this.bridge;
    const status = b === null ? null : presetStatus(this._chosen, b.get('target'), b.get('ceiling'), b.get('ceilingOn') === 1);
    const presets = html`<div class="row">
      <label>Preset
        <select aria-label="Loudness preset" @change=${this.onPreset} .value=${status?.selected ?? ''}>
          <option value="" ?selected=${status?.selected === ''}>None</option>
          ${LOUDNESS_PRESETS.map((p) => html`<option value=${p.id} ?selected=${status?.selected === p.id}>${p.name} (${formatLevel(p.target, 0)} LUFS, ${formatLevel(p.ceiling, 0)} dBTP)</option>`)}
        </select>
      </label>
      <span class="preset" data-state=${status?.state ?? 'custom'}>${status?.text ?? ''}${this.mode === MODE_TRACK ? html` <span class="dim">(track mode: the ceiling applies; the target is the track's loudness)</span>` : nothing}</span>
    </div>`;
    if (this.mode !== MODE_TRACK) return html`<div class="panel">${presets}</div>`;

    const t = this._track;
    const pick = canPickAsset() && this.node?.pickReferenceTrack !== undefined;
    return html`<div class="panel">
      ${presets}
      <div class="drop" ?data-over=${this._over} aria-label="Reference track" role="group"
        @dragover=${this.onDragOver} @dragleave=${() => (this._over = false)} @drop=${this.onDrop}>
        <div class="row">
          <span class="name" id="track-name" title=${t?.uri ?? ''}>${t === null ? 'No reference track' : t.name}</span>
          ${t === null ? html`<span class="dim">Drop an audio file here, or:</span>` : nothing}
        </div>
        ${t === null ? nothing : html`<div class="row num" id="track-readings">
          <span>I ${formatLevel(t.integrated)} LUFS</span> · <span>LRA ${formatRange(t.range)} LU</span> ·
          <span>TP ${formatLevel(t.truePeak)} dBTP</span> · <span>${formatDuration(t.duration)}</span>
        </div>
        <div class="num" id="diff" aria-live="off"></div>`}
        ${this._busy ? html`<div class="row"><progress aria-label="Measuring the track" max="1" .value=${this._progress}></progress>
          <span class="dim">Measuring ${Math.round(this._progress * 100)} %</span></div>` : nothing}
        ${this._error !== '' ? html`<div class="err" role="alert">${this._error}</div>` : nothing}
        <div class="row">
          ${pick ? html`<button id="pick" ?disabled=${this._busy} @click=${this.onPick}>Pick from project</button>` : nothing}
          ${pick && t !== null && t.uri !== '' ? html`<button id="remeasure" ?disabled=${this._busy} @click=${this.onRemeasure}>Re-measure</button>` : nothing}
          <button id="choose" ?disabled=${this._busy} @click=${this.onChoose}>Choose file...</button>
          ${t !== null ? html`<button id="remove" ?disabled=${this._busy} @click=${this.onRemove}>Remove</button>` : nothing}
          <input type="file" accept="audio/*,.wav,.flac,.mp3,.ogg,.opus,.m4a,.aac" @change=${this.onFileInput} />
        </div>
      </div>
    </div>`;
  }

  protected override updated(): void {
    this.showDifference(this.node?.readout ?? null);
  }
}

defineOnce('levelmatch-track-panel', LevelMatchTrackPanel);

declare global {
  interface HTMLElementTagNameMap {
    'levelmatch-track-panel': LevelMatchTrackPanel;
  }
}
