// The `symbols ...` monitor commands: the names the stub uses for code addresses in its own
// messages (catch lines, the MPU history, vector catch). They come from `--kernel FILE` or from
// the debugger, which hands them over in batches with `symbols add` (gdbscripts/mpustub.py's
// `mpu symbols` reads them from the ELF on GDB's side): no monitor command opens a host file.

import { TargetErrno, TargetError } from '../rsp/target.js';
import type { BoardTarget } from './boardTarget.js';
import { parseNumber, type MonitorRegistry } from './monitor.js';
import type { TableSymbol } from './symbolTable.js';

/** Where symbols added by a debugger are counted. */
export const DEBUGGER_SYMBOLS = 'debugger (monitor symbols add)';

const NAME = /^[A-Za-z_.$][\w.$@:<>~,+-]*$/;

function parseTriples(args: readonly string[]): TableSymbol[] {
  if (args.length === 0 || args.length % 3 !== 0) throw new TargetError(TargetErrno.EINVAL, 'symbols add: expected ADDR SIZE NAME, repeated');
  const symbols: TableSymbol[] = [];
  for (let i = 0; i < args.length; i += 3) {
    const address = parseNumber(args[i], 'symbols add: address');
    const size = parseNumber(args[i + 1], 'symbols add: size');
    const name = args[i + 2]!;
    if (address >= 1n << 64n || address + size > 1n << 64n) throw new TargetError(TargetErrno.EINVAL, `symbols add: ${name} at 0x${address.toString(16)} + 0x${size.toString(16)} does not fit in 64 bits`);
    if (!NAME.test(name)) throw new TargetError(TargetErrno.EINVAL, `symbols add: "${name}" is not a symbol name`);
    // A size of 0 (an assembler label) names the address itself only: send extents when known.
    symbols.push({ name, address: Number(address), end: Number(address + (size > 0n ? size : 1n)), kind: size > 0n ? 'function' : 'label', global: true });
  }
  return symbols;
}

export function registerSymbolCommands(monitors: MonitorRegistry, target: BoardTarget): void {
  const table = target.symbols;

  monitors.add({
    name: 'symbols',
    usage: 'symbols',
    help: 'how many symbols name code addresses in the stub\'s messages, and where they came from',
    run: (_args, out) => {
      if (table.size === 0) {
        out('no symbols: start with --kernel FILE, or "mpu symbols" in GDB (gdbscripts/mpustub.py) hands over those of the loaded ELF\n');
        return;
      }
      out(`${table.size} symbols:\n${[...table.origins].map(([source, n]) => `  ${n} from ${source}`).join('\n')}\n`);
    },
  });

  monitors.add({
    name: 'symbols add',
    usage: 'symbols add ADDR SIZE NAME...',
    help: 'add symbols (triples; SIZE 0 names the address only), as a debugger reading an ELF sends them',
    run: (args, out) => {
      const symbols = parseTriples(args);
      try {
        table.add(symbols, DEBUGGER_SYMBOLS);
      } catch (err) {
        throw new TargetError(TargetErrno.ENOSPC, `symbols add: ${(err as Error).message}`);
      }
      out(`added ${symbols.length} symbol(s); ${table.size} in all\n`);
    },
  });

  monitors.add({
    name: 'symbols clear',
    usage: 'symbols clear [debugger]',
    help: 'forget every symbol, or only those the debugger added (a --kernel\'s come back at extended-remote "run")',
    run: (args, out) => {
      const which = args[0]?.toLowerCase();
      if (which !== undefined && which !== 'debugger') throw new TargetError(TargetErrno.EINVAL, `symbols clear: expected nothing or "debugger", got "${args[0]}"`);
      table.clear(which === undefined ? undefined : DEBUGGER_SYMBOLS);
      out(which === undefined ? 'symbols cleared\n' : `symbols added by the debugger cleared; ${table.size} left\n`);
    },
  });

  monitors.add({
    name: 'symbols lookup',
    usage: 'symbols lookup ADDR',
    help: 'the symbol (and offset) the stub gives an address',
    run: (args, out) => {
      const address = parseNumber(args[0], 'symbols lookup: address');
      out(`${table.formatAddress(address)}\n`);
    },
  });
}
