/* Nested calls for the debugger front-end tests (GDB/MI and the Debug Adapter Protocol): a
   breakpoint in mix() has round_of(), compute() and _start below it, so a backtrace has four
   frames and stepping in and out crosses real calls. Entered from baremetal.S; built -O0 -g
   so that each line is a step. */
#include <stdint.h>

uint64_t calls_result;

__attribute__((noinline)) static uint64_t mix(uint64_t h, uint64_t v) {
  uint64_t x = h ^ v;
  x *= 0x100000001b3ull;
  return x + (x >> 29);
}

__attribute__((noinline)) static uint64_t round_of(uint64_t h, int n) {
  for (int i = 0; i < n; i++) {
    h = mix(h, (uint64_t)i);
  }
  return h;
}

void compute(void) {
  uint64_t h = 0x9e3779b97f4a7c15ull;
  for (int r = 0; r < 4; r++) {
    h = round_of(h, 8);
  }
  calls_result = h;
}
