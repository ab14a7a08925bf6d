/**
 * The GUI's generic input widgets. Importing this module registers the elements (levelmatch-knob,
 * levelmatch-segmented, levelmatch-toggle), each once per page.
 */
import './knob.ts';
import './segmented.ts';
import './toggle.ts';

export { LevelMatchKnob } from './knob.ts';
export type { KnobVariant } from './knob.ts';
export { LevelMatchSegmented } from './segmented.ts';
export { LevelMatchToggle } from './toggle.ts';
export type { ToggleKind, ToggleTone } from './toggle.ts';
export { ACTION_EVENT, GESTURE_EVENT, INPUT_EVENT } from './events.ts';
export type { GestureDetail, InputDetail } from './events.ts';
