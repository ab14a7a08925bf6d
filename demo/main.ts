/**
 * The LevelMatch demo page (bundled to dist/demo/main.js; the page is demo/index.html). It hosts the built
 * plugin as a web DAW would, three instances in one AudioContext:
 *
 *   Example 1, match around an effect chain:
 *     source -> LevelMatch reference (link 1) -> effect rack -> LevelMatch match (link 1) -> out 1
 *   Example 2, auto gain, trim a bus to a target:
 *     source stems -> bus (level, drums, ride) -> LevelMatch target (-18 LUFS, short-term, link 2) -> out 2
 *   out 1, out 2 -> master -> destination
 *
 * Both chains always run (both GUIs meter live); the example switch fades one out and the other in. The
 * AudioContext is created at load and kept suspended until Play (autoplay policy: browsers only let audio
 * start from a user gesture). For tests and the screenshot script the page exposes `window.levelmatchDemo`
 * (see LevelMatchDemo below).
 */
import { byId, formatNumber, glide, h } from './controls.ts';
import { Bus } from './bus.ts';
import { createLevelMatch, loadLevelMatch, setParameter, type LevelMatchWam } from './host.ts';
import { MATCH_STATE, REFERENCE_STATE, TARGET_LUFS, TARGET_STATE } from './instances.ts';
import { BAR, BARS, PROGRAMME_SECONDS, SECTIONS, renderProgrammeAsync, sectionAt } from './programme.ts';
import { EffectRack } from './rack.ts';
import { Readings } from './readings.ts';
import { SourcePlayer, decodeFile, stereoBuffer, type SourceInfo } from './source.ts';
import { isShortcut } from './keys.ts';
import { statusLine } from '../gui/status-text.ts';
import type { Readout } from '../wam/readout.ts';

export type ExampleName = 'match' | 'target';

/** What `window.levelmatchDemo` offers tests and scripts. */
export interface LevelMatchDemo {
  ctx: AudioContext;
  /** The three WAM instances (null until created; all set once `ready` resolves). */
  plugins: { reference: LevelMatchWam | null; match: LevelMatchWam | null; target: LevelMatchWam | null };
  /** Their GUI elements, as returned by createGui() (null until created). */
  guis: { reference: HTMLElement | null; match: HTMLElement | null; target: HTMLElement | null };
  /** Resumes the context and plays the current source (the built-in programme by default). */
  play(): Promise<void>;
  /** Fades out and suspends the context. */
  stop(): Promise<void>;
  /** Chooses the example heard (both keep running). */
  setExample(which: ExampleName): void;
  /** The match instance's `listen` parameter: 0 processed (its output), 1 the unprocessed reference. */
  setListen(value: 0 | 1): Promise<void>;
  /** Plays a file (decoded with decodeAudioData); rejects with a plain-words Error it also shows. */
  useFile(file: File): Promise<void>;
  /** Back to the built-in programme. */
  useProgramme(): Promise<void>;
  /** Resolves when the programme is rendered and all three plugins and their GUIs exist; rejects on failure. */
  ready: Promise<void>;
}

declare global {
  interface Window {
    levelmatchDemo: LevelMatchDemo;
  }
}

/** The first screen's sentence before there are numbers. */
const NOW_STORY_IDLE: Record<ExampleName, string> = {
  match: 'Press Play (or Space): the effect rack makes the programme louder, and the match instance takes the difference back.',
  target: 'Press Play (or Space): the target instance holds the bus at the target, whatever its level.',
};
const EXAMPLES: readonly ExampleName[] = ['match', 'target'];

// ---- audio graph (built at once, so the page works before the plugins arrive) ----

const ctx = new AudioContext();
// Sound starts with Play only (where autoplay is allowed the context would start running by itself).
if (ctx.state === 'running') void ctx.suspend();

const player = new SourcePlayer(ctx);
const rack = new EffectRack(ctx);
const bus = new Bus(ctx);
const master = new GainNode(ctx, { gain: 0 });
const exampleOut: Record<ExampleName, GainNode> = {
  match: new GainNode(ctx, { gain: 1 }),
  target: new GainNode(ctx, { gain: 0 }),
};
exampleOut.match.connect(master);
exampleOut.target.connect(master);
master.connect(ctx.destination);
player.drums.connect(bus.drumsIn);
player.music.connect(bus.musicIn);

// ---- page state ----

let example: ExampleName = 'match';
let listen: 0 | 1 = 0;
/** setParameterValues calls for `listen` in flight: readouts may still carry the old value meanwhile. */
let listenPending = 0;
let playing = false;
let stopGeneration = 0;
let programme: { drums: AudioBuffer; music: AudioBuffer } | null = null;

const plugins: LevelMatchDemo['plugins'] = { reference: null, match: null, target: null };
const guis: LevelMatchDemo['guis'] = { reference: null, match: null, target: null };

// ---- the page's elements ----

const playButton = byId<HTMLButtonElement>('play');
const abButton = byId<HTMLButtonElement>('ab');
const statusAudio = byId('status-audio');
const statusPlugin = byId('status-plugin');
const errorBox = byId('errors');
const sourceName = byId('source-name');
const sourceMessage = byId('source-message');
const fileInput = byId<HTMLInputElement>('file-input');
const programmeButton = byId<HTMLButtonElement>('use-programme');
const loopBar = byId('loop');
const loopHead = byId('loop-head');
const loopLabel = byId('loop-label');
const dropOverlay = byId('drop-overlay');

byId('rack').append(rack.element);
byId('bus').append(bus.element);

// Live figures beside each stage, each naming the instance whose meter it reads (S: short-term, I: integrated).
const referenceReadings = new Readings('readings-reference', [
  { key: 's', label: 'Short-term', tone: 'ref', unit: 'LUFS', from: 'reference instance \u00b7 S' },
  { key: 'i', label: 'Integrated', tone: 'ref', unit: 'LUFS', from: 'reference instance \u00b7 I' },
]);
byId('readings-reference-slot').append(referenceReadings.element);
const rackReadings = new Readings('readings-rack', [
  { key: 's', label: 'Rack output', tone: 'in', unit: 'LUFS', from: 'match instance input \u00b7 S' },
  { key: 'diff', label: 'vs reference', tone: 'in', unit: 'LU', signed: true, from: 'match instance \u00b7 S' },
]);
byId('readings-rack-slot').append(rackReadings.element);
const matchReadings = new Readings('readings-match', [
  { key: 'out', label: 'Matched', tone: 'out', unit: 'LUFS', from: 'match instance output \u00b7 S' },
  { key: 'gain', label: 'Gain', tone: 'gain', unit: 'dB', signed: true, from: 'match instance' },
]);
byId('readings-match-slot').append(matchReadings.element);
const targetReadings = new Readings('readings-target', [
  { key: 'in', label: 'Bus', tone: 'in', unit: 'LUFS', from: 'target instance input \u00b7 S' },
  { key: 'target', label: 'Target', tone: 'ref', unit: 'LUFS', from: 'target instance setting' },
  { key: 'out', label: 'Output', tone: 'out', unit: 'LUFS', from: 'target instance output \u00b7 S' },
  { key: 'gain', label: 'Gain', tone: 'gain', unit: 'dB', signed: true, from: 'target instance' },
]);
byId('readings-target-slot').append(targetReadings.element);
targetReadings.set('target', TARGET_LUFS);

// The first screen's summary: the heard example's numbers, from the instances that measure them.
const nowMatchReadings = new Readings('now-match', [
  { key: 'ref', label: 'Reference', tone: 'ref', unit: 'LUFS', from: 'match instance \u00b7 ref S' },
  { key: 'rack', label: 'The rack adds', tone: 'in', unit: 'LU', signed: true, from: 'match instance \u00b7 in \u2212 ref' },
  { key: 'out', label: 'You hear', tone: 'out', unit: 'LUFS', from: 'match instance output \u00b7 S' },
  { key: 'gain', label: 'Match gain', tone: 'gain', unit: 'dB', signed: true, from: 'match instance' },
]);
const nowTargetReadings = new Readings('now-target', [
  { key: 'in', label: 'Bus', tone: 'in', unit: 'LUFS', from: 'target instance input \u00b7 S' },
  { key: 'target', label: 'Target', tone: 'ref', unit: 'LUFS', from: 'target instance setting' },
  { key: 'out', label: 'You hear', tone: 'out', unit: 'LUFS', from: 'target instance output \u00b7 S' },
  { key: 'gain', label: 'Trim gain', tone: 'gain', unit: 'dB', signed: true, from: 'target instance' },
]);
byId('now-readings-slot').append(nowMatchReadings.element, nowTargetReadings.element);
nowTargetReadings.set('target', TARGET_LUFS);
const nowSection = byId('now');
const nowExample = byId('now-example');
const nowStatus = byId('now-status');
const nowStatusText = byId('now-status-text');
const listenBadge = byId('listen-badge');
const nowStory = byId('now-story');
const abNote = byId('ab-note');

/** The first screen's sentence: what LevelMatch is doing with the numbers above it. */
function showNowStory(text: string): void {
  if (nowStory.textContent !== text) nowStory.textContent = text;
}

// The loop bar: one segment per section of the built-in programme.
const loopSections = byId('loop-sections');
for (const s of SECTIONS) {
  loopSections.append(h('span', {
    class: `loop-section section-${s.name}`, style: `flex-grow:${s.end - s.start}`, text: s.name,
  }));
}

// ---- errors and status ----

/** Shows an error in plain words in the page's alert area (and keeps earlier ones). */
function showError(message: string): void {
  errorBox.hidden = false;
  errorBox.append(h('p', { text: message }));
}

function showAudioStatus(): void {
  const state = ctx.state === 'running' && !playing ? 'running (silent)' : ctx.state;
  statusAudio.textContent = `Audio ${state} \u00b7 ${(ctx.sampleRate / 1000).toFixed(ctx.sampleRate % 1000 === 0 ? 0 : 1)} kHz`;
  statusAudio.dataset.state = ctx.state;
}
ctx.addEventListener('statechange', showAudioStatus);
showAudioStatus();

window.addEventListener('unhandledrejection', (e) => showError(`Something failed: ${reason(e.reason)}`));
window.addEventListener('error', (e) => showError(`Something failed: ${e.message}`));

function reason(e: unknown): string {
  return e instanceof Error ? e.message : String(e);
}

// ---- sources ----

function showSource(info: SourceInfo): void {
  const minutes = Math.floor(info.duration / 60);
  const seconds = Math.round(info.duration % 60);
  const length = minutes > 0 ? `${minutes}:${String(seconds).padStart(2, '0')}` : `${info.duration.toFixed(0)} s`;
  sourceName.textContent = info.kind === 'programme'
    ? `Built-in programme \u00b7 drums, bass, chords \u00b7 ${length} loop`
    : `${info.name} \u00b7 ${length} loop`;
  sourceName.dataset.kind = info.kind;
  loopBar.dataset.kind = info.kind;
  programmeButton.setAttribute('aria-pressed', String(info.kind === 'programme'));
  bus.hasDrums = info.hasStems;
}

/**
 * A new programme: the readings that describe the old one (integrated loudness, LRA, maxima) start again, in the
 * instances (resetMeters; the gains stay and re-converge) and on the page. The instances reset once the old
 * source's fade-out has ended (`oldEnded`), so none of it enters the new readings.
 */
function resetProgrammeReadings(oldEnded: Promise<void>): void {
  void oldEnded.then(() => {
    for (const wam of [plugins.reference, plugins.match, plugins.target]) wam?.audioNode.resetMeters();
  });
  for (const r of [referenceReadings, rackReadings, matchReadings, nowMatchReadings]) r.clear();
  targetReadings.set('in', NaN);
  targetReadings.set('out', NaN);
  targetReadings.set('gain', NaN);
  nowTargetReadings.set('in', NaN);
  nowTargetReadings.set('out', NaN);
  nowTargetReadings.set('gain', NaN);
}

const programmeReady: Promise<void> = (async () => {
  const p = await renderProgrammeAsync(ctx.sampleRate);
  programme = { drums: stereoBuffer(p.drums, p.sampleRate), music: stereoBuffer(p.music, p.sampleRate) };
  const info: SourceInfo = { kind: 'programme', name: 'Built-in programme', duration: PROGRAMME_SECONDS, hasStems: true };
  player.play(info, programme);
  showSource(info);
  playButton.disabled = false;
})();

async function useProgramme(): Promise<void> {
  await programmeReady;
  if (programme === null) return;
  sourceMessage.textContent = '';
  const info: SourceInfo = { kind: 'programme', name: 'Built-in programme', duration: PROGRAMME_SECONDS, hasStems: true };
  resetProgrammeReadings(player.play(info, programme));
  showSource(info);
}

async function useFile(file: File): Promise<void> {
  sourceMessage.dataset.tone = 'busy';
  sourceMessage.textContent = `Decoding \u201c${file.name}\u201d\u2026`;
  try {
    const buffer = await decodeFile(ctx, file);
    const info: SourceInfo = { kind: 'file', name: file.name, duration: buffer.duration, hasStems: false };
    resetProgrammeReadings(player.play(info, { music: buffer }));
    showSource(info);
    sourceMessage.dataset.tone = '';
    sourceMessage.textContent = playing ? '' : 'Loaded. Press Play to hear it.';
  } catch (e) {
    sourceMessage.dataset.tone = 'error';
    sourceMessage.textContent = reason(e);
    throw e;
  }
}

programmeButton.addEventListener('click', () => void useProgramme());
fileInput.addEventListener('change', () => {
  const file = fileInput.files?.[0];
  fileInput.value = '';
  if (file !== undefined) useFile(file).catch(() => undefined); // shown in the source panel
});

// Drop a file anywhere on the page.
let dragDepth = 0;
const hasFiles = (e: DragEvent): boolean => e.dataTransfer?.types.includes('Files') === true;
document.addEventListener('dragenter', (e) => {
  if (!hasFiles(e)) return;
  e.preventDefault();
  dragDepth++;
  dropOverlay.hidden = false;
});
document.addEventListener('dragover', (e) => {
  if (!hasFiles(e)) return;
  e.preventDefault();
  if (e.dataTransfer !== null) e.dataTransfer.dropEffect = 'copy';
});
document.addEventListener('dragleave', (e) => {
  if (!hasFiles(e)) return;
  dragDepth = Math.max(0, dragDepth - 1);
  if (dragDepth === 0) dropOverlay.hidden = true;
});
document.addEventListener('drop', (e) => {
  if (!hasFiles(e)) return;
  e.preventDefault();
  dragDepth = 0;
  dropOverlay.hidden = true;
  const file = e.dataTransfer?.files[0];
  if (file !== undefined) useFile(file).catch(() => undefined);
});

// ---- transport ----

async function play(): Promise<void> {
  await programmeReady;
  playing = true;
  stopGeneration++;
  showTransport();
  await ctx.resume();
  glide(master.gain, 1, ctx, 0.015);
  sourceMessage.textContent = sourceMessage.dataset.tone === 'error' ? sourceMessage.textContent : '';
  showAudioStatus();
}

async function stop(): Promise<void> {
  playing = false;
  showTransport();
  glide(master.gain, 0, ctx, 0.015);
  const generation = ++stopGeneration;
  await new Promise((r) => setTimeout(r, 120)); // let the fade finish
  if (!playing && generation === stopGeneration && ctx.state === 'running') await ctx.suspend();
  showAudioStatus();
}

function showTransport(): void {
  playButton.setAttribute('aria-pressed', String(playing));
  playButton.querySelector('.play-label')!.textContent = playing ? 'Stop' : 'Play';
  document.body.dataset.playing = String(playing);
}

playButton.addEventListener('click', () => void (playing ? stop() : play()));

// ---- examples ----

function setExample(which: ExampleName): void {
  if (!EXAMPLES.includes(which)) throw new RangeError(`unknown example "${which}" (expected match or target)`);
  example = which;
  for (const name of EXAMPLES) {
    glide(exampleOut[name].gain, name === which ? 1 : 0, ctx, 0.02);
    const on = name === which;
    byId(`example-${name}`).dataset.onAir = String(on);
    const radio = byId(`switch-${name}`);
    radio.setAttribute('aria-checked', String(on));
    radio.tabIndex = on ? 0 : -1;
    const hear = byId<HTMLButtonElement>(`hear-${name}`);
    hear.setAttribute('aria-pressed', String(on));
    hear.querySelector('.hear-label')!.textContent = on ? 'You are hearing this example' : 'Hear this example';
  }
  nowSection.dataset.example = which;
  showNowStory(NOW_STORY_IDLE[which]);
  showAbAvailable();
  nowExample.textContent = which === 'match' ? 'Example 1 \u00b7 match around an effect chain' : 'Example 2 \u00b7 auto gain to a target';
  const r = (which === 'match' ? plugins.match : plugins.target)?.audioNode.readout ?? null;
  if (r !== null) showNowStatus(r);
}

for (const name of EXAMPLES) {
  byId(`switch-${name}`).addEventListener('click', () => setExample(name));
  byId(`hear-${name}`).addEventListener('click', () => setExample(name));
}
byId('example-switch').addEventListener('keydown', (e) => {
  if (e.key !== 'ArrowLeft' && e.key !== 'ArrowRight') return;
  e.preventDefault();
  const next = EXAMPLES[(EXAMPLES.indexOf(example) + 1) % EXAMPLES.length];
  setExample(next);
  byId(`switch-${next}`).focus();
});

// ---- A/B: the match instance's `listen` parameter ----

/**
 * Shows what example 1 plays. B (the unprocessed reference) is also flagged in the sticky bar, so the page is
 * never left on B unknowingly (every figure "You hear" then reads the reference).
 */
function showListen(v: number): void {
  listen = v >= 0.5 ? 1 : 0;
  abButton.setAttribute('aria-pressed', String(listen === 1));
  abButton.dataset.listen = String(listen);
  byId('example-match').dataset.listen = String(listen);
  document.body.dataset.listen = String(listen);
  listenBadge.hidden = listen === 0;
}

async function setListen(value: 0 | 1): Promise<void> {
  const v: 0 | 1 = value === 1 ? 1 : 0;
  showListen(v);
  const match = plugins.match;
  if (match === null) return;
  listenPending++;
  try {
    await setParameter(match, 'listen', v);
  } finally {
    listenPending--;
  }
}

abButton.addEventListener('click', () => void setListen(listen === 1 ? 0 : 1));

/** The A/B compares example 1's processed and unprocessed sound: a button only while example 1 is heard. */
function showAbAvailable(): void {
  const on = example === 'match' && plugins.match !== null;
  abButton.disabled = !on;
  abNote.textContent = example === 'match'
    ? 'Sets the match instance\u2019s listen parameter.'
    : 'The A/B compares example 1: press 1 to hear it.';
}

// ---- keyboard: Space plays or stops, A / B choose what example 1 plays, 1 / 2 choose the example ----

// Wherever focus is (see keys.ts), except in a text field being typed into. preventDefault keeps a focused
// button from also acting on Space (a button clicks on Space's keyup, so that is cancelled too) and the page
// from scrolling.
document.addEventListener('keydown', (e) => {
  if (e.defaultPrevented || !isShortcut(e)) return;
  e.preventDefault();
  if (e.repeat) return;
  const key = e.key.toLowerCase();
  if (key === ' ') void (playing ? stop() : play());
  else if (key === 'a') void setListen(0);
  else if (key === 'b') void setListen(1);
  else if (key === '1') setExample('match');
  else if (key === '2') setExample('target');
});
document.addEventListener('keyup', (e) => {
  if (e.key === ' ' && isShortcut(e)) e.preventDefault();
});

// ---- the loop bar's playhead ----

const capitalise = (s: string): string => s.charAt(0).toUpperCase() + s.slice(1);

function tick(): void {
  const info = player.info;
  if (info !== null) {
    const pos = player.position;
    loopHead.style.left = `${(pos / info.duration) * 100}%`;
    loopLabel.textContent = info.kind === 'programme'
      ? `${capitalise(sectionAt(pos).name)} \u00b7 bar ${Math.floor(pos / BAR) + 1} of ${BARS} \u00b7 ${formatNumber(pos, 0)} s`
      : `${formatNumber(pos, 0)} / ${formatNumber(info.duration, 0)} s`;
  }
  requestAnimationFrame(tick);
}
requestAnimationFrame(tick);

// ---- the plugins ----

/** Creates an instance's GUI and puts it in its slot; an error there leaves the audio running. */
async function mountGui(name: keyof LevelMatchDemo['guis'], wam: LevelMatchWam): Promise<void> {
  const slot = byId(`gui-${name}`);
  try {
    const el = await wam.createGui();
    slot.replaceChildren(el);
    guis[name] = el;
  } catch (e) {
    slot.replaceChildren(h('p', { class: 'slot-error', text: `The plugin's interface failed to open: ${reason(e)}` }));
    throw e;
  }
}

/** The reference instance meters its own input: the figures beside it read it (not the match instance's copy). */
function onReferenceReadout(r: Readout): void {
  referenceReadings.set('s', r.input.shortTerm);
  referenceReadings.set('i', r.input.integrated);
}

/** The first screen's status line: what the heard example's LevelMatch instance is doing, in the GUI's words. */
function showNowStatus(r: Readout): void {
  const line = statusLine(r);
  if (nowStatusText.textContent !== line.text) nowStatusText.textContent = line.text;
  if (nowStatus.dataset.tone !== line.tone) nowStatus.dataset.tone = line.tone;
}

function onMatchReadout(r: Readout): void {
  rackReadings.set('s', r.input.shortTerm);
  rackReadings.set('diff', r.input.shortTerm - r.reference.shortTerm);
  matchReadings.set('out', r.output.shortTerm);
  matchReadings.set('gain', r.gain.applied);
  nowMatchReadings.set('ref', r.reference.shortTerm);
  nowMatchReadings.set('rack', r.input.shortTerm - r.reference.shortTerm);
  nowMatchReadings.set('out', r.output.shortTerm);
  nowMatchReadings.set('gain', r.gain.applied);
  if (example === 'match') {
    showNowStatus(r);
    const added = r.input.shortTerm - r.reference.shortTerm;
    if (listen === 1) showNowStory('B: you hear the unprocessed reference, at the loudness the processed sound is matched to. Press A for the processed sound.');
    else if (Number.isFinite(added) && Number.isFinite(r.gain.applied)) {
      showNowStory(`The rack makes the programme ${formatNumber(Math.abs(added), 1)} LU ${added >= 0 ? 'louder' : 'quieter'}; the match instance applies ${formatNumber(r.gain.applied, 1, true)} dB, so you hear the processing as loud as the original and judge the sound, not the level.`);
    }
  }
  if (listenPending === 0 && typeof r.parameters?.listen === 'number' && r.parameters.listen !== listen) showListen(r.parameters.listen);
}

function onTargetReadout(r: Readout): void {
  const target = r.parameters?.target ?? TARGET_LUFS;
  targetReadings.set('in', r.input.shortTerm);
  targetReadings.set('target', target);
  targetReadings.set('out', r.output.shortTerm);
  targetReadings.set('gain', r.gain.applied);
  nowTargetReadings.set('in', r.input.shortTerm);
  nowTargetReadings.set('target', target);
  nowTargetReadings.set('out', r.output.shortTerm);
  nowTargetReadings.set('gain', r.gain.applied);
  if (example === 'target') {
    showNowStatus(r);
    if (Number.isFinite(r.input.shortTerm) && Number.isFinite(r.gain.applied)) {
      showNowStory(`The bus arrives at ${formatNumber(r.input.shortTerm, 1)} LUFS; the target instance applies ${formatNumber(r.gain.applied, 1, true)} dB to hold it at ${formatNumber(target, 1)} LUFS.`);
    }
  }
}

const pluginsReady: Promise<void> = (async () => {
  let loaded: Awaited<ReturnType<typeof loadLevelMatch>>;
  try {
    loaded = await loadLevelMatch(ctx);
  } catch (e) {
    // Without the plugin the chains still play, unmatched, so the page is not silent.
    player.mix.connect(rack.input);
    rack.output.connect(exampleOut.match);
    bus.output.connect(exampleOut.target);
    for (const name of ['reference', 'match', 'target'] as const) {
      byId(`gui-${name}`).replaceChildren(h('p', { class: 'slot-error', text: 'Not loaded.' }));
    }
    statusPlugin.textContent = 'LevelMatch not loaded';
    showError(`${reason(e)} You hear the examples without LevelMatch.`);
    throw e;
  }
  const { groupId, LevelMatch } = loaded;
  // (The match instance starts from -10 dB: see MATCH_STATE.)
  const reference = await createLevelMatch(LevelMatch, groupId, ctx, REFERENCE_STATE);
  const match = await createLevelMatch(LevelMatch, groupId, ctx, MATCH_STATE);
  const target = await createLevelMatch(LevelMatch, groupId, ctx, TARGET_STATE);
  Object.assign(plugins, { reference, match, target });

  player.mix.connect(reference.audioNode);
  reference.audioNode.connect(rack.input);
  rack.output.connect(match.audioNode);
  match.audioNode.connect(exampleOut.match);
  bus.output.connect(target.audioNode);
  target.audioNode.connect(exampleOut.target);

  reference.audioNode.addEventListener('readout', (e) => onReferenceReadout((e as CustomEvent<Readout>).detail));
  match.audioNode.addEventListener('readout', (e) => onMatchReadout((e as CustomEvent<Readout>).detail));
  target.audioNode.addEventListener('readout', (e) => onTargetReadout((e as CustomEvent<Readout>).detail));
  match.audioNode.addEventListener('parameterchange', () => {
    if (listenPending > 0) return;
    match.audioNode.getParameterValues(false, 'listen').then((v) => showListen(v.listen?.value ?? listen), () => undefined);
  });
  showAbAvailable();
  statusPlugin.textContent = `${match.descriptor.name} ${match.descriptor.version} \u00b7 3 instances`;

  const results = await Promise.allSettled([mountGui('reference', reference), mountGui('match', match), mountGui('target', target)]);
  const failed = results.find((r): r is PromiseRejectedResult => r.status === 'rejected');
  if (failed !== undefined) {
    showError(`A plugin interface failed to open: ${reason(failed.reason)}`);
    throw failed.reason;
  }
})();

const ready: Promise<void> = Promise.all([programmeReady, pluginsReady]).then(() => {
  document.body.dataset.ready = 'true';
});
ready.catch(() => undefined); // failures are shown on the page; `ready` still rejects for whoever awaits it

setExample('match');
showListen(0);
showTransport();

window.levelmatchDemo = {
  ctx, plugins, guis, play, stop, setExample, setListen, useFile, useProgramme, ready,
};
