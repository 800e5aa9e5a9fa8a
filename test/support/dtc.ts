// The device tree compiler as the tests' reference reader of our blobs: `dtc -I dtb -O dts`
// decompiles one (its warnings kept), and the source it prints is read back into nodes and
// properties so that tests compare exact values. Missing dtc fails the tests with what to
// install, as the other tools do.

import { spawnSync } from 'node:child_process';

export interface Decompiled {
  /** The source dtc printed. */
  readonly dts: string;
  /** dtc's warnings (its stderr). */
  readonly warnings: string;
  /** Properties by node path ("/", "/chosen", "/cpus/cpu@0"), each as dtc prints its value. */
  readonly nodes: ReadonlyMap<string, ReadonlyMap<string, string>>;
}

function dtc(args: string[], input: Uint8Array): { stdout: Buffer; stderr: string } {
  const result = spawnSync('dtc', args, { input, maxBuffer: 1 << 24 });
  if (result.error) throw new Error(`dtc is needed for the device tree tests: apt-get install device-tree-compiler (${result.error.message})`);
  if (result.status !== 0) throw new Error(`dtc ${args.join(' ')} failed:\n${result.stderr.toString()}`);
  return { stdout: result.stdout, stderr: result.stderr.toString() };
}

/** Parses dtc's own output: one node or property per line. */
function parseDts(dts: string): Map<string, Map<string, string>> {
  const nodes = new Map<string, Map<string, string>>();
  const path: string[] = [];
  const pathText = (): string => (path.length <= 1 ? '/' : `/${path.slice(1).join('/')}`);
  for (const raw of dts.split('\n')) {
    const line = raw.trim();
    const open = /^(\S+) \{$/.exec(line);
    if (open) {
      path.push(open[1]!);
      nodes.set(pathText(), new Map());
    } else if (line === '};') path.pop();
    else if (path.length > 0 && line.endsWith(';')) {
      const prop = /^([^\s=]+)(?: = (.*))?;$/.exec(line);
      if (prop) nodes.get(pathText())!.set(prop[1]!, prop[2] ?? '');
    }
  }
  return nodes;
}

export function decompile(blob: Uint8Array): Decompiled {
  const { stdout, stderr } = dtc(['-I', 'dtb', '-O', 'dts', '-'], blob);
  const dts = stdout.toString();
  return { dts, warnings: stderr, nodes: parseDts(dts) };
}

/** What dtc makes of the source it printed: the blob it would have written itself. */
export function recompile(dts: string): Uint8Array {
  return dtc(['-I', 'dts', '-O', 'dtb', '-'], Buffer.from(dts)).stdout;
}
