/**
 * WAVE_FORMAT_EXTENSIBLE channel masks (dwChannelMask) to LevelMatch channel roles.
 *
 * Each set bit names one speaker; the file's channels are stored in ascending bit order, so the n-th set bit
 * (counting from bit 0) describes the n-th channel. Bits, from the Microsoft KSAUDIO_SPEAKER_* definitions:
 *
 *   0x1 FL, 0x2 FR, 0x4 FC, 0x8 LFE, 0x10 BL, 0x20 BR, 0x40 FLC, 0x80 FRC, 0x100 BC, 0x200 SL, 0x400 SR,
 *   0x800 TC (top centre), 0x1000 TFL, 0x2000 TFC, 0x4000 TFR, 0x8000 TBL, 0x10000 TBC, 0x20000 TBR.
 */
import { LAYOUTS, defaultLayout } from '../layouts.ts';
import type { ChannelRole } from '../types.ts';

const SPEAKER_BACK_LEFT = 0x10;
const SPEAKER_BACK_RIGHT = 0x20;
const SPEAKER_SIDE_LEFT = 0x200;
const SPEAKER_SIDE_RIGHT = 0x400;
/** Bits 0 to 17 are defined; 0x1000 to 0x20000 are the height (top) speakers. */
const KNOWN_BITS = 0x3ffff;

/** Role of each defined bit, by bit index. BL/BR (bits 4, 5) depend on the rest of the mask: see below. */
const ROLE_BY_BIT: readonly ChannelRole[] = [
  'L', 'R', 'C', 'LFE', 'Lb', 'Rb', 'Lc', 'Rc', 'Cb', 'Ls', 'Rs',
  'T', 'T', 'T', 'T', 'T', 'T', 'T',
];

/**
 * Roles of a file's channels from its channel mask.
 *
 * BL/BR become the surrounds Ls/Rs (weight 1.41) when the mask has no SL/SR: that is the common "5.1 (back)"
 * mask 0x3F, whose back pair are the surrounds of a 5.1 mix. With SL/SR present (7.1, 0x63F) they are the
 * rear pair Lb/Rb (weight 1.0).
 *
 * Falls back to the default layout for the channel count (lib/layouts.ts) when the mask is 0, names fewer
 * speakers than there are channels, or has bits outside the defined 18 (e.g. 0x80000000 SPEAKER_ALL), since
 * such a mask does not say what the channels are. A mask naming more speakers than channels: the first
 * (lowest) bits are used.
 */
export function channelMaskToLayout(mask: number, channels: number): ChannelRole[] {
  const m = mask >>> 0; // as unsigned 32-bit
  if (m === 0 || (m & ~KNOWN_BITS) !== 0 || popcount(m) < channels) {
    return [...LAYOUTS[defaultLayout(channels)]];
  }
  const hasSides = (m & (SPEAKER_SIDE_LEFT | SPEAKER_SIDE_RIGHT)) !== 0;
  const roles: ChannelRole[] = [];
  for (let bit = 0; bit < ROLE_BY_BIT.length && roles.length < channels; bit++) {
    const flag = 1 << bit;
    if ((m & flag) === 0) continue;
    if (!hasSides && flag === SPEAKER_BACK_LEFT) roles.push('Ls');
    else if (!hasSides && flag === SPEAKER_BACK_RIGHT) roles.push('Rs');
    else roles.push(ROLE_BY_BIT[bit]!);
  }
  return roles;
}

function popcount(x: number): number {
  let n = 0;
  for (let v = x >>> 0; v !== 0; v >>>= 1) n += v & 1;
  return n;
}
