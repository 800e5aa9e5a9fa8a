// `mpustub regions --svg FILE`: the region map without a browser, drawn by the same geometry
// as the page (src/view/), from a running stub's GET /v1/board. With MPUSTUB_PAGE_IMAGES set
// (`npm run docs:page`) the drawing is also kept there as regions.svg for the documentation.

import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { spawnSync } from 'node:child_process';
import { copyFileSync, mkdirSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { CLI, startStubProcess, type StubProcess } from '../support/stubProcess.js';

function mpustub(...args: string[]): { status: number | null; stdout: string; stderr: string } {
  const run = spawnSync(process.execPath, [CLI, ...args], { encoding: 'utf8', timeout: 15_000 });
  return { status: run.status, stdout: run.stdout, stderr: run.stderr };
}

const count = (text: string, pattern: RegExp): number => text.match(pattern)?.length ?? 0;

describe('mpustub regions --svg', () => {
  let stub: StubProcess;
  let dir: string;

  beforeAll(async () => {
    stub = await startStubProcess();
    dir = mkdtempSync(join(tmpdir(), 'mpustub-svg-'));
  });

  afterAll(async () => {
    await stub.stop();
    rmSync(dir, { recursive: true, force: true });
  });

  it('writes the map of both MPUs, the shadow and the legend as one SVG document', async () => {
    const response = await fetch(`${stub.apiUrl!}/v1/map`, {
      method: 'POST',
      headers: { 'Content-Type': 'application/json' },
      body: JSON.stringify({ virt: '0x30000000', mfn: '0x30000', nr: 16, flags: 'PAGE_HYPERVISOR_RW' }),
    });
    expect(response.status).toBe(200);
    const file = join(dir, 'map.svg');
    const run = mpustub('regions', '--api', stub.apiUrl!, '--svg', file);
    expect(run.stderr).toBe('');
    expect(run.status).toBe(0);
    expect(run.stdout).toBe(`region map written to ${file}\n`);
    const svg = readFileSync(file, 'utf8');
    expect(svg.startsWith('<?xml version="1.0" encoding="UTF-8"?>\n<svg xmlns="http://www.w3.org/2000/svg" width="1400"')).toBe(true);
    expect(svg.trimEnd().endsWith('</svg>')).toBe(true);
    // The default boot's 11 regions and the one just mapped, in the MPU and in the shadow.
    expect(count(svg, /<g class="region effective" data-regime="el2"/g)).toBe(12);
    expect(count(svg, /<g class="shadow-entry" /g)).toBe(12);
    expect(svg).toContain('data-region="11"');
    expect(svg).toContain('shadow and MPU registers agree');
    expect(svg).toContain('<title>MPU region map of cortex-r82-fvp</title>');
    expect(svg).toContain('PRBAR 0x30000032: BASE 0x30000000');
    expect(svg).toContain('class="mpu-off"');
    expect(svg).toContain('class="legend-item"');
    // Every element opened is closed: a crude check that the document is well formed.
    expect(count(svg, /<g[ >]/g)).toBe(count(svg, /<\/g>/g));
    const images = process.env['MPUSTUB_PAGE_IMAGES'];
    if (images !== undefined) {
      mkdirSync(resolve(images), { recursive: true });
      copyFileSync(file, resolve(images, 'regions.svg'));
    }
  });

  it('writes to standard output with "-", at the width asked for', () => {
    const run = mpustub('regions', '--api', stub.apiUrl!, '--svg', '-', '--width', '900');
    expect(run.status).toBe(0);
    expect(run.stdout).toMatch(/^<\?xml[^\n]*\n<svg xmlns="http:\/\/www\.w3\.org\/2000\/svg" width="900"/);
  });

  it('says what went wrong: a width out of range, a file it cannot write, no stub', () => {
    const width = mpustub('regions', '--api', stub.apiUrl!, '--svg', '-', '--width', '10');
    expect(width.status).toBe(2);
    expect(width.stderr).toContain('a width is a number of pixels from 400 to 20000');
    const unwritable = mpustub('regions', '--api', stub.apiUrl!, '--svg', join(dir, 'no-such-dir', 'map.svg'));
    expect(unwritable.status).toBe(2);
    expect(unwritable.stderr).toContain('cannot write');
    expect(unwritable.stderr).toContain('ENOENT');
    const away = mpustub('regions', '--api', 'http://127.0.0.1:9', '--svg', join(dir, 'x.svg'), '--timeout', '2');
    expect(away.status).toBe(2);
    expect(away.stderr).toContain('cannot reach the map service');
  });
});
