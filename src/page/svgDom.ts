// The region map's scenes (src/view/scene.ts) as live SVG in the page: the same drawing the
// SVG writer produces as text, built with DOM calls so that no text from the board is ever
// parsed as markup. Replaces the element's children on each render.

import { SVG_NS, type Scene, type SceneNode } from '../view/scene.js';

function element(node: SceneNode): SVGElement {
  const el = document.createElementNS(SVG_NS, node.tag);
  for (const [name, value] of Object.entries(node.attrs)) el.setAttribute(name, String(value));
  if (node.title !== undefined) {
    const title = document.createElementNS(SVG_NS, 'title');
    title.textContent = node.title;
    el.append(title);
  }
  if (node.tag === 'text') el.append(node.text);
  else if (node.tag === 'g' || node.tag === 'pattern') for (const child of node.children) el.append(element(child));
  return el;
}

/** Draws `scene` into `host`, replacing what was there. */
export function renderScene(host: HTMLElement, scene: Scene): SVGSVGElement {
  const svg = document.createElementNS(SVG_NS, 'svg');
  svg.setAttribute('width', String(scene.width));
  svg.setAttribute('height', String(scene.height));
  svg.setAttribute('viewBox', `0 0 ${scene.width} ${scene.height}`);
  svg.setAttribute('role', 'img');
  svg.setAttribute('aria-label', scene.title);
  if (scene.defs.length > 0) {
    const defs = document.createElementNS(SVG_NS, 'defs');
    for (const d of scene.defs) defs.append(element(d));
    svg.append(defs);
  }
  for (const node of scene.nodes) svg.append(element(node));
  host.replaceChildren(svg);
  return svg;
}
