// A bounded pass of the RSP fuzzer (src/tools/fuzzRsp.ts) against the real board: random
// noise, mutated real GDB traffic, bad checksums and huge lengths. The stub must answer every
// session and keep the board unchanged. `npm run fuzz` runs the same fuzzer for longer.

import { describe, expect, it } from 'vitest';
import { fuzzRsp } from '../../src/tools/fuzzRsp.js';

describe('RSP fuzzing', () => {
  it('survives 20000 hostile inputs with the board unchanged', async () => {
    const report = await fuzzRsp({ inputs: 20_000, seed: 0x5eed, perConnection: 500 });
    expect(report.inputs).toBe(20_000);
    expect(report.connections).toBe(40);
    process.stdout.write(`fuzz: ${report.inputs} inputs over ${report.connections} connections, seed ${report.seed}, max RSS ${report.maxRssMiB} MiB\n`);
  }, 120_000);
});
