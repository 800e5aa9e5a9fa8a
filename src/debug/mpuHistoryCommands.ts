// The `mpu history ...` monitor commands: the MPU's recent changes (mpuHistory.ts) with the
// instruction count, who made them (pc and symbol for code on the core), and what changed;
// filtered to the writes that reached one region ("who last changed region 5" is
// `mpu history 1 region 5`), as text or JSON; and the size of the ring that keeps them.

import type { Regime } from '../machine/mpu/types.js';
import { TargetErrno, TargetError } from '../rsp/target.js';
import type { BoardTarget } from './boardTarget.js';
import { parseNumber, type MonitorRegistry } from './monitor.js';
import { MAX_MPU_HISTORY, type HistoryQuery, type MpuHistoryEntry } from './mpuHistory.js';
import { describeAgent, describeMpuChange, mpuEventJson } from './mpuEventText.js';

/** Entries shown when the command names no count. */
const DEFAULT_SHOWN = 20;

interface HistoryRequest extends HistoryQuery {
  readonly json: boolean;
}

function parseRequest(args: readonly string[], regionCount: (regime: Regime) => number): HistoryRequest {
  let last: number | undefined = DEFAULT_SHOWN;
  let region: number | undefined;
  let regime: Regime = 'el2';
  let json = false;
  for (let i = 0; i < args.length; i++) {
    const word = args[i]!.toLowerCase();
    if (word === 'json') json = true;
    else if (word === 'all') last = undefined;
    else if (word === 'el1' || word === 'el2') regime = word === 'el1' ? 'el10' : 'el2';
    else if (word === 'region') region = Number(parseNumber(args[++i], 'mpu history: region'));
    else last = Number(parseNumber(args[i], 'mpu history: count'));
  }
  if (region !== undefined && region >= regionCount(regime)) {
    throw new TargetError(TargetErrno.EINVAL, `mpu history: region ${region} is outside 0..${regionCount(regime) - 1}`);
  }
  return { json, regime, ...(last !== undefined ? { last } : {}), ...(region !== undefined ? { region } : {}) };
}

/** One history entry in words, as `monitor mpu history` and the region-map page show it. */
export function historyLine(target: BoardTarget, entry: MpuHistoryEntry): string {
  const count = (regime: Regime): number => target.machine.mpu.regionCount(regime);
  return `#${entry.sequence}  instr ${entry.instruction}  ${describeAgent(entry.event, target.symbols)}: ${describeMpuChange(entry.event, count)}`;
}

/** The writes to one region, oldest first, for the region-map page (`GET /v1/history`). */
export function regionHistory(target: BoardTarget, regime: Regime, region: number): { capacity: number; kept: number; entries: string[] } {
  const history = target.mpuHistory;
  return { capacity: history.capacity, kept: history.length, entries: history.entries({ regime, region }).map((e) => historyLine(target, e)) };
}

export function registerMpuHistoryCommands(monitors: MonitorRegistry, target: BoardTarget): void {
  const history = target.mpuHistory;
  const count = (regime: Regime): number => target.machine.mpu.regionCount(regime);
  const line = (entry: MpuHistoryEntry): string => `  ${historyLine(target, entry)}`;

  monitors.add({
    name: 'mpu history',
    usage: 'mpu history [N|all] [region R] [el1] [json]',
    help: 'the last MPU changes (writes, DSB/ISB, syncs) by the core, the debugger or the map service; "1 region 5": who last changed region 5',
    run: (args, out) => {
      const request = parseRequest(args, count);
      const entries = history.entries(request);
      if (request.json) {
        const json = entries.map((e) => ({ sequence: e.sequence, instruction: e.instruction, ...mpuEventJson(e.event, target.symbols) }));
        out(`${JSON.stringify({ capacity: history.capacity, kept: history.length, dropped: history.dropped, entries: json })}\n`);
        return;
      }
      const scope = request.region !== undefined ? ` writes to ${request.regime === 'el2' ? 'EL2' : 'EL1&0'} region ${request.region}` : '';
      if (entries.length === 0) {
        out(`MPU history: no${scope || ' changes'} recorded (${history.length} of ${history.capacity} entries kept${history.dropped > 0 ? `, ${history.dropped} older dropped` : ''})\n`);
        return;
      }
      const header = `MPU history:${scope} ${entries.length} shown, oldest first (${history.length} of ${history.capacity} entries kept${history.dropped > 0 ? `, ${history.dropped} older dropped` : ''})`;
      out(`${[header, ...entries.map(line)].join('\n')}\n`);
    },
  });

  monitors.add({
    name: 'mpu history size',
    usage: 'mpu history size [N]',
    help: `how many MPU changes the history keeps (0..${MAX_MPU_HISTORY}; the most recent are kept on shrinking)`,
    run: (args, out) => {
      if (args.length > 0) {
        const size = parseNumber(args[0], 'mpu history size');
        if (size > BigInt(MAX_MPU_HISTORY)) throw new TargetError(TargetErrno.EINVAL, `mpu history size: at most ${MAX_MPU_HISTORY}`);
        history.capacity = Number(size);
      }
      out(`the MPU history keeps ${history.capacity} entries (${history.length} now)\n`);
    },
  });

  monitors.add({
    name: 'mpu history clear',
    usage: 'mpu history clear',
    help: 'forget the recorded MPU changes',
    run: (_args, out) => {
      history.clear();
      out('MPU history cleared\n');
    },
  });
}
