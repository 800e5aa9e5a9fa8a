// Who may talk to the map service's HTTP API, decided from the request's Host and Origin
// headers before anything else, as the Node inspector and Jupyter do. Any web page the user
// opens can send requests to 127.0.0.1; two checks keep it out:
// - Host must name the API: a loopback name or address (or a name the user allowed) with the
//   port the API listens on. A page that reaches the API through DNS rebinding (its own name
//   resolving to 127.0.0.1) sends its own name, and is refused.
// - Origin, when present, must be the API's own origin. Browsers send it with every
//   cross-site POST, including the "simple" text/plain and form posts that need no CORS
//   preflight; curl, the CLI client and scripts send none.

import { isIPv4, isIPv6 } from 'node:net';

/** A host as the API compares it: lower case, IPv6 without brackets and in canonical form. */
function canonicalHost(host: string): string | null {
  const bare = host.toLowerCase().replace(/^\[(.*)\]$/, '$1');
  if (isIPv6(bare)) return new URL(`http://[${bare}]`).hostname.slice(1, -1);
  if (isIPv4(bare)) return bare;
  // A DNS name: letters, digits, hyphens, dot-separated labels (no trailing dot, no port).
  return /^[a-z0-9]([a-z0-9-]*[a-z0-9])?(\.[a-z0-9]([a-z0-9-]*[a-z0-9])?)*$/.test(bare) ? bare : null;
}

/** Whether `name` is this machine's loopback: localhost, 127.0.0.0/8 or ::1. */
export function isLoopbackHost(name: string): boolean {
  const host = canonicalHost(name);
  return host === 'localhost' || host === '::1' || (host !== null && isIPv4(host) && host.startsWith('127.'));
}

/** A name or address given with --allow-host, checked; throws with the reason otherwise. */
export function allowedHostName(name: string): string {
  const host = canonicalHost(name.trim());
  if (host === null) throw new Error(`"${name}" is not a host name or an address (give the name without a port or a scheme)`);
  return host;
}

/**
 * The part of a Host header (or of an origin) after the scheme: host and port. Strict, since
 * a lax parser is how such checks are bypassed: no user info, path or trailing dot. No port
 * means 80, the port a browser leaves out.
 */
function parseAuthority(authority: string): { host: string; port: number } | null {
  const match = /^(\[[0-9a-fA-F:.]+\]|[A-Za-z0-9.-]+)(?::(\d{1,5}))?$/.exec(authority);
  if (!match) return null;
  const host = canonicalHost(match[1]!);
  const port = match[2] === undefined ? 80 : Number(match[2]);
  if (host === null || (match[2] !== undefined && String(port) !== match[2]) || port > 65535) return null;
  return { host, port };
}

export type Refusal = { readonly refused: true; readonly reason: string } | { readonly refused: false };

export class HostPolicy {
  private readonly names: ReadonlySet<string>;

  /**
   * @param port the port the API listens on (a request naming another port is not for it)
   * @param boundAddress the address it listens on, which clients may name as well
   * @param allowedHosts names or addresses given with --allow-host
   */
  constructor(
    readonly port: number,
    boundAddress: string,
    allowedHosts: readonly string[],
  ) {
    const names = allowedHosts.map(allowedHostName);
    const bound = canonicalHost(boundAddress);
    if (bound !== null) names.push(bound);
    this.names = new Set(names);
  }

  /** Whether `authority` (host[:port]) names this API. */
  accepts(authority: string): boolean {
    const parsed = parseAuthority(authority);
    return parsed !== null && parsed.port === this.port && (isLoopbackHost(parsed.host) || this.names.has(parsed.host));
  }

  /** How clients may name the API, for the refusal messages. */
  private described(): string {
    const loopback = [`localhost:${this.port}`, `127.0.0.1:${this.port}`, `[::1]:${this.port}`];
    const others = [...this.names].filter((n) => !isLoopbackHost(n)).map((n) => `${n.includes(':') ? `[${n}]` : n}:${this.port}`);
    return [...loopback, ...others].join(', ');
  }

  /**
   * The decision on a request's Host, Origin and Sec-Fetch-Site headers (each given as every
   * value it came with). Browsers send no Origin with a plain link, image or script fetch, but
   * they do send Sec-Fetch-Site: such a request from another site (or another port of this
   * host) is refused too, so that a page cannot even open event streams.
   */
  check(hosts: readonly string[], origins: readonly string[], fetchSites: readonly string[] = []): Refusal {
    const shown = (value: string): string => JSON.stringify(value.length > 100 ? `${value.slice(0, 100)}...` : value);
    if (hosts.length === 0) {
      return { refused: true, reason: `no Host header: the API answers only requests that name it as ${this.described()}` };
    }
    if (hosts.length > 1) return { refused: true, reason: 'more than one Host header' };
    const host = hosts[0]!;
    if (!this.accepts(host)) {
      return {
        refused: true,
        reason:
          `Host ${shown(host)} does not name this API (${this.described()}); requests under another name are refused so that ` +
          'a web page cannot reach the API by DNS rebinding ("mpustub serve --allow-host NAME" accepts a name)',
      };
    }
    const site = fetchSites.find((s) => s !== 'same-origin' && s !== 'none');
    if (site !== undefined) {
      return { refused: true, reason: `Sec-Fetch-Site ${shown(site)}: a page of another site asked the browser for this request; the API does not answer requests from web pages` };
    }
    if (origins.length === 0) return { refused: false };
    if (origins.length > 1) return { refused: true, reason: 'more than one Origin header' };
    const origin = origins[0]!;
    if (origin === 'null') return { refused: true, reason: 'Origin "null" (a sandboxed page or a local file): the API does not answer requests from web pages' };
    const own = /^http:\/\/([^/?#@]+)$/i.exec(origin);
    if (own === null || !this.accepts(own[1]!)) {
      return { refused: true, reason: `Origin ${shown(origin)} is not this API's own (http://${this.described().split(', ').join(', http://')}): the API does not answer requests from other sites` };
    }
    return { refused: false };
  }
}
