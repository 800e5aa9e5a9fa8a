// The "null stub": a GDB remote stub that answers every packet at once from precomputed data
// (zeros for registers and memory, OK for writes). Driving it with the benchmark's GDB work
// measures GDB's own cost on this machine, the floor no stub can go below.
// `node dist/tools/nullStub.js` prints `gdb: target remote 127.0.0.1:PORT`.

import { createServer } from 'node:net';
import { buildTargetXml } from '../arch/aarch64/targetXml.js';
import { escapeBinary, frame } from '../rsp/codec.js';
import { PacketFramer } from '../rsp/framer.js';

const PACKET_SIZE = 0x20000;
const xml = Buffer.from(buildTargetXml());
const registers = Buffer.from('00'.repeat(788));
const zeros = Buffer.from('0'.repeat(PACKET_SIZE));

function reply(packet: string): Buffer | null {
  if (packet.startsWith('qSupported')) return Buffer.from(`PacketSize=${PACKET_SIZE.toString(16)};qXfer:features:read+;QStartNoAckMode+`);
  if (packet === 'QStartNoAckMode') return Buffer.from('OK');
  if (packet.startsWith('qXfer:features:read:target.xml:')) {
    const [offset, length] = packet.slice('qXfer:features:read:target.xml:'.length).split(',').map((n) => parseInt(n, 16)) as [number, number];
    const chunk = xml.subarray(offset, offset + length);
    return Buffer.concat([Buffer.from(offset + length >= xml.length ? 'l' : 'm'), escapeBinary(chunk)]);
  }
  if (packet === '?') return Buffer.from('T05thread:1;');
  if (packet === 'g') return registers;
  if (packet[0] === 'p') return zeros.subarray(0, 16); // every register outside g is 64-bit
  if (packet[0] === 'm') return zeros.subarray(0, Math.min(PACKET_SIZE - 4, parseInt(packet.split(',')[1]!, 16) * 2));
  if (packet[0] === 'M' || packet[0] === 'X' || packet[0] === 'H' || packet[0] === 'T' || packet[0] === 'D') return Buffer.from('OK');
  if (packet === 'qC') return Buffer.from('QC1');
  if (packet === 'qfThreadInfo') return Buffer.from('m1');
  if (packet === 'qsThreadInfo') return Buffer.from('l');
  if (packet === 'qAttached') return Buffer.from('1');
  if (packet === 'k') return null;
  return Buffer.alloc(0);
}

const server = createServer((socket) => {
  socket.setNoDelay(true);
  const framer = new PacketFramer(PACKET_SIZE);
  let ack = true;
  socket.on('data', (chunk: Buffer) => {
    for (const event of framer.push(chunk)) {
      if (event.kind !== 'packet') continue;
      const packet = Buffer.from(event.payload).toString('latin1');
      const answer = reply(packet);
      if (ack) socket.write('+');
      if (answer) socket.write(frame(answer));
      if (packet === 'QStartNoAckMode') ack = false;
    }
  });
  socket.on('error', () => undefined);
});
server.listen(Number(process.argv[2] ?? 0), '127.0.0.1', () => {
  const address = server.address();
  if (address && typeof address === 'object') process.stdout.write(`gdb: target remote 127.0.0.1:${address.port}\n`);
});
process.on('SIGTERM', () => server.close(() => process.exit(0)));
