/*
 * ebur128-ref: measures a stream with the native libebur128 and prints the results as one JSON object.
 * It is the independent reference of dsp/tests/reference-agreement.test.ts; it is not part of the package.
 *
 * Build:  cc -O2 -o ebur128-ref ebur128-ref.c -lebur128 -lm
 * Usage:  ebur128-ref [--hop N] [--map m0,m1,...] [FILE]      (reads stdin when FILE is absent)
 *
 * Input:  an 8-byte header, two little-endian uint32: sample rate, channel count; then interleaved float32
 *         samples (host byte order, little-endian on every machine we run on) until end of file.
 * --hop N      evaluate momentary and short-term loudness every N frames counted from the start of the stream
 *              and report their maxima (default round(fs/10), i.e. every 100 ms). Each evaluation sums the
 *              whole window, so a small hop is slow (about 2 s per 20 s of 48 kHz stereo at N = 120).
 * --map ...    libebur128 channel types per channel (0 unused, 1 left, 2 right, 3 centre, 4 left surround,
 *              5 right surround, ...). Default: libebur128's own default map.
 *
 * Output: {"sampleRate", "channels", "frames", "hop", "integrated", "range", "range10Hz", "momentary",
 *          "shortTerm", "momentaryMax", "shortTermMax", "truePeak": [dBTP per channel],
 *          "samplePeak": [dBFS per channel]}; values that are -infinity (no signal) are printed as null.
 *  - "range" is libebur128's own loudness range (its short-term values are taken once per second).
 *  - "range10Hz" is EBU Tech 3342 computed here from libebur128's short-term loudness sampled every
 *    round(fs/10) frames once a full 3 s window exists: absolute gate -70 LUFS, relative gate 20 LU below
 *    the energy mean of the absolutely-gated values, 95th minus 10th percentile of the gated values, the
 *    percentile index being round((n - 1) * p / 100) counted from 0.
 */
#include <ebur128.h>
#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static void die(const char *msg) {
  fprintf(stderr, "ebur128-ref: %s\n", msg);
  exit(2);
}

static void print_num(double v) {
  if (isfinite(v)) printf("%.17g", v);
  else printf("null");
}

static double to_db(double linear) {
  return linear > 0.0 ? 20.0 * log10(linear) : -INFINITY;
}

static int cmp_double(const void *a, const void *b) {
  double x = *(const double *)a, y = *(const double *)b;
  return (x > y) - (x < y);
}

/* Tech 3342 loudness range from short-term loudness values in LUFS (the array is reordered). */
static double tech3342_range(double *st, size_t n) {
  size_t kept = 0;
  double energy = 0.0;
  for (size_t i = 0; i < n; i++) {
    if (st[i] >= -70.0) {
      st[kept++] = st[i];
      energy += pow(10.0, st[i] / 10.0);
    }
  }
  if (kept == 0) return 0.0;
  double gate = 10.0 * log10(energy / (double)kept) - 20.0;
  size_t m = 0;
  for (size_t i = 0; i < kept; i++) {
    if (st[i] >= gate) st[m++] = st[i];
  }
  if (m == 0) return 0.0;
  qsort(st, m, sizeof(double), cmp_double);
  size_t lo = (size_t)floor((double)(m - 1) * 0.10 + 0.5);
  size_t hi = (size_t)floor((double)(m - 1) * 0.95 + 0.5);
  return st[hi] - st[lo];
}

int main(int argc, char **argv) {
  unsigned long hop = 0; /* 0: 100 ms */
  const char *map_arg = NULL;
  const char *path = NULL;
  for (int i = 1; i < argc; i++) {
    if (strcmp(argv[i], "--hop") == 0 && i + 1 < argc) {
      hop = strtoul(argv[++i], NULL, 10);
      if (hop == 0) die("--hop must be positive");
    } else if (strcmp(argv[i], "--map") == 0 && i + 1 < argc) {
      map_arg = argv[++i];
    } else if (argv[i][0] == '-' && argv[i][1] != '\0') {
      die("usage: ebur128-ref [--hop N] [--map m0,m1,...] [FILE]");
    } else {
      path = argv[i];
    }
  }
  FILE *in = path ? fopen(path, "rb") : stdin;
  if (!in) die("cannot open input");

  unsigned char header[8];
  if (fread(header, 1, 8, in) != 8) die("short header");
  unsigned long rate = (unsigned long)header[0] | (unsigned long)header[1] << 8 | (unsigned long)header[2] << 16 |
                       (unsigned long)header[3] << 24;
  unsigned channels = (unsigned)header[4] | (unsigned)header[5] << 8 | (unsigned)header[6] << 16 |
                      (unsigned)header[7] << 24;
  if (rate < 1000 || rate > 1000000 || channels < 1 || channels > 64) die("bad header");

  int mode = EBUR128_MODE_I | EBUR128_MODE_LRA | EBUR128_MODE_TRUE_PEAK | EBUR128_MODE_SAMPLE_PEAK |
             EBUR128_MODE_M | EBUR128_MODE_S;
  ebur128_state *st = ebur128_init(channels, rate, mode);
  if (!st) die("ebur128_init failed");

  if (map_arg) {
    const char *p = map_arg;
    for (unsigned c = 0; c < channels; c++) {
      char *end;
      long v = strtol(p, &end, 10);
      if (end == p) die("--map needs one number per channel");
      if (ebur128_set_channel(st, c, (int)v) != EBUR128_SUCCESS) die("ebur128_set_channel failed");
      p = (*end == ',') ? end + 1 : end;
    }
  }

  const unsigned long step = (unsigned long)floor((double)rate / 10.0 + 0.5); /* 100 ms */
  if (hop == 0) hop = step;
  const unsigned long full_short_term = 30 * step;                            /* 3 s */
  size_t st_cap = 1024, st_n = 0;
  double *st_values = malloc(st_cap * sizeof(double));
  if (!st_values) die("out of memory");

  float *buf = malloc(sizeof(float) * channels * (hop > step ? hop : step));
  if (!buf) die("out of memory");
  unsigned long long frames = 0;
  double m_max = -INFINITY, s_max = -INFINITY;
  int eof = 0;
  while (!eof) {
    /* Read up to the next hop boundary or 100 ms boundary, whichever comes first. */
    unsigned long to_hop = hop - (unsigned long)(frames % hop);
    unsigned long to_step = step - (unsigned long)(frames % step);
    unsigned long want = to_hop < to_step ? to_hop : to_step;
    size_t got = fread(buf, sizeof(float) * channels, want, in);
    if (got < want) eof = 1;
    if (got == 0) break;
    if (ebur128_add_frames_float(st, buf, got) != EBUR128_SUCCESS) die("ebur128_add_frames_float failed");
    frames += got;
    if (got != want) break; /* a partial hop at the end is measured but not evaluated */
    if (frames % hop == 0) {
      double m, s;
      if (ebur128_loudness_momentary(st, &m) == EBUR128_SUCCESS && m > m_max) m_max = m;
      if (ebur128_loudness_shortterm(st, &s) == EBUR128_SUCCESS && s > s_max) s_max = s;
    }
    if (frames % step == 0 && frames >= full_short_term) {
      double s;
      if (ebur128_loudness_shortterm(st, &s) == EBUR128_SUCCESS) {
        if (st_n == st_cap) {
          st_cap *= 2;
          st_values = realloc(st_values, st_cap * sizeof(double));
          if (!st_values) die("out of memory");
        }
        st_values[st_n++] = s;
      }
    }
  }
  if (ferror(in)) die("read error");

  double integrated = -INFINITY, range = 0.0, momentary = -INFINITY, short_term = -INFINITY;
  ebur128_loudness_global(st, &integrated);
  ebur128_loudness_range(st, &range);
  ebur128_loudness_momentary(st, &momentary);
  ebur128_loudness_shortterm(st, &short_term);
  double range10 = tech3342_range(st_values, st_n);

  printf("{\"sampleRate\":%lu,\"channels\":%u,\"frames\":%llu,\"hop\":%lu,\"integrated\":", rate, channels, frames, hop);
  print_num(integrated);
  printf(",\"range\":");
  print_num(range);
  printf(",\"range10Hz\":");
  print_num(range10);
  printf(",\"momentary\":");
  print_num(momentary);
  printf(",\"shortTerm\":");
  print_num(short_term);
  printf(",\"momentaryMax\":");
  print_num(m_max);
  printf(",\"shortTermMax\":");
  print_num(s_max);
  printf(",\"truePeak\":[");
  for (unsigned c = 0; c < channels; c++) {
    double v = 0.0;
    ebur128_true_peak(st, c, &v);
    if (c) printf(",");
    print_num(to_db(v));
  }
  printf("],\"samplePeak\":[");
  for (unsigned c = 0; c < channels; c++) {
    double v = 0.0;
    ebur128_sample_peak(st, c, &v);
    if (c) printf(",");
    print_num(to_db(v));
  }
  printf("]}\n");

  free(buf);
  free(st_values);
  ebur128_destroy(&st);
  if (in != stdin) fclose(in);
  return 0;
}
