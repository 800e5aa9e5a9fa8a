// Bundles the command line into one file, dist/mpustub.js (the `mpustub` bin and `npm start`):
// Node then loads one module instead of some seventy plus two CommonJS packages, which takes
// the process from start to "ready" in about 70 ms instead of about 100 (docs/performance.md).
// The per-module build (tsc, dist/**) stays for the tests and tools.

import { build } from 'esbuild';
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
