/* The compute loop of `npm run bench:cpu`: integer arithmetic, loads, stores and branches. */
#include <stdint.h>

uint64_t loop_result;

void compute(void) {
  uint64_t table[64];
  uint64_t h = 0x9e3779b97f4a7c15ull;
  for (int i = 0; i < 64; i++) table[i] = h * (uint64_t)(i + 1);
  for (int round = 0; round < ROUNDS; round++) {
    for (int i = 0; i < 64; i++) {
      uint64_t v = table[i] ^ (h >> (i & 31));
      h = (h ^ v) * 0x100000001b3ull + (uint64_t)round;
      table[(i * 7) & 63] = v + (h & 0xffff);
    }
  }
  loop_result = h;
}
