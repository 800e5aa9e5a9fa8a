// `npm run bench`: mpustub against QEMU's gdbstub (qemu-aarch64 -g, user mode, on a small
// static program with 8 MiB of writable memory, when qemu-user and the cross compiler are
// installed) and two null stubs, one in Node and one in Python (src/tools/nullStub.*), all in
// one run; with QEMU, a third null stub serves QEMU's own target description (fetched through
// GDB), to tell GDB's work on our registers from a stub's. Two kinds of work:
//  - real gdb-multiarch doing identical work (src/tools/benchGdb.py): restore / dump, single
//    register and memory reads, `info registers system`;
//  - raw round trips from a client of our own (src/tools/benchRaw.ts): thousands of sequential
//    `m` and `g` packets over one no-ack connection per stub, medians and p90 / p99; all the
//    stubs in one run, taking turns by blocks of 200 round trips, so that they share the load.
// The machine is shared, so the stubs are measured interleaved: every run visits each stub in
// turn (the order rotated from run to run), each visit on a fresh process, and the samples of
// all runs are pooled before medians are taken. The load average is printed with the figures.
// Plus what only mpustub offers (`mpu regions`, map service operations over HTTP,
// connect-to-ready).
//
//   --quick            one run, small sizes (CI runs it so the benchmark cannot rot; no
//                      timing is asserted)
//   --runs N           runs (default 5)
//   --only gdb|raw     one kind of work
//   --stubs A,B        only the stubs named (names as in the table)
//   --sizes N,M        transfer sizes in bytes (default 256 KiB, 1 MiB, 4 MiB)
//   --repeat N         transfers of each size per run (default 3)
//   --reads N          single reads through GDB per run (default 500)
//   --raw-count N      raw round trips of each kind per run (default 3000)
//   --extra NAME=FILE [ARGS]  one more stub: FILE is another build's dist/mpustub.js (started
//                      like mpustub) or a null stub script (.js with node, .py with python3
//                      after the description and `g` size arguments); for same-run A/B
//   --json FILE        the figures, for `npm run bench:chart`

import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { once } from 'node:events';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { cpus, loadavg, tmpdir, totalmem } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { performance } from 'node:perf_hooks';
import { buildTargetXml } from '../arch/aarch64/targetXml.js';
import { G_PACKET_REGISTERS } from '../arch/aarch64/registers.js';
import { measureRoundTrips, percentiles, type RoundTrips } from './benchRaw.js';

const ROOT = fileURLToPath(new URL('../../', import.meta.url));
const GDB = process.env['MPUSTUB_GDB'] ?? 'gdb-multiarch';
const MiB = 1 << 20;

interface Options {
  quick: boolean;
  runs: number;
  only?: 'gdb' | 'raw';
  stubs?: string[];
  sizes?: number[];
  repeat?: number;
  reads?: number;
  rawCount?: number;
  extra: Array<{ name: string; file: string; args: string[] }>;
  json?: string;
}

function parseArgs(argv: string[]): Options {
  const options: Options = { quick: false, runs: 5, extra: [] };
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i]!;
    if (a === '--quick') options.quick = true;
    else if (a === '--runs') options.runs = Number(argv[++i]);
    else if (a === '--json') options.json = argv[++i]!;
    else if (a === '--stubs') options.stubs = argv[++i]!.split(',');
    else if (a === '--sizes') options.sizes = argv[++i]!.split(',').map(Number);
    else if (a === '--repeat') options.repeat = Number(argv[++i]);
    else if (a === '--reads') options.reads = Number(argv[++i]);
    else if (a === '--raw-count') options.rawCount = Number(argv[++i]);
    else if (a === '--only') {
      const only = argv[++i];
      if (only !== 'gdb' && only !== 'raw') throw new Error('--only takes gdb or raw');
      options.only = only;
    } else if (a === '--extra') {
      const [name, rest] = argv[++i]!.split(/=(.*)/s) as [string, string | undefined];
      if (!rest) throw new Error('--extra takes NAME=FILE [ARGS]');
      const [file, ...args] = rest.split(' ');
      options.extra.push({ name, file: file!, args });
    } else throw new Error(`unknown argument ${a} (expected --quick, --runs N, --only gdb|raw, --stubs A,B, --sizes N,M, --repeat N, --reads N, --raw-count N, --extra NAME=FILE, --json FILE)`);
  }
  if (options.quick) options.runs = 1;
  return options;
}

interface Started {
  child: ChildProcess;
  port: number;
  apiUrl?: string;
  readyMs: number;
}

interface Stub {
  readonly name: string;
  /** An address with at least 8 MiB of writable memory behind it. */
  readonly ram: number;
  /** mpustub itself: `mpu regions` and the map service are timed too. */
  readonly isMpustub?: boolean;
  start(): Promise<Started>;
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

function mpustubAt(name: string, script: string, isMpustub: boolean): Stub {
  return {
    name,
    ram: 0x1000_0000,
    isMpustub,
    async start() {
      const began = performance.now();
      const child = spawn(process.execPath, [script, 'serve', '--port', '0', '--api-port', '0', '--scenario', 'none', '--log-level', 'error'], { stdio: ['ignore', 'pipe', 'inherit'] });
      const ready = await waitForLines(child, true);
      return { child, ...ready, readyMs: performance.now() - began };
    },
  };
}

function scriptStub(name: string, command: string, args: string[]): Stub {
  return {
    name,
    ram: 0x1000_0000,
    async start() {
      const began = performance.now();
      const child = spawn(command, args, { stdio: ['ignore', 'pipe', 'inherit'] });
      const ready = await waitForLines(child, false);
      return { child, ...ready, readyMs: performance.now() - began };
    },
  };
}

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

/**
 * True once something listens on port, on any IPv4 address (read from /proc: qemu-user's
 * gdbstub takes one connection only, so a probe would use it up).
 */
function listening(port: number): boolean {
  const suffix = `:${port.toString(16).toUpperCase().padStart(4, '0')}`;
  return readFileSync('/proc/net/tcp', 'utf8')
    .split('\n')
    .some((line) => {
      const fields = line.trim().split(/\s+/);
      return fields[1]?.endsWith(suffix) === true && fields[3] === '0A';
    });
}

const QEMU_RAM = 0x2000_0000;

/**
 * The program qemu-aarch64 stops at before its first instruction: it exits at once if ever
 * run, and has 8 MiB of zeroed writable memory at QEMU_RAM for GDB to write and read.
 */
function buildQemuProgram(): string | undefined {
  const dir = mkdtempSync(join(tmpdir(), 'bench-qemu-'));
  const source = join(dir, 'ram.S');
  writeFileSync(source, ['\t.text', '\t.global _start', '_start:', '\tmov x8, #93', '\tmov x0, #0', '\tsvc #0', '\t.section .benchram,"aw",@nobits', '\t.balign 4096', '\t.skip 8 << 20', ''].join('\n'));
  const program = join(dir, 'ram');
  const cc = spawnSync('aarch64-linux-gnu-gcc', ['-nostdlib', '-static', '-Wl,--build-id=none', `-Wl,--section-start=.benchram=0x${QEMU_RAM.toString(16)}`, '-o', program, source], { encoding: 'utf8' });
  return cc.status === 0 ? program : undefined;
}

function qemuStub(program: string): Stub {
  return {
    name: 'QEMU',
    ram: QEMU_RAM,
    async start() {
      const port = await freePort();
      const began = performance.now();
      const child = spawn('qemu-aarch64', ['-g', String(port), program], { stdio: 'ignore' });
      while (!listening(port)) {
        if (child.exitCode !== null) throw new Error('qemu-aarch64 exited');
        await new Promise((r) => setTimeout(r, 5));
      }
      return { child, port, readyMs: performance.now() - began };
    },
  };
}

/**
 * QEMU's own target description, as GDB resolves it (`maint print xml-tdesc`), and the size
 * of its `g` block (the core feature: x0..x30, sp, pc, cpsr). A null stub serving them shows
 * what a register read through GDB costs with QEMU's registers instead of ours.
 */
async function qemuDescription(qemu: Stub, scratch: string): Promise<{ file: string; gBytes: number } | undefined> {
  const file = join(scratch, 'qemu-target.xml');
  const started = await qemu.start();
  try {
    spawnSync(GDB, ['-nx', '-q', '-batch', '-ex', `target remote 127.0.0.1:${started.port}`, '-ex', `pipe maint print xml-tdesc | cat > ${file}`, '-ex', 'kill'], { encoding: 'utf8', timeout: 60_000 });
  } finally {
    await stop(started);
  }
  let xml: string;
  try {
    xml = readFileSync(file, 'utf8');
  } catch {
    return undefined;
  }
  const core = /<feature name="org\.gnu\.gdb\.aarch64\.core">([\s\S]*?)<\/feature>/.exec(xml)?.[1];
  if (!core) return undefined;
  const bits = [...core.matchAll(/<reg [^>]*bitsize="(\d+)"/g)].reduce((n, m) => n + Number(m[1]), 0);
  return bits > 0 ? { file, gBytes: bits / 8 } : undefined;
}

/** Samples in seconds by work item. */
type Samples = Record<string, number[]>;

async function stop(started: Started): Promise<void> {
  const { child } = started;
  if (child.exitCode !== null || child.signalCode !== null) return;
  const exited = once(child, 'exit');
  child.kill('SIGTERM');
  // qemu-user still waiting for its debugger leaves SIGTERM pending for the guest: if a run
  // failed before connecting, only SIGKILL ends it.
  const timer = setTimeout(() => child.kill('SIGKILL'), 2000);
  await exited;
  clearTimeout(timer);
}

async function runGdb(stub: Stub, sizes: number[], repeat: number, reads: number): Promise<Samples> {
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
        BENCH_REPEAT: String(repeat),
        BENCH_READS: String(reads),
        BENCH_MPUSTUB: stub.isMpustub ? '1' : '0',
        BENCH_SCRIPTS: `${ROOT}gdbscripts`,
        ...(started.child.pid !== undefined ? { BENCH_STUB_PID: String(started.child.pid) } : {}),
      },
    });
    const line = run.stdout.split('\n').find((l) => l.startsWith('BENCH '));
    if (!line) throw new Error(`${stub.name}: GDB produced no figures\n${run.stdout}\n${run.stderr}`);
    const samples = JSON.parse(line.slice(6)) as Samples;
    samples['ready'] = [started.readyMs / 1000];
    if (started.apiUrl && stub.isMpustub) samples['map_op'] = [await mapOperations(started.apiUrl, sizes.length > 1 ? 1000 : 100)];
    return samples;
  } finally {
    await stop(started);
  }
}

/** Raw round trips on fresh processes of all the stubs, taking turns by blocks (src/tools/benchRaw.ts). */
async function runRaw(stubs: readonly Stub[], count: number): Promise<RoundTrips[]> {
  const started: Started[] = [];
  try {
    for (const stub of stubs) started.push(await stub.start());
    return await measureRoundTrips(
      stubs.map((stub, i) => ({ port: started[i]!.port, ram: stub.ram })),
      count,
    );
  } finally {
    for (const s of started) await stop(s);
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

function available(command: string, args: string[]): boolean {
  const r = spawnSync(command, args);
  return !r.error && r.status === 0;
}

function firstLine(command: string, args: string[]): string {
  return spawnSync(command, args, { encoding: 'utf8' }).stdout?.split('\n')[0]?.trim() ?? '?';
}

const loads = (): string => loadavg().map((l) => l.toFixed(2)).join(' ');

async function main(): Promise<void> {
  const options = parseArgs(process.argv.slice(2));
  const sizes = options.sizes ?? (options.quick ? [256 * 1024] : [256 * 1024, 1 * MiB, 4 * MiB]);
  const repeat = options.repeat ?? (options.quick ? 1 : 3);
  const reads = options.reads ?? (options.quick ? 50 : 500);
  const rawCount = options.rawCount ?? (options.quick ? 300 : 3000);

  const scratch = mkdtempSync(join(tmpdir(), 'bench-'));
  const xmlFile = join(scratch, 'target.xml');
  writeFileSync(xmlFile, buildTargetXml());
  const gBytes = G_PACKET_REGISTERS.reduce((n, reg) => n + reg.bitsize / 8, 0);
  const qemuProgram = available('qemu-aarch64', ['--version']) ? buildQemuProgram() : undefined;
  const python = available('python3', ['--version']);
  const qemu = qemuProgram ? qemuStub(qemuProgram) : undefined;
  const QEMU_REGISTERS = "null stub, QEMU's registers";
  const qemuRegisters = qemu && (!options.stubs || options.stubs.includes(QEMU_REGISTERS)) ? await qemuDescription(qemu, scratch) : undefined;
  const all: Stub[] = [
    mpustubAt('mpustub', `${ROOT}dist/mpustub.js`, true),
    ...(qemu ? [qemu] : []),
    scriptStub('null stub', process.execPath, [`${ROOT}dist/tools/nullStub.js`]),
    ...(python ? [scriptStub('null stub (Python)', 'python3', [`${ROOT}src/tools/nullStub.py`, xmlFile, String(gBytes)])] : []),
    ...(qemuRegisters
      ? [scriptStub(QEMU_REGISTERS, process.execPath, [`${ROOT}dist/tools/nullStub.js`, '--target-xml', qemuRegisters.file, '--g-bytes', String(qemuRegisters.gBytes)])]
      : []),
    ...options.extra.map(({ name, file, args }) =>
      file.endsWith('mpustub.js')
        ? mpustubAt(name, file, false)
        : file.endsWith('.py')
          ? scriptStub(name, 'python3', [file, xmlFile, String(gBytes), ...args])
          : scriptStub(name, process.execPath, [file, ...args]),
    ),
  ];
  const stubs = options.stubs ? all.filter((s) => options.stubs!.includes(s.name)) : all;
  const loadBefore = loads();

  const gdb = new Map<string, Samples>(stubs.map((s) => [s.name, {}]));
  const raw = new Map<string, { m: number[]; g: number[] }>(stubs.map((s) => [s.name, { m: [], g: [] }]));
  for (let r = 0; r < options.runs; r++) {
    // Rotated so that no stub always runs first (or right after the same neighbour).
    const order = stubs.map((_, k) => stubs[(k + r) % stubs.length]!);
    if (options.only !== 'raw') {
      for (const stub of order) {
        const samples = await runGdb(stub, sizes, repeat, reads);
        const pooled = gdb.get(stub.name)!;
        for (const [key, values] of Object.entries(samples)) (pooled[key] ??= []).push(...values);
      }
    }
    if (options.only !== 'gdb') {
      const trips = await runRaw(order, rawCount);
      order.forEach((stub, i) => {
        raw.get(stub.name)!.m.push(...trips[i]!.m);
        raw.get(stub.name)!.g.push(...trips[i]!.g);
      });
    }
  }
  const loadAfter = loads();

  const results: Record<string, Record<string, number>> = {};
  for (const stub of stubs) {
    const figures: Record<string, number> = {};
    for (const [key, values] of Object.entries(gdb.get(stub.name)!)) figures[key] = median(values);
    const trips = raw.get(stub.name)!;
    for (const kind of ['m', 'g'] as const) {
      if (trips[kind].length === 0) continue;
      const p = percentiles(trips[kind]);
      figures[`raw_${kind}`] = p.median;
      figures[`raw_${kind}_p90`] = p.p90;
      figures[`raw_${kind}_p99`] = p.p99;
    }
    results[stub.name] = figures;
  }

  const qemuVersion = qemuProgram ? firstLine('qemu-aarch64', ['--version']) : 'QEMU not installed';
  const machine = `${cpus()[0]?.model ?? 'cpu'} x${cpus().length}, ${(totalmem() / 2 ** 30).toFixed(0)} GiB, Node ${process.version}, ${firstLine(GDB, ['--version'])}, ${qemuVersion}${python ? `, ${firstLine('python3', ['--version'])}` : ''}`;
  const m = results['mpustub'];
  const names = stubs.map((s) => s.name);
  // Speed ratios, each the second stub's time over the first's (above 1x the first is
  // faster): every stub against QEMU, so that the null stubs show the floor next to
  // mpustub's figure, then mpustub against the Node null stub and against each --extra build.
  const pairs: Array<[string, string]> = [
    ...names.filter((name) => name !== 'QEMU' && names.includes('QEMU')).map((name): [string, string] => [name, 'QEMU']),
    ...(names.includes('mpustub') && names.includes('null stub') ? [['mpustub', 'null stub'] as [string, string]] : []),
    ...(names.includes('mpustub') ? options.extra.filter((e) => names.includes(e.name)).map((e): [string, string] => ['mpustub', e.name]) : []),
  ];
  const rows: string[] = [];
  const fmt = (v: number | undefined, unit: 'ms' | 'µs' | 'MB/s', size?: number): string => {
    if (v === undefined) return '—';
    if (unit === 'µs') return `${(v * 1e6).toFixed(1)} µs`;
    return unit === 'ms' ? `${(v * 1000).toFixed(v < 0.001 ? 3 : 1)} ms` : `${(size! / v / 1e6).toFixed(1)} MB/s`;
  };
  // Every figure is a time, so other/mpustub is mpustub's speed-up: above 1x, mpustub is faster.
  const ratio = (a: number | undefined, b: number | undefined): string => (a === undefined || b === undefined ? '—' : `${(b / a).toFixed(2)}x`);
  const line = (label: string, key: string, unit: 'ms' | 'µs' | 'MB/s', size?: number): void => {
    if (!names.some((name) => results[name]![key] !== undefined)) return;
    const cells = names.map((name) => fmt(results[name]![key], unit, size));
    const ratios = pairs.map(([a, b]) => ratio(results[a]![key], results[b]![key]));
    rows.push(`| ${label} | ${[...cells, ...ratios].join(' | ')} |`);
  };
  line('connect + target description', 'connect', 'ms');
  for (const size of sizes) {
    line(`write ${size / 1024} KiB (restore)`, `write_${size}`, 'MB/s', size);
    line(`read ${size / 1024} KiB (dump)`, `read_${size}`, 'MB/s', size);
  }
  // Where a transfer's time goes: GDB's CPU time and the stub's for the same transfer. When
  // GDB's is close to the elapsed time, GDB bounds the transfer, whatever the stub does.
  for (const size of sizes) {
    line(`GDB's CPU per write ${size / 1024} KiB`, `gdb_cpu_write_${size}`, 'ms');
    line(`stub's CPU per write ${size / 1024} KiB`, `stub_cpu_write_${size}`, 'ms');
  }
  for (const size of sizes) {
    line(`GDB's CPU per read ${size / 1024} KiB`, `gdb_cpu_read_${size}`, 'ms');
    line(`stub's CPU per read ${size / 1024} KiB`, `stub_cpu_read_${size}`, 'ms');
  }
  line('single register read (cache flushed)', 'register_read', 'µs');
  line('single x/1xg', 'memory_read', 'µs');
  line("GDB's CPU per single read (both kinds)", 'gdb_cpu_single_read', 'µs');
  line("stub's CPU per single read (both kinds)", 'stub_cpu_single_read', 'µs');
  line('info registers system', 'info_registers_system', 'ms');
  line('raw m (8 bytes), median', 'raw_m', 'µs');
  line('raw m, p90', 'raw_m_p90', 'µs');
  line('raw m, p99', 'raw_m_p99', 'µs');
  line('raw g, median', 'raw_g', 'µs');
  line('raw g, p90', 'raw_g_p90', 'µs');
  line('raw g, p99', 'raw_g_p99', 'µs');
  const samplesOf = (key: string): number => gdb.get(stubs[0]!.name)![key]?.length ?? 0;
  const mpustubOnly =
    m && m['ready'] !== undefined
      ? `mpustub only: process start to ready ${(m['ready'] * 1000).toFixed(0)} ms${m['mpu_regions'] !== undefined ? `; \`mpu regions\` ${(m['mpu_regions'] * 1000).toFixed(1)} ms` : ''}${m['map_op'] !== undefined ? `; map service ${(1 / m['map_op']).toFixed(0)} operations/s over HTTP (${(m['map_op'] * 1e6).toFixed(0)} µs each)` : ''}.`
      : '';
  const table = [
    `Benchmark (${options.quick ? 'quick, 1 run' : `${options.runs} interleaved runs`}) on ${machine}`,
    `Load average (1, 5, 15 min): ${loadBefore} before, ${loadAfter} after`,
    '',
    `| work | ${[...names, ...pairs.map(([a, b]) => `${a} vs ${b}`)].join(' | ')} |`,
    `|---|${[...names, ...pairs].map(() => '---:|').join('')}`,
    ...rows,
    '',
    `Medians: transfers of ${samplesOf(`write_${sizes[0]}`)} samples, single reads through GDB of ${samplesOf('register_read')}; raw round trips of ${rawCount} of each kind per run and stub (no-ack, one connection each, the stubs taking turns by blocks of 200), all runs pooled.`,
    '"A vs B" is B\'s time over A\'s: above 1x, A is faster. The null stubs answer every packet at once from precomputed replies: their figures are GDB\'s (or the raw client\'s) own cost on this machine, with Node\'s or Python\'s socket handling.',
    '',
    mpustubOnly,
    '',
  ].join('\n');
  process.stdout.write(table);
  if (options.json) {
    writeFileSync(options.json, `${JSON.stringify({ machine, load: { before: loadBefore, after: loadAfter }, quick: options.quick, runs: options.runs, sizes, results, samples: Object.fromEntries(gdb) }, null, 2)}\n`);
  }
}

main().catch((err: unknown) => {
  process.stderr.write(`bench: ${(err as Error).message}\n`);
  process.exit(1);
});
