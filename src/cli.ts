#!/usr/bin/env node
// The `mpustub` command line: `serve` starts the stub (and, beside it, the map service);
// `boot` checks that a kernel boots (src/boot/bootCli.ts); the map-service client commands
// talk to a running stub over HTTP. Argument parsing only: src/wiring.ts builds what runs.

import { readFileSync } from 'node:fs';
import { Command, InvalidArgumentError, Option } from 'commander';
import { createLogger, LOG_LEVELS, type LogLevel } from './log.js';
import { startStub } from './wiring.js';
import { EXIT_FAILED, registerMapCommands } from './xen/api/client.js';
import { allowedHostName, isLoopbackHost } from './xen/api/origin.js';
import { REGISTER_TYPES, type RegisterTypes } from './arch/aarch64/targetXml.js';
import { DEFAULT_MPU_HISTORY, MAX_MPU_HISTORY } from './debug/mpuHistory.js';
import { addServeBootOptions, dumpDtb, registerBootCommand, type ServeBootOptions } from './boot/bootCli.js';

function packageVersion(): string {
  const pkg = JSON.parse(readFileSync(new URL('../package.json', import.meta.url), 'utf8')) as { version: string };
  return pkg.version;
}

function parsePort(value: string): number {
  if (!/^\d+$/.test(value)) throw new InvalidArgumentError('a port is a number from 0 to 65535 (0 = any free port)');
  const port = Number(value);
  if (port > 65535) throw new InvalidArgumentError('a port is a number from 0 to 65535 (0 = any free port)');
  return port;
}

function parseHistorySize(value: string): number {
  if (!/^\d+$/.test(value) || Number(value) > MAX_MPU_HISTORY) throw new InvalidArgumentError(`the MPU history keeps 0 to ${MAX_MPU_HISTORY} entries`);
  return Number(value);
}

/** A port, or 'off' (commander does not keep a parser's null, so the marker is a string). */
function parseApiPort(value: string): number | 'off' {
  return value === 'off' ? 'off' : parsePort(value);
}

/** --allow-host, once per name: each is checked and added to the list. */
function collectAllowedHost(value: string, previous: string[]): string[] {
  try {
    return [...previous, allowedHostName(value)];
  } catch (err) {
    throw new InvalidArgumentError((err as Error).message);
  }
}

/** Printed whatever the log level: a security warning must not be silenced by --log-level error. */
function securityWarning(message: string): void {
  process.stderr.write(`mpustub: warning: ${message}\n`);
}

interface ServeOptions extends ServeBootOptions {
  host: string;
  port: number;
  board?: string;
  logLevel: LogLevel;
  traceRsp: boolean;
  apiPort: number | 'off';
  apiHost: string;
  allowHost: string[];
  scenario?: string;
  registerTypes: RegisterTypes;
  mpuHistory: number;
}

async function serve(options: ServeOptions): Promise<void> {
  if (options.dumpDtb !== undefined) {
    dumpDtb(options);
    process.exit(0);
  }
  const logger = createLogger(options.logLevel);
  if (!isLoopbackHost(options.host)) {
    securityWarning(`listening on ${options.host}: anyone who can reach this address can read and write the simulated board`);
  }
  if (options.apiPort !== 'off' && !isLoopbackHost(options.apiHost)) {
    // No token guards the API, as none guards the GDB port, which reaches the same board: off
    // loopback, the network is the boundary (docs/map-service.md, "Security"). A wildcard
    // address is no name a client uses, so only the other names are worth listing.
    const wildcard = options.apiHost === '0.0.0.0' || options.apiHost === '::';
    const names = ['a loopback address', ...(wildcard ? [] : [options.apiHost]), ...options.allowHost];
    securityWarning(
      `map service API on ${options.apiHost}: anyone who can reach this address can change the board's MPU; it answers only ` +
        `requests that name it as ${names.slice(0, -1).join(', ')}${names.length > 1 ? ' or ' : ''}${names.at(-1)!} (--allow-host NAME for each name or address clients use)`,
    );
  }
  const stub = await startStub({
    host: options.host,
    port: options.port,
    traceRsp: options.traceRsp,
    logger,
    apiPort: options.apiPort === 'off' ? null : options.apiPort,
    apiHost: options.apiHost,
    allowedHosts: options.allowHost,
    // A kernel placed at reset programs its own MPU: Xen's boot mappings are for sessions without one.
    scenario: options.scenario ?? (options.kernel !== undefined ? 'none' : 'default'),
    registerTypes: options.registerTypes,
    mpuHistorySize: options.mpuHistory,
    ...(options.board !== undefined ? { boardFile: options.board } : {}),
    ...(options.kernel !== undefined ? { kernel: options.kernel } : {}),
    ...(options.dtb !== undefined ? { dtb: options.dtb } : {}),
    ...(options.append !== undefined ? { append: options.append } : {}),
    // A kernel's console is the user's to read, as QEMU's -nographic prints it; the board
    // alone keeps it in the log as before.
    serial: options.serial ?? (options.kernel !== undefined ? { kind: 'stdio' } : { kind: 'log' }),
    run: options.run,
  });
  const shownHost = stub.gdbAddress.host.includes(':') ? `[${stub.gdbAddress.host}]` : stub.gdbAddress.host;
  process.stdout.write(`gdb: target remote ${shownHost}:${stub.gdbAddress.port}\n`);
  if (stub.apiAddress) {
    const apiHost = stub.apiAddress.host.includes(':') ? `[${stub.apiAddress.host}]` : stub.apiAddress.host;
    process.stdout.write(`api: http://${apiHost}:${stub.apiAddress.port}\n`);
  }
  if (stub.serialAddress) process.stdout.write(`serial: tcp ${stub.serialAddress.host}:${stub.serialAddress.port}\n`);

  let stopping = false;
  const stop = (signal: string) => {
    if (stopping) return;
    stopping = true;
    logger.info(`${signal}: shutting down`);
    stub.close().then(
      () => process.exit(0),
      (err: unknown) => {
        logger.error(`shutdown: ${(err as Error).message}`);
        process.exit(1);
      },
    );
  };
  process.on('SIGINT', () => stop('SIGINT'));
  process.on('SIGTERM', () => stop('SIGTERM'));
}

export function buildProgram(): Command {
  const program = new Command('mpustub')
    .description('GDB remote stub simulating an Armv8-R AArch64 board (Cortex-R82-like) with its EL2 MPU, and Xen\'s MPU map service')
    .version(packageVersion(), '-V, --version')
    .showHelpAfterError()
    // Commander exits 1 on a usage error, the status the client commands use for Xen's
    // refusals; a script must be able to tell a bad command line (2) from a refused request.
    // Set before the commands are added, which inherit it; help and version still exit 0.
    .exitOverride((err) => process.exit(err.exitCode === 0 ? 0 : EXIT_FAILED));

  const serveCommand = program
    .command('serve', { isDefault: true })
    .description('start the simulated board and wait for GDB (target remote HOST:PORT)')
    .addOption(new Option('--host <address>', 'address to listen on (loopback unless you mean it)').default('127.0.0.1'))
    .addOption(new Option('--port <port>', 'GDB port (0 = any free port)').default(1234).argParser(parsePort))
    .addOption(new Option('--board <file>', 'board description (JSON); the embedded Cortex-R82 board by default'))
    .addOption(new Option('--log-level <level>', 'how much to log on stderr').choices(LOG_LEVELS).default('info'))
    .addOption(new Option('--trace-rsp', 'print every packet in and out on stderr').default(false))
    .addOption(new Option('--api-port <port>', 'map service HTTP API port (0 = any free port, "off" = no API)').default(1235).argParser(parseApiPort))
    .addOption(new Option('--api-host <address>', 'address the HTTP API listens on (loopback unless you mean it)').default('127.0.0.1'))
    .addOption(new Option('--allow-host <name>', 'a name or address the HTTP API may be called by besides loopback and --api-host (repeatable)').default([]).argParser(collectAllowedHost))
    .addOption(new Option('--scenario <file>', 'map operations applied at start: "default" (Xen boot), "none" (reset state), or a JSON file; default: "default", or "none" with --kernel (a kernel boots from reset, as on hardware)'))
    .addOption(new Option('--kernel <file>', 'an AArch64 ELF placed in memory at start (pc at its entry) and at every extended-remote "run"; its symbols name code in the stub\'s messages'))
    .addOption(new Option('--mpu-history <n>', 'MPU changes the history keeps (monitor mpu history)').default(DEFAULT_MPU_HISTORY).argParser(parseHistorySize))
    .addOption(new Option('--register-types <kind>', 'system registers as "fields" (decoded by command-line GDB) or "plain" numbers (IDEs can edit them)').choices(REGISTER_TYPES).default('fields'));
  addServeBootOptions(serveCommand)
    .action(async (options: ServeOptions) => {
      try {
        await serve(options);
      } catch (err) {
        process.stderr.write(`mpustub: error: ${(err as Error).message}\n`);
        process.exit(2);
      }
    });

  registerBootCommand(program);
  registerMapCommands(program);
  return program;
}

await buildProgram().parseAsync(process.argv);
