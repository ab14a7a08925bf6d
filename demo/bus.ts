/**
 * The bus of example 2, whose level the visitor pushes around before the LevelMatch target instance:
 *
 *   drums stem -> drums mute --+
 *                              +-> level (-20..+10 dB) -> ride -> output
 *   music stem ----------------+
 *
 * "Ride the fader" moves the level by itself (a slow sine of the linear gain, from about -20 dB to 0 dB over
 * 16 s) to show the target instance riding it back. It cannot hold the bus at the target through that: the
 * short-term detector reads the last 3 s, and at the bottom of the ride the breakdown needs more than the
 * instance's +24 dB. The note says what it does, as host-test/demo.browser.test.ts measures it (back within
 * 1 dB of each section's gain 0.8-1.3 s after a jump; riding, the output's short-term loudness swings 13 LU where
 * the bus's swings 28). All changes glide. Main thread only.
 */
import { PowerButton, Slider, dbToGain, glide, h } from './controls.ts';

export const BUS_DEFAULT_DB = -6;
/** Period of the automatic ride, seconds. */
const RIDE_PERIOD = 16;

export class Bus {
  readonly drumsIn: GainNode;
  readonly musicIn: GainNode;
  readonly output: GainNode;
  readonly element: HTMLElement;
  private readonly drumsButton: PowerButton;
  private rideOsc: OscillatorNode | null = null;

  constructor(ctx: BaseAudioContext) {
    this.drumsIn = new GainNode(ctx);
    this.musicIn = new GainNode(ctx);
    const level = new GainNode(ctx, { gain: dbToGain(BUS_DEFAULT_DB) });
    // The ride: gain = 0.55 + 0.45 sin(...) while on (0.1 .. 1, i.e. -20 .. 0 dB), 1 while off.
    const ride = new GainNode(ctx, { gain: 1 });
    const rideDepth = new GainNode(ctx, { gain: 0 });
    this.output = new GainNode(ctx);
    this.drumsIn.connect(level);
    this.musicIn.connect(level);
    level.connect(ride).connect(this.output);
    rideDepth.connect(ride.gain);

    const slider = new Slider({
      id: 'bus-level', label: 'Bus level', min: -20, max: 10, step: 0.5, value: BUS_DEFAULT_DB, unit: 'dB', signed: true,
      onInput: (v) => glide(level.gain, dbToGain(v), ctx, 0.03),
    });
    this.drumsButton = new PowerButton('bus-drums', 'Drums', true, (on) => glide(this.drumsIn.gain, on ? 1 : 0, ctx));
    const rideButton = new PowerButton('bus-ride', 'Ride the fader', false, (on) => {
      if (on) {
        const osc = new OscillatorNode(ctx, { frequency: 1 / RIDE_PERIOD });
        osc.connect(rideDepth);
        osc.start();
        this.rideOsc = osc;
        glide(ride.gain, 0.55, ctx, 0.2);
        glide(rideDepth.gain, 0.45, ctx, 0.2);
      } else {
        glide(ride.gain, 1, ctx, 0.2);
        glide(rideDepth.gain, 0, ctx, 0.2);
        const osc = this.rideOsc;
        this.rideOsc = null;
        osc?.stop(ctx.currentTime + 1.5);
      }
    });
    this.element = h('div', { class: 'bus' },
      slider.element,
      h('div', { class: 'bus-switches' }, this.drumsButton.element, rideButton.element),
      h('p', { class: 'bus-note', text: 'Push the level around or mute the drums: the output comes back to the target within about 3 s. Let the fader ride by itself and the gain rides after it: the output swings about half as far as the input.' }),
    );
  }

  /** The drums switch only means something while the source has a drums stem (the built-in programme). */
  set hasDrums(has: boolean) {
    this.drumsButton.element.disabled = !has;
    this.drumsButton.element.title = has ? 'Switch the drums on or off' : 'Only the built-in programme has a separate drums stem';
  }
}
