/**
 * LevelMatch, the WebAudioModule (main thread): the default export of dist/plugin/index.js.
 *
 *   const [groupId] = await initializeWamHost(ctx);
 *   const { default: LevelMatch } = await import('.../dist/plugin/index.js');
 *   const wam = await LevelMatch.createInstance(groupId, ctx, initialState?);   // rejects on an invalid state
 *   (initialState: nothing or {} = defaults; a partial state or the SDK's { parameterValues } shape = those
 *   values over the defaults; see state.ts)
 *   source.connect(wam.audioNode); wam.audioNode.connect(ctx.destination);
 *
 * The audio node has two inputs (0: the signal, 1: the sidechain) and one output. All of them carry `channels`
 * channels (1..8, default 2, from initialState.channels): channelCountMode 'explicit' up- or down-mixes
 * whatever is connected (the node presents 'explicit' and runs as 'max', the processor doing the mixing: node.ts,
 * channel-mix.ts). The count is fixed when the node is created: Web Audio only lets the output
 * channel count follow the input for nodes with exactly one input and one output, and ours has two inputs, so
 * a state's `channels` is honoured by createInstance only (setState ignores it).
 */
import { WebAudioModule } from '@webaudiomodules/sdk';
import type { WamNode as IWamNode } from '@webaudiomodules/api';
import { DESCRIPTOR } from './descriptor.ts';
import { LevelMatchNode } from './node.ts';
import { parseState, type LevelMatchState } from './state.ts';

/**
 * The GUI lives in its own bundle beside this one (dist/plugin/gui.js), loaded on the first createGui(): a host
 * that never opens the GUI (an offline bounce, a headless test) never loads Lit or touches the DOM.
 */
export const GUI_URL = new URL('./gui.js', import.meta.url).href;
type GuiBundle = typeof import('../gui/index.ts');
let guiBundle: Promise<GuiBundle> | null = null;
function loadGui(): Promise<GuiBundle> {
  guiBundle ??= (import(GUI_URL) as Promise<GuiBundle>).catch((e: unknown) => {
    guiBundle = null;
    throw e;
  });
  return guiBundle;
}

let instanceCounter = 0;

export class LevelMatch extends WebAudioModule<LevelMatchNode> {
  private readonly _uniqueSuffix: string;

  constructor(groupId: string, audioContext: BaseAudioContext) {
    super(groupId, audioContext);
    // SDK 0.0.12 never loads descriptor.json and defaults every has* flag to true: set ours here.
    this._descriptor = { ...DESCRIPTOR, keywords: [...DESCRIPTOR.keywords] };
    this._uniqueSuffix = `-${++instanceCounter}`;
  }

  /**
   * The SDK's createInstance (construct, then initialize(initialState)), typed as what it makes: a LevelMatch,
   * whose audioNode is a LevelMatchNode.
   */
  static override createInstance<Node extends IWamNode = LevelMatchNode>(
    groupId: string, audioContext: BaseAudioContext, initialState?: unknown,
  ): Promise<LevelMatch & WebAudioModule<Node>> {
    return new this(groupId, audioContext).initialize(initialState) as Promise<LevelMatch & WebAudioModule<Node>>;
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
    // No state (undefined, null, {}) means the defaults; a partial state leaves the rest at the defaults.
    const parsed = parseState(state === null ? undefined : state);
    if (!this._audioNode) this.audioNode = await this.createAudioNode(parsed);
    this.initialized = true;
    return this;
  }

  override async createAudioNode(initialState?: unknown): Promise<LevelMatchNode> {
    const state: LevelMatchState = parseState(initialState === null ? undefined : initialState);
    const channels = state.channels;
    await LevelMatchNode.addModules(this.audioContext, this.moduleId);
    const node = new LevelMatchNode(this, {
      numberOfInputs: 2,
      numberOfOutputs: 1,
      outputChannelCount: [channels],
      channelCount: channels,
      // Presented as 'explicit' (node.ts); the processor mixes an input of another count (channel-mix.ts).
      channelCountMode: 'max',
      channelInterpretation: 'speakers',
      processorOptions: { channels, initialState: state, shapeInputs: true },
    });
    await node._initialize();
    return node;
  }

  /**
   * A new `<levelmatch-gui>` element bound to this instance's node (several may be open at once). Default size
   * 760 x 500 CSS px; set its width/height for anything from about 360 x 200 upwards.
   */
  override async createGui(): Promise<HTMLElement> {
    const gui = await loadGui();
    return gui.createLevelMatchGui(this.audioNode);
  }

  /**
   * Disconnects the element from the node (listeners, animation frames) and removes it from the page. Without an
   * element (a host's generic teardown, the wamHostTest suite) it does nothing, as the SDK's default. The work is
   * done when it returns; the returned Promise (already resolved) is for hosts that await it.
   */
  override destroyGui(el?: Element | null): Promise<void> {
    if (el !== undefined && el !== null && typeof el === 'object') {
      const destroy = (el as { destroy?: unknown }).destroy;
      if (typeof destroy === 'function') destroy.call(el);
      else if (typeof (el as { remove?: unknown }).remove === 'function') el.remove();
    }
    return Promise.resolve();
  }
}
