/* `edgepipe bench vectorize` peer: the plain C loop out[i] = a[i] * b[i],
 * OpenMP-parallel (static schedule), compiled at run time by the harness
 * with `cc -O3 -fopenmp` (and once more with -march=native, reported as a
 * separate marked row). Same protocol and inputs as vectorize_py.py:
 * one JSON object on stdout, "progress" lines on stderr.
 *   vectorize_c --n N --dtype f64|f32 --runs R --warmup W --threads T */
#include <omp.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

static double Now(void) {
  struct timespec ts;
  clock_gettime(CLOCK_MONOTONIC, &ts);
  return (double)ts.tv_sec + 1e-9 * (double)ts.tv_nsec;
}

static double InputA(int64_t i) {
  return 0.5 + (double)(((uint64_t)i * 2654435761u + 12345u) & 0xffffffffu) / 4294967296.0;
}
static double InputB(int64_t i) {
  return 0.5 + (double)(((uint64_t)i * 2246822519u + 67890u) & 0xffffffffu) / 4294967296.0;
}

#define DEFINE_KERNELS(T, SUFFIX)                                                         \
  static void Mul_##SUFFIX(const T* restrict a, const T* restrict b, T* restrict out,    \
                           int64_t n) {                                                  \
    _Pragma("omp parallel for schedule(static)") for (int64_t i = 0; i < n; ++i) out[i] = \
        a[i] * b[i];                                                                     \
  }                                                                                      \
  static double Sum_##SUFFIX(const T* v, int64_t n) {                                    \
    double s = 0;                                                                        \
    for (int64_t i = 0; i < n; ++i) s += (double)v[i];                                   \
    return s;                                                                            \
  }
DEFINE_KERNELS(double, f64)
DEFINE_KERNELS(float, f32)

static void PrintSeconds(const double* s, int runs) {
  printf("[");
  for (int i = 0; i < runs; ++i) printf("%s%.9f", i ? "," : "", s[i]);
  printf("]");
}

int main(int argc, char** argv) {
  int64_t n = 50000000;
  int runs = 5, warmup = 1, threads = 0;
  const char* dtype = "f64";
  for (int i = 1; i + 1 < argc; i += 2) {
    if (!strcmp(argv[i], "--n")) n = atoll(argv[i + 1]);
    else if (!strcmp(argv[i], "--dtype")) dtype = argv[i + 1];
    else if (!strcmp(argv[i], "--runs")) runs = atoi(argv[i + 1]);
    else if (!strcmp(argv[i], "--warmup")) warmup = atoi(argv[i + 1]);
    else if (!strcmp(argv[i], "--threads")) threads = atoi(argv[i + 1]);
    else {
      fprintf(stderr, "vectorize_c: error: unknown option %s\n", argv[i]);
      return 1;
    }
  }
  if (n < 1 || runs < 1 || runs > 1000 || warmup < 0) {
    fprintf(stderr, "vectorize_c: error: bad --n/--runs/--warmup\n");
    return 1;
  }
  if (threads > 0) omp_set_num_threads(threads);
  const int f32 = !strcmp(dtype, "f32");
  const size_t size = f32 ? sizeof(float) : sizeof(double);
  void* a = malloc((size_t)n * size);
  void* b = malloc((size_t)n * size);
  void* out = malloc((size_t)n * size);
  if (!a || !b || !out) {
    fprintf(stderr, "vectorize_c: error: out of memory\n");
    return 1;
  }
#pragma omp parallel for schedule(static)
  for (int64_t i = 0; i < n; ++i) {
    if (f32) {
      ((float*)a)[i] = (float)InputA(i);
      ((float*)b)[i] = (float)InputB(i);
      ((float*)out)[i] = 0;
    } else {
      ((double*)a)[i] = InputA(i);
      ((double*)b)[i] = InputB(i);
      ((double*)out)[i] = 0;
    }
  }
  double seconds_out[1000], seconds_alloc[1000];
  double check_out = 0, check_alloc = 0;
  /* multiply_out: into the same buffer every run. */
  for (int r = -warmup; r < runs; ++r) {
    const double t0 = Now();
    if (f32) Mul_f32(a, b, out, n); else Mul_f64(a, b, out, n);
    const double t = Now() - t0;
    if (r >= 0) {
      seconds_out[r] = t;
      fprintf(stderr, "progress multiply_out %d/%d\n", r + 1, runs);
    }
  }
  check_out = f32 ? Sum_f32(out, n) : Sum_f64(out, n);
  /* multiply_alloc: malloc a fresh output each run (glibc mmaps it: fresh pages). */
  for (int r = -warmup; r < runs; ++r) {
    const double t0 = Now();
    void* o = malloc((size_t)n * size);
    if (!o) return 1;
    if (f32) Mul_f32(a, b, o, n); else Mul_f64(a, b, o, n);
    const double t = Now() - t0;
    if (r == runs - 1) check_alloc = f32 ? Sum_f32(o, n) : Sum_f64(o, n);
    free(o);
    if (r >= 0) {
      seconds_alloc[r] = t;
      fprintf(stderr, "progress multiply_alloc %d/%d\n", r + 1, runs);
    }
  }
  printf("{\"engine\":\"c\",\"threads\":%d,\"operations\":{\"multiply_out\":{\"seconds\":", omp_get_max_threads());
  PrintSeconds(seconds_out, runs);
  printf(",\"check\":%.17g},\"multiply_alloc\":{\"seconds\":", check_out);
  PrintSeconds(seconds_alloc, runs);
  printf(",\"check\":%.17g}}}\n", check_alloc);
  free(a);
  free(b);
  free(out);
  return 0;
}
