// MRS/MSR semantics of the system registers, driven by the register table's `behaviour`,
// `access`, `res0` and `reset`. Plain registers are stored here; MPU registers are forwarded to
// the MPU model, counter and timer registers to the generic timer, GIC CPU interface
// registers to the GIC; CurrentEL and the identification registers are computed.

import { register, REGISTERS, registerByNumber, type RegisterName, type RegisterSpec } from '../arch/aarch64/registers.js';
import type { AccessOrigin } from './access.js';
import type { BoardConfig } from './board.js';
import { readCpuInterface, writeCpuInterface } from './gic/cpuInterface.js';
import type { Gic } from './gic/gic.js';
import type { MpuModel, MpuRegisterRole } from './mpu/types.js';
import type { GenericTimer } from './timer.js';

/** The models behind the registers that are not stored here. */
export interface RegisterDevices {
  readonly gic: Gic;
  readonly timer: GenericTimer;
}

export class RegisterAccessError extends Error {
  constructor(
    readonly kind: 'unknown' | 'read-only',
    message: string,
  ) {
    super(message);
    this.name = 'RegisterAccessError';
  }
}

const MASK64 = 0xffff_ffff_ffff_ffffn;

export class SystemRegisters {
  private readonly stored = new Map<number, bigint>();

  constructor(
    private readonly board: BoardConfig,
    private readonly mpu: MpuModel,
    /** PSTATE.EL, for CurrentEL. */
    private readonly currentEl: () => number,
    private readonly devices: RegisterDevices,
  ) {
    this.reset();
  }

  /** Every stored register back to its reset value (MPU registers are the MPU's own). */
  reset(): void {
    for (const reg of REGISTERS) {
      if (reg.behaviour.kind === 'stored') this.stored.set(reg.regnum, reg.reset ?? 0n);
    }
  }

  spec(regnum: number): RegisterSpec {
    const reg = registerByNumber(regnum);
    if (!reg || !reg.encoding) throw new RegisterAccessError('unknown', `no system register with number 0x${regnum.toString(16)}`);
    return reg;
  }

  /** MRS (`origin` 'core': reading may act, as ICC_IAR1_EL1 acknowledges) or a look by the debugger. */
  read(regnum: number, origin: AccessOrigin = 'debugger'): bigint {
    const reg = this.spec(regnum);
    const b = reg.behaviour;
    switch (b.kind) {
      case 'stored':
        return this.stored.get(regnum) ?? 0n;
      case 'mpu':
        return this.mpu.readRegister(b.regime, roleOf(b.role, b.alias));
      case 'current-el':
        return BigInt(this.currentEl() << 2);
      case 'board-id':
        return this.board.cpu[b.key];
      case 'fixed':
        return b.value;
      case 'counter':
        return this.devices.timer.readCounter(b.role);
      case 'timer':
        return this.devices.timer.read(b.timer, b.role);
      case 'gic-cpu':
        return readCpuInterface(this.devices.gic, b.role, origin === 'core');
      case 'core':
      case 'fpu':
        throw new RegisterAccessError('unknown', `${reg.name} is not a system register`);
    }
  }

  /** MSR. Throws for read-only registers; RES0 bits are dropped. */
  write(regnum: number, value: bigint): void {
    const reg = this.spec(regnum);
    if (reg.access === 'ro') throw new RegisterAccessError('read-only', `${reg.name} is read-only`);
    const b = reg.behaviour;
    if (b.kind === 'stored') this.stored.set(regnum, value & MASK64 & ~(reg.res0 ?? 0n));
    // The MPU drops the RES0 bits of its own registers (it is the model of that hardware).
    else if (b.kind === 'mpu') this.mpu.writeRegister(b.regime, roleOf(b.role, b.alias), value & MASK64);
    // The timer and the GIC drop what their registers do not hold, as the MPU does.
    else if (b.kind === 'counter' && b.role === 'virtual-offset') this.devices.timer.writeVirtualOffset(value & MASK64);
    else if (b.kind === 'timer') this.devices.timer.write(b.timer, b.role, value & MASK64);
    else if (b.kind === 'gic-cpu') writeCpuInterface(this.devices.gic, b.role, value & MASK64);
    else throw new RegisterAccessError('read-only', `${reg.name} cannot be written`);
  }

  /** Direct access to a stored register by name, for the machine's own bookkeeping (ESR/FAR latching). */
  setStored(name: RegisterName, value: bigint): void {
    const reg = storedSpec(name);
    this.stored.set(reg.regnum, value & MASK64 & ~(reg.res0 ?? 0n));
  }

  getStored(name: RegisterName): bigint {
    return this.stored.get(storedSpec(name).regnum) ?? 0n;
  }
}

function storedSpec(name: RegisterName): RegisterSpec {
  const reg = register(name);
  if (!reg || reg.behaviour.kind !== 'stored') throw new RegisterAccessError('unknown', `no stored register ${name}`);
  return reg;
}

function roleOf(role: 'MPUIR' | 'PRSELR' | 'PRENR' | 'PRBAR' | 'PRLAR', alias: number): MpuRegisterRole {
  if (role === 'PRBAR' || role === 'PRLAR') return { kind: role, alias };
  return { kind: role };
}
