// The processor of the test event emitter (emitter.js): emits what the main thread hands it, from the audio
// thread, through the WAM group (webAudioModules.emitEvents) to every WAM connected with connectEvents().
(() => {
  const ID = 'org.levelmatch.test.EventEmitter';
  const scope = globalThis.webAudioModules.getModuleScope(ID);
  if (scope.emitterRegistered) return;
  scope.emitterRegistered = true;
  class EmitterProcessor extends scope.WamProcessor {
    constructor(options) {
      super(options);
      this.pending = [];
    }
    _onMessage(message) {
      if (message.data && Array.isArray(message.data.emitterEvents)) {
        this.pending.push(...message.data.emitterEvents);
        return Promise.resolve();
      }
      return super._onMessage(message);
    }
    _process() {
      if (this.pending.length > 0) this.emitEvents(...this.pending.splice(0));
    }
    _onMidi() {}
    _onTransport() {}
  }
  registerProcessor(ID, EmitterProcessor);
})();
