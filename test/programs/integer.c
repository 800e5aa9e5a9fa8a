/* Integer work with computed results: the same file runs on mpustub (bare metal) and under
   qemu-aarch64 (Linux), and the two result arrays must be identical. */
#include <stdint.h>

#define RESULTS 48
uint64_t results[RESULTS];

static uint64_t rotl(uint64_t v, unsigned n) { return (v << n) | (v >> (64 - n)); }

static void sort(int32_t *a, int n) {
  for (int i = 1; i < n; i++) {
    int32_t key = a[i];
    int j = i - 1;
    while (j >= 0 && a[j] > key) { a[j + 1] = a[j]; j--; }
    a[j + 1] = key;
  }
}

static uint32_t crc32(const uint8_t *p, int n) {
  uint32_t c = 0xffffffffu;
  for (int i = 0; i < n; i++) {
    c ^= p[i];
    for (int k = 0; k < 8; k++) c = (c >> 1) ^ (0xedb88320u & -(c & 1));
  }
  return ~c;
}

void compute(void) {
  uint64_t x = 0x123456789abcdef0ull;
  int32_t data[16];
  uint8_t bytes[64];
  for (int i = 0; i < 16; i++) data[i] = (int32_t)((i * 2654435761u) ^ 0x5bd1e995u) >> (i & 7);
  for (int i = 0; i < 64; i++) bytes[i] = (uint8_t)(i * 37 + 11);
  sort(data, 16);
  for (int i = 0; i < 8; i++) results[i] = (uint64_t)(int64_t)data[i * 2];
  results[8] = crc32(bytes, 64);
  results[9] = rotl(x, 13) ^ (x >> 7);
  results[10] = (uint64_t)((int64_t)x / -12345);
  results[11] = x % 1000003u;
  results[12] = (uint64_t)__builtin_clzll(x >> 9);
  results[13] = __builtin_bswap64(x);
  { uint64_t v = x; int n = 0; while (v) { v &= v - 1; n++; } results[14] = (uint64_t)n; }
  results[15] = (uint64_t)(((__int128)x * 0xfedcba9876543210ull) >> 64);
  int64_t acc = 0;
  for (int i = -50; i < 50; i++) acc += (i * i * i) / (i == 0 ? 1 : i) - (i < 0 ? -i : i);
  results[16] = (uint64_t)acc;
  uint32_t h = 2166136261u;
  for (int i = 0; i < 64; i++) { h ^= bytes[i]; h *= 16777619u; }
  results[17] = h;
  for (int i = 18; i < RESULTS; i++) {
    uint64_t a = results[i - 1], b = results[i - 2];
    results[i] = (a > b ? a - b : b - a) + (i & 1 ? a * 3 : (b ^ (b >> 3))) + (uint64_t)(int8_t)(a & 0xff);
  }
}
