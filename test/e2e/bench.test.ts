// The benchmark's quick mode runs in CI so that it cannot rot: it drives real gdb-multiarch
// and its own raw round-trip client against mpustub and the null stubs (and QEMU when
// installed) and must print its table. No timing is asserted here; docs/performance.md
// quotes full runs.

import { describe, expect, it } from 'vitest';
import { spawnSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

describe('npm run bench -- --quick', () => {
  it('prints one row per measured work item for every stub', () => {
    const json = join(mkdtempSync(join(tmpdir(), 'bench-')), 'bench.json');
    const run = spawnSync(process.execPath, [fileURLToPath(new URL('../../dist/tools/bench.js', import.meta.url)), '--quick', '--json', json], { encoding: 'utf8', timeout: 120_000 });
    expect(run.status, run.stderr).toBe(0);
    for (const row of ['connect + target description', 'write 256 KiB (restore)', 'read 256 KiB (dump)', 'single register read', 'single x/1xg', 'info registers system', 'raw m (8 bytes), median', 'raw m, p99', 'raw g, median', 'raw g, p99']) {
      expect(run.stdout).toContain(`| ${row}`);
    }
    expect(run.stdout).toMatch(/map service \d+ operations\/s/);
    expect(run.stdout).toMatch(/Load average \(1, 5, 15 min\): [\d.]+ [\d.]+ [\d.]+ before/);
    const figures = JSON.parse(readFileSync(json, 'utf8')) as { results: Record<string, Record<string, number>> };
    expect(Object.keys(figures.results)).toEqual(expect.arrayContaining(['mpustub', 'null stub']));
    expect(figures.results['mpustub']!['read_262144']).toBeGreaterThan(0);
    expect(figures.results['mpustub']!['raw_m']).toBeGreaterThan(0);
    expect(figures.results['null stub']!['raw_g']).toBeGreaterThan(0);
  }, 150_000);
});
