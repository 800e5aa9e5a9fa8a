// Bundles what `npm run build` ships beside the per-module build (tsc, dist/**, kept for the
// tests and tools):
// - the command line into one file, dist/mpustub.js (the `mpustub` bin and `npm start`): Node
//   then loads one module instead of some seventy plus two CommonJS packages, which takes the
//   process from start to "ready" in about 70 ms instead of about 100 (docs/performance.md);
// - the region-map page into dist/page/ (page.js, index.html, page.css), which the HTTP API
//   serves at `GET /`: plain DOM and SVG, nothing fetched from elsewhere.

import { build } from 'esbuild';
import { copyFile, mkdir } from 'node:fs/promises';
import { fileURLToPath } from 'node:url';

const root = fileURLToPath(new URL('../../', import.meta.url));

await build({
  entryPoints: [`${root}src/cli.ts`],
  outfile: `${root}dist/mpustub.js`,
  bundle: true,
  platform: 'node',
  format: 'esm',
  target: 'node20',
  sourcemap: true,
  logLevel: 'warning',
  // commander and binary-parser are CommonJS: give their require() calls a real require.
  banner: { js: "import { createRequire as mpustubCreateRequire } from 'node:module'; const require = mpustubCreateRequire(import.meta.url);" },
});

const page = `${root}dist/page/`;
await mkdir(page, { recursive: true });
await build({
  entryPoints: [`${root}src/page/main.ts`],
  outfile: `${page}page.js`,
  bundle: true,
  platform: 'browser',
  format: 'esm',
  // Browsers of the last few years; Debian's Chromium runs the tests.
  target: 'es2022',
  sourcemap: true,
  minify: true,
  logLevel: 'warning',
});
for (const file of ['index.html', 'page.css']) await copyFile(`${root}src/page/${file}`, `${page}${file}`);
