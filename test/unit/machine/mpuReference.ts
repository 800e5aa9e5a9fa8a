// An obviously-correct reference for the MPU access check, written straight from the rules in
// docs/mpu.md: every byte of the access is checked on its own against every region, with no
// index and no shortcuts. Slow on purpose; property tests compare the model against it.

import type { Access } from '../../../src/machine/access.js';
import type { MpuControl, MpuRule, RegimeControl } from '../../../src/machine/mpu/types.js';

export interface ReferenceRegion {
  readonly enabled: boolean;
  readonly base: number;
  readonly limit: number; // inclusive
  readonly ap: number;
  readonly xn: boolean;
}

export type ReferenceVerdict = { readonly allowed: true } | { readonly allowed: false; readonly rule: MpuRule; readonly at: number; readonly stage2: boolean };

function byteRule(byte: number, access: Access, regions: readonly ReferenceRegion[], control: RegimeControl, stage2: boolean): MpuRule | undefined {
  if (!control.enabled) return undefined;
  const hits = regions.filter((r) => r.enabled && r.base <= byte && byte <= r.limit);
  if (hits.length > 1) return 'multiple-regions';
  if (hits.length === 0) return control.background && access.el !== 0 && !stage2 ? undefined : 'no-region';
  const r = hits[0]!;
  const readOnly = (r.ap & 2) !== 0;
  const el0Allowed = (r.ap & 1) !== 0;
  if (access.el === 0 && !el0Allowed) return 'ap-privileged-only';
  if (access.kind === 'write' && readOnly) return 'ap-read-only';
  if (access.kind === 'fetch' && r.xn) return 'execute-never';
  if (access.kind === 'fetch' && control.wxn && !readOnly) return 'wxn';
  return undefined;
}

export function referenceCheck(access: Access, el2: readonly ReferenceRegion[], el10: readonly ReferenceRegion[], control: MpuControl): ReferenceVerdict {
  const stage1 = access.el === 2 ? control.el2 : control.el10;
  if (stage1.alignment && access.kind !== 'fetch' && access.size > 1 && access.address % access.size !== 0) {
    return { allowed: false, rule: 'alignment', at: access.address, stage2: false };
  }
  for (let byte = access.address; byte < access.address + access.size; byte++) {
    const first = byteRule(byte, access, access.el === 2 ? el2 : el10, stage1, false);
    if (first) return { allowed: false, rule: first, at: byte, stage2: false };
    if (access.el !== 2 && control.stage2 && control.el2.enabled) {
      const second = byteRule(byte, access, el2, control.el2, true);
      if (second) return { allowed: false, rule: second, at: byte, stage2: true };
    }
  }
  return { allowed: true };
}
