/**
 * The status line: what the plugin is doing, in words a producer reads at a glance ("Matching reference on
 * link 2", "Holding +3.2 dB", "Gated: input 12.0 dB below −50 LUFS, holding +3.2 dB"). Pure: a readout
 * (wam/readout.ts) in, a sentence and a tone out, so every case is tested in Node.
 *
 * One primary message says what the gain is doing (the first that applies, in the order below: the reason the
 * gain cannot follow beats what it would otherwise do), and short notes add limits that act at the same time
 * ("Ceiling holds −3.2 dB", "At max boost +12.0 dB (−3.4 dB short)"): what holds the gain, and by how much. The
 * gate names the side under it, by how many dB, and the gain it holds.
 */
import type { Readout } from '../wam/readout.ts';
import { formatGain, formatLevel, formatSeconds } from './format.ts';

export type StatusTone = 'idle' | 'ok' | 'busy' | 'warn' | 'error';

export interface StatusLine {
  /** The whole line, parts joined by " · ". */
  text: string;
  /** The primary message alone. */
  primary: string;
  /** Notes on limits acting now. */
  notes: string[];
  tone: StatusTone;
}

/** Before the first readout (no audio has been processed yet). */
export const WAITING: StatusLine = Object.freeze({ text: 'Waiting for audio', primary: 'Waiting for audio', notes: [], tone: 'idle' }) as StatusLine;

/** The status line for a readout. `parameters` carries gate, target, maxBoost, maxCut, ceiling. */
export function statusLine(r: Readout): StatusLine {
  const p = r.parameters;
  const s = r.status;
  const link = r.link;
  const held = formatGain(r.gain.engine);
  let primary: string;
  let tone: StatusTone;

  const notes: string[] = [];
  if (s.nonFiniteInput) notes.push('Bad samples (NaN/Inf) in the input: replaced by silence');

  // A reference passes its audio untouched whatever bypass says, so bypass is not news there.
  if (s.bypassed && r.mode !== 'reference') {
    primary = 'Bypassed';
    tone = 'idle';
  } else if (r.mode === 'reference') {
    if (s.duplicateReference) {
      primary = `Another reference already sends on link ${link}`;
      tone = 'error';
    } else {
      primary = `Reference on link ${link}`;
      tone = 'ok';
    }
  } else if (s.listeningDelta) {
    primary = 'Listening: the difference (output minus the aligned reference)';
    tone = 'busy';
  } else if (s.listeningReference) {
    primary = r.mode === 'target' || r.mode === 'track' ? 'Listening: input before the gain' : 'Listening: the reference';
    tone = 'busy';
  } else if ((r.mode === 'match') && s.referenceLost) {
    primary = `Reference on link ${link} lost: holding ${held} dB`;
    tone = 'error';
  } else if (r.mode === 'match' && s.noReference) {
    primary = `No reference on link ${link}`;
    tone = 'error';
  } else if (r.mode === 'track' && s.noReference) {
    primary = 'No reference track: pick or drop one';
    tone = 'error';
  } else if (r.mode === 'sidechain' && s.noReference) {
    primary = 'No sidechain signal';
    tone = 'error';
  } else if (s.locked) {
    primary = `Locked at ${held} dB`;
    tone = 'ok';
  } else if (s.held) {
    primary = `Holding ${held} dB`;
    tone = 'warn';
  } else if (s.gated) {
    // What holds the gain (the gate), how far under it the quiet side is, and the gain it holds, dB.
    primary = `Gated: ${gatedBy(r)}, holding ${held} dB`;
    tone = 'warn';
  } else if (s.learning) {
    primary = `Learning ${formatSeconds(r.learnSeconds)}`;
    tone = 'busy';
  } else if (r.mode === 'target') {
    primary = `Trimming to ${formatLevel(p.target)} LUFS`;
    tone = 'ok';
  } else if (r.mode === 'track') {
    // In track mode the engine reports the track's loudness (its target) as the reference's readings.
    primary = `Matching the track at ${formatLevel(r.reference.integrated)} LUFS`;
    tone = 'ok';
  } else if (r.mode === 'sidechain') {
    primary = 'Matching the sidechain';
    tone = 'ok';
  } else {
    primary = `Matching reference on link ${link}`;
    tone = 'ok';
  }

  if (!s.bypassed && r.mode !== 'reference') {
    // What holds the gain, and by how many dB (the readout's ceilingReduction, and unlimited - wanted).
    if (s.atCeiling) notes.push(r.gain.ceilingReduction > 0.05 ? `Ceiling holds ${formatGain(-r.gain.ceilingReduction)} dB` : 'At ceiling');
    if (s.atRangeLimit) {
      const short = r.gain.unlimited - r.gain.wanted;
      const by = Number.isFinite(short) && Math.abs(short) >= 0.05 ? ` (${formatGain(-short)} dB short)` : '';
      notes.push(r.gain.wanted >= 0 ? `At max boost ${formatGain(p.maxBoost)} dB${by}` : `At max cut ${formatGain(-p.maxCut)} dB${by}`);
    }
  }
  if (notes.length > 0 && tone === 'ok') tone = 'warn';
  const text = notes.length > 0 ? `${primary} · ${notes.join(' · ')}` : primary;
  return { text, primary, notes, tone };
}

/** The side the gate holds for; the reference when it is the quiet one (match, sidechain). */
function gatedSide(r: Readout): 'input' | 'reference' | 'sidechain' {
  const gate = r.parameters.gate;
  const inM = r.input.momentary;
  if (!(inM >= gate)) return 'input';
  if (r.mode === 'target' || r.mode === 'track') return 'input';
  return r.mode === 'sidechain' ? 'sidechain' : 'reference';
}

/**
 * "input 12.4 dB below −50 LUFS" (the side's momentary loudness under the gate, dB); "input silent (below
 * −50 LUFS)" for digital silence; "input below −50 LUFS" when the momentary reading is over the gate (the first
 * estimate's accumulated level is what is under it then).
 */
function gatedBy(r: Readout): string {
  const gate = r.parameters.gate;
  const side = gatedSide(r);
  const level = side === 'input' ? r.input.momentary : r.reference.momentary;
  const where = `below ${formatLevel(gate, 0)} LUFS`;
  if (!(level > -Infinity)) return `${side} silent (${where})`;
  const by = gate - level;
  return by >= 0.05 ? `${side} ${formatLevel(by)} dB ${where}` : `${side} ${where}`;
}
