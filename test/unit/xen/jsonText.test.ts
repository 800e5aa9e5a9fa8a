// JSON text as people write it, in scenario files and request bodies: a syntax error names its
// line and column (V8 gives a character offset, or no position at all for an unexpected
// token), and a leading UTF-8 byte order mark is skipped rather than refused.

import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { JsonTextError, parseJsonText, syntaxErrorOffset } from '../../../src/xen/jsonText.js';
import { loadScenarioFile } from '../../../src/xen/scenario.js';

function located(text: string): string {
  try {
    parseJsonText(text);
  } catch (err) {
    expect(err).toBeInstanceOf(JsonTextError);
    return (err as Error).message;
  }
  throw new Error('parsed');
}

describe('parseJsonText', () => {
  const scenario = ['{', '  "operations": [', '    { "op": "update", "base": "0x0", "limit": "0x1000", "flags": PAGE_HYPERVISOR_RW }', '  ]', '}'].join('\n');

  it('locates an unquoted flag name (V8 gives no position) by line and column', () => {
    expect(located(scenario)).toMatch(/^line 3, column 66: Unexpected token 'P'/);
  });

  const cases: Array<[string, string, RegExp]> = [
    ['trailing comma', '{\n  "a": 1,\n}', /^line 3, column 1: Expected double-quoted property name$/],
    ['missing comma', '{\n  "a": 1\n  "b": 2\n}', /^line 3, column 3: Expected ',' or '}' after property value$/],
    ['CRLF line ends', '{\r\n  "a": 1\r\n  "b": 2\r\n}', /^line 3, column 3: /],
    ['truncated file', '{\n  "a": [1, 2', /^line 2, column 13: Expected ',' or ']' after array element$/],
    ['file cut short', '{\n  "a": tr', /^line 2, column 10: Unexpected end of JSON input$/],
    ['empty text', '', /^line 1, column 1: Unexpected end of JSON input$/],
    ['text after the value', '{}\n\nx', /^line 3, column 1: Unexpected non-whitespace character after JSON$/],
    ['unterminated string', '{"a": "x', /^line 1, column 9: Unterminated string$/],
  ];
  for (const [name, text, message] of cases) {
    it(`reports a ${name} as line and column`, () => {
      const got = located(text);
      expect(got).toMatch(message);
      expect(got).not.toMatch(/position/);
    });
  }

  it('skips a leading UTF-8 byte order mark, and only a leading one', () => {
    expect(parseJsonText('\ufeff{"a": 1}')).toEqual({ a: 1 });
    expect(located('{"a":\ufeff 1}')).toMatch(/^line 1, column 6: Unexpected token/);
  });

  it('finds the same offset as V8 wherever V8 states one, and the unexpected token where it does not', () => {
    const valid = fc.json({ maxDepth: 3 }).filter((t) => t.length > 0);
    const edit = fc.tuple(fc.nat(), fc.constantFrom('insert', 'delete', 'truncate'), fc.constantFrom(...'{}[],:"\\ntfu019-+.eE xP\u0001'));
    fc.assert(
      fc.property(valid, fc.array(edit, { minLength: 1, maxLength: 3 }), (seed, edits) => {
        let text = seed;
        for (const [at, kind, c] of edits) {
          const p = at % (text.length + 1);
          text = kind === 'insert' ? text.slice(0, p) + c + text.slice(p) : kind === 'delete' ? text.slice(0, p) + text.slice(p + 1) : text.slice(0, p);
        }
        let message: string | null = null;
        try {
          JSON.parse(text);
        } catch (err) {
          message = (err as Error).message;
        }
        const offset = syntaxErrorOffset(text);
        if (message === null) return offset === -1;
        const stated = / at position (\d+)/.exec(message);
        if (stated) return offset === Number(stated[1]);
        const token = /^Unexpected token '(.)'/su.exec(message);
        if (token) return text[offset] === token[1];
        return /Unexpected end of JSON input/.test(message) && offset === text.length;
      }),
      { numRuns: 3000, seed: 20_250_601 },
    );
  });
});

describe('scenario files', () => {
  const dir = mkdtempSync(join(tmpdir(), 'mpustub-json-'));
  const write = (name: string, text: string): string => {
    const file = join(dir, name);
    writeFileSync(file, text);
    return file;
  };

  it('report a syntax error as line and column, not a character offset', () => {
    const file = write('bad.json', '{\n  "name": "x",\n  "operations": [\n    { "op": "update", "base": "0x0" "limit": "0x1000" }\n  ]\n}\n');
    expect(() => loadScenarioFile(file)).toThrow(`scenario ${file} is not JSON: line 4, column 37: Expected ',' or '}' after property value`);
  });

  it('load with a leading UTF-8 byte order mark', () => {
    const file = write('bom.json', '\ufeff{"name": "bom", "operations": [{"op": "update", "base": "0x0", "limit": "0x1000", "flags": "PAGE_HYPERVISOR_RW"}]}');
    expect(loadScenarioFile(file)).toMatchObject({ name: 'bom', operations: [{ op: 'update', base: 0n, limit: 0x1000n }] });
  });
});
