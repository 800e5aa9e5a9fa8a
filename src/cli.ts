#!/usr/bin/env node
// The `mpustub` command line: `serve` starts the stub (and, beside it, the map service);
// the map-service client commands talk to a running stub over HTTP. Argument parsing only:
// src/wiring.ts builds what runs.

import { readFileSync } from 'node:fs';
import { Command, InvalidArgumentError, Option } from 'commander';
import { createLogger, LOG_LEVELS, type LogLevel } from './log.js';
import { startStub } from './wiring.js';
import { registerMapCommands } from './xen/api/client.js';
import { REGISTER_TYPES, type RegisterTypes } from './arch/aarch64/targetXml.js';
import { DEFAULT_MPU_HISTORY, MAX_MPU_HISTORY } from './debug/mpuHistory.js';

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

const LOOPBACK = new Set(['127.0.0.1', 'localhost', '::1']);

interface ServeOptions {
  host: string;
  port: number;
  board?: string;
  logLevel: LogLevel;
  traceRsp: boolean;
  apiPort: number | 'off';
  scenario: string;
  registerTypes: RegisterTypes;
  kernel?: string;
  mpuHistory: number;
}

async function serve(options: ServeOptions): Promise<void> {
  const logger = createLogger(options.logLevel);
  if (!LOOPBACK.has(options.host)) {
    // Printed whatever the log level: a security warning must not be silenced by --log-level error.
    process.stderr.write(`mpustub: warning: listening on ${options.host}: anyone who can reach this address can read and write the simulated board\n`);
  }
  const stub = await startStub({
    host: options.host,
    port: options.port,
    traceRsp: options.traceRsp,
    logger,
    apiPort: options.apiPort === 'off' ? null : options.apiPort,
    scenario: options.scenario,
    registerTypes: options.registerTypes,
    mpuHistorySize: options.mpuHistory,
    ...(options.board !== undefined ? { boardFile: options.board } : {}),
    ...(options.kernel !== undefined ? { kernel: options.kernel } : {}),
  });
  const shownHost = stub.gdbAddress.host.includes(':') ? `[${stub.gdbAddress.host}]` : stub.gdbAddress.host;
  process.stdout.write(`gdb: target remote ${shownHost}:${stub.gdbAddress.port}\n`);
  if (stub.apiAddress) process.stdout.write(`api: http://${stub.apiAddress.host}:${stub.apiAddress.port}\n`);

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
    .showHelpAfterError();

  program
    .command('serve', { isDefault: true })
    .description('start the simulated board and wait for GDB (target remote HOST:PORT)')
    .addOption(new Option('--host <address>', 'address to listen on (loopback unless you mean it)').default('127.0.0.1'))
    .addOption(new Option('--port <port>', 'GDB port (0 = any free port)').default(1234).argParser(parsePort))
    .addOption(new Option('--board <file>', 'board description (JSON); the embedded Cortex-R82 board by default'))
    .addOption(new Option('--log-level <level>', 'how much to log on stderr').choices(LOG_LEVELS).default('info'))
    .addOption(new Option('--trace-rsp', 'print every packet in and out on stderr').default(false))
    .addOption(new Option('--api-port <port>', 'map service HTTP API port on 127.0.0.1 (0 = any free port, "off" = no API)').default(1235).argParser(parseApiPort))
    .addOption(new Option('--scenario <file>', 'map operations applied at start: "default" (Xen boot), "none" (reset state), or a JSON file').default('default'))
    .addOption(new Option('--kernel <file>', 'an AArch64 ELF placed in memory at start (pc at its entry) and at every extended-remote "run"; its symbols name code in the stub\'s messages'))
    .addOption(new Option('--mpu-history <n>', 'MPU changes the history keeps (monitor mpu history)').default(DEFAULT_MPU_HISTORY).argParser(parseHistorySize))
    .addOption(new Option('--register-types <kind>', 'system registers as "fields" (decoded by command-line GDB) or "plain" numbers (IDEs can edit them)').choices(REGISTER_TYPES).default('fields'))
    .action(async (options: ServeOptions) => {
      try {
        await serve(options);
      } catch (err) {
        process.stderr.write(`mpustub: error: ${(err as Error).message}\n`);
        process.exit(2);
      }
    });

  registerMapCommands(program);
  return program;
}

await buildProgram().parseAsync(process.argv);
