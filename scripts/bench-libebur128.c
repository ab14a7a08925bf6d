/*
 * Times native libebur128 (integrated + true peak, the work ebur128-wasm does too) for `npm run bench`.
 * Input: an 8-byte header (two little-endian uint32: sample rate, channels), then interleaved float32 frames.
 * Feeds 128-frame blocks, as an audio callback would; prints the best of REPEATS runs as ns per frame.
 * Build: cc -O2 -o bench-libebur128 bench-libebur128.c -lebur128 -lm
 */
#include <ebur128.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <time.h>

#define QUANTUM 128
#define REPEATS 5

static double now_ns(void) {
  struct timespec ts;
  clock_gettime(CLOCK_MONOTONIC, &ts);
  return (double)ts.tv_sec * 1e9 + (double)ts.tv_nsec;
}

int main(int argc, char **argv) {
  if (argc != 2) {
    fprintf(stderr, "usage: bench-libebur128 FILE\n");
    return 2;
  }
  FILE *f = fopen(argv[1], "rb");
  if (!f) return 2;
  uint32_t header[2];
  if (fread(header, 4, 2, f) != 2) return 2;
  unsigned rate = header[0], channels = header[1];
  fseek(f, 0, SEEK_END);
  long bytes = ftell(f) - 8;
  fseek(f, 8, SEEK_SET);
  size_t frames = (size_t)bytes / (4 * channels);
  float *samples = malloc((size_t)bytes);
  if (!samples || fread(samples, 4 * channels, frames, f) != frames) return 2;
  fclose(f);

  double best = 1e300, sink = 0.0;
  for (int rep = 0; rep <= REPEATS; rep++) { /* run 0 warms the caches and is not counted */
    double t0 = now_ns();
    ebur128_state *st = ebur128_init(channels, rate, EBUR128_MODE_I | EBUR128_MODE_TRUE_PEAK);
    for (size_t o = 0; o + QUANTUM <= frames; o += QUANTUM) ebur128_add_frames_float(st, samples + o * channels, QUANTUM);
    double loudness, peak;
    ebur128_loudness_global(st, &loudness);
    ebur128_true_peak(st, 0, &peak);
    sink += loudness + peak;
    ebur128_destroy(&st);
    double t = now_ns() - t0;
    if (rep > 0 && t < best) best = t;
  }
  printf("{\"nsPerFrame\": %.3f, \"check\": %.6f}\n", best / (double)frames, sink);
  free(samples);
  return 0;
}
