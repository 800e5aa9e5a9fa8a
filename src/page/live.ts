// How the page stays current. Map-service operations arrive on the API's event stream
// (`/v1/events`, event `operation`) and go to the log at once. Everything else on the map —
// MPU registers written from GDB or by code on the core, DSB/ISB, refused accesses — happens
// on the machine, which publishes no events: the page reads `/v1/board` every 500 ms while
// it is visible, and at once after every operation and every reconnection. An unchanged
// answer is not drawn again.
//
// An event stream that breaks (the stub restarted, or dropped a client that fell behind) is
// opened again, with a growing delay, and the page carries on without a reload.

import type { BoardJson, ResultJson } from '../view/boardJson.js';

export type ConnectionState = 'connecting' | 'live' | 'reconnecting';

export interface LiveHandlers {
  board(board: BoardJson): void;
  operation(result: ResultJson): void;
  /** The event stream's state, with a sentence for the user. */
  connection(state: ConnectionState, detail: string): void;
  /** Something the log should say that is not an operation (a reconnection, a gap). */
  note(text: string): void;
}

const POLL_MS = 500;
const RETRY_MS = [500, 1_000, 2_000, 5_000];

export class LiveBoard {
  private events: EventSource | null = null;
  private lastText = '';
  private polling = false;
  private pollAgain = false;
  private everOpen = false;
  private retries = 0;
  private lastSequence: number | null = null;
  private timer: ReturnType<typeof setInterval> | null = null;

  constructor(private readonly handlers: LiveHandlers) {}

  start(): void {
    this.openEvents();
    void this.poll();
    this.timer = setInterval(() => {
      if (document.visibilityState === 'visible') void this.poll();
    }, POLL_MS);
    document.addEventListener('visibilitychange', () => {
      if (document.visibilityState === 'visible') void this.poll();
    });
  }

  stop(): void {
    if (this.timer !== null) clearInterval(this.timer);
    this.events?.close();
  }

  /** Reads /v1/board; one request at a time, and one more if asked meanwhile. */
  async poll(): Promise<void> {
    if (this.polling) {
      this.pollAgain = true;
      return;
    }
    this.polling = true;
    try {
      do {
        this.pollAgain = false;
        const response = await fetch('/v1/board', { cache: 'no-store' });
        const text = await response.text();
        if (!response.ok) throw new Error(`GET /v1/board: HTTP ${response.status}: ${text}`);
        if (text !== this.lastText) {
          this.lastText = text;
          this.handlers.board(JSON.parse(text) as BoardJson);
        }
      } while (this.pollAgain);
    } catch {
      // The stub is away; the event stream reports it, and the next poll tries again.
    } finally {
      this.polling = false;
    }
  }

  private openEvents(): void {
    const events = new EventSource('/v1/events');
    this.events = events;
    this.handlers.connection(this.everOpen ? 'reconnecting' : 'connecting', this.everOpen ? 'reconnecting to the stub…' : 'connecting…');
    events.addEventListener('open', () => {
      if (this.everOpen) this.handlers.note('reconnected to the event stream; operations made while it was down are not in this log');
      this.everOpen = true;
      this.retries = 0;
      this.handlers.connection('live', 'live');
      void this.poll();
    });
    events.addEventListener('operation', (event) => {
      const result = JSON.parse((event as MessageEvent<string>).data) as ResultJson;
      this.checkSequence(result.sequence);
      this.handlers.operation(result);
      void this.poll();
    });
    events.addEventListener('dropped', (event) => {
      const { reason } = JSON.parse((event as MessageEvent<string>).data) as { reason: string };
      this.handlers.note(`the stub dropped this page's event stream: ${reason}`);
    });
    events.addEventListener('error', () => {
      if (events !== this.events) return;
      this.handlers.connection('reconnecting', 'the stub does not answer; reconnecting…');
      // The browser retries a stream that broke by itself, but gives up on one it could not
      // open (the stub was down at that moment): then the page opens a new one.
      if (events.readyState === EventSource.CLOSED) {
        const delay = RETRY_MS[Math.min(this.retries++, RETRY_MS.length - 1)]!;
        setTimeout(() => {
          if (events === this.events) this.openEvents();
        }, delay);
      }
    });
  }

  /** Sequence numbers are consecutive: a jump means missed events, a fall a restarted stub. */
  private checkSequence(sequence: number): void {
    const last = this.lastSequence;
    this.lastSequence = sequence;
    if (last === null || sequence === last + 1) return;
    if (sequence <= last) this.handlers.note(`operation numbers started again at #${sequence}: the stub was restarted`);
    else this.handlers.note(`operations #${last + 1}–#${sequence - 1} were made while this page was not listening`);
  }
}
