// A board and its debug adapter in-process, for tests of what happens while code runs:
// load instruction words, resume as GDB would (continue or step, passing a signal or not)
// and get the stop, run monitor commands. The encodings come from aarch64-linux-gnu-as.

import { BoardTarget } from '../../../src/debug/boardTarget.js';
import { MonitorRegistry } from '../../../src/debug/monitor.js';
import { DEFAULT_BOARD } from '../../../src/machine/board.js';
import type { Machine } from '../../../src/machine/machine.js';
import type { StopEvent } from '../../../src/rsp/target.js';
import { createMachine } from '../../../src/wiring.js';

export const A64 = {
  MOVZ_X2_0x40: 0xd2800802,
  ADD_X0_1: 0x91000400,
  CMP_X0_200: 0xf103201f,
  /** b.ne .-8 */
  BNE_BACK_8: 0x54ffffc1,
  /** b.ne .-12 */
  BNE_BACK_12: 0x54ffffa1,
  MSR_PRBAR_X2: 0xd51c6802,
  MSR_PRBAR_X0: 0xd51c6800,
  MSR_PRSELR_X1: 0xd51c6221,
  MSR_PRLAR_X3: 0xd51c6823,
  DSB_SY: 0xd5033f9f,
  ISB: 0xd5033fdf,
  ADD_X5_1: 0x910004a5,
  B_SELF: 0x14000000,
  WFI: 0xd503207f,
  /** b .-4 */
  B_BACK_4: 0x17ffffff,
  SVC_42: 0xd4000841,
  STR_X0_X1: 0xf9000020,
  NOP: 0xd503201f,
} as const;

export interface RunningBoard {
  readonly machine: Machine;
  readonly target: BoardTarget;
  readonly monitors: MonitorRegistry;
  /** Writes `words` at `at` (the debugger's write; the MPU is off at reset) and sets pc there. */
  load(at: number, words: readonly number[]): void;
  resume(action?: 'continue' | 'step', signal?: number): Promise<StopEvent>;
  monitor(line: string): Promise<string>;
}

export function runningBoard(register: (monitors: MonitorRegistry, target: BoardTarget) => void = () => undefined): RunningBoard {
  const machine = createMachine(DEFAULT_BOARD);
  const monitors = new MonitorRegistry();
  const target = new BoardTarget(machine, monitors, { registerTypes: 'fields' });
  register(monitors, target);
  return {
    machine,
    target,
    monitors,
    load(at, words) {
      const bytes = Buffer.alloc(words.length * 4);
      words.forEach((w, i) => bytes.writeUInt32LE(w >>> 0, i * 4));
      const fault = machine.writeMemory(at, bytes, { origin: 'debugger' });
      if (fault) throw new Error(`cannot load at 0x${at.toString(16)}`);
      machine.core.pc = BigInt(at);
    },
    resume: (action = 'continue', signal = 0) => new Promise((resolve) => target.run.resume(action, resolve, signal)),
    async monitor(line) {
      let text = '';
      await monitors.run(line, (t) => (text += t));
      return text;
    },
  };
}
