/**
 * EBU Tech 3341 ("EBU Mode" metering) minimum-requirements tests 1-6 and 9-23, synthesised here, plus the
 * BS.1770 / EBU calibration sanity checks. Every test runs at 48 kHz (the standard's rate) and again at
 * 44.1 kHz and 96 kHz. Tolerances are the standard's: +-0.1 LU for loudness, +0.2 / -0.4 dB for true peak.
 * Tests 7 and 8 use authentic programme files that cannot be synthesised.
 *
 * Unless said otherwise the signals are 1 kHz sines applied in phase to both channels, with per-channel
 * PEAK levels in dBFS, and each test starts from a freshly created (or reset) meter.
 */
import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import * as S from './signals.ts';
import { RATES, MAX_HOP, Worst, createMeter, measure, near, within } from './helpers.ts';

const F = 1000; // Hz
const TOL = 0.1; // LU, Tech 3341 tests 1-14
const TP_ABOVE = 0.2; // dB, Tech 3341 tests 15-23
const TP_BELOW = 0.4;

const stereoTone = (fs: number, segments: S.ToneSegment[]): S.Planar => S.inPhaseStereo(S.toneSequence(fs, F, segments));

for (const fs of RATES) {
  const t = suite(`EBU Tech 3341 @ ${fs} Hz`);
  const w = new Worst(`Tech 3341 @ ${fs} Hz`);
  t.after(() => w.print());

  // BS.1770-5 Annex 1 calibration: a 0 dBFS 997 Hz sine in one channel reads -3.01 LUFS.
  t('sanity: 0 dBFS 997 Hz sine reads -3.01 LUFS as mono and as one channel of stereo', async () => {
    const x = S.sine(fs, 997, 0, 10);
    const mono = await measure(fs, [x]);
    near(w, 'sanity -3.01', mono.integrated, -3.01, 0.05, 'mono I');
    near(w, 'sanity -3.01', mono.momentary, -3.01, 0.05, 'mono M');
    near(w, 'sanity -3.01', mono.shortTerm, -3.01, 0.05, 'mono S');
    for (const side of [0, 1]) {
      const p = S.assemble(side === 0 ? [x, null] : [null, x]);
      const r = await measure(fs, p);
      near(w, 'sanity -3.01', r.integrated, -3.01, 0.05, `stereo, signal in channel ${side}: I`);
      assert.is(r.channelSamplePeak[1 - side], -Infinity, 'the silent channel has no sample peak');
    }
  });

  // EBU R 128 / Tech 3341 calibration: stereo 1 kHz at -18 dBFS peak per channel reads -18.0 LUFS.
  t('sanity: stereo 1 kHz sine at -18 dBFS reads -18.0 LUFS', async () => {
    const r = await measure(fs, S.inPhaseStereo(S.sine(fs, F, -18, 10)));
    near(w, 'sanity -18', r.integrated, -18, 0.05, 'I');
    near(w, 'sanity -18', r.momentary, -18, 0.05, 'M');
    near(w, 'sanity -18', r.shortTerm, -18, 0.05, 'S');
  });

  // Tests 1 and 2: a steady tone; M, S and I all read its level. M and S are checked after every push once
  // their window (plus one hop) is full, I at the end.
  for (const [n, level] of [[1, -23], [2, -33]] as const) {
    t(`test ${n}: 20 s at ${level} dBFS -> M, S, I = ${level}.0 +-0.1`, async () => {
      const m = await createMeter(fs, 2);
      const mStart = S.framesOf(0.4, fs) + MAX_HOP;
      const sStart = S.framesOf(3, fs) + MAX_HOP;
      let checked = 0;
      S.pushChunked(m, stereoTone(fs, [{ seconds: 20, db: level }]), S.IRREGULAR_CHUNKS, (frames) => {
        if (frames < mStart) return;
        const r = m.result();
        near(w, `test ${n} M`, r.momentary, level, TOL, `M at frame ${frames}`);
        if (frames >= sStart) near(w, `test ${n} S`, r.shortTerm, level, TOL, `S at frame ${frames}`);
        checked++;
      });
      assert.ok(checked > 1000);
      const r = m.result();
      near(w, `test ${n} I`, r.integrated, level, TOL, 'I');
      near(w, `test ${n} max M`, r.momentaryMax, level, TOL, 'max M');
      near(w, `test ${n} max S`, r.shortTermMax, level, TOL, 'max S');
    });
  }

  // Tests 3-5: the relative gate (-10 LU) removes the quiet parts, the absolute gate (-70 LUFS) the -72 dBFS
  // parts; test 5 checks that loud and quiet parts average to -23 in the power domain.
  const gated: [number, S.ToneSegment[]][] = [
    [3, [{ seconds: 10, db: -36 }, { seconds: 60, db: -23 }, { seconds: 10, db: -36 }]],
    [4, [{ seconds: 10, db: -72 }, { seconds: 10, db: -36 }, { seconds: 60, db: -23 }, { seconds: 10, db: -36 }, { seconds: 10, db: -72 }]],
    [5, [{ seconds: 20, db: -26 }, { seconds: 20.1, db: -20 }, { seconds: 20, db: -26 }]],
  ];
  for (const [n, segs] of gated) {
    t(`test ${n}: gated integrated loudness = -23.0 +-0.1`, async () => {
      const r = await measure(fs, stereoTone(fs, segs), 4096);
      near(w, `test ${n} I`, r.integrated, -23, TOL, 'I');
    });
  }

  // Test 6: 5.0 channels (L, R, C, Ls, Rs), surrounds weighted 1.41 (BS.1770-5 Annex 1 table 3).
  t('test 6: 5.0 channels, L/R -28, C -24, Ls/Rs -30 -> I = -23.0 +-0.1', async () => {
    const seg = (db: number): Float32Array => S.sine(fs, F, db, 20);
    const p = [seg(-28), seg(-28), seg(-24), seg(-30), seg(-30)];
    const byDefault = await measure(fs, p, 4096);
    near(w, 'test 6 I', byDefault.integrated, -23, TOL, 'I (default 5-channel layout)');
    const named = await measure(fs, p, 4096, '5.0');
    near(w, 'test 6 I', named.integrated, -23, TOL, 'I (layout "5.0")');
  });

  /**
   * Tests 9 and 12: a periodic pattern whose window average is -23 LUFS; the reading (S or M) must hold
   * -23.0 +-0.1 once the window is full. Sampled after every (irregular) push.
   */
  async function heldConstant(label: string, pattern: S.ToneSegment[], settleSeconds: number, reading: 'shortTerm' | 'momentary') {
    const m = await createMeter(fs, 2);
    const start = S.framesOf(settleSeconds, fs) + MAX_HOP;
    let lo = Infinity;
    let hi = -Infinity;
    let checked = 0;
    S.pushChunked(m, stereoTone(fs, pattern), S.IRREGULAR_CHUNKS, (frames) => {
      if (frames < start) return;
      const v = m.result()[reading];
      near(w, label, v, -23, TOL, `${reading} at frame ${frames}`);
      lo = Math.min(lo, v);
      hi = Math.max(hi, v);
      checked++;
    });
    assert.ok(checked > 1000, `${reading} sampled often`);
    w.note(`${label} spread (max-min)`, hi - lo);
  }

  t('test 9: (1.34 s -20; 1.66 s -30) x 5 -> S = -23.0 +-0.1 after every push from 3 s on', async () => {
    const segs: S.ToneSegment[] = [];
    for (let k = 0; k < 5; k++) segs.push({ seconds: 1.34, db: -20 }, { seconds: 1.66, db: -30 });
    await heldConstant('test 9 S', segs, 3, 'shortTerm');
  });

  // Test 10: file-based; each file has its 3 s tone at a different offset; max S must catch the full window.
  t('test 10: 20 files, i*0.15 s silence, 3 s -23, 1 s silence -> max S = -23.0 +-0.1 each (fresh meter per file)', async () => {
    for (let i = 0; i < 20; i++) {
      const p = stereoTone(fs, [{ seconds: i * 0.15, db: null }, { seconds: 3, db: -23 }, { seconds: 1, db: null }]);
      const r = await measure(fs, p, 4096);
      near(w, 'test 10 max S', r.shortTermMax, -23, TOL, `file ${i}: max S`);
    }
  });

  /**
   * Tests 11 and 14: one live stream of 20 segments, each a tone `toneSeconds` long and 1 dB louder than the
   * last, preceded by i * `stepSeconds` of silence and padded to equal length; after each segment the running
   * maximum (of S or M) must read -38 + i.
   */
  async function successiveMaxima(label: string, toneSeconds: number, stepSeconds: number, reading: 'shortTermMax' | 'momentaryMax') {
    const segs: S.ToneSegment[] = [];
    for (let i = 0; i < 20; i++) {
      segs.push({ seconds: i * stepSeconds, db: null }, { seconds: toneSeconds, db: -38 + i }, { seconds: toneSeconds - i * stepSeconds, db: null });
    }
    const p = stereoTone(fs, segs);
    const ends = S.segmentEnds(fs, segs);
    const m = await createMeter(fs, 2);
    let pos = 0;
    for (let i = 0; i < 20; i++) {
      const end = ends[3 * i + 2]!;
      S.pushChunked(m, S.slicePlanar(p, pos, end), S.IRREGULAR_CHUNKS);
      pos = end;
      near(w, label, m.result()[reading], -38 + i, TOL, `after segment ${i}: ${reading}`);
    }
  }

  t('test 11: live stream, successive max S = -38 ... -19 +-0.1 (irregular pushes <= 128 frames)', async () => {
    await successiveMaxima('test 11 max S', 3, 0.15, 'shortTermMax');
  });

  t('test 12: (0.18 s -20; 0.22 s -30) x 25 -> M = -23.0 +-0.1 after every push from 1 s on', async () => {
    const segs: S.ToneSegment[] = [];
    for (let k = 0; k < 25; k++) segs.push({ seconds: 0.18, db: -20 }, { seconds: 0.22, db: -30 });
    await heldConstant('test 12 M', segs, 1, 'momentary');
  });

  // Test 13: file-based; the 400 ms tone at different offsets; max M must catch the full window.
  // One meter, reset() before each file.
  t('test 13: 20 files, i*20 ms silence, 400 ms -23, 1 s silence -> max M = -23.0 +-0.1 each (reset per file)', async () => {
    const m = await createMeter(fs, 2);
    for (let i = 0; i < 20; i++) {
      m.reset();
      const p = stereoTone(fs, [{ seconds: i * 0.02, db: null }, { seconds: 0.4, db: -23 }, { seconds: 1, db: null }]);
      S.pushChunked(m, p, 4096);
      near(w, 'test 13 max M', m.result().momentaryMax, -23, TOL, `file ${i}: max M`);
    }
  });

  t('test 14: live stream, successive max M = -38 ... -19 +-0.1 (irregular pushes <= 128 frames)', async () => {
    await successiveMaxima('test 14 max M', 0.4, 0.02, 'momentaryMax');
  });

  // Tests 15-19: sines whose peaks fall between samples (BS.1770-5 Annex 2 true-peak meter).
  const tpCases: [number, number, number, number, number][] = [
    // test, frequency / fs, amplitude, phase (deg), expected dBTP
    [15, 1 / 4, 0.5, 0, -6.0],
    [16, 1 / 4, 0.5, 45, -6.0],
    [17, 1 / 6, 0.5, 60, -6.0],
    [18, 1 / 8, 0.5, 67.5, -6.0],
    [19, 1 / 4, 1.41, 45, 3.0],
  ];
  for (const [n, ratio, amp, phase, expected] of tpCases) {
    t(`test ${n}: fs*${ratio.toFixed(4)} sine, ${amp} FS, ${phase} deg -> ${expected} dBTP +0.2/-0.4`, async () => {
      const r = await measure(fs, S.inPhaseStereo(S.truePeakSine(fs, ratio, amp, phase)), 4096);
      within(w, 'tests 15-19 TP', r.truePeak, expected, TP_ABOVE, TP_BELOW, `test ${n} true peak`);
      for (let c = 0; c < 2; c++) {
        within(null, '', r.channelTruePeak[c]!, expected, TP_ABOVE, TP_BELOW, `test ${n} channel ${c} true peak`);
      }
      // The true peak can never be below the sample peak.
      assert.ok(r.truePeak >= r.samplePeak - 1e-6, `TP ${r.truePeak} >= sample peak ${r.samplePeak}`);
    });
  }

  // Tests 20-23: an inter-sample peak of a band-limited burst, seen from four decimation offsets, with the
  // signal defined relative to fs as the standard has it (fs/6 sine, one period of fs/4).
  t('tests 20-23: fs/6 sine at 0.5 with one fs/4 period at 1.0, decimation offsets 0-3 -> 0.0 dBTP +0.2/-0.4', async () => {
    const sig = S.interSamplePeakSignals(fs, fs / 6, fs / 4);
    w.note('tests 20-23 band-limited peak', 20 * Math.log10(sig.bandLimitedPeak), 'of the synthesised signal itself');
    for (let off = 0; off < 4; off++) {
      const d = sig.decimated[off]!;
      const r = await measure(fs, [d, d.slice()], 4096);
      within(w, 'tests 20-23 TP', r.truePeak, 0.0, TP_ABOVE, TP_BELOW, `test ${20 + off} (offset ${off}) true peak`);
    }
  });

  if (fs > 48000) {
    // The same burst at the 48 kHz test's absolute frequencies (8 kHz sine, 12 kHz burst): audio content,
    // as a high-rate recording carries it.
    t('tests 20-23 with 8 kHz / 12 kHz content: 0.0 dBTP +0.2/-0.4', async () => {
      const sig = S.interSamplePeakSignals(fs, 8000, 12000);
      for (let off = 0; off < 4; off++) {
        const d = sig.decimated[off]!;
        const r = await measure(fs, [d, d.slice()], 4096);
        within(w, 'tests 20-23 TP (8/12 kHz)', r.truePeak, 0.0, TP_ABOVE, TP_BELOW, `offset ${off} true peak`);
      }
    });
  }

  t.run();
}
