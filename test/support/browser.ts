// Debian's Chromium driven headless by playwright-core, for the region-map page tests. No
// browser is ever downloaded: playwright-core only speaks to the executable given. Under CI a
// missing Chromium fails the tests (.ci/run installs it); elsewhere they are skipped with a
// note, as the LLDB tests are.

import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { chromium, type BrowserContext, type Page } from 'playwright-core';

export const CHROMIUM = process.env['MPUSTUB_CHROMIUM'] ?? '/usr/bin/chromium';

/** True when Chromium runs here; throws when it does not and CI is set. */
export function chromiumAvailable(): boolean {
  const probe = spawnSync(CHROMIUM, ['--version'], { encoding: 'utf8' });
  if (probe.status === 0) return true;
  const why = `${CHROMIUM} is needed for the page tests: apt-get install --no-install-recommends chromium (or set MPUSTUB_CHROMIUM)`;
  if (process.env['CI']) throw new Error(why);
  console.warn(`skipped: ${why}`);
  return false;
}

export interface BrowserSession {
  readonly page: Page;
  readonly context: BrowserContext;
  /** Uncaught page errors and console errors, for the tests to assert there are none. */
  readonly errors: string[];
  close(): Promise<void>;
}

/** A fresh profile each time, so that no cache or state of an earlier run is involved. */
export async function launchBrowser(viewport = { width: 1400, height: 1000 }): Promise<BrowserSession> {
  const profile = mkdtempSync(join(tmpdir(), 'mpustub-chromium-'));
  const context = await chromium.launchPersistentContext(profile, {
    executablePath: CHROMIUM,
    headless: true,
    viewport,
    args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking', '--disable-component-update', '--disable-sync'],
  });
  const page = context.pages()[0] ?? (await context.newPage());
  const errors: string[] = [];
  page.on('pageerror', (error) => errors.push(`page error: ${error.message}`));
  page.on('console', (message) => {
    if (message.type() === 'error') errors.push(`console: ${message.text()}`);
  });
  return {
    page,
    context,
    errors,
    async close() {
      await context.close();
      rmSync(profile, { recursive: true, force: true });
    },
  };
}
