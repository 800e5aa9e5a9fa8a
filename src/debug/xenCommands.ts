// GDB monitor commands that reach the map service: every xen_mpumap_update() entry point,
// the shadow table, the shadow/hardware diff, the last failure, and the switches (catch,
// disable mode). A GDB user needs nothing else to drive and inspect Xen's EL2 MPU code.

import { DISABLE_MODES, type DisableMode } from '../xen/programmer.js';
import { InputError } from '../xen/input.js';
import { namesOf, OPERATIONS, requestFromWords, usageOf } from '../xen/requests.js';
import type { OperationRequest } from '../xen/result.js';
import type { MapService } from '../xen/service.js';
import { diffJson, formatDiff, formatRegions, formatResult, regionsJson, resultJson } from '../xen/views.js';
import { TargetErrno, TargetError } from '../rsp/target.js';
import type { MonitorRegistry } from './monitor.js';

/** Whether a failed map request stops a running core (SIGTRAP) so that GDB wakes up. */
export interface CatchControl {
  enabled: boolean;
}

function parseRequest(op: string, words: readonly string[]): OperationRequest {
  try {
    return requestFromWords(op, words);
  } catch (err) {
    if (err instanceof InputError) throw new TargetError(TargetErrno.EINVAL, `xen ${err.message}; usage: monitor xen ${usageOf(op)}`);
    throw err;
  }
}

export function registerXenCommands(monitors: MonitorRegistry, service: MapService, catchControl: CatchControl): void {
  for (const spec of OPERATIONS) {
    for (const name of namesOf(spec)) {
      monitors.add({
        name: `xen ${name}`,
        usage: `xen ${name} ${spec.fields.map(([f]) => f.toUpperCase()).join(' ')}`,
        help: `${spec.xenFunction}(): ${spec.summary}`,
        run: async (args, out) => {
          const request = parseRequest(spec.op, args);
          // The operation and the diff shown with it under one lock: no later request between them.
          const answer = await service.exclusive((session) => resultJson(session.execute(request), session.diff()));
          out(formatResult(answer));
        },
      });
    }
  }

  monitors.add({
    name: 'xen ops json',
    usage: 'xen ops json',
    help: 'the map operations: names, Xen functions and fields in argument order (the GDB scripts build their commands from it)',
    run: (_args, out) => {
      const ops = OPERATIONS.map((spec) => ({ op: spec.op, names: namesOf(spec), xenFunction: spec.xenFunction, fields: spec.fields.map(([name]) => name), summary: spec.summary }));
      out(`${JSON.stringify(ops)}\n`);
    },
  });

  monitors.add({
    name: 'xen table',
    usage: 'xen table',
    help: 'the shadow table xen_mpumap: entries in use, decoded, with reference counts and the bitmap',
    run: async (_args, out) => out(formatRegions(regionsJson(await service.regions()))),
  });

  monitors.add({
    name: 'xen json',
    usage: 'xen json',
    help: 'the map service as JSON: regions (shadow and hardware), diff, last failure, catch (for scripts)',
    run: async (_args, out) => {
      const failure = service.lastFailure();
      out(
        `${JSON.stringify({
          regions: regionsJson(await service.regions()),
          disagreements: diffJson(await service.diff()),
          lastError: failure ? resultJson(failure) : null,
          catch: catchControl.enabled,
        })}\n`,
      );
    },
  });

  monitors.add({
    name: 'xen diff',
    usage: 'xen diff',
    help: 'every region where the shadow table and the MPU registers disagree',
    run: async (_args, out) => out(formatDiff(diffJson(await service.diff()))),
  });

  monitors.add({
    name: 'xen last-error',
    usage: 'xen last-error',
    help: 'the last refused map request: request, rc, Xen\'s messages, conflicting region',
    run: (_args, out) => {
      const failure = service.lastFailure();
      out(failure ? formatResult(resultJson(failure)) : 'no map request has failed\n');
    },
  });

  monitors.addSwitch(
    'xen catch',
    'a failed map request stops the running core with SIGTRAP (continue wakes up)',
    { get: () => catchControl.enabled, set: (on) => (catchControl.enabled = on) },
    (on) => `failed map requests ${on ? 'stop' : 'do not stop'} the core`,
  );

  monitors.add({
    name: 'xen disable-mode',
    usage: 'xen disable-mode upstream|intended',
    help: 'how regions are disabled: upstream (Xen 4.22, PRENR quirk above 31) or intended',
    run: async (args, out) => {
      if (args.length > 0) {
        const mode = args[0]!.toLowerCase();
        if (!DISABLE_MODES.includes(mode as DisableMode)) {
          throw new TargetError(TargetErrno.EINVAL, `xen disable-mode: expected ${DISABLE_MODES.join(' or ')}, got "${args[0]}"`);
        }
        await service.setDisableMode(mode as DisableMode);
      }
      out(`disable mode: ${service.disableMode} (docs/xen-divergences.md)\n`);
    },
  });

  monitors.add({
    name: 'xen boot',
    usage: 'xen boot',
    help: 'enable_boot_cpu_mm(): the boot regions of the default Xen image, then the MPU on',
    run: async (_args, out) => out(formatResult(resultJson(await service.boot()))),
  });
}
