// Regenerates the documentation derived from code (docs/registers.md).
// Run with `npm run docs:registers` after changing the register table.

import { writeFileSync } from 'node:fs';
import { registersMarkdown } from '../arch/aarch64/registersDoc.js';

const target = new URL('../../docs/registers.md', import.meta.url);
writeFileSync(target, registersMarkdown());
process.stdout.write(`wrote ${target.pathname}\n`);
