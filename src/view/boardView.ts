// The read-only board view behind `GET /v1/board`: both MPU regimes (programmed and effective
// values, overlaps, SCTLR and MAIR), the last refused access with its rule and syndrome, the
// map service's shadow table, and the shadow/hardware disagreements. The map service alone
// sees only the EL2 MPU, through the registers Xen uses; this view reads the machine's model
// directly, which changes nothing: no PRSELR write, no barrier, nothing latched. Polling it
// therefore cannot make a pending region effective, which reading the registers the way Xen
// must (PRSELR, then ISB) could.

import { register } from '../arch/aarch64/registers.js';
import { describeEsr } from '../arch/aarch64/syndrome.js';
import { describeFault } from '../debug/faultText.js';
import { faultAddressOf, type Machine, type MachineFault } from '../machine/machine.js';
import type { DecodedRegion, Regime } from '../machine/mpu/types.js';
import { diffShadowAndHardware, type HardwareView } from '../xen/diff.js';
import { hex } from '../xen/printk.js';
import { regionView, regionViewToJson } from '../xen/result.js';
import type { MapService } from '../xen/service.js';
import { diffJson, resultJson, type RegionJson } from '../xen/views.js';
import type { BoardJson, BoardViewSource, FaultJson, RegimeJson, RegimeName, RegisterPairJson } from './boardJson.js';

const SCTLR_M = 1n;
const SCTLR_BR = 1n << 17n;
const SCTLR_WXN = 1n << 19n;

const REGISTERS = {
  el2: { sctlr: register('SCTLR_EL2'), mair: register('MAIR_EL2') },
  el10: { sctlr: register('SCTLR_EL1'), mair: register('MAIR_EL1') },
} as const;
const MPUIR_EL2 = register('MPUIR_EL2');
const PRSELR_EL2 = register('PRSELR_EL2');
const PRENR_EL2 = register('PRENR_EL2');

const regimeName = (regime: Regime): RegimeName => (regime === 'el2' ? 'el2' : 'el1');
const hexOf = (v: bigint | number): string => `0x${v.toString(16)}`;

function pairJson(r: DecodedRegion): RegisterPairJson {
  return {
    prbar: hexOf(r.prbar),
    prlar: hexOf(r.prlar),
    enabled: r.enabled,
    base: hexOf(r.base),
    limit: hexOf(r.limit),
    ap: r.ap,
    xn: r.xn,
    sh: r.sh,
    attrIndx: r.attrIndx,
    ns: r.ns,
  };
}

function regimeJson(machine: Machine, regime: Regime): RegimeJson {
  const mpu = machine.mpu;
  const sctlr = machine.readRegister(REGISTERS[regime].sctlr);
  const pending = mpu.pendingRegions(regime);
  const regions = [];
  for (let index = 0; index < mpu.regionCount(regime); index++) {
    const programmed = mpu.programmedRegion(regime, index);
    const effective = mpu.effectiveRegion(regime, index);
    if (!programmed.enabled && !effective.enabled) continue;
    regions.push({ index, programmed: pairJson(programmed), effective: pairJson(effective), pending: pending.includes(index) });
  }
  return {
    name: regimeName(regime),
    regionCount: mpu.regionCount(regime),
    sctlr: hexOf(sctlr),
    enabled: (sctlr & SCTLR_M) !== 0n,
    background: (sctlr & SCTLR_BR) !== 0n,
    wxn: (sctlr & SCTLR_WXN) !== 0n,
    mair: hexOf(machine.readRegister(REGISTERS[regime].mair)),
    regions,
    overlaps: mpu.overlaps(regime).map((o) => ({ regions: [o.a, o.b] as const, start: hexOf(o.start), end: hexOf(o.end - 1) })),
    pending,
  };
}

function faultJson(machine: Machine, fault: MachineFault): FaultJson {
  const access = fault.kind === 'mpu' ? fault.fault.access : fault.access;
  return {
    origin: fault.origin,
    access: { kind: access.kind, el: access.el, address: hexOf(access.address), size: access.size },
    address: hexOf(faultAddressOf(fault)),
    regime: fault.kind === 'mpu' ? regimeName(fault.fault.regime) : null,
    stage2: fault.kind === 'mpu' && fault.fault.stage2,
    rule: fault.kind === 'mpu' ? fault.fault.rule : 'unmapped',
    regions: fault.kind === 'mpu' ? fault.fault.regions : [],
    reason: describeFault(fault),
    takenTo: fault.syndrome.takenTo,
    esr: hexOf(fault.syndrome.esr),
    esrDescription: describeEsr(fault.syndrome.esr),
    far: hexOf(fault.syndrome.far),
    hpfar: fault.syndrome.hpfar === undefined ? null : hexOf(fault.syndrome.hpfar),
    // The setting may have changed since; it is the best the machine can say.
    latched: fault.origin === 'core' || machine.options.latchDebuggerFaults,
  };
}

/** The EL2 registers as the map service's diff reads them, taken from the model without side effects. */
function hardwareView(machine: Machine): HardwareView {
  const regions = [];
  for (let index = 0; index < machine.mpu.regionCount('el2'); index++) {
    const r = machine.mpu.programmedRegion('el2', index);
    regions.push({ index, prbar: r.prbar, prlar: r.prlar });
  }
  return {
    mpuir: machine.readRegister(MPUIR_EL2),
    prselr: machine.readRegister(PRSELR_EL2),
    prenr: machine.readRegister(PRENR_EL2),
    sctlr: machine.readRegister(REGISTERS.el2.sctlr),
    regions,
  };
}

export interface CoreRunState {
  readonly running: boolean;
}

/**
 * The view the HTTP API serves; `run` says whether the core is executing. `history`, where the
 * stub keeps a history of MPU register writes, answers `GET /v1/history`; without it the page
 * says that no history is kept.
 */
export function createBoardView(machine: Machine, service: MapService, run: CoreRunState, history?: BoardViewSource['history']): BoardViewSource {
  return {
    ...(history !== undefined ? { history } : {}),
    // Under the service's lock: a scenario in progress is seen before or after, never half-way.
    board: () =>
      service.exclusive((): BoardJson => {
        const snapshot = service.shadowEntries();
        const shadow = {
          maxRegions: snapshot.maxRegions,
          entry: (i: number) => snapshot.entries[i]!,
          isUsed: (i: number) => ((snapshot.bitmap >> BigInt(i)) & 1n) === 1n,
        };
        const entries: RegionJson[] = [];
        for (let i = 0; i < snapshot.maxRegions; i++) {
          const entry = snapshot.entries[i]!;
          if ((entry.prlar & 1n) === 1n) entries.push(regionViewToJson(regionView(i, entry)) as unknown as RegionJson);
        }
        const lastError = service.lastFailure();
        return {
          board: {
            name: machine.board.name,
            memory: machine.board.memory.map((m) => ({ name: m.name, kind: m.kind, base: hexOf(m.base), limit: hexOf(m.base + m.size - 1) })),
          },
          core: { el: machine.core.el, pc: hexOf(machine.core.pc), running: run.running },
          el2: regimeJson(machine, 'el2'),
          el1: regimeJson(machine, 'el10'),
          shadow: { maxRegions: snapshot.maxRegions, disableMode: service.disableMode, mask: hex(snapshot.bitmap), entries },
          disagreements: diffJson(diffShadowAndHardware(shadow, hardwareView(machine))),
          lastFault: machine.lastFault ? faultJson(machine, machine.lastFault) : null,
          lastError: lastError === null ? null : resultJson(lastError),
          history: history !== undefined,
        };
      }),
  };
}
