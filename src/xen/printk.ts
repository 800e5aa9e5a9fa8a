// Xen's console formatting of physical addresses, so that the service prints exactly the lines
// Xen prints. On arm64 PRIpaddr is "016lx", so `%#"PRIpaddr"` is `%#016lx`, and Xen's own
// vsnprintf (xen/common/vsprintf.c, number()) gives: a non-zero value as "0x" followed by
// lowercase hex digits zero-padded so that the whole field is 16 characters wide (the prefix
// counts towards the width); zero as sixteen '0' characters, because the '#' flag is dropped
// for zero.

const FIELD_WIDTH = 16;

/** Formats a physical address as Xen's `printk("%#"PRIpaddr, value)` does on arm64. */
export function formatPaddr(value: bigint): string {
  if (value < 0n) throw new RangeError('a physical address is never negative');
  if (value === 0n) return '0'.repeat(FIELD_WIDTH);
  const digits = value.toString(16);
  return `0x${digits.padStart(FIELD_WIDTH - 2, '0')}`;
}

/** Formats a value as plain "0x..." lowercase hex (the service's own JSON and tables). */
export function hex(value: bigint | number): string {
  return `0x${value.toString(16)}`;
}
