/**
 * The states the demo creates its three LevelMatch instances with (demo/main.ts), in one place so the demo's
 * offline tests (host-test/demo.browser.test.ts) build exactly the page's examples. Pure data.
 */
import { stateWith } from './host.ts';

/** Example 2's bus target, LUFS. */
export const TARGET_LUFS = -18;

/** Example 1's reference instance, before the rack. */
export const REFERENCE_STATE = stateWith({ mode: 0, link: 1 });

/**
 * Example 1's match instance, after the rack. It starts from -10 dB, about what the rack's defaults add in the
 * opening verse, as a saved session would recall it: otherwise the first seconds play the rack's full boost
 * while the meters fill. Its range is the widest there is (cut 40 dB, boost 24 dB): the rack's make-up at its
 * maximum alone adds about 31 LU in the verse and 37 in the breakdown, past the default 24 dB of cut.
 */
export const MATCH_STATE = { ...stateWith({ mode: 1, link: 1, maxBoost: 24, maxCut: 40 }), gain: -10 };

/** Example 2's target instance on the bus. */
export const TARGET_STATE = stateWith({ mode: 3, link: 2, target: TARGET_LUFS, detector: 1, maxBoost: 24 });
