/**
 * The WAM descriptor (wam/descriptor.json, bundled into index.js so nothing is fetched; the build also writes
 * it beside the bundles as dist/plugin/descriptor.json, both with package.json's version). Every has* flag is
 * explicit: the SDK's defaults claim MIDI, OSC, sysex, MPE and automation output.
 */
import type { WamDescriptor } from '@webaudiomodules/api';
import descriptorJson from './descriptor.json' with { type: 'json' };
import { IDENTIFIER } from './identifier.ts';

export const DESCRIPTOR: Readonly<WamDescriptor> = Object.freeze({ ...descriptorJson, identifier: IDENTIFIER });

/** The thumbnail's absolute URL: `DESCRIPTOR.thumbnail` resolved against this bundle (dist/plugin/thumbnail.svg). */
export const THUMBNAIL_URL = new URL(DESCRIPTOR.thumbnail, import.meta.url).href;
