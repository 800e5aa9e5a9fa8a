// The monitor command registry: what `monitor ...` in GDB reaches. Each command is a name,
// a one-line usage, a help text and a handler; `monitor help` is generated from the registry,
// so it always lists every command. Longest command name wins ("mpu check" before "mpu").

import { TargetErrno, TargetError, type MonitorOutput } from '../rsp/target.js';

export interface MonitorCommand {
  /** One or more words, e.g. "mpu check". */
  readonly name: string;
  readonly usage: string;
  readonly help: string;
  run(args: string[], out: MonitorOutput): void | Promise<void>;
}

/** Plain code-unit order: names are ASCII, and a locale collator costs milliseconds at start-up. */
const byName = (a: { name: string }, b: { name: string }): number => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0);

export class MonitorRegistry {
  private readonly commands: MonitorCommand[] = [];

  constructor() {
    this.add({
      name: 'help',
      usage: 'help',
      help: 'list every monitor command',
      run: (_args, out) => out(this.helpText()),
    });
  }

  add(command: MonitorCommand): void {
    this.commands.push(command);
    // Longest name first, so that "mpu check" is tried before "mpu".
    this.commands.sort((a, b) => b.name.split(' ').length - a.name.split(' ').length || byName(a, b));
  }

  /**
   * An on/off setting: `NAME on|off` sets it, `NAME` alone shows it; either way the answer is
   * `describe` of the value now in force.
   */
  addSwitch(name: string, help: string, setting: { get(): boolean; set(on: boolean): void }, describe: (on: boolean) => string): void {
    this.add({
      name,
      usage: `${name} on|off`,
      help,
      run: (args, out) => {
        if (args.length > 0) setting.set(parseSwitch(args[0], name));
        out(`${describe(setting.get())}\n`);
      },
    });
  }

  /** Every command's name, e.g. "mpu check" (tests check each one is exercised). */
  get names(): readonly string[] {
    return this.commands.map((c) => c.name);
  }

  helpText(): string {
    const sorted = [...this.commands].sort(byName);
    const width = Math.max(...sorted.map((c) => c.usage.length));
    return `mpustub monitor commands:\n${sorted.map((c) => `  ${c.usage.padEnd(width)}  ${c.help}`).join('\n')}\n`;
  }

  async run(line: string, out: MonitorOutput): Promise<void> {
    const words = line.trim().split(/\s+/).filter((w) => w !== '');
    if (words.length === 0) {
      out(this.helpText());
      return;
    }
    for (const command of this.commands) {
      const nameWords = command.name.split(' ');
      if (nameWords.every((w, i) => words[i]?.toLowerCase() === w)) {
        await command.run(words.slice(nameWords.length), out);
        return;
      }
    }
    throw new TargetError(TargetErrno.EINVAL, `unknown monitor command "${words[0]}"; "monitor help" lists them`);
  }
}

/** Parses `on`/`off` (and friends) with a precise error. */
export function parseSwitch(value: string | undefined, what: string): boolean {
  const v = value?.toLowerCase();
  if (v === 'on' || v === '1' || v === 'true' || v === 'yes') return true;
  if (v === 'off' || v === '0' || v === 'false' || v === 'no') return false;
  throw new TargetError(TargetErrno.EINVAL, `${what}: expected "on" or "off"${value === undefined ? '' : `, got "${value}"`}`);
}

/** Parses an address or number: 0x-prefixed hex or decimal. */
export function parseNumber(text: string | undefined, what: string): bigint {
  if (text === undefined) throw new TargetError(TargetErrno.EINVAL, `${what}: missing`);
  if (!/^(0x[0-9a-f]+|[0-9]+)$/i.test(text)) throw new TargetError(TargetErrno.EINVAL, `${what}: "${text}" is not a number (use 0x... or decimal)`);
  return BigInt(text);
}
