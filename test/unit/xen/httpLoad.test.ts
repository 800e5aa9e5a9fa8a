// Load on the map service's HTTP API: several clients send thousands of mixed requests at
// once. Afterwards every request got exactly one sequence number, and replaying the requests in
// that order on a fresh service gives the same table: each request was applied exactly once,
// none was lost or interleaved.

import { describe, expect, it } from 'vitest';
import { MapApiServer } from '../../../src/xen/api/httpApi.js';
import { requestFromJson } from '../../../src/xen/requests.js';
import { newService, shadowTable } from './harness.js';

interface Sent {
  readonly op: string;
  readonly body: Record<string, string>;
}

function mixedRequest(i: number, client: number): Sent {
  const page = ((i * 7 + client * 13) % 48) * 0x10000;
  const hex = (n: number) => `0x${n.toString(16)}`;
  switch ((i + client) % 4) {
    case 0:
    case 1:
      return { op: 'update', body: { base: hex(page), limit: hex(page + 0x1000 * (1 + (i % 3))), flags: 'PAGE_HYPERVISOR_RW' } };
    case 2:
      return { op: 'destroy', body: { start: hex(page), end: hex(page + 0x1000 * (1 + (i % 3))) } };
    default:
      return { op: 'modify', body: { start: hex(page), end: hex(page + 0x1000), flags: 'PAGE_HYPERVISOR_RO' } };
  }
}

describe('HTTP API under load', () => {
  it('applies 2000 concurrent mixed requests from 5 clients exactly once, in one order', async () => {
    const { service } = newService(24);
    const server = new MapApiServer(service, { log: () => undefined });
    const { port } = await server.listen('127.0.0.1', 0);
    const answers: Array<{ sent: Sent; sequence: number; rc: number }> = [];
    try {
      await Promise.all(
        Array.from({ length: 5 }, async (_, client) => {
          for (let batch = 0; batch < 20; batch++) {
            const sends = Array.from({ length: 20 }, (_, k) => mixedRequest(batch * 20 + k, client));
            const results = await Promise.all(
              sends.map(async (sent) => {
                const response = await fetch(`http://127.0.0.1:${port}/v1/${sent.op}`, { method: 'POST', headers: { 'Content-Type': 'application/json' }, body: JSON.stringify(sent.body) });
                const json = (await response.json()) as { sequence: number; rc: number };
                return { sent, sequence: json.sequence, rc: json.rc };
              }),
            );
            answers.push(...results);
          }
        }),
      );
    } finally {
      await server.close();
    }
    expect(answers).toHaveLength(2000);
    const sequences = answers.map((a) => a.sequence).sort((a, b) => a - b);
    expect(sequences).toEqual(Array.from({ length: 2000 }, (_, i) => i + 1));
    expect(answers.some((a) => a.rc === 0)).toBe(true);
    expect(answers.some((a) => a.rc !== 0)).toBe(true);

    const { service: replay } = newService(24);
    const ordered = [...answers].sort((a, b) => a.sequence - b.sequence);
    for (const a of ordered) {
      const result = await replay.execute(requestFromJson(a.sent.op, a.sent.body));
      expect(result.rc).toBe(a.rc);
    }
    expect(shadowTable(replay)).toEqual(shadowTable(service));
  }, 60_000);
});
