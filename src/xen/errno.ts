// The two error numbers Xen's MPU map code returns, with their names. Callers receive Xen's
// negative return code (`rc`) and the name beside it, so nobody has to remember that -22 is
// EINVAL, and no code compares error numbers by their numeric order.

export const XEN_ERRNO = {
  /** Invalid argument: the request contradicts the table (checks, overlap, partial region...). */
  EINVAL: -22,
  /** No entry: the pool of regions is exhausted, or a reference count would overflow. */
  ENOENT: -2,
} as const;

export type XenErrnoName = keyof typeof XEN_ERRNO;
export type XenErrorCode = (typeof XEN_ERRNO)[XenErrnoName];

/** The errno name of a Xen return code; null for 0 (success). */
export function errnoName(rc: number): XenErrnoName | null {
  if (rc === 0) return null;
  for (const [name, value] of Object.entries(XEN_ERRNO) as [XenErrnoName, number][]) {
    if (value === rc) return name;
  }
  throw new RangeError(`rc ${rc} is not an error number the map service returns`);
}
