// The map service's HTTP JSON API, on loopback unless the user binds it elsewhere (--api-host):
// one route per Xen entry point, scenarios, the region view, the shadow/hardware diff, the
// last failure, and a server-sent event stream of every operation. Bad requests get a 4xx
// with a precise message; nothing reaches the service unless the whole request is valid, so
// a bad request never changes the board. Web pages are kept out (origin.ts): the Host must
// name the API, a foreign Origin is refused, and a POST body must be declared as JSON.
// Beside the map service: the region-map page at `/` (pageFiles.ts) and the read-only board
// view it draws (`/v1/board`, src/view/boardView.ts), when the stub provides them.

import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { Socket } from 'node:net';
import type { BoardViewSource, RegimeName } from '../../view/boardJson.js';
import { listenOn } from '../../util/listen.js';
import { allowedHostName, HostPolicy } from './origin.js';
import { isPagePath, PAGE_HEADERS, readPageFile } from './pageFiles.js';
import { InputError, isPlainObject } from '../input.js';
import { parseJsonText } from '../jsonText.js';
import { OPERATIONS, requestFromJson } from '../requests.js';
import { parseScenario, runScenario } from '../scenario.js';
import type { OperationResult } from '../result.js';
import type { MapService } from '../service.js';
import { diffJson, regionsJson, resultJson } from '../views.js';

/** Event streams open at once (each client of the web page or a script holds one). */
export const MAX_EVENT_STREAMS = 32;
/** Connections at once; further ones are closed by the server as they arrive. */
export const MAX_CONNECTIONS = 256;
/** Largest request body accepted (a scenario of a few thousand operations fits easily). */
export const MAX_BODY_BYTES = 1 << 20;
/** How long close() lets requests in flight finish before it cuts their connections. */
const CLOSE_GRACE_MS = 250;
/** Time allowed for a request's headers, and for the whole request including its body. */
export const HEADERS_TIMEOUT_MS = 5_000;
export const REQUEST_TIMEOUT_MS = 10_000;
/**
 * How often Node looks for connections past those limits. Its default of 30 s made both
 * limits 30 s in practice; checking every second keeps them within a second of the promise.
 */
const CONNECTIONS_CHECKING_INTERVAL_MS = 1_000;

/** Limits on what one client can hold; tests shorten them, the stub uses the defaults. */
export interface MapApiLimits {
  readonly headersTimeoutMs: number;
  readonly requestTimeoutMs: number;
  /**
   * Unsent bytes an event-stream client may fall behind by before it is dropped: without a
   * bound, a client that stops reading has every later event buffered for it in the stub.
   */
  readonly eventBacklogBytes: number;
  /** Time a dropped client gets to read its backlog and last event before its connection is destroyed. */
  readonly eventDropGraceMs: number;
}

export const DEFAULT_LIMITS: MapApiLimits = {
  headersTimeoutMs: HEADERS_TIMEOUT_MS,
  requestTimeoutMs: REQUEST_TIMEOUT_MS,
  eventBacklogBytes: 1 << 20,
  eventDropGraceMs: 5_000,
};

export interface MapApiOptions {
  log(message: string): void;
  /** Names or addresses, besides loopback and the bound address, that requests may call the API by (--allow-host). */
  readonly allowedHosts?: readonly string[];
  readonly limits?: Partial<MapApiLimits>;
  /** Both MPU regimes, the last fault, the shadow and the diff, for `GET /v1/board` (and `/v1/history`). */
  readonly boardView?: BoardViewSource;
  /** Directory of the built region-map page, served at `GET /`. */
  readonly pageDir?: string;
}

/** A body for each POST route, shown in the 415 answer as a command that works. */
const EXAMPLE_BODIES: Readonly<Record<string, string>> = {
  update: '{"base":"0x100000","limit":"0x200000","flags":"PAGE_HYPERVISOR_RW"}',
  map: '{"virt":"0x30000000","mfn":"0x30000","nr":16,"flags":"PAGE_HYPERVISOR_RW"}',
  destroy: '{"start":"0x100000","end":"0x200000"}',
  modify: '{"start":"0x100000","end":"0x200000","flags":"PAGE_HYPERVISOR_RO"}',
  ioremap: '{"start":"0x9c0a0000","len":"0x1000","flags":"PAGE_HYPERVISOR_NOCACHE"}',
  'destroy-containing': '{"addr":"0x9c0a0000"}',
  scenario: '{"operations":[{"op":"update","base":"0x100000","limit":"0x200000","flags":"PAGE_HYPERVISOR_RW"}]}',
};

/** The client went away (or was cut off by a limit) before its request was complete. */
class RequestAborted extends Error {}

class HttpError extends Error {
  constructor(
    readonly status: number,
    message: string,
    readonly headers: Record<string, string> = {},
  ) {
    super(message);
  }
}

type Handler = (body: unknown, query: URLSearchParams) => Promise<unknown>;

interface Route {
  readonly method: 'GET' | 'POST';
  readonly handler: Handler;
}

export class MapApiServer {
  private readonly server: Server;
  private readonly routes = new Map<string, Route>();
  private readonly sockets = new Set<Socket>();
  private readonly streams = new Set<ServerResponse>();
  private readonly limits: MapApiLimits;
  private lastEvent: { readonly result: OperationResult; readonly text: string } | null = null;
  /** Known once the server listens: the port is part of every accepted Host and Origin. */
  private policy: HostPolicy | null = null;

  constructor(
    private readonly service: MapService,
    private readonly options: MapApiOptions,
  ) {
    this.limits = checkedLimits({ ...DEFAULT_LIMITS, ...options.limits });
    // Checked now, so that a bad --allow-host fails at start rather than at the first request.
    for (const name of options.allowedHosts ?? []) allowedHostName(name);
    for (const spec of OPERATIONS) {
      this.routes.set(`/v1/${spec.op}`, {
        method: 'POST',
        handler: async (body) => {
          const request = requestFromJson(spec.op, body);
          // The operation and the diff returned with it under one lock: no later request between them.
          return service.exclusive((session) => resultJson(session.execute(request), session.diff()));
        },
      });
    }
    for (const op of ['boot', 'free-init', 'after-init'] as const) {
      this.routes.set(`/v1/${op}`, { method: 'POST', handler: async (body) => resultJson(await service.execute(requestFromJson(op, body ?? {}))) });
    }
    this.routes.set('/v1/scenario', {
      method: 'POST',
      handler: async (body) => {
        const outcome = await runScenario(service, parseScenario(body));
        return { scenario: outcome.scenario, rc: outcome.rc, skipped: outcome.skipped, results: outcome.results.map((r) => resultJson(r)) };
      },
    });
    this.routes.set('/v1/regions', { method: 'GET', handler: async () => regionsJson(await service.regions()) });
    this.routes.set('/v1/diff', { method: 'GET', handler: async () => ({ disagreements: diffJson(await service.diff()) }) });
    const view = options.boardView;
    if (view) {
      this.routes.set('/v1/board', { method: 'GET', handler: () => view.board() });
      // Only where the stub keeps a register history: the page asks the board view first.
      const history = view.history;
      if (history) this.routes.set('/v1/history', { method: 'GET', handler: (_body, query) => history(...historyQuery(query)) });
    }
    this.routes.set('/v1/last-error', {
      method: 'GET',
      handler: () => {
        const failure = service.lastFailure();
        return Promise.resolve({ lastError: failure === null ? null : resultJson(failure) });
      },
    });
    // A client that trickles its request is cut off rather than holding a socket forever.
    this.server = createServer(
      {
        headersTimeout: this.limits.headersTimeoutMs,
        requestTimeout: this.limits.requestTimeoutMs,
        connectionsCheckingInterval: Math.min(CONNECTIONS_CHECKING_INTERVAL_MS, this.limits.headersTimeoutMs),
        // Node would answer a request without Host with a bare 400; the Host check answers
        // it with a 403 that says what the API accepts.
        requireHostHeader: false,
      },
      (request, response) => {
        void this.handle(request, response);
      },
    );
    // However many sockets a hostile client opens, what each holds is bounded; so is their number.
    this.server.maxConnections = MAX_CONNECTIONS;
    this.server.on('connection', (socket) => {
      this.sockets.add(socket);
      socket.on('close', () => this.sockets.delete(socket));
    });
  }

  async listen(host: string, port: number): Promise<{ host: string; port: number }> {
    const address = await listenOn(this.server, host, port);
    this.policy = new HostPolicy(address.port, address.host, this.options.allowedHosts ?? []);
    return address;
  }

  /**
   * Stops listening and ends the event streams; requests already being answered finish (a
   * page polling the board sees its last answer, then refused connections, not a reset), idle
   * keep-alive connections close at once, and whatever is still open after CLOSE_GRACE_MS is cut.
   */
  async close(): Promise<void> {
    for (const stream of this.streams) stream.end();
    const closed = new Promise<void>((resolve) => this.server.close(() => resolve()));
    this.server.closeIdleConnections();
    const cut = setTimeout(() => {
      for (const socket of this.sockets) socket.destroy();
    }, CLOSE_GRACE_MS);
    await closed;
    clearTimeout(cut);
  }

  private async handle(request: IncomingMessage, response: ServerResponse): Promise<void> {
    const [path = '/', queryText = ''] = (request.url ?? '/').split('?');
    try {
      // Who is asking comes first: a web page learns nothing, not even which routes exist.
      const headers = request.headersDistinct;
      const decision = this.policy?.check(headers['host'] ?? [], headers['origin'] ?? [], headers['sec-fetch-site'] ?? []) ?? { refused: true, reason: 'not listening yet' };
      if (decision.refused) throw new HttpError(403, decision.reason, { Connection: 'close' });
      if (path === '/v1/events') {
        if (request.method !== 'GET') throw new HttpError(405, `${path} answers GET only`, { Allow: 'GET' });
        if (this.streams.size >= MAX_EVENT_STREAMS) throw new HttpError(503, `already ${MAX_EVENT_STREAMS} event streams open; close one first`, { 'Retry-After': '5' });
        this.stream(request, response);
        return;
      }
      if (this.options.pageDir !== undefined && isPagePath(path)) {
        if (request.method !== 'GET') throw new HttpError(405, `${path} answers GET only`, { Allow: 'GET' });
        const file = await readPageFile(this.options.pageDir, path);
        if (file === null) throw new HttpError(404, `the region-map page is not built in ${this.options.pageDir}: run "npm run build"`);
        response.writeHead(200, { 'Content-Type': file.type, 'Content-Length': file.body.length, ...PAGE_HEADERS });
        response.end(file.body);
        return;
      }
      const route = this.routes.get(path);
      if (!route) throw new HttpError(404, `no route ${path}; routes: ${[...this.routes.keys(), '/v1/events'].join(', ')}`);
      if (request.method !== route.method) throw new HttpError(405, `${path} answers ${route.method} only`, { Allow: route.method });
      if (route.method === 'POST') checkJsonContentType(request, path);
      const body = route.method === 'POST' ? await readJsonBody(request) : undefined;
      const answer = await route.handler(body, new URLSearchParams(queryText));
      send(response, 200, answer);
    } catch (err) {
      if (err instanceof HttpError) return send(response, err.status, { error: err.message }, err.headers);
      if (err instanceof InputError) return send(response, 400, { error: err.message, field: err.field });
      // Nobody is left to answer, and a client hanging up is not the service's failure.
      if (err instanceof RequestAborted) return;
      this.options.log(`api: internal error on ${request.method ?? '?'} ${path}: ${err instanceof Error ? (err.stack ?? err.message) : String(err)}`);
      send(response, 500, { error: 'internal error in the map service; the stub log has the details' });
    }
  }

  /**
   * Server-sent events: one `operation` event per completed operation. A client that falls
   * more than eventBacklogBytes behind gets a last `dropped` event and is disconnected.
   */
  private stream(request: IncomingMessage, response: ServerResponse): void {
    response.writeHead(200, { 'Content-Type': 'text/event-stream', 'Cache-Control': 'no-cache', Connection: 'keep-alive' });
    response.write(': mpustub map service events\n\n');
    this.streams.add(response);
    const stop = this.service.onOperation((result) => {
      // writableLength counts what the kernel has not taken yet: this client is not reading.
      if (response.writableLength > this.limits.eventBacklogBytes) {
        forget();
        this.drop(response);
        return;
      }
      response.write(this.eventText(result));
    });
    const forget = (): void => {
      stop();
      this.streams.delete(response);
    };
    request.on('close', forget);
  }

  /** The event for one operation, built once however many clients it goes to. */
  private eventText(result: OperationResult): string {
    if (this.lastEvent?.result !== result) this.lastEvent = { result, text: `event: operation\ndata: ${JSON.stringify(resultJson(result))}\n\n` };
    return this.lastEvent.text;
  }

  private drop(response: ServerResponse): void {
    const reason = `this client fell more than ${this.limits.eventBacklogBytes} bytes behind the events and was disconnected; reconnect to /v1/events, and read /v1/regions for the current state`;
    const socket = response.socket;
    // Once the kernel has the last event, the connection goes: it is not reused for requests.
    response.end(`event: dropped\ndata: ${JSON.stringify({ reason })}\n\n`, () => socket?.destroy());
    // A client that still does not read will not take that event either; its backlog is
    // freed after the grace period rather than held for as long as the connection lasts.
    const timer = setTimeout(() => socket?.destroy(), this.limits.eventDropGraceMs);
    timer.unref();
    socket?.once('close', () => clearTimeout(timer));
  }
}

/** `?regime=el2|el1&region=N` of /v1/history. */
function historyQuery(query: URLSearchParams): [RegimeName, number] {
  const regime = query.get('regime') ?? 'el2';
  if (regime !== 'el2' && regime !== 'el1') throw new InputError('regime', `expected "el2" or "el1", got ${JSON.stringify(regime)}`);
  const region = query.get('region') ?? '';
  if (!/^\d{1,3}$/.test(region) || Number(region) > 254) throw new InputError('region', `expected a region number 0..254, got ${JSON.stringify(region)}`);
  return [regime, Number(region)];
}

function checkedLimits(limits: MapApiLimits): MapApiLimits {
  const positive = (name: keyof MapApiLimits): void => {
    if (!Number.isInteger(limits[name]) || limits[name] <= 0) throw new RangeError(`${name} must be a positive integer, got ${limits[name]}`);
  };
  // A timeout of 0 means "no limit" to Node, exactly what the limits are there to prevent;
  // an event limit of 0 would drop every event client at its first event.
  positive('headersTimeoutMs');
  positive('requestTimeoutMs');
  positive('eventBacklogBytes');
  positive('eventDropGraceMs');
  if (limits.headersTimeoutMs > limits.requestTimeoutMs) {
    throw new RangeError(`headersTimeoutMs (${limits.headersTimeoutMs}) must not exceed requestTimeoutMs (${limits.requestTimeoutMs})`);
  }
  return limits;
}

function send(response: ServerResponse, status: number, body: unknown, headers: Record<string, string> = {}): void {
  if (response.headersSent) return;
  const text = `${JSON.stringify(body, null, 2)}\n`;
  response.writeHead(status, { 'Content-Type': 'application/json', 'Content-Length': Buffer.byteLength(text), ...headers });
  response.end(text);
}

/**
 * A POST body must be declared as JSON: a web page can send a text/plain or form body to any
 * address without asking first (no CORS preflight), but not one with this type. A POST with
 * neither a type nor a body (`curl -X POST .../v1/after-init`) is accepted: a browser always
 * sends a type with a form or text post, and a body-less cross-site fetch is refused for its
 * Origin anyway.
 */
function checkJsonContentType(request: IncomingMessage, path: string): void {
  const type = request.headers['content-type'];
  const hasBody = request.headers['transfer-encoding'] !== undefined || (request.headers['content-length'] ?? '0') !== '0';
  if (type === undefined && !hasBody) return;
  const [media, ...parameters] = (type ?? '').split(';').map((part) => part.trim().toLowerCase());
  const charset = parameters.find((p) => p.startsWith('charset='))?.slice('charset='.length).replace(/^"(.*)"$/, '$1');
  if (media === 'application/json' && (charset === undefined || charset === 'utf-8' || charset === 'utf8')) return;
  const example = EXAMPLE_BODIES[path.slice('/v1/'.length)] ?? '{}';
  const got = type === undefined ? 'this one had no Content-Type' : `not ${JSON.stringify(type)}`;
  throw new HttpError(
    415,
    `POST ${path} takes a JSON body sent with Content-Type: application/json in UTF-8 (${got}), e.g. curl --json '${example}' http://${request.headers.host ?? '127.0.0.1:1235'}${path}`,
    { Connection: 'close' },
  );
}

function readJsonBody(request: IncomingMessage): Promise<unknown> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    let refused = false;
    request.on('data', (chunk: Buffer) => {
      if (refused) return;
      size += chunk.length;
      if (size > MAX_BODY_BYTES) {
        refused = true;
        reject(new HttpError(413, `request body larger than ${MAX_BODY_BYTES} bytes`));
        return;
      }
      chunks.push(chunk);
    });
    request.on('error', (err) => reject(new RequestAborted(err.message)));
    request.on('end', () => {
      if (refused) return;
      const text = Buffer.concat(chunks).toString('utf8');
      if (text.trim() === '') return resolve(undefined);
      try {
        const parsed = parseJsonText(text);
        if (!isPlainObject(parsed)) return reject(new HttpError(400, 'the body must be a JSON object'));
        resolve(parsed);
      } catch (err) {
        reject(new HttpError(400, `the body is not valid JSON: ${(err as Error).message}`));
      }
    });
  });
}
