// A fuzzer for the GDB-facing side of the stub: random byte streams and mutations of real GDB
// traffic are thrown at a live stub (the real board, over TCP), and after every input the stub
// must still answer a well-formed session, report the same board state (the fuzzer's inputs
// never contain a valid write), and keep its memory bounded. `npm run fuzz` runs it for long;
// the test suite runs a bounded pass. Prints how many inputs it tried.

import { XorShift32 } from '../util/random.js';
import { connect, type Socket } from 'node:net';
import { createLogger } from '../log.js';
import { startStub, type RunningStub } from '../wiring.js';

/** Real traffic of a GDB 13 session (connect, registers, memory, monitor), the mutation corpus. */
const CORPUS: readonly string[] = [
  'qSupported:multiprocess+;swbreak+;hwbreak+;qRelocInsn+;fork-events+;vfork-events+;exec-events+;vContSupported+;QThreadEvents+;no-resumed+;memory-tagging+;xmlRegisters=i386',
  'vMustReplyEmpty',
  'Hg0',
  'qXfer:features:read:target.xml:0,ffb',
  'qTStatus',
  '?',
  'qfThreadInfo',
  'qsThreadInfo',
  'qAttached',
  'Hc-1',
  'qOffsets',
  'g',
  'm0,4',
  'm100000,200',
  'x100000,200',
  'p21',
  'pe080',
  'qRcmd,6d7075',
  'qRcmd,6d707520636865636b203078313030303030',
  'vCont?',
  'qC',
  'z0,2000,4',
  'T1',
];

/** Packet letters whose valid forms change the board; inputs starting with them are dropped. */
const WRITERS = /^(M|X|G|P|Z|z|c|s|C|S|vCont;|D|k|Q|qRcmd)/;

function checksum(payload: Buffer): string {
  let sum = 0;
  for (const b of payload) sum = (sum + b) & 0xff;
  return sum.toString(16).padStart(2, '0');
}

function frame(payload: Buffer): Buffer {
  return Buffer.concat([Buffer.from('$'), payload, Buffer.from(`#${checksum(payload)}`)]);
}

const SPECIALS = [0x24, 0x23, 0x7d, 0x2a, 0x03, 0x2b, 0x2d, 0x00, 0xff, 0x3a, 0x2c, 0x3b];

function mutate(random: XorShift32, packet: string): Buffer {
  const bytes = [...Buffer.from(packet, 'latin1')];
  const edits = 1 + random.below(4);
  for (let e = 0; e < edits; e++) {
    const at = random.below(bytes.length + 1);
    switch (random.below(6)) {
      case 0:
        bytes.splice(at, 1);
        break;
      case 1:
        bytes.splice(at, 0, random.pick(SPECIALS));
        break;
      case 2:
        bytes[at] = random.below(256);
        break;
      case 3:
        bytes.splice(at, 0, ...Buffer.from('ffffffffffffffff'));
        break;
      case 4:
        bytes.splice(at);
        break;
      default:
        bytes.splice(at, 0, ...bytes.slice(0, random.below(bytes.length + 1)));
    }
  }
  return Buffer.from(bytes);
}

/** One hostile input: a mutated packet (well or badly framed), raw noise, or a huge packet. */
function hostileInput(random: XorShift32): { bytes: Buffer; packet: string | null } {
  const kind = random.below(10);
  if (kind < 6) {
    const payload = mutate(random, random.pick(CORPUS));
    const text = payload.toString('latin1');
    // A '$' inside would start a nested packet the writer filter cannot see.
    if (WRITERS.test(text) || text.includes('$')) return { bytes: Buffer.from('+'), packet: null };
    const framed = frame(payload);
    if (random.below(4) === 0) framed[framed.length - 1] = 0x30 + random.below(10); // bad checksum
    return { bytes: framed, packet: text };
  }
  if (kind < 9) {
    const noise = Buffer.alloc(1 + random.below(300));
    // No '$': noise that formed a packet could by chance be a valid write or detach.
    for (let i = 0; i < noise.length; i++) noise[i] = random.below(256);
    for (let i = 0; i < noise.length; i++) if (noise[i] === 0x24) noise[i] = 0x25;
    // Noise can contain a '$' that starts a packet; close any open one so the next probe parses.
    return { bytes: Buffer.concat([noise, Buffer.from('#00')]), packet: null };
  }
  return { bytes: frame(Buffer.from(`m0,${'f'.repeat(1 + random.below(16))}` + '0'.repeat(random.below(3) * 70000))), packet: 'm' };
}

class Probe {
  private buffer = Buffer.alloc(0);
  private waiter: (() => void) | undefined;
  constructor(readonly socket: Socket) {
    socket.on('data', (chunk: Buffer) => {
      this.buffer = Buffer.concat([this.buffer, chunk]);
      this.waiter?.();
    });
    socket.on('error', () => undefined);
  }
  static open(port: number): Promise<Probe> {
    return new Promise((resolve, reject) => {
      const socket = connect(port, '127.0.0.1', () => resolve(new Probe(socket)));
      socket.once('error', reject);
    });
  }
  /** Sends a packet with a unique marker-free payload and returns its reply, skipping others. */
  async request(payload: string, timeoutMs = 5000): Promise<string> {
    this.buffer = Buffer.alloc(0);
    this.socket.write(frame(Buffer.from(payload, 'latin1')));
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      const text = this.buffer.toString('latin1');
      const match = /\$([^#$]*)#[0-9a-f]{2}/.exec(text);
      if (match) {
        this.socket.write('+');
        return match[1]!;
      }
      if (Date.now() > deadline) throw new Error(`no reply to ${payload}; got ${JSON.stringify(text.slice(0, 200))}`);
      await new Promise<void>((resolve) => {
        const t = setTimeout(resolve, 50);
        this.waiter = () => {
          clearTimeout(t);
          resolve();
        };
      });
    }
  }
  /**
   * Waits until every reply to earlier inputs has arrived, then sends `payload` and returns its
   * reply. The fence is `monitor help`: hostile inputs never contain qRcmd, so its output can
   * only answer the fence, and replies come in order.
   */
  async replyAfterFence(payload: string, timeoutMs = 20_000): Promise<string> {
    // Garbage may have left a packet open (or an escape pending): "#00#00" closes whatever is
    // open, as a GDB resending after a timeout effectively does.
    this.socket.write(Buffer.concat([Buffer.from('#00#00'), frame(Buffer.from(`qRcmd,${Buffer.from('help').toString('hex')}`))]));
    const marker = Buffer.from('mpustub monitor commands').toString('hex');
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      const text = this.buffer.toString('latin1');
      const at = text.indexOf(marker);
      if (at >= 0 && /\$OK#9a/.test(text.slice(at))) break;
      if (Date.now() > deadline) throw new Error(`the fence was not answered; the stub's last bytes: ${JSON.stringify(text.slice(-300))}`);
      await new Promise<void>((resolve) => {
        const t = setTimeout(resolve, 50);
        this.waiter = () => {
          clearTimeout(t);
          resolve();
        };
      });
    }
    return this.request(payload);
  }

  close(): void {
    this.socket.destroy();
  }
}

/** A session that holds the board: retried while the previous client's close is in flight. */
async function attach(port: number): Promise<Probe> {
  for (let attempt = 0; attempt < 100; attempt++) {
    const probe = await Probe.open(port);
    const answer = await probe.request('qC');
    if (answer === 'QC1') return probe;
    probe.close();
    await new Promise((r) => setTimeout(r, 10));
  }
  throw new Error('could not attach: the board stayed held by a closed client');
}

export interface FuzzReport {
  readonly inputs: number;
  readonly connections: number;
  readonly seed: number;
  readonly maxRssMiB: number;
}

async function snapshot(probe: Probe): Promise<string> {
  return [await probe.request('g'), await probe.request('m0,100'), await probe.request('m100000,40'), await probe.request('pe080')].join('|');
}

/** Runs `inputs` hostile inputs against a fresh stub; throws on the first broken promise. */
export async function fuzzRsp(options: { inputs: number; seed?: number; perConnection?: number; log?: (line: string) => void }): Promise<FuzzReport> {
  const seed = options.seed ?? Date.now() % 0xffffffff;
  const random = new XorShift32(seed);
  const stub: RunningStub = await startStub({ host: '127.0.0.1', port: 0, apiPort: null, scenario: 'default', traceRsp: false, logger: createLogger('error', () => undefined) });
  const perConnection = options.perConnection ?? 200;
  let connections = 0;
  let maxRss = 0;
  try {
    const reference = await (async () => {
      const p = await attach(stub.gdbAddress.port);
      const s = await snapshot(p);
      p.close();
      return s;
    })();
    let done = 0;
    while (done < options.inputs) {
      const hostile = await attach(stub.gdbAddress.port);
      connections++;
      const batch = Math.min(perConnection, options.inputs - done);
      for (let i = 0; i < batch; i++) hostile.socket.write(hostileInput(random).bytes);
      done += batch;
      // The hostile client is still attached: its session must still answer in protocol terms.
      const answer = await hostile.replyAfterFence('qC');
      if (answer !== 'QC1') throw new Error(`seed ${seed}: after ${done} inputs the session answered qC with ${JSON.stringify(answer)}`);
      hostile.close();
      const probe = await attach(stub.gdbAddress.port);
      const state = await snapshot(probe);
      probe.close();
      if (state !== reference) throw new Error(`seed ${seed}: board state changed after ${done} inputs`);
      maxRss = Math.max(maxRss, process.memoryUsage().rss);
      options.log?.(`${done} inputs, ${connections} connections, rss ${(maxRss / 2 ** 20).toFixed(0)} MiB`);
    }
    return { inputs: done, connections, seed, maxRssMiB: Math.round(maxRss / 2 ** 20) };
  } finally {
    await stub.close();
  }
}

// `node dist/tools/fuzzRsp.js [inputs] [seed]`
if (process.argv[1] && import.meta.url === new URL(`file://${process.argv[1]}`).href) {
  const inputs = Number(process.argv[2] ?? 200_000);
  const seed = process.argv[3] !== undefined ? Number(process.argv[3]) : undefined;
  const started = Date.now();
  fuzzRsp({ inputs, ...(seed !== undefined ? { seed } : {}), perConnection: 500, log: (l) => process.stderr.write(`\r${l}   `) }).then(
    (r) => {
      process.stdout.write(`\nfuzz: ${r.inputs} hostile inputs over ${r.connections} connections (seed ${r.seed}) in ${((Date.now() - started) / 1000).toFixed(1)} s; board unchanged, every session answered, max RSS ${r.maxRssMiB} MiB\n`);
    },
    (err: unknown) => {
      process.stderr.write(`\nfuzz: FAILED: ${(err as Error).message}\n`);
      process.exit(1);
    },
  );
}
