// The region-map page served at `GET /` by the stub's HTTP API: draws the board's EL2 and
// EL1&0 MPUs, the map service's shadow and the disagreements, the last refused access and the
// operation log, and keeps them current (live.ts). Hovering shows a region's decoded
// registers; clicking shows its history. Geometry and drawing are shared with
// `mpustub regions --svg` (src/view/).

import type { BoardJson, RegimeName } from '../view/boardJson.js';
import { boardScale, legendScene, regimeScene } from '../view/geometry.js';
import { LiveBoard } from './live.js';
import { OperationLog, renderFault, renderHistory, renderLastError } from './panels.js';
import { renderScene } from './svgDom.js';

function byId<T extends HTMLElement>(id: string): T {
  const found = document.getElementById(id);
  if (found === null) throw new Error(`the page has no #${id}`);
  return found as T;
}

/** Hover targets: anything on the map that carries an explanation in its <title>. */
const EXPLAINED = 'g[data-region], g.memory, g.fault-marker, g.diff-marker, rect.overlap, rect.background-region, rect.mpu-off';

class Page {
  private board: BoardJson | null = null;
  private selected: { regime: RegimeName; index: number } | null = null;
  private readonly log = new OperationLog(byId<HTMLOListElement>('oplog-list'));
  private readonly maps = { el2: byId('el2-view'), el1: byId('el1-view') };

  start(): void {
    for (const host of [this.maps.el2, this.maps.el1]) {
      host.addEventListener('mouseover', (event) => this.hover(event));
      host.addEventListener('click', (event) => this.click(event));
    }
    let resizing: ReturnType<typeof setTimeout> | undefined;
    window.addEventListener('resize', () => {
      clearTimeout(resizing);
      resizing = setTimeout(() => this.draw(), 150);
    });
    const status = byId('connection');
    new LiveBoard({
      board: (board) => {
        this.board = board;
        this.draw();
      },
      operation: (result) => this.log.add(result),
      connection: (state, detail) => {
        status.textContent = detail;
        status.dataset['state'] = state;
      },
      note: (text) => this.log.note(text),
    }).start();
  }

  private draw(): void {
    const board = this.board;
    if (board === null) return;
    byId('board-name').textContent = board.board.name;
    const core = byId('core-state');
    core.textContent = board.core.running ? 'core running' : `core halted at pc ${board.core.pc}, EL${board.core.el}`;
    core.dataset['running'] = String(board.core.running);
    const width = Math.max(720, byId('maps').clientWidth);
    const scale = boardScale(board, width);
    renderScene(this.maps.el2, regimeScene(board, 'el2', { scale, width, idPrefix: 'page-el2' }));
    renderScene(this.maps.el1, regimeScene(board, 'el1', { scale, width, idPrefix: 'page-el1' }));
    renderScene(byId('legend'), legendScene(width, 'page-legend'));
    renderFault(byId('fault-body'), board.lastFault);
    renderLastError(byId('last-error-body'), board.lastError);
    this.markSelected();
  }

  private hover(event: Event): void {
    const target = (event.target as Element).closest(EXPLAINED);
    const title = target?.querySelector(':scope > title')?.textContent;
    if (title) byId('details-body').textContent = title;
  }

  private click(event: Event): void {
    const target = (event.target as Element).closest('g[data-region]');
    if (target === null || this.board === null) return;
    const regime = target.getAttribute('data-regime') === 'el1' ? 'el1' : 'el2';
    const index = Number(target.getAttribute('data-region'));
    this.selected = { regime, index };
    this.markSelected();
    void renderHistory(byId('history-body'), this.board, regime, index, this.log);
  }

  /** The clicked region stays outlined across redraws. */
  private markSelected(): void {
    for (const node of document.querySelectorAll('.selected')) node.classList.remove('selected');
    const s = this.selected;
    if (s === null) return;
    for (const node of this.maps[s.regime].querySelectorAll(`g[data-region="${s.index}"]`)) node.classList.add('selected');
  }
}

new Page().start();
