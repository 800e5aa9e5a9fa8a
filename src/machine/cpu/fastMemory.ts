// The translated code's loads and stores: direct reads and writes of RAM pages that the MPU
// allows wholly (for this access kind, at this EL, since the last change to anything that
// decides accesses — the machine's own page cache says so). Anything else — a refusal, a
// device, a page holding translated code, an armed exclusive monitor — answers false, and the
// instruction is executed again by the interpreter's checked path, which is the authority on
// faults. Values travel as 32-bit halves (`lo`, `hi`) so that no BigInt is made per access.
// The interpreter fetches its instructions the same way.

import type { AccessKind } from '../access.js';
import type { Machine } from '../machine.js';

/**
 * No page: far enough below 0 that no address lies within 4 KiB of it. Not a small integer on
 * purpose: page addresses are made in doubles, and a field that starts as a small integer and
 * later holds a double changes its object's hidden class — V8 then throws away the compiled
 * translated code that relied on the old one, once per new board.
 */
const NO_PAGE = -(2 ** 53);

/**
 * The high half of no page: translated code compares an address's high half (an int32) with
 * it, and no int32 equals 2^32. A double, like NO_PAGE and for the same reason.
 */
const NO_HIGH_HALF = 2 ** 32;

/** One cached page: where its bytes are and for which access state it was granted. */
class PageGrant {
  page = NO_PAGE;
  /**
   * The page's address in 32-bit halves (`lo` as an int32), for translated code's page test
   * in integers. Both start as doubles so that their fields never change representation.
   */
  hi = NO_HIGH_HALF;
  lo = 0.5;
  view: DataView<ArrayBufferLike> = new DataView(new ArrayBuffer(0));
  /** The RAM chunk `view` shows. */
  bytes: Uint8Array | undefined;
  at = 0;
  generation = -1;
  /** PSTATE bits 3:0 (EL and SP) at the time of the grant. */
  mode = -1;

  forget(): void {
    this.page = NO_PAGE;
    this.hi = NO_HIGH_HALF;
  }
}

export class FastMemory {
  /** The value of the last successful load. */
  lo = 0;
  hi = 0;
  /** Set by translated code on its way out: instructions retired, and 1 when it stopped before one it could not complete. */
  retired = 0;
  bail = 0;
  /** Set on entry to translated code while an exclusive monitor is armed: stores go the checked way. */
  private storesChecked = false;

  /** The read and write grants, which translated code tests inline before calling load or store. */
  readonly read = new PageGrant();
  readonly write = new PageGrant();
  private readonly fetch = new PageGrant();

  constructor(private readonly machine: Machine) {}

  /** Forgets the write grant (a page has just become a code page). */
  revokeWrites(): void {
    this.write.forget();
  }

  private grant(grant: PageGrant, address: number, size: number, kind: AccessKind): boolean {
    if (!(address >= 0)) return false;
    const page = address - (address % 0x1000);
    if (kind === 'write' && this.machine.memory.codePages.has(page)) return false;
    if (!this.machine.pageAllowed(address, size, kind)) return false;
    const ram = this.machine.memory.ramPage(page);
    if (!ram) return false;
    grant.page = page;
    grant.hi = Math.floor(page / 2 ** 32);
    grant.lo = page % 2 ** 32 | 0;
    // A view per chunk, not per grant: pages used in turn would otherwise make one each time.
    if (grant.bytes !== ram.bytes) {
      grant.bytes = ram.bytes;
      grant.view = new DataView(ram.bytes.buffer, ram.bytes.byteOffset, ram.bytes.byteLength);
    }
    grant.at = ram.at | 0; // an offset in a chunk: kept a small integer (see NO_PAGE)
    grant.generation = this.machine.accessGeneration;
    grant.mode = this.machine.core.cpsr & 0xf;
    return true;
  }

  /** Where `size` bytes at `address` lie in the grant's view, or -1 when the checked path must do it. */
  private locate(g: PageGrant, address: number, size: number, kind: AccessKind): number {
    let offset = address - g.page;
    if (offset < 0 || offset > 0x1000 - size || g.generation !== this.machine.accessGeneration || g.mode !== (this.machine.core.cpsr & 0xf)) {
      if (!this.grant(g, address, size, kind)) return -1;
      offset = address - g.page;
    }
    return g.at + offset;
  }

  /**
   * Before translated code runs: drops the read and write grants if anything that decides
   * accesses changed since they were made. Translated code cannot change any of it (it leaves
   * MSR, ISB, exceptions and ERET to the interpreter), so its loads and stores then need only
   * check that the address lies in the granted page.
   */
  enterTranslated(storesChecked: boolean): void {
    this.storesChecked = storesChecked;
    const generation = this.machine.accessGeneration;
    const mode = this.machine.core.cpsr & 0xf;
    for (const g of [this.read, this.write]) {
      if (g.generation !== generation || g.mode !== mode) g.forget();
    }
    // Stores go the checked way while an exclusive monitor is armed: no inline write either.
    if (storesChecked) this.write.forget();
  }

  /** Where `size` bytes at `address` lie in a grant checked by enterTranslated, or -1 when the checked path must do it. */
  private locateTranslated(g: PageGrant, address: number, size: number, kind: AccessKind): number {
    let offset = address - g.page;
    if (offset < 0 || offset > 0x1000 - size) {
      if (!this.grant(g, address, size, kind)) return -1;
      offset = address - g.page;
    }
    return g.at + offset;
  }

  /** Loads `size` bytes (1, 2, 4 or 8) into lo/hi, zero-extended; false when the checked path must do it. */
  load(address: number, size: number): boolean {
    const at = this.locateTranslated(this.read, address, size, 'read');
    if (at < 0) return false;
    const v = this.read.view;
    if (size === 8) {
      this.lo = v.getUint32(at, true);
      this.hi = v.getUint32(at + 4, true);
    } else {
      this.lo = size === 4 ? v.getUint32(at, true) : size === 2 ? v.getUint16(at, true) : v.getUint8(at);
      this.hi = 0;
    }
    return true;
  }

  /**
   * The instruction word at `address`, for the interpreter's fetch; -1 when the checked path
   * must fetch it (it decides the fault). Saves the BigInt and the range lookup per step.
   */
  fetchWord(address: number): number {
    const at = this.locate(this.fetch, address, 4, 'fetch');
    return at < 0 ? -1 : this.fetch.view.getUint32(at, true);
  }

  /** Stores the low `size` bytes of hi:lo; false when the checked path must do it. */
  store(address: number, size: number, lo: number, hi: number): boolean {
    if (this.storesChecked) return false;
    const at = this.locateTranslated(this.write, address, size, 'write');
    if (at < 0) return false;
    const v = this.write.view;
    if (size === 8) {
      v.setUint32(at, lo, true);
      v.setUint32(at + 4, hi, true);
    } else if (size === 4) v.setUint32(at, lo, true);
    else if (size === 2) v.setUint16(at, lo, true);
    else v.setUint8(at, lo);
    return true;
  }
}
