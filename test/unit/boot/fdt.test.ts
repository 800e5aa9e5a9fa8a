// The flattened device tree writer against dtc: what dtc decompiles from our blob is the tree
// we built, value for value, with no warning; dtc compiling that source back gives our blob
// byte for byte (the same block order, alignment, string table and header); the header check
// of a user's blob; and the names and values the writer refuses.

import { describe, expect, it } from 'vitest';
import { FdtNode, fdtTotalSize, fdtValue, writeFdt } from '../../../src/boot/fdt.js';
import { decompile, recompile } from '../../support/dtc.js';

function sampleTree(): FdtNode {
  const root = new FdtNode('');
  root.set('#address-cells', fdtValue.cells(2)).set('#size-cells', fdtValue.cells(2)).set('model', fdtValue.string('sample'));
  root.child('chosen').set('bootargs', fdtValue.string('console=dtuart a="b c"')).set('empty-string', fdtValue.string(''));
  const soc = root.child('soc');
  soc.set('#address-cells', fdtValue.cells(2)).set('#size-cells', fdtValue.cells(2)).set('ranges', fdtValue.empty());
  soc.set('flag', fdtValue.empty()).set('list', fdtValue.strings('one', 'two', 'three'));
  soc.child('dev@1000').set('reg', fdtValue.cells64(0x1000, 0x1_0000_0000n)).set('odd', Uint8Array.of(1, 2, 3));
  return root;
}

describe('FDT writer', () => {
  it('writes a blob dtc reads back as the tree built, without warnings', () => {
    const blob = writeFdt(sampleTree(), { reservations: [{ address: 0x8000_0000n, size: 0x1000n }] });
    const { nodes, warnings, dts } = decompile(blob);
    expect(warnings).toBe('');
    expect(dts).toContain('/memreserve/\t0x0000000080000000 0x0000000000001000;');
    expect(nodes.get('/')).toEqual(new Map([['#address-cells', '<0x02>'], ['#size-cells', '<0x02>'], ['model', '"sample"']]));
    expect(nodes.get('/chosen')).toEqual(new Map([['bootargs', '"console=dtuart a=\\"b c\\""'], ['empty-string', '[00]']]));
    expect(nodes.get('/soc')).toEqual(new Map([['#address-cells', '<0x02>'], ['#size-cells', '<0x02>'], ['ranges', ''], ['flag', ''], ['list', '"one\\0two\\0three"']]));
    expect(nodes.get('/soc/dev@1000')).toEqual(new Map([['reg', '<0x00 0x1000 0x01 0x00>'], ['odd', '[01 02 03]']]));
  });

  it('lays the blob out as dtc does: dtc compiling the decompiled source gives the same bytes', () => {
    for (const reservations of [[], [{ address: 0x4000_0000n, size: 0x20_0000n }]]) {
      const blob = writeFdt(sampleTree(), { reservations });
      expect(Buffer.from(recompile(decompile(blob).dts)).equals(Buffer.from(blob))).toBe(true);
    }
  });

  it('puts version 17 in the header, the reservations 8-byte aligned and the structure 4-byte aligned', () => {
    const blob = writeFdt(sampleTree(), { bootCpuId: 0x101 });
    const view = new DataView(blob.buffer);
    expect(view.getUint32(0)).toBe(0xd00dfeed);
    expect(view.getUint32(4)).toBe(blob.length);
    expect(view.getUint32(16) % 8).toBe(0);
    expect(view.getUint32(8) % 4).toBe(0);
    expect([view.getUint32(20), view.getUint32(24), view.getUint32(28)]).toEqual([17, 16, 0x101]);
    expect(fdtTotalSize(blob)).toBe(blob.length);
  });

  it('refuses what a reader could not take', () => {
    expect(() => new FdtNode('no spaces')).toThrow('not a valid node name');
    expect(() => new FdtNode('a'.repeat(32))).toThrow('not a valid node name');
    expect(() => new FdtNode('x').set('bad name', fdtValue.empty())).toThrow('not a valid property name');
    expect(() => new FdtNode('x').set('p', fdtValue.empty()).set('p', fdtValue.empty())).toThrow('two "p" properties');
    const node = new FdtNode('x');
    node.child('c');
    expect(() => node.child('c')).toThrow('two children "c"');
    expect(() => fdtValue.cells(0x1_0000_0000)).toThrow('does not fit a 32-bit cell');
    expect(() => fdtValue.string('a\0b')).toThrow('NUL');
  });

  it('checks the header of a blob it is given', () => {
    const blob = writeFdt(sampleTree());
    expect(() => fdtTotalSize(new Uint8Array(8))).toThrow('too few for a device tree header');
    expect(() => fdtTotalSize(new Uint8Array(64))).toThrow('not a flattened device tree (magic 0x0, expected 0xd00dfeed)');
    expect(() => fdtTotalSize(blob.subarray(0, blob.length - 1))).toThrow('does not fit');
    const padded = new Uint8Array(blob.length + 100);
    padded.set(blob);
    expect(fdtTotalSize(padded)).toBe(blob.length);
  });
});
