// What a connection sends before its first packet, judged before any of it reaches a session.
// A web page can make the user's browser connect to any loopback port and send an HTTP request
// whose body is chosen by the page; a lenient framer would skip the request line and headers as
// noise and run the packets in the body (OpenOCD's CVE-2018-5704). GDB and LLDB open with `+`
// or `$` straight away, so a request line or a `Host:`/`Origin:` header line before the first
// packet marks the connection as a browser's, and it is closed unheard.

/** Bytes kept while waiting for the first `$`; GDB sends at most a few acks before it. */
export const MAX_PREAMBLE_BYTES = 4096;

export type PreambleVerdict =
  /** Nothing decided yet: wait for more bytes. */
  | { readonly kind: 'undecided' }
  /** A packet starts at `packetStart`; everything before it is harmless noise. */
  | { readonly kind: 'debugger'; readonly packetStart: number }
  /** Not a debugger: close without handing any byte to a session. */
  | { readonly kind: 'foreign'; readonly reason: string };

/** `GET `, `POST `, `OPTIONS `, `PRI * HTTP/2.0`…: an HTTP method token followed by a space. */
const REQUEST_LINE = /^[A-Z][A-Z-]{1,15} \S/;
/** A header line that only browsers and HTTP clients send. */
const BROWSER_HEADER = /(?:^|[\r\n])[ \t]*(host|origin|user-agent|sec-fetch-[a-z]+|content-type)[ \t]*:/i;

/**
 * Judges the bytes received so far (all of them, from the connection's first byte). The text
 * before the first `$` is what matters: a packet after an HTTP request line is still refused.
 */
export function judgePreamble(received: Uint8Array): PreambleVerdict {
  const dollar = received.indexOf(0x24);
  const before = Buffer.from(received.buffer, received.byteOffset, dollar < 0 ? received.length : dollar).toString('latin1');
  if (REQUEST_LINE.test(before)) return { kind: 'foreign', reason: `an HTTP request line ("${before.split(/[\r\n]/, 1)[0]!.slice(0, 60)}")` };
  const header = BROWSER_HEADER.exec(before);
  if (header) return { kind: 'foreign', reason: `an HTTP "${header[1]!}:" header line` };
  if (dollar >= 0) return { kind: 'debugger', packetStart: dollar };
  if (received.length > MAX_PREAMBLE_BYTES) return { kind: 'foreign', reason: `${received.length} bytes without a packet` };
  return { kind: 'undecided' };
}
