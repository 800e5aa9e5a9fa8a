// `npm run bench:hostile`: what broken or hostile clients cost a stub. Each case is a named
// entry of CASES that starts its own stub, does its damage and returns figures: the real
// process (the built CLI) where only timing matters, the stub started in this process where
// memory is measured, since only here can the garbage collector be run first (the script runs
// with --expose-gc), and without that the heap's own growth hides what the clients hold.
// Nothing is asserted (the tests assert the bounds); the figures are for docs/reliability.md.
// `--case NAME` runs one case.

import { spawn, type ChildProcess } from 'node:child_process';
import { once } from 'node:events';
import { connect, type Socket } from 'node:net';
import { performance } from 'node:perf_hooks';
import { fileURLToPath } from 'node:url';
import { createLogger } from '../log.js';
import { startStub as startStubHere, type RunningStub } from '../wiring.js';
import type { OperationRequest } from '../xen/result.js';
import { runScenario } from '../xen/scenario.js';

const CLI = fileURLToPath(new URL('../mpustub.js', import.meta.url));
const MiB = 1 << 20;

interface Stub {
  readonly child: ChildProcess;
  readonly gdbPort: number;
  readonly apiPort: number;
  readonly api: string;
}

interface Figure {
  readonly label: string;
  readonly value: string;
}

interface HostileCase {
  readonly name: string;
  readonly what: string;
  run(): Promise<Figure[]>;
}

async function startStub(): Promise<Stub> {
  const child = spawn(process.execPath, [CLI, 'serve', '--port', '0', '--api-port', '0', '--scenario', 'none', '--log-level', 'error'], { stdio: ['ignore', 'pipe', 'inherit'] });
  let out = '';
  const ready = new Promise<Stub>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`stub not ready: ${out}`)), 15_000);
    child.stdout!.setEncoding('utf8').on('data', (chunk: string) => {
      out += chunk;
      const gdb = /gdb: target remote \S+:(\d+)/.exec(out);
      const api = /api: (http:\/\/\S+:(\d+))/.exec(out);
      if (gdb && api) {
        clearTimeout(timer);
        resolve({ child, gdbPort: Number(gdb[1]), api: api[1]!, apiPort: Number(api[2]) });
      }
    });
    child.once('exit', (code) => reject(new Error(`stub exited ${code}: ${out}`)));
  });
  return ready;
}

async function stopStub(stub: Stub): Promise<void> {
  if (stub.child.exitCode !== null) return;
  stub.child.kill('SIGTERM');
  await once(stub.child, 'exit');
}

/** This process's resident set and heap in use, after a full collection when --expose-gc allows one. */
function memoryHere(): { rss: number; heap: number } {
  const gc = (globalThis as { gc?: () => void }).gc;
  if (gc) {
    gc();
    gc();
  }
  const usage = process.memoryUsage();
  return { rss: usage.rss, heap: usage.heapUsed + usage.external };
}

const mib = (bytes: number): string => `${(bytes / MiB).toFixed(1)} MiB`;
const seconds = (ms: number): string => `${(ms / 1000).toFixed(1)} s`;
const sleep = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms));

/**
 * `count` operations in scenarios of 1000, as POST /v1/scenario applies them: update and
 * destroy of one region, alternately. Between scenarios the event loop runs, as it does
 * between requests, so that sockets can take what they are sent.
 */
async function runOperations(stub: RunningStub, count: number): Promise<void> {
  const pair: OperationRequest[] = [
    { op: 'update', base: 0x3000_0000n, limit: 0x3001_0000n, flags: 0x2f },
    { op: 'destroy', start: 0x3000_0000n, end: 0x3001_0000n },
  ];
  for (let done = 0; done < count; done += 1000) {
    const operations = Array.from({ length: Math.min(1000, count - done) }, (_, i) => pair[i % 2]!);
    const outcome = await runScenario(stub.service, { name: 'hostile', description: '', continueOnError: false, operations });
    if (outcome.rc !== 0) throw new Error(`scenario failed with rc ${outcome.rc}`);
    await new Promise((resolve) => setImmediate(resolve));
  }
}

/** A raw /v1/events client that sends its request and then never reads. */
async function stalledEventClient(apiPort: number): Promise<Socket> {
  const socket = connect(apiPort, '127.0.0.1');
  await once(socket, 'connect');
  socket.write(`GET /v1/events HTTP/1.1\r\nHost: 127.0.0.1:${apiPort}\r\n\r\n`);
  socket.pause();
  return socket;
}

/** Reads what a client has been sent until the server ends the stream or `ms` pass. */
function drain(socket: Socket, ms: number): Promise<{ ended: boolean; dropped: boolean; bytes: number }> {
  return new Promise((resolve) => {
    let bytes = 0;
    let tail = '';
    const finish = (ended: boolean): void => {
      clearTimeout(timer);
      socket.removeAllListeners('data');
      socket.destroy();
      resolve({ ended, dropped: tail.includes('event: dropped'), bytes });
    };
    const timer = setTimeout(() => finish(false), ms);
    socket.on('data', (chunk: Buffer) => {
      bytes += chunk.length;
      tail = (tail + chunk.toString('latin1')).slice(-4096);
    });
    socket.once('end', () => finish(true));
    socket.once('close', () => finish(true));
    socket.resume();
  });
}

/** Opens a raw connection, lets `act` write to it, and resolves with the ms until the server closes it. */
function closeTime(stub: Stub, act: (socket: Socket) => NodeJS.Timeout | undefined, giveUpMs: number): Promise<number | null> {
  return new Promise((resolve) => {
    const socket = connect(stub.apiPort, '127.0.0.1');
    const began = performance.now();
    let trickle: NodeJS.Timeout | undefined;
    const giveUp = setTimeout(() => {
      clearInterval(trickle);
      socket.destroy();
      resolve(null);
    }, giveUpMs);
    socket.on('error', () => undefined);
    socket.resume();
    socket.once('connect', () => (trickle = act(socket)));
    socket.once('close', () => {
      clearTimeout(giveUp);
      clearInterval(trickle);
      resolve(performance.now() - began);
    });
  });
}

const SSE_CLIENTS = 5;
const SSE_OPERATIONS = 20_000;
const SSE_ROUNDS = 3;
const RSP_REQUESTS = 2_500;

const CASES: readonly HostileCase[] = [
  { name: 'rsp-stalled-reader', what: `a no-ack GDB client sending ${RSP_REQUESTS} requests for 128 KiB replies and never reading (stub in this process)`, run: rspStalledReader },
  { name: 'rsp-resend-burst', what: 'a client asking 65 536 times for the last 128 KiB reply again, without reading (stub in this process)', run: rspResendBurst },
  {
    name: 'rsp-browser-and-silent',
    what: "a web page's POST to the GDB port, and a connection that never sends a byte (stub process)",
    async run() {
      const stub = await startStub();
      try {
        return await rspBrowserAndSilent(stub);
      } finally {
        await stopStub(stub);
      }
    },
  },
  {
    name: 'sse-stalled-readers',
    what: `${SSE_CLIENTS} /v1/events clients that never read, while rounds of ${SSE_OPERATIONS} operations run (stub in this process)`,
    async run() {
      const stub = await startStubHere({ host: '127.0.0.1', port: 0, apiPort: 0, scenario: 'none', traceRsp: false, logger: createLogger('error', () => undefined) });
      try {
        // A first round without any client: what the operations alone leave behind. The
        // rounds after it show what the clients add: with a bound, nothing once they are
        // dropped; without one, every event of every round, for every client.
        const figures: Figure[] = [];
        let last = memoryHere();
        const shown = (now: { rss: number; heap: number }): string =>
          `heap ${mib(now.heap)} (${now.heap >= last.heap ? '+' : ''}${mib(now.heap - last.heap)}), RSS ${mib(now.rss)} (${now.rss >= last.rss ? '+' : ''}${mib(now.rss - last.rss)})`;
        const round = async (label: string): Promise<void> => {
          const began = performance.now();
          await runOperations(stub, SSE_OPERATIONS);
          const took = performance.now() - began;
          await sleep(200);
          const now = memoryHere();
          figures.push({ label: `${label} (${seconds(took)})`, value: shown(now) });
          last = now;
        };
        if (!(globalThis as { gc?: unknown }).gc) figures.push({ label: 'note', value: 'run with node --expose-gc: without it these figures include uncollected garbage' });
        figures.push({ label: 'ready, nothing applied', value: `heap ${mib(last.heap)}, RSS ${mib(last.rss)}` });
        await round(`${SSE_OPERATIONS} operations, no client`);
        const clients = await Promise.all(Array.from({ length: SSE_CLIENTS }, () => stalledEventClient(stub.apiAddress!.port)));
        await sleep(200);
        const before = last;
        for (let r = 1; r <= SSE_ROUNDS; r++) await round(`${SSE_OPERATIONS} more, ${SSE_CLIENTS} stalled clients`);
        figures.push({ label: `growth over the ${SSE_ROUNDS} rounds with clients`, value: `heap ${mib(last.heap - before.heap)}, RSS ${mib(last.rss - before.rss)}` });
        const drained = await Promise.all(clients.map((socket) => drain(socket, 3_000)));
        figures.push(
          { label: 'clients whose stream ended with "event: dropped"', value: `${drained.filter((d) => d.ended && d.dropped).length} of ${SSE_CLIENTS}` },
          { label: 'clients whose stream ended', value: `${drained.filter((d) => d.ended).length} of ${SSE_CLIENTS}` },
          { label: 'bytes a client could still read (largest)', value: mib(Math.max(...drained.map((d) => d.bytes))) },
        );
        await sleep(200);
        figures.push({ label: 'once the clients are gone', value: shown(memoryHere()) });
        return figures;
      } finally {
        await stub.close();
      }
    },
  },
  {
    name: 'http-slow-request',
    what: 'requests that never finish: nothing sent, headers cut short, a body sent a byte every 200 ms (stub process)',
    async run() {
      const stub = await startStub();
      try {
        return await slowRequests(stub);
      } finally {
        await stopStub(stub);
      }
    },
  },
];

/** `$payload#cs` */
function rspPacket(payload: string): string {
  let sum = 0;
  for (const c of Buffer.from(payload, 'latin1')) sum = (sum + c) & 0xff;
  return `$${payload}#${sum.toString(16).padStart(2, '0')}`;
}

/** A connected socket that keeps what it receives in `received` (until `pause()`d). */
async function rawClient(port: number): Promise<Socket & { received: string }> {
  const socket = connect(port, '127.0.0.1') as Socket & { received: string };
  socket.received = '';
  socket.on('data', (chunk: Buffer) => (socket.received += chunk.toString('latin1')));
  socket.on('error', () => undefined);
  await once(socket, 'connect');
  return socket;
}

async function until(test: () => boolean, ms: number): Promise<boolean> {
  const end = performance.now() + ms;
  while (!test()) {
    if (performance.now() > end) return false;
    await sleep(5);
  }
  return true;
}

/** A no-ack GDB client that sends requests for 128 KiB replies and never reads them. */
async function rspStalledReader(): Promise<Figure[]> {
  const stub = await startStubHere({ host: '127.0.0.1', port: 0, apiPort: null, scenario: 'none', traceRsp: false, logger: createLogger('error', () => undefined) });
  try {
    const client = await rawClient(stub.gdbAddress.port);
    client.write(`+${rspPacket('QStartNoAckMode')}`);
    await until(() => client.received.includes('$OK#'), 2_000);
    await sleep(100);
    const before = memoryHere();
    client.pause(); // never read again
    const request = rspPacket('m0,ffff');
    let sent = 0;
    const began = performance.now();
    for (; sent < RSP_REQUESTS; sent++) {
      if (!client.write(request)) await Promise.race([once(client, 'drain'), sleep(500)]);
    }
    await sleep(500);
    const after = memoryHere();
    client.destroy();
    await sleep(200);
    const attached = await rawClient(stub.gdbAddress.port);
    attached.write(rspPacket('qC'));
    const answered = await until(() => attached.received.includes('$QC1#'), 2_000);
    attached.destroy();
    return [
      { label: `${RSP_REQUESTS} "m0,ffff" requests written (replies would be ${mib(RSP_REQUESTS * 0x1fffe)})`, value: seconds(performance.now() - began) },
      { label: 'growth while the client does not read', value: `heap ${mib(after.heap - before.heap)}, RSS ${mib(after.rss - before.rss)}` },
      { label: 'the next debugger attaches once it is gone', value: answered ? 'yes' : 'no' },
    ];
  } finally {
    await stub.close();
  }
}

/** A burst of 64 Ki resend requests ('-') after a 128 KiB reply the client does not read. */
async function rspResendBurst(): Promise<Figure[]> {
  const stub = await startStubHere({ host: '127.0.0.1', port: 0, apiPort: null, scenario: 'none', traceRsp: false, logger: createLogger('error', () => undefined) });
  try {
    const client = await rawClient(stub.gdbAddress.port);
    client.pause();
    client.write(`+${rspPacket('m0,ffff')}`);
    await sleep(100);
    const before = memoryHere();
    client.write(Buffer.alloc(64 * 1024, '-'));
    await sleep(500);
    const after = memoryHere();
    client.destroy();
    return [{ label: '65 536 resends of a 128 KiB reply requested (8 GiB if honoured)', value: `heap ${mib(after.heap - before.heap)}, RSS ${mib(after.rss - before.rss)}` }];
  } finally {
    await stub.close();
  }
}

/** What a web page's POST to the GDB port does, and what a connection that never speaks holds. */
async function rspBrowserAndSilent(stub: Stub): Promise<Figure[]> {
  const body = `+${rspPacket(`qRcmd,${Buffer.from('xen destroy-containing 0x0').toString('hex')}`)}${rspPacket('M160000,4:deadbeef')}${rspPacket('D')}`;
  const post = await rawClient(stub.gdbPort);
  const began = performance.now();
  post.write(`POST / HTTP/1.1\r\nHost: 127.0.0.1:${stub.gdbPort}\r\nOrigin: http://evil.example\r\nContent-Type: text/plain\r\nContent-Length: ${body.length}\r\n\r\n${body}`);
  const closed = await until(() => post.destroyed || post.readableEnded, 3_000);
  const closedAfter = performance.now() - began;
  const silent = await rawClient(stub.gdbPort);
  const silentSince = performance.now();
  const gdb = await rawClient(stub.gdbPort);
  gdb.write(`+${rspPacket('m160000,4')}`);
  await until(() => /\$[0-9a-fE]+#/.test(gdb.received), 2_000);
  const memory = /\$([0-9a-fE]+)#/.exec(gdb.received)?.[1] ?? '?';
  gdb.destroy();
  await until(() => silent.destroyed || silent.readableEnded, 15_000);
  return [
    { label: 'HTTP POST carrying RSP packets: closed unheard after', value: closed ? `${closedAfter.toFixed(0)} ms, nothing answered (${post.received.length} bytes)` : 'still open' },
    { label: 'memory at 0x160000 afterwards', value: memory === 'deadbeef' ? 'WRITTEN' : `unchanged (${memory})` },
    { label: 'a silent connection: GDB attaches beside it', value: memory === '?' ? 'no' : 'yes' },
    { label: 'a silent connection closed after', value: seconds(performance.now() - silentSince) },
  ];
}

/** Close times of three requests that never finish, sent at once. */
async function slowRequests(stub: Stub): Promise<Figure[]> {
  const drip = (socket: Socket, text: string): NodeJS.Timeout => setInterval(() => socket.writable && socket.write(text), 200);
  const giveUpMs = 40_000;
  const [nothing, headers, body] = await Promise.all([
    closeTime(stub, () => undefined, giveUpMs),
    closeTime(
      stub,
      (s) => {
        s.write(`GET /v1/regions HTTP/1.1\r\nHost: 127.0.0.1:${stub.apiPort}\r\n`);
        return undefined;
      },
      giveUpMs,
    ),
    closeTime(
      stub,
      (s) => {
        s.write(`POST /v1/update HTTP/1.1\r\nHost: 127.0.0.1:${stub.apiPort}\r\nContent-Type: application/json\r\nContent-Length: 100000\r\n\r\n{`);
        return drip(s, ' ');
      },
      giveUpMs,
    ),
  ]);
  const shown = (ms: number | null): string => (ms === null ? `still open after ${seconds(giveUpMs)}` : seconds(ms));
  return [
    { label: 'connection that sends nothing closed after', value: shown(nothing) },
    { label: 'partial headers closed after', value: shown(headers) },
    { label: 'trickled body closed after', value: shown(body) },
  ];
}

async function main(): Promise<void> {
  const args = process.argv.slice(2);
  const only = args[0] === '--case' ? args[1] : undefined;
  if (args.length > 0 && (only === undefined || args.length !== 2)) throw new Error(`usage: benchHostile [--case NAME]; cases: ${CASES.map((c) => c.name).join(', ')}`);
  const cases = CASES.filter((c) => only === undefined || c.name === only);
  if (cases.length === 0) throw new Error(`no case ${only}; cases: ${CASES.map((c) => c.name).join(', ')}`);
  process.stdout.write(`Node ${process.version}\n`);
  for (const hostile of cases) {
    const figures = await hostile.run();
    process.stdout.write(`\n${hostile.name}: ${hostile.what}\n`);
    const width = Math.max(...figures.map((f) => f.label.length));
    for (const figure of figures) process.stdout.write(`  ${figure.label.padEnd(width)}  ${figure.value}\n`);
  }
}

await main();
