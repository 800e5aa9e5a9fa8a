// The built `mpustub` command (dist/mpustub.js, so `npm run build` first) as a script sees it:
// the exit status of a command line that cannot be parsed is 2, the status the documentation
// reserves for bad arguments, while help and version stay 0.

import { describe, expect, it } from 'vitest';
import { spawnSync } from 'node:child_process';
import { CLI } from '../../support/stubProcess.js';

function mpustub(...args: string[]): { status: number | null; stderr: string; stdout: string } {
  const run = spawnSync(process.execPath, [CLI, ...args], { encoding: 'utf8', timeout: 15_000 });
  return { status: run.status, stderr: run.stderr, stdout: run.stdout };
}

describe('command-line usage errors', () => {
  const usage: Array<[string, string[], RegExp]> = [
    ['a client command without its arguments', ['map'], /missing required argument 'virt'/],
    ['a client command with too few arguments', ['update', '0x0', '0x1000'], /missing required argument 'flags'/],
    ['a client option without its value', ['regions', '--api'], /option '--api <url>' argument missing/],
    ['an unknown option', ['diff', '--bogus'], /unknown option '--bogus'/],
    ['an unknown command', ['mapp', '0x0'], /unknown command|too many arguments/],
    ['a bad serve port', ['serve', '--port', 'x'], /a port is a number/],
  ];
  for (const [what, args, message] of usage) {
    it(`exits 2 for ${what}`, () => {
      const run = mpustub(...args);
      expect(run.stderr).toMatch(message);
      expect(run.status).toBe(2);
    });
  }

  it('exits 0 for --help and --version', () => {
    expect(mpustub('--help')).toMatchObject({ status: 0, stdout: expect.stringMatching(/Usage: mpustub/) as unknown });
    expect(mpustub('map', '--help').status).toBe(0);
    expect(mpustub('--version')).toMatchObject({ status: 0, stdout: expect.stringMatching(/^\d+\.\d+\.\d+/) as unknown });
  });
});
