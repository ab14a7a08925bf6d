// A minimal event-emitting WAM of our own, standing in for the MIDI keyboards, sequencers and transport plugins
// that hosts wire to an effect with connectEvents(). Its processor emits, from the audio thread, the events it
// is handed (emit(events)), to every WAM connected to it: the path a MIDI keyboard's notes take.
import { WebAudioModule, WamNode } from '/node_modules/@webaudiomodules/sdk/dist/index.js';

export const EMITTER_ID = 'org.levelmatch.test.EventEmitter';
const PROCESSOR_URL = new URL('./emitter-processor.js', import.meta.url).href;

class EmitterNode extends WamNode {
  static async addModules(audioContext, moduleId) {
    await super.addModules(audioContext, moduleId);
    await audioContext.audioWorklet.addModule(PROCESSOR_URL);
  }

  /** The processor emits `events` (plain WAM events) to the connected WAMs at its next render quantum. */
  emit(events) {
    this.port.postMessage({ emitterEvents: events });
  }
}

export default class EventEmitter extends WebAudioModule {
  constructor(groupId, audioContext) {
    super(groupId, audioContext);
    Object.assign(this._descriptor, {
      identifier: EMITTER_ID, name: 'Test event emitter', vendor: 'LevelMatch tests', version: '0.0.1', apiVersion: '2.0.0',
      isInstrument: false, hasAudioInput: false, hasAudioOutput: true, hasAutomationInput: false, hasAutomationOutput: true,
      hasMidiInput: false, hasMidiOutput: true, hasMpeInput: false, hasMpeOutput: false, hasOscInput: false,
      hasOscOutput: false, hasSysexInput: false, hasSysexOutput: false,
    });
  }

  async createAudioNode() {
    await EmitterNode.addModules(this.audioContext, this.moduleId);
    const node = new EmitterNode(this, { numberOfInputs: 0, numberOfOutputs: 1, outputChannelCount: [2] });
    await node._initialize();
    return node;
  }
}
