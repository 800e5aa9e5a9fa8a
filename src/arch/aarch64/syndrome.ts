// The exception syndrome (ESR_ELx) as the Arm ARM defines it (DDI0487, D17.2.37 and the ISS
// encodings for aborts): exception classes, fault status codes, building a syndrome and
// describing one in words. The MPU, the machine, the interpreter, the monitor and — through
// the `description` the monitor puts in its JSON — the GDB scripts all use this one module.

/** ESR_ELx.EC values the board produces. */
export const EC = {
  unknown: 0x00,
  wfx: 0x01,
  simdFpAccess: 0x07,
  svc: 0x15,
  hvc: 0x16,
  smc: 0x17,
  systemAccess: 0x18,
  instructionAbortLowerEl: 0x20,
  instructionAbortSameEl: 0x21,
  dataAbortLowerEl: 0x24,
  dataAbortSameEl: 0x25,
} as const;

const EXCEPTION_CLASS_NAMES: Readonly<Record<number, string>> = {
  [EC.unknown]: 'unknown reason (undefined instruction)',
  [EC.wfx]: 'WFI or WFE trapped (SCTLR_EL1.nTWI/nTWE or HCR_EL2.TWI/TWE)',
  [EC.systemAccess]: 'MSR, MRS or system instruction trapped',
  [EC.simdFpAccess]: 'SIMD or floating-point access trapped (CPACR_EL1.FPEN or CPTR_EL2.TFP)',
  [EC.svc]: 'SVC instruction',
  [EC.hvc]: 'HVC instruction',
  [EC.smc]: 'SMC instruction',
  [EC.instructionAbortLowerEl]: 'instruction abort from a lower EL',
  [EC.instructionAbortSameEl]: 'instruction abort taken without a change of EL',
  [EC.dataAbortLowerEl]: 'data abort from a lower EL',
  [EC.dataAbortSameEl]: 'data abort taken without a change of EL',
};

/** DFSC/IFSC values (level 0 for the MPU's faults: PMSA has no translation levels). */
export const FSC = {
  addressSize: 0x00,
  translation: 0x04,
  permission: 0x0c,
  externalAbort: 0x10,
  alignment: 0x21,
} as const;

const IL = 1 << 25;
const WNR = 1 << 6;

/** ESR for an exception whose ISS is `iss` (a 32-bit instruction: IL = 1). */
export function syndromeOf(ec: number, iss = 0): bigint {
  return BigInt(((ec << 26) | IL | (iss & 0x1ff_ffff)) >>> 0);
}

/** ESR for an instruction or data abort: the class from the access and the ELs, WnR for data writes. */
export function abortSyndrome(access: { readonly fetch: boolean; readonly write: boolean; readonly sameEl: boolean }, fsc: number): bigint {
  const ec = access.fetch
    ? access.sameEl
      ? EC.instructionAbortSameEl
      : EC.instructionAbortLowerEl
    : access.sameEl
      ? EC.dataAbortSameEl
      : EC.dataAbortLowerEl;
  return syndromeOf(ec, (!access.fetch && access.write ? WNR : 0) | fsc);
}

export function isAbortClass(ec: number): boolean {
  return ec === EC.instructionAbortLowerEl || ec === EC.instructionAbortSameEl || ec === EC.dataAbortLowerEl || ec === EC.dataAbortSameEl;
}

export function exceptionClassName(ec: number): string {
  return EXCEPTION_CLASS_NAMES[ec] ?? 'other';
}

/** A DFSC/IFSC in words. */
export function faultStatusName(fsc: number): string {
  if (fsc <= 0x03) return `address size fault, level ${fsc & 3}`;
  if (fsc >= 0x04 && fsc <= 0x07) return `translation fault, level ${fsc & 3}`;
  if (fsc >= 0x0c && fsc <= 0x0f) return `permission fault, level ${fsc & 3}`;
  if (fsc === FSC.externalAbort) return 'synchronous external abort';
  if (fsc === FSC.alignment) return 'alignment fault';
  return `fault status 0x${fsc.toString(16)}`;
}

/** An ESR value in words: class, IL, and for aborts the status and the direction. */
export function describeEsr(esr: bigint): string {
  const ec = Number((esr >> 26n) & 0x3fn);
  const parts = [`EC=0x${ec.toString(16)} (${exceptionClassName(ec)})`, `IL=${Number((esr >> 25n) & 1n)}`];
  if (isAbortClass(ec)) {
    const fsc = Number(esr & 0x3fn);
    parts.push(`FSC=0x${fsc.toString(16)} (${faultStatusName(fsc)})`);
    if (ec === EC.dataAbortLowerEl || ec === EC.dataAbortSameEl) {
      const wnr = Number((esr >> 6n) & 1n);
      parts.push(`WnR=${wnr} (${wnr ? 'write' : 'read'})`);
    }
  } else if (ec === EC.svc || ec === EC.hvc || ec === EC.smc) {
    parts.push(`imm16=0x${(esr & 0xffffn).toString(16)}`);
  }
  return parts.join(', ');
}
