// The controls SCTLR_EL1 and HCR_EL2 put on instructions below EL2, one instruction at a time
// in the interpreter: what traps (with EC, ISS and the EL that takes it), what is UNDEFINED,
// and what runs once the control allows it.

import { describe, expect, it } from 'vitest';
import type { Machine } from '../../../src/machine/machine.js';
import { stepOne } from './oneInstruction.js';

const WFI = 0xd503207f;
const WFE = 0xd503205f;
const MSR_DAIFSET_2 = 0xd50342df;
const MRS_X3_DAIF = 0xd53b4223;
const MRS_X1_CTR = 0xd53b0021;
const DC_ZVA_X0 = 0xd50b7420;
const DC_CIVAC_X0 = 0xd50b7e20;
const IC_IALLU = 0xd508751f;
const TLBI_ALLE2 = 0xd50c871f;

const UMA = 1n << 9n;
const DZE = 1n << 14n;
const UCT = 1n << 15n;
const NTWI = 1n << 16n;
const NTWE = 1n << 18n;
const UCI = 1n << 26n;
const TWI = 1n << 13n;
const TGE = 1n << 27n;

const step = (el: 0 | 1 | 2, word: number, sctlrEl1: bigint, hcr = 0n) => stepOne(el, word, { SCTLR_EL1: sctlrEl1, HCR_EL2: hcr });

const esrOf = (machine: Machine, el: 1 | 2) => machine.sysregs.getStored(el === 2 ? 'ESR_EL2' : 'ESR_EL1');

describe('SCTLR_EL1 and HCR_EL2 instruction controls', () => {
  it.each([
    ['WFI at EL0, nTWI = 0', 0, WFI, 0n, 0n, 1, 0x0600_0000n | (1n << 25n) | 0x01e0_0000n],
    ['WFE at EL0, nTWE = 0', 0, WFE, 0n, 0n, 1, 0x0600_0000n | (1n << 25n) | 0x01e0_0001n],
    ['WFI at EL0, nTWI = 0, HCR_EL2.TGE', 0, WFI, 0n, TGE, 2, 0x0600_0000n | (1n << 25n) | 0x01e0_0000n],
    ['WFI at EL1, HCR_EL2.TWI', 1, WFI, 0n, TWI, 2, 0x0600_0000n | (1n << 25n) | 0x01e0_0000n],
  ] as const)('traps %s with EC 0x01 to its EL', (_, el, word, sctlr, hcr, target, esr) => {
    const { machine, outcome } = step(el, word, sctlr, hcr);
    expect(outcome.kind).toBe('exception');
    expect(machine.core.el).toBe(target);
    expect(esrOf(machine, target)).toBe(esr);
    expect(machine.sysregs.getStored(target === 2 ? 'ELR_EL2' : 'ELR_EL1')).toBe(0x1000n); // retried after the handler
  });

  it.each([
    ['WFI at EL0 with nTWI', 0, WFI, NTWI],
    ['WFE at EL0 with nTWE', 0, WFE, NTWE],
    ['WFI at EL1', 1, WFI, 0n],
  ] as const)('waits: %s', (_, el, word, sctlr) => {
    expect(step(el, word, sctlr).outcome.kind).toBe('wait');
  });

  it.each([
    // ISS: op0 [21:20], op2 [19:17], op1 [16:14], CRn [13:10], Rt [9:5], CRm [4:1], direction [0]
    ['MSR DAIFSet at EL0 (UMA)', MSR_DAIFSET_2, (0 << 20) | (6 << 17) | (3 << 14) | (4 << 10) | (31 << 5) | (2 << 1) | 0, UMA],
    ['MRS DAIF at EL0 (UMA)', MRS_X3_DAIF, (3 << 20) | (1 << 17) | (3 << 14) | (4 << 10) | (3 << 5) | (2 << 1) | 1, UMA],
    ['MRS CTR_EL0 at EL0 (UCT)', MRS_X1_CTR, (3 << 20) | (1 << 17) | (3 << 14) | (0 << 10) | (1 << 5) | (0 << 1) | 1, UCT],
    ['DC ZVA at EL0 (DZE)', DC_ZVA_X0, (1 << 20) | (1 << 17) | (3 << 14) | (7 << 10) | (0 << 5) | (4 << 1) | 0, DZE],
    ['DC CIVAC at EL0 (UCI)', DC_CIVAC_X0, (1 << 20) | (1 << 17) | (3 << 14) | (7 << 10) | (0 << 5) | (14 << 1) | 0, UCI],
  ] as const)('traps %s with EC 0x18 to EL1, and runs it once SCTLR_EL1 allows it', (_, word, iss, allow) => {
    const { machine } = step(0, word, 0n);
    expect(machine.core.el).toBe(1);
    expect(esrOf(machine, 1)).toBe((0x18n << 26n) | (1n << 25n) | BigInt(iss));
    const allowed = step(0, word, allow);
    expect(allowed.outcome.kind).toBe('ok');
    expect(allowed.machine.core.el).toBe(0);
  });

  it('keeps PSTATE.I when EL0 may not mask interrupts', () => {
    const { machine } = step(0, MSR_DAIFSET_2, 0n);
    expect(machine.sysregs.getStored('SPSR_EL1') & 0x80n).toBe(0n); // the task's I bit, still clear
  });

  it.each([
    ['IC IALLU at EL0', 0, IC_IALLU],
    ['TLBI ALLE2 at EL0', 0, TLBI_ALLE2],
    ['TLBI ALLE2 at EL1', 1, TLBI_ALLE2],
  ] as const)('makes %s UNDEFINED (EC 0)', (_, el, word) => {
    const { machine, outcome } = step(el, word, UCI);
    expect(outcome).toMatchObject({ kind: 'exception', exception: { type: 'undefined' } });
    expect(esrOf(machine, 1) >> 26n).toBe(0n);
  });
});
