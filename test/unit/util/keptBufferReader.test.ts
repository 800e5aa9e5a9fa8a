// The GDB port's reader: an accepted connection read into one kept buffer (Node's `onread`),
// its bytes intact, the connection's events and writes as on any socket — and on this Node the
// kept-buffer path is the one taken, so that a Node that changes its internals shows here.

import { once } from 'node:events';
import { connect, createServer, Socket, type AddressInfo } from 'node:net';
import { describe, expect, it } from 'vitest';
import { KEPT_BUFFER_BYTES, readIntoKeptBuffer } from '../../../src/util/keptBufferReader.js';

describe('readIntoKeptBuffer', () => {
  it('reads every byte into one reused buffer, answers, and sees the peer end', async () => {
    const chunks: Buffer[] = [];
    const backing = new Set<ArrayBufferLike>();
    let owner: Socket | undefined;
    const ended = new Promise<void>((resolve) => {
      const server = createServer({ pauseOnConnect: true }, (accepted) => {
        owner = readIntoKeptBuffer(accepted, (chunk) => {
          backing.add(chunk.buffer);
          chunks.push(Buffer.from(chunk)); // lent: copied to be kept
          if (chunks.reduce((n, c) => n + c.length, 0) === sent.length) owner!.write('done');
        });
        owner.on('end', () => {
          owner!.end();
          server.close();
          resolve();
        });
      });
      server.listen(0, '127.0.0.1', () => {
        const client = connect((server.address() as AddressInfo).port, '127.0.0.1');
        client.on('data', (reply) => {
          expect(reply.toString()).toBe('done');
          client.end();
        });
        client.write(sent.subarray(0, 1000));
        setTimeout(() => client.write(sent.subarray(1000)), 20);
      });
    });
    const sent = Buffer.alloc(3 * KEPT_BUFFER_BYTES + 17);
    for (let i = 0; i < sent.length; i++) sent[i] = (i * 7) & 0xff;
    await ended;
    expect(Buffer.concat(chunks).equals(sent)).toBe(true);
    expect(chunks.length).toBeGreaterThan(1);
    expect(backing.size).toBe(1); // one kept buffer for every read
    expect(owner!.readableEnded || owner!.destroyed).toBe(true);
  });

  it('pauses and resumes reading as any socket does', async () => {
    const received: number[] = [];
    const server = createServer({ pauseOnConnect: true }, (accepted) => {
      const owner = readIntoKeptBuffer(accepted, (chunk) => {
        received.push(chunk.length);
        owner.pause();
        setTimeout(() => owner.resume(), 30);
      });
    });
    server.listen(0, '127.0.0.1');
    await once(server, 'listening');
    const client = connect((server.address() as AddressInfo).port, '127.0.0.1');
    await once(client, 'connect');
    client.write('a');
    await new Promise((r) => setTimeout(r, 10));
    client.write('b');
    await new Promise((r) => setTimeout(r, 10));
    expect(received).toEqual([1]); // paused: 'b' waits in the kernel
    await new Promise((r) => setTimeout(r, 40));
    expect(received).toEqual([1, 1]);
    client.destroy();
    server.close();
  });

  it('falls back to data events on a socket without a native handle, with the same contract', () => {
    const bare = new Socket(); // never connected: no handle to take over
    const chunks: string[] = [];
    const owner = readIntoKeptBuffer(bare, (chunk) => chunks.push(chunk.toString()));
    expect(owner).toBe(bare);
    bare.emit('data', Buffer.from('$g#67'));
    expect(chunks).toEqual(['$g#67']);
    bare.destroy();
  });
});
