import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { channelMaskToLayout } from './channel-mask.ts';

test('common masks', () => {
  assert.equal(channelMaskToLayout(0x4, 1), ['C']); // mono
  assert.equal(channelMaskToLayout(0x3, 2), ['L', 'R']); // stereo
  assert.equal(channelMaskToLayout(0x7, 3), ['L', 'R', 'C']); // 3.0
  assert.equal(channelMaskToLayout(0x33, 4), ['L', 'R', 'Ls', 'Rs']); // quad (back pair = surrounds)
  assert.equal(channelMaskToLayout(0x107, 4), ['L', 'R', 'C', 'Cb']); // 4.0 LCRS
  assert.equal(channelMaskToLayout(0x37, 5), ['L', 'R', 'C', 'Ls', 'Rs']); // 5.0 (back)
  assert.equal(channelMaskToLayout(0x607, 5), ['L', 'R', 'C', 'Ls', 'Rs']); // 5.0 (side)
});

test('5.1: back (0x3F) and side (0x60F) masks both give surrounds Ls/Rs', () => {
  assert.equal(channelMaskToLayout(0x3f, 6), ['L', 'R', 'C', 'LFE', 'Ls', 'Rs']);
  assert.equal(channelMaskToLayout(0x60f, 6), ['L', 'R', 'C', 'LFE', 'Ls', 'Rs']);
});

test('7.1 (0x63F): back pair is rear Lb/Rb, stored before the sides', () => {
  assert.equal(channelMaskToLayout(0x63f, 8), ['L', 'R', 'C', 'LFE', 'Lb', 'Rb', 'Ls', 'Rs']);
  assert.equal(channelMaskToLayout(0x637, 7), ['L', 'R', 'C', 'Lb', 'Rb', 'Ls', 'Rs']); // 7.0
});

test('7.1 wide (0xFF): front-of-centre pair, back pair as surrounds', () => {
  assert.equal(channelMaskToLayout(0xff, 8), ['L', 'R', 'C', 'LFE', 'Ls', 'Rs', 'Lc', 'Rc']);
});

test('height channels are T', () => {
  // 5.1.2: FL FR FC LFE SL SR TFL TFR
  assert.equal(channelMaskToLayout(0x60f | 0x1000 | 0x4000, 8), ['L', 'R', 'C', 'LFE', 'Ls', 'Rs', 'T', 'T']);
  assert.equal(channelMaskToLayout(0x800 | 0x3, 3), ['L', 'R', 'T']); // top centre
  assert.equal(channelMaskToLayout(0x20000 | 0x3, 3), ['L', 'R', 'T']); // top back right, the highest defined bit
});

test('a single front-left channel is L', () => {
  assert.equal(channelMaskToLayout(0x1, 1), ['L']);
});

test('more speakers than channels: the lowest bits are used', () => {
  assert.equal(channelMaskToLayout(0x3f, 2), ['L', 'R']);
  assert.equal(channelMaskToLayout(0x63f, 4), ['L', 'R', 'C', 'LFE']);
});

test('mask 0, too few speakers or undefined bits: default layout for the channel count', () => {
  assert.equal(channelMaskToLayout(0, 1), ['C']);
  assert.equal(channelMaskToLayout(0, 6), ['L', 'R', 'C', 'LFE', 'Ls', 'Rs']);
  assert.equal(channelMaskToLayout(0, 8), ['L', 'R', 'C', 'LFE', 'Ls', 'Rs', 'Lb', 'Rb']);
  assert.equal(channelMaskToLayout(0x3, 3), ['L', 'R', 'C']);
  assert.equal(channelMaskToLayout(0x1, 2), ['L', 'R']);
  assert.equal(channelMaskToLayout(0x80000000, 2), ['L', 'R']); // SPEAKER_ALL
  assert.equal(channelMaskToLayout(0x40000 | 0x3, 2), ['L', 'R']); // bit 18 is not defined
});

test('the result has one role per channel for every mask bit pattern of 1 to 8 channels', () => {
  for (let channels = 1; channels <= 8; channels++) {
    for (let mask = 0; mask < 0x800; mask += 7) assert.is(channelMaskToLayout(mask, channels).length, channels);
  }
});

test('channel counts outside 1 to 8 with an unusable mask throw RangeError', () => {
  assert.throws(() => channelMaskToLayout(0, 9), RangeError);
});

test.run();
