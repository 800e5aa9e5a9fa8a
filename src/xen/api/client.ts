// The `mpustub map|unmap|modify|update|ioremap|destroy-containing|regions|diff|scenario`
// commands: a thin client of a running stub's HTTP API. Human tables by default, the API's
// JSON with --json; the exit status is 0 only when Xen's rc is 0 (1 for a refusal, 2 when the
// request could not be made at all). `regions --svg FILE` draws the board's region map as the
// browser page does (src/view/), for bug reports and CI artefacts.

import { readFileSync, writeFileSync } from 'node:fs';
import { Command, InvalidArgumentError, Option } from 'commander';
import { parseJsonText } from '../jsonText.js';
import { OPERATIONS, type OperationSpec } from '../requests.js';
import { formatDiff, formatRegions, formatResult, type DisagreementJson, type RegionsJson, type ResultJson } from '../views.js';
import type { BoardJson } from '../../view/boardJson.js';
import { boardScenes } from '../../view/geometry.js';
import { sceneToSvg, stackScenes } from '../../view/scene.js';

export const DEFAULT_API_URL = 'http://127.0.0.1:1235';
/** Seconds to wait for the whole answer: a port that accepts and never answers must not hang a script. */
export const DEFAULT_TIMEOUT_SECONDS = 10;

/** Exit statuses of the client commands. */
export const EXIT_OK = 0;
export const EXIT_REFUSED = 1;
export const EXIT_FAILED = 2;

export interface ClientIo {
  out(text: string): void;
  err(text: string): void;
  exit(code: number): void;
}

const processIo: ClientIo = {
  out: (text) => process.stdout.write(text),
  err: (text) => process.stderr.write(text),
  exit: (code) => {
    process.exitCode = code;
  },
};

interface ClientOptions {
  api: string;
  json: boolean;
  timeout: number;
}

class ClientError extends Error {}

/** Width of the SVG region map unless --width says otherwise; it grows when a map needs more. */
export const DEFAULT_SVG_WIDTH = 1400;

function parseWidth(value: string): number {
  const width = Number(value);
  if (!/^\d+$/.test(value) || width < 400 || width > 20_000) throw new InvalidArgumentError('a width is a number of pixels from 400 to 20000');
  return width;
}

/** The board's region map as a standalone SVG document. */
export function boardSvg(board: BoardJson, width: number): string {
  return sceneToSvg(stackScenes(boardScenes(board, width), `MPU region map of ${board.board.name}`));
}

function parseSeconds(value: string): number {
  const seconds = Number(value);
  if (value.trim() === '' || !Number.isFinite(seconds) || seconds <= 0 || seconds > 86_400) {
    throw new InvalidArgumentError('a timeout is a number of seconds greater than 0 (at most 86400)');
  }
  return seconds;
}

async function call(options: ClientOptions, method: 'GET' | 'POST', path: string, body?: unknown): Promise<unknown> {
  const { api } = options;
  // One deadline for connecting, the headers and the body alike: a server that sends its
  // headers and then stalls must not hang the command either.
  const signal = AbortSignal.timeout(Math.ceil(options.timeout * 1000));
  const noAnswer = (): ClientError =>
    new ClientError(`the map service at ${api} did not answer within ${options.timeout} s; is that port a running "mpustub serve"? (--timeout SECONDS to wait longer)`);
  let response: Response;
  try {
    response = await fetch(new URL(path, api), {
      method,
      signal,
      ...(body !== undefined ? { body: JSON.stringify(body), headers: { 'Content-Type': 'application/json' } } : {}),
    });
  } catch (err) {
    if (signal.aborted) throw noAnswer();
    const cause = (err as { cause?: { code?: string } }).cause?.code;
    throw new ClientError(`cannot reach the map service at ${api}${cause ? ` (${cause})` : ''}; is "mpustub serve" running? (--api URL)`);
  }
  let text: string;
  try {
    text = await response.text();
  } catch (err) {
    if (signal.aborted) throw noAnswer();
    throw new ClientError(`${method} ${path}: the answer broke off: ${(err as Error).message}`);
  }
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch {
    throw new ClientError(`${method} ${path}: HTTP ${response.status} with a body that is not JSON`);
  }
  if (!response.ok) {
    const message = typeof json === 'object' && json !== null && 'error' in json ? String((json as { error: unknown }).error) : text;
    throw new ClientError(`${method} ${path}: HTTP ${response.status}: ${message}`);
  }
  return json;
}

function withApiOptions(command: Command): Command {
  return command
    .addOption(new Option('--api <url>', 'the map service of a running stub').default(DEFAULT_API_URL))
    .addOption(new Option('--json', 'print the API\'s JSON answer').default(false))
    .addOption(new Option('--timeout <seconds>', 'give up when the answer has not come within this time').default(DEFAULT_TIMEOUT_SECONDS).argParser(parseSeconds));
}

function run(io: ClientIo, work: () => Promise<number>): Promise<void> {
  return work().then(
    (code) => io.exit(code),
    (err: unknown) => {
      io.err(`mpustub: ${err instanceof ClientError ? err.message : (err as Error).message}\n`);
      io.exit(EXIT_FAILED);
    },
  );
}

/** Adds the client commands to the `mpustub` program. */
export function registerMapCommands(program: Command, io: ClientIo = processIo): void {
  for (const spec of OPERATIONS as readonly OperationSpec[]) {
    // The friendlier alias where there is one (unmap for destroy_xen_mappings).
    const name = spec.aliases?.[0] ?? spec.op;
    const command = program.command(`${name} ${spec.fields.map(([f]) => `<${f}>`).join(' ')}`).description(`${spec.xenFunction}(): ${spec.summary}`);
    withApiOptions(command).action((...args: unknown[]) => {
      const values = args.slice(0, spec.fields.length) as string[];
      const options = args[spec.fields.length] as ClientOptions;
      return run(io, async () => {
        const body = Object.fromEntries(spec.fields.map(([f], i) => [f, values[i]]));
        const result = (await call(options, 'POST', `/v1/${spec.op}`, body)) as ResultJson;
        io.out(options.json ? `${JSON.stringify(result, null, 2)}\n` : formatResult(result));
        return result.rc === 0 ? EXIT_OK : EXIT_REFUSED;
      });
    });
  }

  withApiOptions(
    program
      .command('regions')
      .description('the shadow table xen_mpumap and the MPU registers; --svg draws the region map of both MPUs')
      .addOption(new Option('--svg <file>', 'write the region map as SVG to FILE ("-" for standard output) instead of the table'))
      .addOption(new Option('--width <pixels>', 'width of the SVG').default(DEFAULT_SVG_WIDTH).argParser(parseWidth)),
  ).action((options: ClientOptions & { svg?: string; width: number }) =>
    run(io, async () => {
      if (options.svg !== undefined) {
        const svg = boardSvg((await call(options, 'GET', '/v1/board')) as BoardJson, options.width);
        if (options.svg === '-') io.out(svg);
        else {
          try {
            writeFileSync(options.svg, svg);
          } catch (err) {
            throw new ClientError(`cannot write ${options.svg}: ${(err as NodeJS.ErrnoException).code ?? (err as Error).message}`);
          }
          io.out(`region map written to ${options.svg}\n`);
        }
        return EXIT_OK;
      }
      const view = (await call(options, 'GET', '/v1/regions')) as RegionsJson;
      io.out(options.json ? `${JSON.stringify(view, null, 2)}\n` : formatRegions(view));
      return EXIT_OK;
    }),
  );

  withApiOptions(program.command('diff').description('every region where the shadow and the MPU registers disagree')).action((options: ClientOptions) =>
    run(io, async () => {
      const answer = (await call(options, 'GET', '/v1/diff')) as { disagreements: DisagreementJson[] };
      io.out(options.json ? `${JSON.stringify(answer, null, 2)}\n` : formatDiff(answer.disagreements));
      return EXIT_OK;
    }),
  );

  withApiOptions(program.command('scenario <file>').description('apply a scenario file (JSON list of operations) as one unit')).action((file: string, options: ClientOptions) =>
    run(io, async () => {
      let body: unknown;
      try {
        body = parseJsonText(readFileSync(file, 'utf8'));
      } catch (err) {
        throw new ClientError(`scenario ${file}: ${(err as Error).message}`);
      }
      const outcome = (await call(options, 'POST', '/v1/scenario', body)) as { scenario: string; rc: number; skipped: number; results: ResultJson[] };
      if (options.json) io.out(`${JSON.stringify(outcome, null, 2)}\n`);
      else {
        for (const result of outcome.results) io.out(formatResult(result));
        io.out(`scenario ${outcome.scenario}: rc ${outcome.rc}${outcome.skipped ? `, ${outcome.skipped} operation(s) skipped after the failure` : ''}\n`);
      }
      return outcome.rc === 0 ? EXIT_OK : EXIT_REFUSED;
    }),
  );
}
