// The region-map page's files (built by `npm run build` into dist/page/), served by the HTTP
// API at `GET /`: a fixed list, so no request path ever reaches the file system. The page is
// the API's own origin, so its requests pass the Host/Origin/Sec-Fetch-Site checks that keep
// other sites out; its Content-Security-Policy lets it load nothing but its own files and
// talk to nothing but the API, and no other site may frame it.

import { readFile } from 'node:fs/promises';
import { join } from 'node:path';

const PAGE_FILES: Readonly<Record<string, { readonly file: string; readonly type: string }>> = {
  '/': { file: 'index.html', type: 'text/html; charset=utf-8' },
  '/index.html': { file: 'index.html', type: 'text/html; charset=utf-8' },
  '/page.js': { file: 'page.js', type: 'text/javascript; charset=utf-8' },
  '/page.js.map': { file: 'page.js.map', type: 'application/json; charset=utf-8' },
  '/page.css': { file: 'page.css', type: 'text/css; charset=utf-8' },
};

export const PAGE_HEADERS: Readonly<Record<string, string>> = {
  'Content-Security-Policy':
    "default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self' data:; connect-src 'self'; base-uri 'none'; form-action 'none'; frame-ancestors 'none'",
  'X-Content-Type-Options': 'nosniff',
  'X-Frame-Options': 'DENY',
  'Referrer-Policy': 'no-referrer',
  // Rebuilt pages are picked up at the next load.
  'Cache-Control': 'no-cache',
};

export function isPagePath(path: string): boolean {
  return Object.hasOwn(PAGE_FILES, path);
}

/** The file for `path`, or null when the page has not been built into `dir`. */
export async function readPageFile(dir: string, path: string): Promise<{ readonly body: Buffer; readonly type: string } | null> {
  const entry = PAGE_FILES[path];
  if (entry === undefined) return null;
  try {
    return { body: await readFile(join(dir, entry.file)), type: entry.type };
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return null;
    throw err;
  }
}
