// The Xen image layout that head.S maps at boot: the linker symbols of xen.lds.S that
// enable_boot_cpu_mm() reads, and the early UART when early printk is built in. Pure data,
// validated once, used by boot.ts, initCalls.ts and the scenarios.

import { checkFields, checkRangeEnd, InputError, isPlainObject, parseAddress, parseLimit, parseUnsigned } from './input.js';
import { hex } from './printk.js';

export interface XenImageLayout {
  readonly _stext: bigint;
  readonly _etext: bigint;
  readonly _srodata: bigint;
  readonly _erodata: bigint;
  readonly __ro_after_init_start: bigint;
  readonly __ro_after_init_end: bigint;
  readonly __init_begin: bigint;
  readonly __init_data_begin: bigint;
  readonly __init_end: bigint;
  readonly __bss_start: bigint;
  readonly __bss_end: bigint;
  /** CONFIG_EARLY_UART_BASE_ADDRESS / _SIZE; null without early printk. */
  readonly earlyUart: { readonly base: bigint; readonly size: bigint } | null;
}

/** The symbols in address order; a layout must not decrease along this list. */
export const LAYOUT_SYMBOLS = [
  '_stext',
  '_etext',
  '_srodata',
  '_erodata',
  '__ro_after_init_start',
  '__ro_after_init_end',
  '__init_begin',
  '__init_data_begin',
  '__init_end',
  '__bss_start',
  '__bss_end',
] as const;

/**
 * A plausible Xen 4.22 arm64 MPU image linked at 0x0 (CONFIG_XEN_START_ADDRESS on the FVP
 * BaseR), page-aligned sections as xen.lds.S produces them, with the PL011 UART0 of the FVP at
 * 0x9C090000 for early printk.
 */
export const DEFAULT_LAYOUT: XenImageLayout = {
  _stext: 0x0n,
  _etext: 0x12_0000n,
  _srodata: 0x12_0000n,
  _erodata: 0x16_0000n,
  __ro_after_init_start: 0x16_0000n,
  __ro_after_init_end: 0x16_2000n,
  __init_begin: 0x1a_0000n,
  __init_data_begin: 0x1c_0000n,
  __init_end: 0x1e_0000n,
  __bss_start: 0x1e_0000n,
  __bss_end: 0x24_0000n,
  earlyUart: { base: 0x9c09_0000n, size: 0x1000n },
};

export function parseLayout(value: unknown, field: string): XenImageLayout {
  if (value === undefined) return DEFAULT_LAYOUT;
  if (!isPlainObject(value)) throw new InputError(field, 'expected an object of linker symbols');
  checkFields(value, [...LAYOUT_SYMBOLS, 'earlyUart'], [], field);
  const symbols: Record<string, bigint> = {};
  for (const name of LAYOUT_SYMBOLS) {
    symbols[name] = name in value ? parseLimit(value[name], `${field}.${name}`) : DEFAULT_LAYOUT[name];
  }
  for (let i = 1; i < LAYOUT_SYMBOLS.length; i++) {
    const before = LAYOUT_SYMBOLS[i - 1]!;
    const name = LAYOUT_SYMBOLS[i]!;
    if (symbols[name]! < symbols[before]!) {
      throw new InputError(`${field}.${name}`, `${hex(symbols[name]!)} is below ${before} (${hex(symbols[before]!)}); the sections are in xen.lds.S order`);
    }
  }
  let earlyUart = DEFAULT_LAYOUT.earlyUart;
  if ('earlyUart' in value) {
    const uart = value['earlyUart'];
    if (uart === null) earlyUart = null;
    else if (!isPlainObject(uart)) throw new InputError(`${field}.earlyUart`, 'expected {"base", "size"} or null (no early printk)');
    else {
      checkFields(uart, ['base', 'size'], ['base', 'size'], `${field}.earlyUart`);
      const base = parseAddress(uart['base'], `${field}.earlyUart.base`);
      const size = parseUnsigned(uart['size'], `${field}.earlyUart.size`);
      checkRangeEnd(base + size, `${field}.earlyUart.size`, `base ${hex(base)} + size ${hex(size)}`);
      earlyUart = { base, size };
    }
  }
  return {
    _stext: symbols['_stext']!,
    _etext: symbols['_etext']!,
    _srodata: symbols['_srodata']!,
    _erodata: symbols['_erodata']!,
    __ro_after_init_start: symbols['__ro_after_init_start']!,
    __ro_after_init_end: symbols['__ro_after_init_end']!,
    __init_begin: symbols['__init_begin']!,
    __init_data_begin: symbols['__init_data_begin']!,
    __init_end: symbols['__init_end']!,
    __bss_start: symbols['__bss_start']!,
    __bss_end: symbols['__bss_end']!,
    earlyUart,
  };
}

export function layoutToJson(layout: XenImageLayout): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const name of LAYOUT_SYMBOLS) out[name] = hex(layout[name]);
  out['earlyUart'] = layout.earlyUart === null ? null : { base: hex(layout.earlyUart.base), size: hex(layout.earlyUart.size) };
  return out;
}
