// The `mpu catch ...` monitor commands: stop the running core when code on it reprograms the
// MPU (`write`, for every region or chosen ones) or synchronises MPU writes (`sync`); see
// mpuCatchpoints.ts. The map service's own failure catch is `xen catch` (xenCommands.ts).

import type { Regime } from '../machine/mpu/types.js';
import { TargetErrno, TargetError } from '../rsp/target.js';
import type { BoardTarget } from './boardTarget.js';
import { parseNumber, parseSwitch, type MonitorRegistry } from './monitor.js';

function settingsText(target: BoardTarget): string {
  const { write, sync } = target.mpuCatch.settings;
  const writes =
    write === null
      ? 'off'
      : write === 'all'
        ? 'every PRBAR/PRLAR/PRENR write and SCTLR M/A/BR/WXN change'
        : [write.el2.length > 0 ? `EL2 region(s) ${write.el2.join(', ')}` : '', write.el10.length > 0 ? `EL1&0 region(s) ${write.el10.join(', ')}` : ''].filter((t) => t !== '').join('; ');
  return `MPU catch: write ${writes}; sync ${sync ? 'on (ISBs that make MPU writes effective)' : 'off'}\n`;
}

export function registerMpuCatchCommands(monitors: MonitorRegistry, target: BoardTarget): void {
  const catchpoints = target.mpuCatch;

  monitors.add({
    name: 'mpu catch',
    usage: 'mpu catch',
    help: 'which MPU changes by code on the core stop it (SIGTRAP, after the instruction)',
    run: (args, out) => {
      if (args.length > 0) throw new TargetError(TargetErrno.EINVAL, `mpu catch: unknown "${args[0]}"; use write, sync, off or json (the map service's failure catch is "xen catch")`);
      out(settingsText(target));
    },
  });

  monitors.add({
    name: 'mpu catch write',
    usage: 'mpu catch write [REGION...|all|off] [el1]',
    help: 'stop when code writes a region\'s PRBAR/PRLAR (also through PRSELR aliases), PRENR, or SCTLR M/A/BR/WXN',
    run: (args, out) => {
      const words = args.map((w) => w.toLowerCase());
      const regime: Regime = words.includes('el1') ? 'el10' : 'el2';
      const rest = words.filter((w) => w !== 'el1' && w !== 'el2');
      if (rest.length === 1 && rest[0] === 'off') catchpoints.stopCatchingWrites();
      else if (rest.length === 0 || (rest.length === 1 && rest[0] === 'all')) catchpoints.catchAllWrites();
      else {
        const regions = rest.map((w) => Number(parseNumber(w, 'mpu catch write: region')));
        try {
          for (const region of regions) catchpoints.catchRegion(regime, region);
        } catch (err) {
          throw new TargetError(TargetErrno.EINVAL, `mpu catch write: ${(err as Error).message}`);
        }
      }
      out(settingsText(target));
    },
  });

  monitors.add({
    name: 'mpu catch sync',
    usage: 'mpu catch sync [on|off]',
    help: 'stop when an ISB (after a DSB) makes MPU writes effective',
    run: (args, out) => {
      catchpoints.sync = args.length === 0 ? true : parseSwitch(args[0], 'mpu catch sync');
      out(settingsText(target));
    },
  });

  monitors.add({
    name: 'mpu catch off',
    usage: 'mpu catch off',
    help: 'no MPU catchpoints (write and sync)',
    run: (_args, out) => {
      catchpoints.off();
      out(settingsText(target));
    },
  });

  monitors.add({
    name: 'mpu catch json',
    usage: 'mpu catch json',
    help: 'the catchpoints, and the MPU change that caused the current stop (null if none), as JSON',
    run: (_args, out) => out(`${JSON.stringify(catchpoints.json())}\n`),
  });
}
