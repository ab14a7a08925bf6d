import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { ChannelShaper } from './channel-mix.ts';

/** An input of `channels` channels, channel c holding c + 1 in every frame (L 1, R 2, C 3, LFE 4, SL 5, SR 6). */
const input = (channels: number, frames = 128): Float32Array[] => Array.from({ length: channels }, (_, c) => new Float32Array(frames).fill(c + 1));
/** Each shaped channel's value (they are constant), checked constant over the quantum. */
function values(shaped: Float32Array[]): number[] {
  return shaped.map((x) => {
    for (const v of x) assert.is(v, x[0]);
    return x[0];
  });
}
const s = Math.SQRT1_2;

// Worked out from Web Audio API 1.0 "Channel Up-Mixing and Down-Mixing" with the values above.
const SPEAKERS: Array<[number, number, number[]]> = [
  [1, 2, [1, 1]],
  [1, 4, [1, 1, 0, 0]],
  [1, 6, [0, 0, 1, 0, 0, 0]],
  [2, 4, [1, 2, 0, 0]],
  [2, 6, [1, 2, 0, 0, 0, 0]],
  [4, 6, [1, 2, 0, 0, 3, 4]],
  [2, 1, [1.5]], // 0.5 (1 + 2)
  [4, 1, [2.5]], // 0.25 (1 + 2 + 3 + 4)
  [6, 1, [10.621320343559642]], // s (1 + 2) + 3 + 0.5 (5 + 6)
  [4, 2, [2, 3]], // 0.5 (1 + 3), 0.5 (2 + 4)
  [6, 2, [6.656854249492381, 8.363961030678928]], // 1 + s (3 + 5), 2 + s (3 + 6)
  [6, 4, [3.121320343559643, 4.121320343559643, 5, 6]], // 1 + 3 s, 2 + 3 s, SL, SR
];

test('speakers: every up- and down-mix between 1, 2, 4 and 6 channels', () => {
  for (const [from, to, expected] of SPEAKERS) {
    const shaper = new ChannelShaper(to);
    const got = values(shaper.shape([input(from)])[0]);
    assert.is(got.length, to, `${from} -> ${to}`);
    for (let c = 0; c < to; c++) assert.ok(Math.abs(got[c] - expected[c]) <= 1e-6, `${from} -> ${to} channel ${c}: ${got[c]} vs ${expected[c]}`);
  }
  assert.ok(Math.abs(1 + 3 * s - SPEAKERS[11][2][0]) < 1e-12, 'the table\'s own arithmetic');
});

test('discrete for counts outside the speaker layouts: the first channels, silence for the rest', () => {
  for (const [from, to, expected] of [[3, 2, [1, 2]], [2, 3, [1, 2, 0]], [8, 2, [1, 2]], [3, 6, [1, 2, 3, 0, 0, 0]], [5, 1, [1]], [1, 8, [1, 0, 0, 0, 0, 0, 0, 0]]] as const) {
    assert.equal(values(new ChannelShaper(to).shape([input(from)])[0]), expected, `${from} -> ${to}`);
  }
});

test('nothing to do: the same arrays back; an unconnected input stays empty', () => {
  const shaper = new ChannelShaper(2);
  const inputs = [input(2), []];
  assert.ok(shaper.shape(inputs) === inputs, 'the inputs array itself');
  // One input shaped, the other kept as it is (the same channel arrays).
  const mixed = [input(2), input(1)];
  const out = shaper.shape(mixed);
  assert.ok(out !== mixed && out[0] === mixed[0], 'a matching input is passed on');
  assert.ok(out[1][0] === mixed[1][0] && out[1][1] === mixed[1][0], 'mono -> stereo is the mono array twice');
  const empty = shaper.shape([input(1), []]);
  assert.is(empty[1].length, 0);
});

test('buffers are reused from quantum to quantum and follow a change of the quantum\'s length', () => {
  const shaper = new ChannelShaper(2);
  const a = shaper.shape([input(6)]);
  const first = a[0].slice();
  const b = shaper.shape([input(6)]);
  assert.ok(a === b && a[0][0] === b[0][0] && a[0][1] === b[0][1], 'the same arrays, written again');
  assert.equal(values(b[0]), values(first));
  const longer = shaper.shape([input(6, 256)]);
  assert.is(longer[0][0].length, 256);
  assert.ok(Math.abs(values(longer[0])[1] - 8.363961030678928) <= 1e-6);
  // An up-mix's silent channels have the quantum's length too.
  const quad = new ChannelShaper(4);
  quad.shape([input(1, 128)]);
  const up = quad.shape([input(1, 256)])[0];
  assert.equal(up.map((x) => x.length), [256, 256, 256, 256]);
  assert.equal(values(up), [1, 1, 0, 0]);
});

test.run();
