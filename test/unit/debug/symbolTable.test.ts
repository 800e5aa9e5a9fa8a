// Naming code addresses: the innermost symbol that covers an address, functions preferred to
// labels and globals to locals where several start together, nothing outside every extent.

import { describe, expect, it } from 'vitest';
import { SymbolTable, type TableSymbol } from '../../../src/debug/symbolTable.js';

const sym = (name: string, address: number, end: number, kind: TableSymbol['kind'] = 'function', global = true): TableSymbol => ({ name, address, end, kind, global });

describe('SymbolTable', () => {
  it('names an address by the innermost symbol covering it, with its offset', () => {
    const table = new SymbolTable();
    table.add([sym('outer', 0x100, 0x200), sym('inner', 0x140, 0x150, 'label'), sym('next', 0x200, 0x240)], 'test');
    expect(table.describe(0x100)).toBe('outer');
    expect(table.describe(0x144)).toBe('inner+0x4');
    expect(table.describe(0x150)).toBe('outer+0x50');
    expect(table.describe(0x23c)).toBe('next+0x3c');
    expect(table.describe(0x240)).toBeUndefined();
    expect(table.describe(0x80)).toBeUndefined();
    expect(table.formatAddress(0x144n)).toBe('0x144 <inner+0x4>');
    expect(table.formatAddress(0x80n)).toBe('0x80');
  });

  it('prefers a function to a label and a global to a local at the same address', () => {
    const table = new SymbolTable();
    table.add([sym('local_label', 0x40, 0x80, 'label', false), sym('global_func', 0x40, 0x80), sym('data', 0x40, 0x80, 'object')], 'test');
    expect(table.describe(0x48)).toBe('global_func+0x8');
  });

  it('counts symbols by origin and forgets them all on clear', () => {
    const table = new SymbolTable();
    table.add([sym('a', 0, 4)], 'kernel a.elf');
    table.add([sym('b', 4, 8), sym('c', 8, 12)], 'debugger');
    expect(table.size).toBe(3);
    expect([...table.origins]).toEqual([['kernel a.elf', 1], ['debugger', 2]]);
    table.clear();
    expect(table.size).toBe(0);
    expect(table.describe(0)).toBeUndefined();
  });

  it('replaces the symbols of one origin and keeps the others', () => {
    const table = new SymbolTable();
    table.add([sym('old_entry', 0, 4)], 'kernel k.elf');
    table.add([sym('from_gdb', 0x10, 0x14)], 'debugger');
    table.replace('kernel k.elf', [sym('new_entry', 0, 4)]);
    expect(table.describe(0)).toBe('new_entry');
    expect(table.describe(0x10)).toBe('from_gdb');
    expect(table.size).toBe(2);
  });

  it('finds symbols among many, added in any order', () => {
    const table = new SymbolTable();
    const many = Array.from({ length: 5000 }, (_, i) => sym(`f${i}`, i * 0x20, i * 0x20 + 0x18));
    table.add(many.reverse(), 'test');
    expect(table.describe(0x20 * 4321 + 0x10)).toBe('f4321+0x10');
    expect(table.describe(0x20 * 4321 + 0x18)).toBeUndefined();
  });
});
