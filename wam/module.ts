/**
 * LevelMatch, the WebAudioModule (main thread): the default export of dist/plugin/index.js.
 *
 *   const [groupId] = await initializeWamHost(ctx);
 *   const { default: LevelMatch } = await import('.../dist/plugin/index.js');
 *   const wam = await LevelMatch.createInstance(groupId, ctx, initialState?);   // rejects on an invalid state
 *   source.connect(wam.audioNode); wam.audioNode.connect(ctx.destination);
 *
 * The audio node has two inputs (0: the signal, 1: the sidechain) and one output. All of them carry `channels`
 * channels (1..8, default 2, from initialState.channels): channelCountMode 'explicit' makes Web Audio up- or
 * down-mix whatever is connected. The count is fixed when the node is created: Web Audio only lets the output
 * channel count follow the input for nodes with exactly one input and one output, and ours has two inputs, so
 * a state's `channels` is honoured by createInstance only (setState ignores it).
 */
import { WebAudioModule } from '@webaudiomodules/sdk';
import { DESCRIPTOR } from './descriptor.ts';
import { LevelMatchNode } from './node.ts';
import { parseState, DEFAULT_CHANNELS, type LevelMatchState } from './state.ts';

let instanceCounter = 0;

export class LevelMatch extends WebAudioModule<LevelMatchNode> {
  private readonly _uniqueSuffix: string;

  constructor(groupId: string, audioContext: BaseAudioContext) {
    super(groupId, audioContext);
    // SDK 0.0.12 never loads descriptor.json and defaults every has* flag to true: set ours here.
    this._descriptor = { ...DESCRIPTOR, keywords: [...DESCRIPTOR.keywords] };
    this._uniqueSuffix = `-${++instanceCounter}`;
  }

  /** moduleId + creation time, plus a counter: two instances created in the same millisecond stay distinct. */
  override get instanceId(): string {
    return `${this.moduleId}${this._timestamp}${this._uniqueSuffix}`;
  }

  /**
   * Creates the node with an optional initial state. The state is validated first: an invalid one rejects
   * (and createInstance with it). It travels to the processor with the node's options and is applied before the
   * first render quantum, so a held or learned gain comes back exactly.
   */
  override async initialize(state?: unknown): Promise<this> {
    const parsed = state === undefined || state === null ? undefined : parseState(state);
    if (!this._audioNode) this.audioNode = await this.createAudioNode(parsed);
    this.initialized = true;
    return this;
  }

  override async createAudioNode(initialState?: unknown): Promise<LevelMatchNode> {
    const state: LevelMatchState | undefined = initialState === undefined || initialState === null ? undefined : parseState(initialState);
    const channels = state?.channels ?? DEFAULT_CHANNELS;
    await LevelMatchNode.addModules(this.audioContext, this.moduleId);
    const node = new LevelMatchNode(this, {
      numberOfInputs: 2,
      numberOfOutputs: 1,
      outputChannelCount: [channels],
      channelCount: channels,
      channelCountMode: 'explicit',
      channelInterpretation: 'speakers',
      processorOptions: { channels, initialState: state },
    });
    await node._initialize();
    return node;
  }

  /** A placeholder element until the GUI exists (gui/). */
  override async createGui(): Promise<HTMLElement> {
    const el = document.createElement('div');
    el.className = 'levelmatch-gui';
    el.textContent = this.name;
    el.style.cssText = 'display:inline-block;padding:8px 12px;font:14px system-ui,sans-serif;border:1px solid #888;border-radius:4px';
    return el;
  }

  override destroyGui(el: Element): void {
    el.remove();
  }
}
