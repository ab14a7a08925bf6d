/**
 * The GUI's only way to the plugin's parameters: the node's public parameter API. No DOM, no Lit, so it is
 * tested in Node with a stand-in node.
 *
 * Where values come from:
 * - our own edits: set() updates the local copy at once (the control must not wait for the audio thread) and
 *   sends setParameterValues();
 * - host automation, which happens on the audio thread: every readout (~25/s while audio runs) carries all
 *   parameter values;
 * - a host's setParameterValues()/setState() on the main thread: the node fires `parameterchange`, and we
 *   re-read with getParameterValues() (also once when connecting), so the GUI follows even with audio stopped.
 *
 * A parameter the user is holding (a drag, a typed edit) ignores incoming values until shortly after the
 * gesture ends: readouts already in flight still carry the old value and would make the control jump back.
 */
import type { WamParameterDataMap } from '@webaudiomodules/api';
import { PARAMETER_IDS, PARAMETERS, clampSlot, defaultParameterValues, parameterIndex, type ParameterId } from '../wam/parameters.ts';
import type { Readout } from '../wam/readout.ts';

/** What the bridge needs of the node (LevelMatchNode has all of it). */
export interface ParameterNode extends EventTarget {
  getParameterValues(normalized?: boolean, ...parameterIds: string[]): Promise<WamParameterDataMap>;
  setParameterValues(values: WamParameterDataMap): Promise<void>;
}

/** After a gesture or a local set, incoming values for that parameter are ignored this long (ms). */
export const SETTLE_MS = 400;

export type ChangeListener = (changed: readonly ParameterId[]) => void;

export class ParameterBridge {
  /** Current plain values, slot order (wam/parameters.ts). */
  readonly values: Float64Array = defaultParameterValues();
  private readonly held = new Uint8Array(PARAMETERS.length);
  private readonly quietUntil = new Float64Array(PARAMETERS.length);
  private connected = false;
  private readonly onReadout = (e: Event): void => {
    const r = (e as CustomEvent<Readout>).detail;
    if (r !== null && typeof r === 'object' && r.parameters !== undefined) this.accept(r.parameters);
  };
  private readonly onParameterChange = (): void => {
    void this.refresh();
  };

  constructor(
    private readonly node: ParameterNode,
    private readonly listener: ChangeListener,
    /** Milliseconds, monotonic (performance.now in the browser); injectable for tests. */
    private readonly now: () => number = () => performance.now(),
  ) {}

  connect(): void {
    if (this.connected) return;
    this.connected = true;
    this.node.addEventListener('readout', this.onReadout);
    this.node.addEventListener('parameterchange', this.onParameterChange);
    void this.refresh();
  }

  disconnect(): void {
    if (!this.connected) return;
    this.connected = false;
    this.node.removeEventListener('readout', this.onReadout);
    this.node.removeEventListener('parameterchange', this.onParameterChange);
  }

  get(id: ParameterId): number {
    return this.values[parameterIndex(id)];
  }

  /**
   * Sets a parameter from the GUI: clamped/rounded like the processor does, applied locally, then sent.
   * Returns the value set (NaN is ignored and returns the current value).
   */
  set(id: ParameterId, value: number): number {
    const slot = parameterIndex(id);
    const v = clampSlot(slot, value);
    if (v !== v) return this.values[slot];
    this.quietUntil[slot] = this.now() + SETTLE_MS;
    if (v !== this.values[slot]) {
      this.values[slot] = v;
      this.listener([id]);
    }
    this.node.setParameterValues({ [id]: { id, value: v, normalized: false } }).catch(() => {
      // The node is gone (destroyed while the GUI was open): nothing to tell the user beyond the status line.
    });
    return v;
  }

  /** A user gesture on a parameter begins (true) or ends (false). */
  gesture(id: ParameterId, active: boolean): void {
    const slot = parameterIndex(id);
    this.held[slot] = active ? 1 : 0;
    this.quietUntil[slot] = this.now() + SETTLE_MS;
  }

  /** Re-reads every value from the processor (after a host's setState, or when connecting). */
  async refresh(): Promise<void> {
    let map: WamParameterDataMap;
    try {
      map = await this.node.getParameterValues(false);
    } catch {
      return;
    }
    if (!this.connected) return;
    const plain: Partial<Record<ParameterId, number>> = {};
    for (const id of PARAMETER_IDS) {
      const d = map[id];
      if (d !== undefined && typeof d.value === 'number') plain[id] = d.normalized ? NaN : d.value;
    }
    // A refresh answers a question asked before it arrived: our own recent edits still win over it.
    this.accept(plain);
  }

  /** Takes values from the processor, except for parameters the user holds or has just set. */
  private accept(incoming: Partial<Record<ParameterId, number>>): void {
    const t = this.now();
    let changed: ParameterId[] | null = null;
    for (let slot = 0; slot < PARAMETER_IDS.length; slot++) {
      const id = PARAMETER_IDS[slot];
      const v = incoming[id];
      if (typeof v !== 'number' || v !== v || v === this.values[slot]) continue;
      if (this.held[slot] === 1 || t < this.quietUntil[slot]) continue;
      this.values[slot] = v;
      (changed ??= []).push(id);
    }
    if (changed !== null) this.listener(changed);
  }
}
