// The one place that wires the layers together: a board description becomes a machine with
// its MPU, the machine is wrapped in the debug adapter and its monitor commands, and the
// adapter is served to GDB by the protocol layer. The CLI and the tests start stubs here.

import { readFileSync } from 'node:fs';
import { DEFAULT_BOARD, parseBoard, type BoardConfig } from './machine/board.js';
import { Machine } from './machine/machine.js';
import { Mpu } from './machine/mpu/mpu.js';
import { registerBoardCommands } from './debug/boardCommands.js';
import { BoardTarget } from './debug/boardTarget.js';
import { MonitorRegistry } from './debug/monitor.js';
import { registerMpuCommands } from './debug/mpuCommands.js';
import { RspServer } from './rsp/server.js';
import type { Logger } from './log.js';

export interface StubOptions {
  readonly host: string;
  readonly port: number;
  /** Path of a board description (JSON); the embedded default when absent. */
  readonly boardFile?: string;
  readonly board?: BoardConfig;
  readonly traceRsp: boolean;
  readonly logger: Logger;
}

export interface RunningStub {
  readonly machine: Machine;
  readonly target: BoardTarget;
  readonly monitors: MonitorRegistry;
  readonly gdbAddress: { readonly host: string; readonly port: number };
  close(): Promise<void>;
}

export function loadBoard(path: string | undefined): BoardConfig {
  if (path === undefined) return DEFAULT_BOARD;
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch (err) {
    throw new Error(`cannot read board file ${path}: ${(err as NodeJS.ErrnoException).code ?? (err as Error).message}`);
  }
  try {
    return parseBoard(text);
  } catch (err) {
    throw new Error(`board file ${path}: ${(err as Error).message}`);
  }
}

export function createMachine(board: BoardConfig): Machine {
  return new Machine(board, new Mpu({ el2: board.mpuRegions.el2, el10: board.mpuRegions.el1 }));
}

export async function startStub(options: StubOptions): Promise<RunningStub> {
  const board = options.board ?? loadBoard(options.boardFile);
  const machine = createMachine(board);
  const monitors = new MonitorRegistry();
  const target = new BoardTarget(machine, monitors);
  registerBoardCommands(monitors, target);
  registerMpuCommands(monitors, machine);
  machine.onConsoleLine((line) => options.logger.info(`uart: ${line}`));

  const server = new RspServer(target, {
    log: (message) => options.logger.info(message),
    ...(options.traceRsp ? { trace: (direction, text) => process.stderr.write(`rsp ${direction === 'in' ? '<-' : '->'} ${text}\n`) } : {}),
  });
  const gdbAddress = await server.listen(options.host, options.port);
  return {
    machine,
    target,
    monitors,
    gdbAddress,
    close: () => server.close(),
  };
}
