/**
 * Channel layouts and their BS.1770 weights.
 *
 * ITU-R BS.1770-5 Annex 1, table 3 weights a channel by its position: 1.0 for the front and centre, 1.41
 * (+1.5 dB) for surrounds at 60-120 degrees azimuth below 30 degrees elevation, 1.0 elsewhere; the LFE channel
 * is not measured at all. Rear channels of 7.1 (Lb/Rb, about 135-150 degrees) are outside 60-120, so 1.0.
 */
import type { ChannelRole, LayoutName } from './types.ts';
import { describeValue } from './describe-value.ts';

export const LAYOUTS: Readonly<Record<LayoutName, readonly ChannelRole[]>> = {
  mono: ['C'],
  stereo: ['L', 'R'],
  '3.0': ['L', 'R', 'C'],
  quad: ['L', 'R', 'Ls', 'Rs'],
  '5.0': ['L', 'R', 'C', 'Ls', 'Rs'],
  '5.1': ['L', 'R', 'C', 'LFE', 'Ls', 'Rs'],
  '7.0': ['L', 'R', 'C', 'Ls', 'Rs', 'Lb', 'Rb'],
  '7.1': ['L', 'R', 'C', 'LFE', 'Ls', 'Rs', 'Lb', 'Rb'],
};

/** Layout used when none is given: mono, stereo, 3.0, quad, 5.0, 5.1, 7.0 (seven channels), 7.1. */
const BY_COUNT: readonly LayoutName[] = ['mono', 'stereo', '3.0', 'quad', '5.0', '5.1', '7.0', '7.1'];

const WEIGHTS: Readonly<Record<ChannelRole, number>> = {
  L: 1, R: 1, C: 1, Lc: 1, Rc: 1,
  LFE: 0,
  Ls: 1.41, Rs: 1.41,
  Lb: 1, Rb: 1, Cb: 1, T: 1,
  X: 0,
};

/** Every channel role, in the order the help text lists them. */
export const CHANNEL_ROLES: readonly ChannelRole[] = Object.keys(WEIGHTS) as ChannelRole[];

export function isLayoutName(x: unknown): x is LayoutName {
  return typeof x === 'string' && Object.prototype.hasOwnProperty.call(LAYOUTS, x);
}

export function isChannelRole(x: unknown): x is ChannelRole {
  return typeof x === 'string' && Object.prototype.hasOwnProperty.call(WEIGHTS, x);
}

/** The default layout for a channel count from 1 to 8. */
export function defaultLayout(channels: number): LayoutName {
  const name = BY_COUNT[channels - 1];
  if (name === undefined) throw new RangeError(`channels must be an integer from 1 to 8, got ${String(channels)}`);
  return name;
}

/**
 * Resolves a layout (a name or one role per channel) for `channels` channels into roles.
 * Throws a RangeError naming the problem.
 */
export function resolveLayout(layout: LayoutName | readonly ChannelRole[] | undefined, channels: number): ChannelRole[] {
  if (layout === undefined) return [...LAYOUTS[defaultLayout(channels)]];
  let roles: readonly ChannelRole[];
  if (typeof layout === 'string') {
    if (!isLayoutName(layout)) {
      throw new RangeError(`unknown layout "${layout}"; known layouts: ${Object.keys(LAYOUTS).join(', ')}`);
    }
    roles = LAYOUTS[layout];
  } else if (Array.isArray(layout)) {
    for (const r of layout) {
      if (!isChannelRole(r)) {
        throw new RangeError(`unknown channel role ${typeof r === 'string' ? `"${r}"` : describeValue(r)}; known roles: ${Object.keys(WEIGHTS).join(', ')}`);
      }
    }
    roles = layout;
  } else {
    throw new RangeError('layout must be a layout name or an array of channel roles');
  }
  if (roles.length !== channels) {
    throw new RangeError(`layout ${typeof layout === 'string' ? `"${layout}"` : `[${roles.join(', ')}]`} has ${roles.length} channel(s) but the meter has ${channels}`);
  }
  return [...roles];
}

/** BS.1770-5 weight G of a channel role. */
export function roleWeight(role: ChannelRole): number {
  return WEIGHTS[role];
}
