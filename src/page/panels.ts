// The page's text panels beside the map: the last refused access (rule and syndrome), the map
// service's last refused operation, the operation log with each rc and Xen's own lines, and
// the history of a clicked region. Text goes in with textContent only: Xen's messages and the
// board's names are data, never markup.

import type { BoardJson, FaultJson, RegimeName, ResultJson } from '../view/boardJson.js';
import { formatResult } from '../xen/views.js';

/** Operations kept for the log and for the history fallback. */
const LOG_LIMIT = 500;

function el<K extends keyof HTMLElementTagNameMap>(tag: K, text?: string, className?: string): HTMLElementTagNameMap[K] {
  const node = document.createElement(tag);
  if (text !== undefined) node.textContent = text;
  if (className !== undefined) node.className = className;
  return node;
}

function rows(pairs: readonly (readonly [string, string])[]): HTMLDListElement {
  const list = el('dl');
  for (const [name, value] of pairs) list.append(el('dt', name), el('dd', value));
  return list;
}

export function renderFault(host: HTMLElement, fault: FaultJson | null): void {
  if (fault === null) {
    host.replaceChildren(el('p', 'No access has been refused since the stub started.', 'quiet'));
    return;
  }
  host.replaceChildren(
    el('p', fault.reason, 'fault-reason'),
    rows([
      ['access', `${fault.access.kind} of ${fault.access.size} byte${fault.access.size === 1 ? '' : 's'} at ${fault.access.address} from EL${fault.access.el} (${fault.origin})`],
      ['rule', `${fault.rule}${fault.regions.length > 0 ? ` (region${fault.regions.length > 1 ? 's' : ''} ${fault.regions.join(', ')})` : ''}${fault.stage2 ? ', stage 2' : ''}`],
      [`ESR_EL${fault.takenTo}`, `${fault.esr}: ${fault.esrDescription}`],
      [`FAR_EL${fault.takenTo}`, fault.far],
      ...(fault.hpfar !== null ? [['HPFAR_EL2', fault.hpfar] as const] : []),
      ['latched', fault.latched ? `yes, into ESR_EL${fault.takenTo}/FAR_EL${fault.takenTo}` : 'no (debugger access; "monitor mpu latch on" latches)'],
    ]),
  );
  host.dataset['rule'] = fault.rule;
}

export function renderLastError(host: HTMLElement, result: ResultJson | null): void {
  host.replaceChildren(result === null ? el('p', 'No map operation has been refused.', 'quiet') : el('pre', formatResult(result).trimEnd()));
}

/** The operation log, newest first, and what the page has seen of each entry's operations. */
export class OperationLog {
  private readonly seen: ResultJson[] = [];

  constructor(private readonly list: HTMLOListElement) {}

  add(result: ResultJson): void {
    this.seen.push(result);
    if (this.seen.length > LOG_LIMIT) this.seen.shift();
    const item = el('li', undefined, result.rc === 0 ? 'op ok' : 'op refused');
    item.dataset['sequence'] = String(result.sequence);
    item.dataset['rc'] = String(result.rc);
    item.append(el('pre', formatResult(result).trimEnd()));
    this.prepend(item);
  }

  note(text: string): void {
    this.prepend(el('li', text, 'note'));
  }

  /** Operations seen by this page that touched (or were refused about) EL2 entry `index`. */
  about(index: number): ResultJson[] {
    return this.seen.filter((r) => r.index === index || r.conflict?.index === index || (r.disagreements ?? []).some((d) => d.index === index));
  }

  private prepend(item: HTMLLIElement): void {
    this.list.prepend(item);
    while (this.list.children.length > LOG_LIMIT) this.list.lastElementChild?.remove();
  }
}

/**
 * A clicked region's history: the stub's register history where it keeps one, and otherwise
 * what this page saw the map service do to that entry, saying which of the two it is.
 */
export async function renderHistory(host: HTMLElement, board: BoardJson, regime: RegimeName, index: number, log: OperationLog): Promise<void> {
  const heading = el('h3', `${regime === 'el2' ? 'EL2' : 'EL1&0'} region ${index}`);
  host.replaceChildren(heading, el('p', 'loading…', 'quiet'));
  if (board.history) {
    try {
      const response = await fetch(`/v1/history?regime=${regime}&region=${index}`, { cache: 'no-store' });
      if (response.ok) {
        const history: unknown = await response.json();
        const entries = Array.isArray(history) ? history : typeof history === 'object' && history !== null && 'entries' in history && Array.isArray(history.entries) ? (history.entries as unknown[]) : [history];
        const list = el('ol', undefined, 'history-entries');
        for (const entry of entries) list.append(el('li', typeof entry === 'string' ? entry : JSON.stringify(entry)));
        host.replaceChildren(heading, entries.length > 0 ? list : el('p', 'No writes recorded for this region.', 'quiet'));
        return;
      }
    } catch {
      // Fall through to what the page itself saw.
    }
  }
  const note = el('p', 'This stub keeps no register history of its MPU, so only the map-service operations this page has seen are listed.', 'quiet history-absent');
  const ops = regime === 'el2' ? log.about(index) : [];
  const list = el('ol', undefined, 'history-entries');
  for (const r of ops) list.append(el('li', formatResult(r).trimEnd()));
  host.replaceChildren(heading, note, ops.length > 0 ? list : el('p', regime === 'el2' ? 'None since this page was opened.' : 'The map service programs only the EL2 MPU.', 'quiet'));
}
