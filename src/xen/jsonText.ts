// JSON text from people: scenario files and request bodies. A syntax error is reported as
// line and column, which an editor can jump to, rather than V8's character offset (or, for
// some errors, no position at all); a leading UTF-8 byte order mark, which some Windows
// editors write, is skipped instead of being refused as an unexpected token.

export class JsonTextError extends Error {
  constructor(
    /** V8's description of the error, without its "in JSON at position N". */
    readonly reason: string,
    /** 1-based; null when the error could not be located. */
    readonly line: number | null,
    readonly column: number | null,
  ) {
    super(line === null ? reason : `line ${line}, column ${column}: ${reason}`);
  }
}

const BOM = 0xfeff;

/** JSON.parse with a BOM skipped and a syntax error located by line and column. */
export function parseJsonText(text: string): unknown {
  const body = text.charCodeAt(0) === BOM ? text.slice(1) : text;
  try {
    return JSON.parse(body) as unknown;
  } catch (err) {
    if (!(err instanceof SyntaxError)) throw err;
    // Node 20's V8 gives "... in JSON at position N" (or "after JSON at position N") for most
    // errors, nothing for an unexpected token or the end of the text: the scanner finds those.
    const stated = / at position (\d+)/.exec(err.message);
    const offset = stated ? Number(stated[1]) : syntaxErrorOffset(body);
    const reason = err.message.replace(/ (in JSON )?at position \d+.*$/, '');
    if (offset < 0) throw new JsonTextError(reason, null, null);
    const { line, column } = lineAndColumn(body, offset);
    throw new JsonTextError(reason, line, column);
  }
}

/** 1-based line and column of a character offset (lines end at \n, so \r\n counts once). */
export function lineAndColumn(text: string, offset: number): { line: number; column: number } {
  let line = 1;
  let lineStart = 0;
  for (let i = text.indexOf('\n'); i !== -1 && i < offset; i = text.indexOf('\n', i + 1)) {
    line++;
    lineStart = i + 1;
  }
  return { line, column: offset - lineStart + 1 };
}

const WHITESPACE = new Set([' ', '\t', '\n', '\r']);
const ESCAPES = new Set(['"', '\\', '/', 'b', 'f', 'n', 'r', 't']);

/**
 * Offset of the first character that makes `text` invalid JSON (RFC 8259), the length of the
 * text when it ends too early, or -1 when it is valid. Iterative, with an explicit stack, so
 * that deeply nested input cannot overflow the call stack.
 */
export function syntaxErrorOffset(text: string): number {
  let i = 0;
  const containers: string[] = [];
  const skipWhitespace = (): void => {
    while (i < text.length && WHITESPACE.has(text[i]!)) i++;
  };
  const digits = (): boolean => {
    const start = i;
    while (i < text.length && text[i]! >= '0' && text[i]! <= '9') i++;
    return i > start;
  };
  const string = (): boolean => {
    if (text[i] !== '"') return false;
    i++;
    while (i < text.length) {
      const c = text[i]!;
      if (c === '"') {
        i++;
        return true;
      }
      if (c < ' ') return false;
      if (c !== '\\') {
        i++;
        continue;
      }
      i++;
      if (ESCAPES.has(text[i] ?? '')) i++;
      else if (text[i] === 'u') {
        i++;
        for (let k = 0; k < 4; k++, i++) if (!/^[0-9a-fA-F]$/.test(text[i] ?? '')) return false;
      } else return false;
    }
    return false;
  };
  const number = (): boolean => {
    if (text[i] === '-') i++;
    if (text[i] === '0') i++;
    else if (!digits()) return false;
    if (text[i] === '.') {
      i++;
      if (!digits()) return false;
    }
    if (text[i] === 'e' || text[i] === 'E') {
      i++;
      if (text[i] === '+' || text[i] === '-') i++;
      if (!digits()) return false;
    }
    return true;
  };
  const literal = (word: string): boolean => {
    for (const c of word) {
      if (text[i] !== c) return false;
      i++;
    }
    return true;
  };
  /** A member's name and its colon, after `{` or `,` in an object. */
  const memberName = (): boolean => {
    skipWhitespace();
    if (!string()) return false;
    skipWhitespace();
    if (text[i] !== ':') return false;
    i++;
    return true;
  };

  let expectingValue = true;
  for (;;) {
    skipWhitespace();
    const c = text[i];
    if (expectingValue) {
      if (c === '{' || c === '[') {
        i++;
        skipWhitespace();
        if (text[i] === (c === '{' ? '}' : ']')) {
          i++;
          expectingValue = false;
          continue;
        }
        containers.push(c);
        if (c === '{' && !memberName()) return i;
        continue;
      }
      const ok = c === '"' ? string() : c === 't' ? literal('true') : c === 'f' ? literal('false') : c === 'n' ? literal('null') : c === '-' || (c !== undefined && c >= '0' && c <= '9') ? number() : false;
      if (!ok) return i;
      expectingValue = false;
      continue;
    }
    const open = containers.at(-1);
    if (open === undefined) return i < text.length ? i : -1;
    if (c === ',') {
      i++;
      if (open === '{' && !memberName()) return i;
      expectingValue = true;
    } else if (c === (open === '{' ? '}' : ']')) {
      i++;
      containers.pop();
    } else return i;
  }
}
