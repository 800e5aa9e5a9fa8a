// The interval convention of the whole package, stated once.
//
// Every address range that crosses an interface of src/xen/ (the service methods, the HTTP API,
// scenarios, messages) is half-open: [base, limit), where `base` is the first byte and `limit`
// is the first byte AFTER the range. This is Xen's convention for xen_mpumap_update().
//
// The MPU's PRLAR_EL2.LIMIT field is inclusive: the region ends at the byte LIMIT:0x3F. The two
// functions below are the only places where one convention is turned into the other; region.ts
// calls them when it builds and reads PRLAR values.

/** The last byte of a half-open range [base, limit): what PRLAR_EL2.LIMIT must cover. */
export function lastByteOf(limitExclusive: bigint): bigint {
  if (limitExclusive <= 0n) throw new RangeError('an exclusive limit of 0 has no last byte');
  return limitExclusive - 1n;
}

/** The exclusive limit of a range whose last byte is `lastByte` (read back from PRLAR_EL2). */
export function limitAfter(lastByte: bigint): bigint {
  return lastByte + 1n;
}
