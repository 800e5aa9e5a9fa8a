// The names the stub gives to code addresses in what it prints (MPU catch lines, the MPU
// history, vector catch): symbols of the kernel named by `--kernel`, or those a debugger
// hands over with `monitor symbols add` (gdbscripts/mpustub.py's `mpu symbols` reads them on
// the debugger's side). The stub never opens a file a debugger names.

import type { SymbolKind } from '../elf/elf64.js';

export interface TableSymbol {
  readonly name: string;
  readonly address: number;
  /** Exclusive end of the symbol's extent (at least address + 1). */
  readonly end: number;
  readonly kind: SymbolKind;
  readonly global: boolean;
}

export interface SymbolMatch {
  readonly symbol: TableSymbol;
  readonly offset: number;
}

/** At most this many symbols are kept: a Xen build has about 10 000. */
export const MAX_SYMBOLS = 1_000_000;

/** Functions name code better than labels, labels better than data; globals better than locals. */
const rank = (s: TableSymbol): number => (s.kind === 'function' ? 4 : s.kind === 'label' ? 2 : 0) + (s.global ? 1 : 0);

export class SymbolTable {
  /** Every symbol, by where it came from ("kernel FILE", "debugger"). */
  private readonly bySource = new Map<string, TableSymbol[]>();
  /** All of them sorted by address, rebuilt on the first lookup after a change. */
  private symbols: TableSymbol[] = [];
  private stale = false;
  /** The largest extent, which bounds how far back a lookup must look. */
  private widest = 0;

  get size(): number {
    let n = 0;
    for (const list of this.bySource.values()) n += list.length;
    return n;
  }

  /** How many symbols came from each source, for `monitor symbols`. */
  get origins(): ReadonlyMap<string, number> {
    return new Map([...this.bySource].map(([source, list]) => [source, list.length]));
  }

  /** Adds symbols; `source` says where they came from. */
  add(symbols: readonly TableSymbol[], source: string): void {
    if (this.size + symbols.length > MAX_SYMBOLS) throw new RangeError(`at most ${MAX_SYMBOLS} symbols are kept`);
    const list = this.bySource.get(source) ?? [];
    list.push(...symbols);
    this.bySource.set(source, list);
    this.stale = true;
  }

  /** The symbols of `source` become `symbols` (a kernel placed again after `run`). */
  replace(source: string, symbols: readonly TableSymbol[]): void {
    this.bySource.delete(source);
    this.add(symbols, source);
  }

  /** Forgets every symbol, or only those of `source`. */
  clear(source?: string): void {
    if (source === undefined) this.bySource.clear();
    else this.bySource.delete(source);
    this.stale = true;
  }

  private rebuild(): void {
    this.symbols = [...this.bySource.values()].flat().sort((a, b) => a.address - b.address);
    this.widest = this.symbols.reduce((w, s) => Math.max(w, s.end - s.address), 0);
    this.stale = false;
  }

  /** The innermost symbol whose extent holds `address` (the best named one when several start there). */
  lookup(address: bigint | number): SymbolMatch | undefined {
    if (this.stale) this.rebuild();
    if (this.symbols.length === 0) return undefined;
    const at = Number(address);
    // The last symbol starting at or before `at`, then back while an earlier one may still cover it.
    let lo = 0;
    let hi = this.symbols.length;
    while (lo < hi) {
      const mid = (lo + hi) >> 1;
      if (this.symbols[mid]!.address <= at) lo = mid + 1;
      else hi = mid;
    }
    let best: TableSymbol | undefined;
    for (let i = lo - 1; i >= 0; i--) {
      const s = this.symbols[i]!;
      if (best && s.address < best.address) break;
      if (at - s.address >= this.widest) break;
      if (at < s.end && (!best || rank(s) > rank(best))) best = s;
    }
    return best ? { symbol: best, offset: at - best.address } : undefined;
  }

  /** `name+0x10`, `name`, or undefined when no symbol covers the address. */
  describe(address: bigint | number): string | undefined {
    const match = this.lookup(address);
    if (!match) return undefined;
    return match.offset === 0 ? match.symbol.name : `${match.symbol.name}+0x${match.offset.toString(16)}`;
  }

  /** `0x40 <name+0x4>` or `0x40`. */
  formatAddress(address: bigint | number): string {
    const name = this.describe(address);
    return `0x${address.toString(16)}${name ? ` <${name}>` : ''}`;
  }
}
