// The region-map page in a real browser: Debian's Chromium, headless, driven by playwright-core,
// loads the page from the built `mpustub serve` and watches it follow the board while map
// operations arrive over HTTP and from GDB (`monitor xen map`), MPU registers are written
// from GDB as code on the core would (`monitor core msr`, with and without DSB + ISB), an
// access is refused, the core runs with GDB attached, and the stub restarts under it.
// Screenshots go to test-results/page/ (a CI artefact), or to the directory named by
// MPUSTUB_PAGE_IMAGES: `npm run docs:page` refreshes docs/images/ that way.

import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import { fileURLToPath } from 'node:url';
import type { Page } from 'playwright-core';
import { chromiumAvailable, launchBrowser, type BrowserSession } from '../support/browser.js';
import { requireGdb } from '../support/gdb.js';
import { runGdbCommands, startGdbCommands } from '../support/gdbBatch.js';
import { CLI, startStubProcess, type StubProcess } from '../support/stubProcess.js';

const IMAGES = resolve(process.env['MPUSTUB_PAGE_IMAGES'] ?? fileURLToPath(new URL('../../test-results/page/', import.meta.url)));
const QUIRK_BOARD = fileURLToPath(new URL('../../docs/scenarios/board-64.json', import.meta.url));
const QUIRK_SCENARIO = fileURLToPath(new URL('../../docs/scenarios/upstream-disable-quirk.json', import.meta.url));
/** The page reads the board every 500 ms; anything it shows must be there well within this. */
const UPDATE_MS = 5_000;

const hasBrowser = chromiumAvailable();

async function post(stub: StubProcess, op: string, body: Record<string, unknown>): Promise<{ rc: number; index: number | null }> {
  const response = await fetch(`${stub.apiUrl!}/v1/${op}`, { method: 'POST', headers: { 'Content-Type': 'application/json' }, body: JSON.stringify(body) });
  expect(response.status).toBe(200);
  return (await response.json()) as { rc: number; index: number | null };
}

async function gdb(stub: StubProcess, commands: readonly string[]): Promise<string> {
  const run = await runGdbCommands(stub.port, commands);
  expect(run.code, run.output).toBe(0);
  return run.output;
}

/** The whole page, or only the maps (smaller pictures where the panels add nothing). */
async function shot(page: Page, name: string, what: 'page' | 'maps' = 'page'): Promise<void> {
  // Wait for one more board read, so that the picture shows a settled page.
  await page.waitForTimeout(600);
  if (what === 'maps') await page.locator('#maps').screenshot({ path: `${IMAGES}/${name}` });
  else await page.screenshot({ path: `${IMAGES}/${name}`, fullPage: true });
}

const visible = (page: Page, selector: string): Promise<unknown> => page.waitForSelector(selector, { timeout: UPDATE_MS });

describe.skipIf(!hasBrowser)('the region-map page in Chromium', () => {
  let browser: BrowserSession;
  let stub: StubProcess;

  beforeAll(async () => {
    requireGdb();
    mkdirSync(IMAGES, { recursive: true });
    browser = await launchBrowser();
    stub = await startStubProcess();
  });

  afterAll(async () => {
    await browser?.close();
    await stub?.stop();
  });

  it('loads from the API and follows operations over HTTP and from GDB', async () => {
    const { page } = browser;
    await page.goto(`${stub.apiUrl!}/`);
    await visible(page, '#connection[data-state="live"]');
    // The default boot: 11 EL2 regions, in the hardware and in the shadow.
    await expect.poll(() => page.locator('#el2-view g.region.effective').count(), { timeout: UPDATE_MS }).toBe(11);
    expect(await page.locator('#el2-view g.shadow-entry').count()).toBe(11);
    expect(await page.locator('#el2-view .diff-none').count()).toBe(1);
    // The 4 KiB UART and the 2 GiB of DRAM are both there to see.
    const uart = await page.locator('#el2-view g.memory[data-memory="uart0"] rect').boundingBox();
    const dram = await page.locator('#el2-view g.memory[data-memory="dram"] rect').boundingBox();
    expect(uart!.width).toBeGreaterThanOrEqual(14);
    expect(dram!.width).toBeGreaterThan(uart!.width * 4);
    expect(await page.locator('#el1-view rect.mpu-off').count()).toBe(1);

    const mapped = await post(stub, 'map', { virt: '0x30000000', mfn: '0x30000', nr: 16, flags: 'PAGE_HYPERVISOR_RW' });
    expect(mapped).toMatchObject({ rc: 0, index: 11 });
    await visible(page, '#el2-view g.region.effective[data-region="11"]');
    await visible(page, '#el2-view g.shadow-entry[data-region="11"]');
    await expect.poll(() => page.locator('#oplog-list li.ok').first().textContent(), { timeout: UPDATE_MS }).toContain('rc 0: inserted, entry 11');

    const refused = await post(stub, 'update', { base: '0x30008000', limit: '0x30018000', flags: 'PAGE_HYPERVISOR_RW' });
    expect(refused.rc).toBe(-22);
    await expect.poll(() => page.locator('#oplog-list li.refused').first().textContent(), { timeout: UPDATE_MS }).toContain(
      '(XEN) Range 0x00000030008000 - 0x00000030018000 overlaps with the existing region 0x00000030000000 - 0x00000030010000',
    );
    expect(await page.locator('#oplog-list li.refused').first().textContent()).toContain('rc -22 (EINVAL): refused');
    await expect.poll(() => page.locator('#last-error-body').textContent(), { timeout: UPDATE_MS }).toContain('rc -22 (EINVAL)');

    const out = await gdb(stub, ['monitor xen map 0x40000000 0x40000 16 PAGE_HYPERVISOR_RO']);
    expect(out).toContain('rc 0: inserted, entry 12');
    await visible(page, '#el2-view g.region.effective[data-region="12"]');
    await expect.poll(() => page.locator('#oplog-list li.ok').first().textContent(), { timeout: UPDATE_MS }).toContain('entry 12');

    // Hover: the region's registers decoded; click: its history, or what the page saw of it.
    await page.locator('#el2-view g.region.effective[data-region="11"]').hover();
    await expect.poll(() => page.locator('#details-body').textContent(), { timeout: UPDATE_MS }).toContain('PRBAR 0x30000032: BASE 0x30000000, SH 3 (inner shareable), AP 0 (RW EL2), XN 1');
    expect(await page.locator('#details-body').textContent()).toContain('AttrIndx 7 (MAIR 0xff: Normal WB RW-alloc)');
    // The stub keeps an MPU history: the map service's writes to region 11, with who made them.
    await page.locator('#el2-view g.region.effective[data-region="11"]').click();
    await visible(page, '#history-body .history-entries');
    await expect.poll(() => page.locator('#history-body').textContent(), { timeout: UPDATE_MS }).toMatch(/map service[\s\S]*PRLAR/);
    expect(await page.locator('#el2-view g.selected[data-region="11"]').count()).toBeGreaterThan(0);
    await shot(page, 'page-overview.png');
    expect(browser.errors).toEqual([]);
  }, 90_000);

  it('hatches a region programmed without DSB + ISB, then marks the overlap and the disagreement', async () => {
    const { page } = browser;
    await gdb(stub, ['monitor core msr PRSELR_EL2 20', 'monitor core msr PRBAR_EL2 0x50000032', 'monitor core msr PRLAR_EL2 0x5001ffcf']);
    await visible(page, '#el2-view g.region.pending[data-region="20"]');
    expect(await page.locator('#el2-view g.region.effective[data-region="20"]').count()).toBe(0);
    // The shadow does not know region 20: the diff says so as soon as it is programmed.
    await visible(page, '#el2-view g.diff-marker.effective[data-region="20"][data-kind="enabled-in-hardware-only"]');
    await shot(page, 'page-pending.png', 'maps');

    await gdb(stub, ['monitor core msr PRSELR_EL2 21', 'monitor core msr PRBAR_EL2 0x50010032', 'monitor core msr PRLAR_EL2 0x5002ffcf', 'monitor core dsb', 'monitor core isb']);
    await visible(page, '#el2-view rect.overlap[data-regions="20,21"]');
    expect(await page.locator('#el2-view g.region.pending').count()).toBe(0);
    expect(await page.locator('#el2-view g.region.effective[data-region="21"]').count()).toBe(1);
    expect(await page.locator('#el2-view g.diff-marker.effective').count()).toBe(2);
    await shot(page, 'page-overlap.png', 'maps');
    expect(browser.errors).toEqual([]);
  }, 60_000);

  it('marks the last refused access with its rule and syndrome', async () => {
    const { page } = browser;
    // GDB exits 1 in batch mode when a command fails, as this read must.
    const { output } = await runGdbCommands(stub.port, ['x/1gx 0x50010000']);
    expect(output).toContain('Cannot access memory at address 0x50010000');
    await visible(page, '#el2-view g.fault-marker[data-rule="multiple-regions"][data-address="0x50010000"]');
    const panel = await page.locator('#fault-body').textContent();
    expect(panel).toContain('multiple-regions (regions 20, 21)');
    expect(panel).toMatch(/ESR_EL2\s*0x9600000c: EC=0x25 \(data abort taken without a change of EL\)/);
    await shot(page, 'page-fault.png');
    expect(browser.errors).toEqual([]);
  }, 60_000);

  it('draws the same map as `mpustub regions --svg`, which the browser reads as SVG', async () => {
    const { page } = browser;
    const file = join(mkdtempSync(join(tmpdir(), 'mpustub-page-svg-')), 'regions.svg');
    const run = spawnSync(process.execPath, [CLI, 'regions', '--api', stub.apiUrl!, '--svg', file], { encoding: 'utf8', timeout: 15_000 });
    expect(run.status, run.stderr).toBe(0);
    const svg = await browser.context.newPage();
    try {
      await svg.goto(pathToFileURL(file).href);
      expect(await svg.evaluate(() => (globalThis as unknown as { document: { documentElement: { namespaceURI: string } } }).document.documentElement.namespaceURI)).toBe('http://www.w3.org/2000/svg');
      for (const selector of ['g.region.effective', 'g.shadow-entry', 'g.diff-marker', 'rect.overlap', 'g.fault-marker']) {
        expect(await svg.locator(selector).count(), selector).toBe(await page.locator(`#maps ${selector}`).count());
      }
    } finally {
      await svg.close();
    }
  }, 60_000);

  it('shows the background region and the EL1&0 MPU', async () => {
    const { page } = browser;
    const sctlr = /SCTLR_EL2 = (0x[0-9a-f]+)/.exec(await gdb(stub, ['monitor reg SCTLR_EL2']))![1]!;
    const sctlrEl1 = /SCTLR_EL1 = (0x[0-9a-f]+)/.exec(await gdb(stub, ['monitor reg SCTLR_EL1']))![1]!;
    await gdb(stub, [
      `monitor core msr SCTLR_EL2 ${'0x' + (BigInt(sctlr) | (1n << 17n)).toString(16)}`,
      'monitor core msr PRSELR_EL1 0',
      'monitor core msr PRBAR_EL1 0x10000006',
      'monitor core msr PRLAR_EL1 0x1fffffc3',
      'monitor core msr PRSELR_EL1 1',
      'monitor core msr PRBAR_EL1 0x9c090002',
      'monitor core msr PRLAR_EL1 0x9c090fc1',
      'monitor core msr MAIR_EL1 0xff00',
      `monitor core msr SCTLR_EL1 ${'0x' + (BigInt(sctlrEl1) | 1n).toString(16)}`,
      'monitor core dsb',
      'monitor core isb',
    ]);
    await visible(page, '#el2-view rect.background-region');
    await visible(page, '#el1-view g.region.effective[data-regime="el1"][data-region="0"]');
    expect(await page.locator('#el1-view rect.mpu-off').count()).toBe(0);
    await page.locator('#el1-view g.region.effective[data-region="0"]').hover();
    await expect.poll(() => page.locator('#details-body').textContent(), { timeout: UPDATE_MS }).toContain('AP 1 (RW EL1 and EL0)');
    await shot(page, 'page-el1.png', 'maps');
    expect(browser.errors).toEqual([]);
  }, 60_000);

  it('keeps following the board while the core runs with GDB attached', async () => {
    const { page } = browser;
    // `b .` at 0x1000 (region 0 is executable), written past the MPU; the core spins there
    // until a refused map operation stops it for GDB (monitor xen catch, on by default).
    const session = startGdbCommands(stub.port, ['monitor mpu bypass on', 'set {unsigned int}0x1000 = 0x14000000', 'set $pc = 0x1000', 'monitor mpu bypass off', 'continue']);
    await visible(page, '#core-state[data-running="true"]');
    const mapped = await post(stub, 'map', { virt: '0x60000000', mfn: '0x60000', nr: 16, flags: 'PAGE_HYPERVISOR_RW' });
    expect(mapped.rc).toBe(0);
    await visible(page, `#el2-view g.region.effective[data-region="${mapped.index}"]`);
    expect(await page.locator('#core-state').getAttribute('data-running')).toBe('true');
    const refused = await post(stub, 'destroy', { start: '0x60000000', end: '0x60008000' });
    expect(refused.rc).toBe(-22);
    const run = await session.done;
    expect(run.output).toContain('SIGTRAP');
    await visible(page, '#core-state[data-running="false"]');
    await expect.poll(() => page.locator('#oplog-list li.refused').first().textContent(), { timeout: UPDATE_MS }).toContain('Cannot remove a partial region');
    expect(browser.errors).toEqual([]);
  }, 90_000);

  it('shows upstream\'s disable quirk as a disagreement between the shadow and the MPU', async () => {
    const quirk = await startStubProcess(['--board', QUIRK_BOARD, '--scenario', QUIRK_SCENARIO]);
    const other = await browser.context.newPage();
    try {
      await other.goto(`${quirk.apiUrl!}/`);
      await visible(other, '#el2-view g.diff-marker.effective[data-region="33"][data-kind="enabled-in-hardware-only"]');
      // Region 33 is still enforced by the MPU, and the shadow has no entry for it.
      expect(await other.locator('#el2-view g.region.effective[data-region="33"]').count()).toBe(1);
      expect(await other.locator('#el2-view g.shadow-entry[data-region="33"]').count()).toBe(0);
      expect(await other.locator('#el2-view g.region.disagrees[data-region="33"]').count()).toBe(1);
      await shot(other, 'page-quirk.png', 'maps');
    } finally {
      await other.close();
      await quirk.stop();
    }
    expect(browser.errors).toEqual([]);
  }, 60_000);

  it('reconnects to a restarted stub without a reload', async () => {
    const { page } = browser;
    const apiPort = Number(new URL(stub.apiUrl!).port);
    await page.evaluate(() => {
      (globalThis as unknown as { notReloaded?: boolean }).notReloaded = true;
    });
    await stub.stop();
    await visible(page, '#connection[data-state="reconnecting"]');
    stub = await startStubProcess(['--api-port', String(apiPort), '--scenario', 'none']);
    await page.waitForSelector('#connection[data-state="live"]', { timeout: 15_000 });
    // The new stub starts from reset: no region, MPU off.
    await visible(page, '#el2-view rect.mpu-off');
    expect(await page.locator('#el2-view g.region').count()).toBe(0);
    const updated = await post(stub, 'update', { base: '0x100000', limit: '0x200000', flags: 'PAGE_HYPERVISOR_RW' });
    expect(updated).toMatchObject({ rc: 0, index: 0 });
    await visible(page, '#el2-view g.region.pending[data-region="0"], #el2-view g.region.effective[data-region="0"]');
    await expect.poll(() => page.locator('#oplog-list').textContent(), { timeout: UPDATE_MS }).toContain('operation numbers started again at #1');
    expect(await page.locator('#oplog-list').textContent()).toContain('reconnected to the event stream');
    expect(await page.evaluate(() => (globalThis as unknown as { notReloaded?: boolean }).notReloaded)).toBe(true);
    // While the stub was down, the browser logged the refused connections; nothing else failed.
    expect(browser.errors.filter((e) => !e.includes('ERR_CONNECTION_REFUSED'))).toEqual([]);
  }, 60_000);
});
