// Drives the Eclipse CDT GDB debug adapter (npm cdt-gdb-adapter, the adapter behind VS Code's
// CDT GDB extensions) as an IDE does: one adapter process per session, spoken to over the
// Debug Adapter Protocol through @vscode/debugadapter-testsupport's DebugClient. The adapter
// starts gdb-multiarch itself and connects it with `target remote`, so everything a session
// does goes IDE -> DAP -> GDB/MI -> RSP -> the stub.

import { fileURLToPath } from 'node:url';
import { DebugClient } from '@vscode/debugadapter-testsupport';
import type { DebugProtocol } from '@vscode/debugprotocol';
import { GDB } from './gdb.js';

/** The adapter for remote targets (its `cdtDebugTargetAdapter` bin, VS Code's `gdbtarget`). */
export const TARGET_ADAPTER = fileURLToPath(new URL('../../node_modules/cdt-gdb-adapter/dist/debugTargetAdapter.js', import.meta.url));

/** The attach arguments cdt-gdb-adapter reads (its TargetAttachRequestArguments), as used here. */
export interface TargetAttachArguments extends DebugProtocol.AttachRequestArguments {
  gdb: string;
  program: string;
  target: { type: 'remote'; parameters: string[] };
  /** Run after the connection: `load` writes the program into the board's RAM. */
  preRunCommands?: string[];
}

/** Requests and events of one session are slow on a loaded 2-core machine: GDB starts, loads, unwinds. */
const TIMEOUT_MS = 30_000;

export class DapSession {
  /** Every `output` event's text, in order (GDB's console, monitor replies, adapter notes). */
  readonly output: string[] = [];

  private constructor(readonly client: DebugClient) {
    client.on('output', (event: DebugProtocol.OutputEvent) => this.output.push(event.body.output));
  }

  /** Starts an adapter process, initializes it and attaches it to the stub on `port`. */
  static async attach(port: number, program: string): Promise<DapSession> {
    const client = new DebugClient(process.execPath, TARGET_ADAPTER, 'gdbtarget');
    client.defaultTimeout = TIMEOUT_MS;
    await client.start();
    const session = new DapSession(client);
    try {
      await client.initializeRequest({ adapterID: 'gdbtarget', linesStartAt1: true, columnsStartAt1: true, pathFormat: 'path' });
      // The adapter sends `initialized` while it answers attach: wait for both together.
      const initialized = client.waitForEvent('initialized');
      const args: TargetAttachArguments = {
        gdb: GDB,
        program,
        target: { type: 'remote', parameters: [`127.0.0.1:${port}`] },
        preRunCommands: ['load'],
      };
      await client.attachRequest(args);
      await initialized;
      return session;
    } catch (err) {
      // An adapter whose attach failed stays alive (it does not exit when its client goes): end it here.
      await client.stop();
      throw new Error(`${(err as Error).message}
adapter output:
${session.output.join('')}`);
    }
  }

  /** Sets line breakpoints, then ends configuration: the adapter resumes the core and this waits for the stop. */
  async runToBreakpoint(path: string, line: number): Promise<DebugProtocol.StoppedEvent> {
    const breakpoints = await this.client.setBreakpointsRequest({ source: { path }, breakpoints: [{ line }] });
    if (!breakpoints.body.breakpoints.every((b) => b.verified)) throw new Error(`breakpoint at ${path}:${line} not verified`);
    const stopped = this.client.waitForEvent('stopped') as Promise<DebugProtocol.StoppedEvent>;
    await this.client.configurationDoneRequest();
    return stopped;
  }

  async threadId(): Promise<number> {
    const threads = await this.client.threadsRequest();
    const first = threads.body.threads[0];
    if (!first) throw new Error('the adapter reports no thread');
    return first.id;
  }

  async frames(threadId: number): Promise<DebugProtocol.StackFrame[]> {
    return (await this.client.stackTraceRequest({ threadId })).body.stackFrames;
  }

  /** Runs a stepping request and waits for the stop it causes. */
  async step(kind: 'next' | 'stepIn' | 'stepOut', threadId: number): Promise<DebugProtocol.StoppedEvent> {
    const stopped = this.client.waitForEvent('stopped') as Promise<DebugProtocol.StoppedEvent>;
    if (kind === 'next') await this.client.nextRequest({ threadId });
    else if (kind === 'stepIn') await this.client.stepInRequest({ threadId });
    else await this.client.stepOutRequest({ threadId });
    return stopped;
  }

  /** The Registers scope of a frame: its variablesReference. */
  async registersReference(frameId: number): Promise<number> {
    const scopes = await this.client.scopesRequest({ frameId });
    const registers = scopes.body.scopes.find((s) => s.name === 'Registers');
    if (!registers) throw new Error(`no Registers scope: ${scopes.body.scopes.map((s) => s.name).join(', ')}`);
    return registers.variablesReference;
  }

  /**
   * A GDB command typed in the debug console (`>` prefix, the adapter's syntax): returns the
   * text GDB printed. The adapter emits that output before it answers the request.
   */
  async console(command: string, frameId: number): Promise<string> {
    const from = this.output.length;
    await this.client.evaluateRequest({ expression: `> ${command}`, context: 'repl', frameId });
    return this.output.slice(from).join('');
  }

  async readMemory(address: bigint, count: number): Promise<Buffer> {
    const args: DebugProtocol.ReadMemoryArguments = { memoryReference: `0x${address.toString(16)}`, count };
    const response = (await this.client.customRequest('readMemory', args)) as DebugProtocol.ReadMemoryResponse;
    return Buffer.from(response.body?.data ?? '', 'base64');
  }

  async writeMemory(address: bigint, bytes: Buffer): Promise<void> {
    const args: DebugProtocol.WriteMemoryArguments = { memoryReference: `0x${address.toString(16)}`, data: bytes.toString('base64') };
    await this.client.customRequest('writeMemory', args);
  }

  /** Disconnects as an IDE's stop button does (GDB detaches and exits), then ends the adapter. */
  async disconnect(): Promise<void> {
    await this.client.disconnectRequest({});
    await this.client.stop();
  }
}
