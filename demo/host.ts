/**
 * The WAM host side of the demo: sets up the Web Audio Modules host group in the AudioContext and loads the
 * LevelMatch plugin the way a web DAW does, by importing its built bundle by URL at run time (it is not bundled
 * into the demo; only its types are imported here). Main thread only.
 */
import { initializeWamHost } from '@webaudiomodules/sdk';
import type { ParameterId } from '../wam/parameters.ts';
import type { LevelMatchState } from '../wam/state.ts';

/** The plugin bundle's module type (dist/plugin/index.js is built from wam/index.ts). */
export type LevelMatchModule = typeof import('../wam/index.ts');
export type LevelMatchClass = LevelMatchModule['default'];
/** A LevelMatch instance (a WebAudioModule whose audioNode is a LevelMatchNode). */
export type LevelMatchWam = InstanceType<LevelMatchClass>;

/** Where the built plugin lives, relative to the page (the demo server maps /dist/ to the build). */
export const PLUGIN_PATH = 'dist/plugin/index.js';

/** A plugin state with the given parameters (the others take their defaults), as createInstance accepts. */
export function stateWith(parameters: Partial<Record<ParameterId, number>>): Partial<LevelMatchState> & Pick<LevelMatchState, 'format' | 'version'> {
  return { format: 'levelmatch', version: 1, parameters: parameters as Record<ParameterId, number> };
}

/**
 * Initialises the WAM host group in `ctx` and imports the plugin from `url` (resolved against the page).
 * Rejects with an Error in plain words when the bundle cannot be loaded.
 */
export async function loadLevelMatch(ctx: BaseAudioContext, url = new URL(PLUGIN_PATH, document.baseURI).href): Promise<{
  groupId: string;
  LevelMatch: LevelMatchClass;
}> {
  const [groupId] = await initializeWamHost(ctx);
  let mod: LevelMatchModule;
  try {
    // A variable specifier: the bundler leaves this import alone and the browser fetches the plugin.
    mod = (await import(/* webpackIgnore: true */ url)) as LevelMatchModule;
  } catch (e) {
    throw new Error(`The LevelMatch plugin could not be loaded from ${url} (${e instanceof Error ? e.message : String(e)}). Run \`npm run build\` and reload.`);
  }
  if (typeof mod.default?.createInstance !== 'function') throw new Error(`${url} is not a Web Audio Module (no default export with createInstance).`);
  return { groupId, LevelMatch: mod.default };
}

/** Creates an instance (createInstance types its result as a plain WebAudioModule; it is a LevelMatch). */
export async function createLevelMatch(
  LevelMatch: LevelMatchClass, groupId: string, ctx: BaseAudioContext, state: unknown,
): Promise<LevelMatchWam> {
  return (await LevelMatch.createInstance(groupId, ctx, state)) as LevelMatchWam;
}

/**
 * Sets one parameter to a plain value through the WAM API (setParameterValues), as a host's control would.
 */
export function setParameter(wam: LevelMatchWam, id: ParameterId, value: number): Promise<void> {
  return wam.audioNode.setParameterValues({ [id]: { id, value, normalized: false } });
}
