// `npm run bench`: mpustub, QEMU's gdbstub (when qemu-system-aarch64 is installed; run with
// -nic none, so no network ROM is needed) and a null stub, driven by real gdb-multiarch doing
// identical work (src/tools/benchGdb.py), several runs each, medians printed as one table with the ratios; plus what only mpustub offers (`mpu
// regions`, map service operations over HTTP, connect-to-ready). `--quick` runs small sizes
// once (CI uses it so the benchmark cannot rot; nothing is asserted on timings).
// `--json FILE` writes the raw figures for `npm run bench:chart`.

import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { once } from 'node:events';
import { writeFileSync } from 'node:fs';
import { cpus, totalmem } from 'node:os';
import { fileURLToPath } from 'node:url';
import { performance } from 'node:perf_hooks';

const ROOT = fileURLToPath(new URL('../../', import.meta.url));
const GDB = process.env['MPUSTUB_GDB'] ?? 'gdb-multiarch';
const MiB = 1 << 20;

interface Options {
  quick: boolean;
  runs: number;
  json?: string;
}

function parseArgs(argv: string[]): Options {
  const options: Options = { quick: false, runs: 3 };
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i]!;
    if (a === '--quick') options.quick = true;
    else if (a === '--runs') options.runs = Number(argv[++i]);
    else if (a === '--json') options.json = argv[++i]!;
    else throw new Error(`unknown argument ${a} (expected --quick, --runs N, --json FILE)`);
  }
  if (options.quick) options.runs = 1;
  return options;
}

interface Stub {
  readonly name: string;
  readonly ram: number;
  start(): Promise<{ child: ChildProcess; port: number; apiUrl?: string; readyMs: number }>;
}

function waitForLines(child: ChildProcess, wantApi: boolean): Promise<{ port: number; apiUrl?: string }> {
  return new Promise((resolve, reject) => {
    let out = '';
    const timer = setTimeout(() => reject(new Error(`not ready: ${out}`)), 15_000);
    child.stdout!.setEncoding('utf8').on('data', (c: string) => {
      out += c;
      const gdb = /gdb: target remote [^\s]+:(\d+)/.exec(out);
      const api = /api: (http:\/\/\S+)/.exec(out);
      if (gdb && (api || !wantApi)) {
        clearTimeout(timer);
        resolve({ port: Number(gdb[1]), ...(api ? { apiUrl: api[1]! } : {}) });
      }
    });
    child.once('exit', (code) => reject(new Error(`exited ${code}: ${out}`)));
  });
}

const MPUSTUB: Stub = {
  name: 'mpustub',
  ram: 0x1000_0000,
  async start() {
    const began = performance.now();
    const child = spawn(process.execPath, [`${ROOT}dist/mpustub.js`, 'serve', '--port', '0', '--api-port', '0', '--scenario', 'none', '--log-level', 'error'], { stdio: ['ignore', 'pipe', 'inherit'] });
    const ready = await waitForLines(child, true);
    return { child, ...ready, readyMs: performance.now() - began };
  },
};

const NULL_STUB: Stub = {
  name: 'null stub',
  ram: 0x1000_0000,
  async start() {
    const began = performance.now();
    const child = spawn(process.execPath, [`${ROOT}dist/tools/nullStub.js`], { stdio: ['ignore', 'pipe', 'inherit'] });
    const ready = await waitForLines(child, false);
    return { child, ...ready, readyMs: performance.now() - began };
  },
};

function freePort(): Promise<number> {
  return import('node:net').then(
    ({ createServer }) =>
      new Promise((resolve) => {
        const s = createServer();
        s.listen(0, '127.0.0.1', () => {
          const port = (s.address() as { port: number }).port;
          s.close(() => resolve(port));
        });
      }),
  );
}

const QEMU: Stub = {
  name: 'QEMU 7.2',
  ram: 0x4000_0000,
  async start() {
    const port = await freePort();
    const began = performance.now();
    const child = spawn('qemu-system-aarch64', ['-M', 'virt', '-cpu', 'cortex-a53', '-S', '-gdb', `tcp:127.0.0.1:${port}`, '-nographic', '-monitor', 'none', '-serial', 'none', '-nic', 'none'], { stdio: 'ignore' });
    // QEMU prints nothing when ready: poll the port.
    const { connect } = await import('node:net');
    for (;;) {
      const ok = await new Promise<boolean>((resolve) => {
        const s = connect(port, '127.0.0.1', () => {
          s.destroy();
          resolve(true);
        });
        s.on('error', () => resolve(false));
      });
      if (ok) break;
      if (child.exitCode !== null) throw new Error('qemu-system-aarch64 exited');
      await new Promise((r) => setTimeout(r, 20));
    }
    return { child, port, readyMs: performance.now() - began };
  },
};

type Figures = Record<string, number>;

async function runGdb(stub: Stub, sizes: number[], reads: number): Promise<Figures> {
  const started = await stub.start();
  try {
    const run = spawnSync(GDB, ['-nx', '-q', '-batch', '-x', `${ROOT}src/tools/benchGdb.py`], {
      encoding: 'utf8',
      timeout: 300_000,
      env: {
        ...process.env,
        BENCH_PORT: String(started.port),
        BENCH_RAM: String(stub.ram),
        BENCH_SIZES: sizes.join(','),
        BENCH_READS: String(reads),
        BENCH_MPUSTUB: stub === MPUSTUB ? '1' : '0',
        BENCH_SCRIPTS: `${ROOT}gdbscripts`,
      },
    });
    const line = run.stdout.split('\n').find((l) => l.startsWith('BENCH '));
    if (!line) throw new Error(`${stub.name}: GDB produced no figures\n${run.stdout}\n${run.stderr}`);
    const figures = JSON.parse(line.slice(6)) as Figures;
    figures['ready'] = started.readyMs / 1000;
    if (started.apiUrl) figures['map_op'] = await mapOperations(started.apiUrl, sizes.length > 1 ? 1000 : 100);
    return figures;
  } finally {
    started.child.kill('SIGTERM');
    if (started.child.exitCode === null) await once(started.child, 'exit');
  }
}

/** The API refuses a POST body not declared as JSON. */
const JSON_TYPE = { 'Content-Type': 'application/json' };

/** Seconds per map-service operation over HTTP: map and unmap pairs, one client. */
async function mapOperations(api: string, count: number): Promise<number> {
  const began = performance.now();
  for (let i = 0; i < count / 2; i++) {
    const base = `0x${(0x3000_0000 + (i % 16) * 0x10000).toString(16)}`;
    const limit = `0x${(0x3000_0000 + (i % 16) * 0x10000 + 0x1000).toString(16)}`;
    await fetch(`${api}/v1/update`, { method: 'POST', headers: JSON_TYPE, body: JSON.stringify({ base, limit, flags: 'PAGE_HYPERVISOR_RW' }) }).then((r) => r.json());
    await fetch(`${api}/v1/destroy`, { method: 'POST', headers: JSON_TYPE, body: JSON.stringify({ start: base, end: limit }) }).then((r) => r.json());
  }
  return (performance.now() - began) / 1000 / count;
}

function median(values: number[]): number {
  const s = [...values].sort((a, b) => a - b);
  return s[Math.floor(s.length / 2)]!;
}

function qemuAvailable(): boolean {
  return spawnSync('qemu-system-aarch64', ['--version']).status === 0;
}

async function main(): Promise<void> {
  const options = parseArgs(process.argv.slice(2));
  const sizes = options.quick ? [256 * 1024] : [256 * 1024, 1 * MiB, 4 * MiB];
  const reads = options.quick ? 50 : 500;
  const stubs = [MPUSTUB, ...(qemuAvailable() ? [QEMU] : []), NULL_STUB];
  const results: Record<string, Figures> = {};
  for (const stub of stubs) {
    const runs: Figures[] = [];
    for (let r = 0; r < options.runs; r++) runs.push(await runGdb(stub, sizes, reads));
    const keys = Object.keys(runs[0]!);
    results[stub.name] = Object.fromEntries(keys.map((k) => [k, median(runs.map((f) => f[k]!))]));
  }
  const machine = `${cpus()[0]?.model ?? 'cpu'} x${cpus().length}, ${(totalmem() / 2 ** 30).toFixed(0)} GiB, Node ${process.version}, ${spawnSync(GDB, ['--version'], { encoding: 'utf8' }).stdout.split('\n')[0]}`;
  const q = results['QEMU 7.2'];
  const m = results['mpustub']!;
  const n = results['null stub']!;
  const rows: string[] = [];
  const fmt = (v: number | undefined, unit: 'ms' | 'MB/s', size?: number): string => {
    if (v === undefined) return '—';
    return unit === 'ms' ? `${(v * 1000).toFixed(v < 0.001 ? 3 : 1)} ms` : `${(size! / v / 1e6).toFixed(1)} MB/s`;
  };
  // Every figure is a time, so other/mpustub is mpustub's speed-up: above 1x, mpustub is faster.
  const ratio = (a: number | undefined, b: number | undefined): string => (a === undefined || b === undefined ? '—' : `${(b / a).toFixed(2)}x`);
  const line = (name: string, key: string, unit: 'ms' | 'MB/s', size?: number) => {
    rows.push(`| ${name} | ${fmt(m[key], unit, size)} | ${fmt(q?.[key], unit, size)} | ${fmt(n[key], unit, size)} | ${ratio(m[key], q?.[key])} | ${ratio(m[key], n[key])} |`);
  };
  line('connect + target description', 'connect', 'ms');
  for (const size of sizes) {
    line(`write ${size / 1024} KiB (restore)`, `write_${size}`, 'MB/s', size);
    line(`read ${size / 1024} KiB (dump)`, `read_${size}`, 'MB/s', size);
  }
  line('single register read (cache flushed)', 'register_read', 'ms');
  line('single x/1xg', 'memory_read', 'ms');
  line('info registers system', 'info_registers_system', 'ms');
  const table = [
    `Benchmark (${options.quick ? 'quick, 1 run' : `median of ${options.runs} runs`}) on ${machine}`,
    '',
    '| work | mpustub | QEMU | null stub | mpustub vs QEMU | mpustub vs null |',
    '|---|---:|---:|---:|---:|---:|',
    ...rows,
    '',
    'Ratios are the other stub\'s time over mpustub\'s: above 1x, mpustub is faster. "null stub" answers every packet at once from precomputed data: GDB\'s own limit on this machine.',
    '',
    `mpustub only: process start to ready ${(m['ready']! * 1000).toFixed(0)} ms; \`mpu regions\` ${(m['mpu_regions']! * 1000).toFixed(1)} ms; map service ${(1 / m['map_op']!).toFixed(0)} operations/s over HTTP (${(m['map_op']! * 1e6).toFixed(0)} µs each).`,
    '',
  ].join('\n');
  process.stdout.write(table);
  if (options.json) writeFileSync(options.json, `${JSON.stringify({ machine, quick: options.quick, runs: options.runs, sizes, results }, null, 2)}\n`);
}

main().catch((err: unknown) => {
  process.stderr.write(`bench: ${(err as Error).message}\n`);
  process.exit(1);
});
