// A drawing as plain data: SVG elements with their attributes, built once by the region map's
// geometry (geometry.ts) and rendered two ways — as SVG text for files (`mpustub regions --svg`,
// here) and as DOM nodes in the page (src/page/svgDom.ts). Colours and strokes are attributes,
// not CSS classes: the page's Content-Security-Policy allows no inline style, and a standalone
// SVG then looks the same as the page. Classes and data-* attributes are there for the page's
// interaction and for tests to find elements.

export type Attributes = Readonly<Record<string, string | number>>;

export type SceneNode =
  | { readonly tag: 'rect' | 'line' | 'path' | 'polygon'; readonly attrs: Attributes; readonly title?: string }
  | { readonly tag: 'text'; readonly attrs: Attributes; readonly text: string; readonly title?: string }
  | { readonly tag: 'g' | 'pattern'; readonly attrs: Attributes; readonly children: readonly SceneNode[]; readonly title?: string };

export interface Scene {
  readonly width: number;
  readonly height: number;
  /** Patterns (hatching); their ids are unique per scene so that several can share a page. */
  readonly defs: readonly SceneNode[];
  readonly nodes: readonly SceneNode[];
  /** What the drawing is, for its <title> (screen readers, file viewers). */
  readonly title: string;
}

export const SVG_NS = 'http://www.w3.org/2000/svg';

function escapeXml(text: string): string {
  return text.replace(/[<>&"']/g, (c) => ({ '<': '&lt;', '>': '&gt;', '&': '&amp;', '"': '&quot;', "'": '&#39;' })[c]!);
}

function attributesText(attrs: Attributes): string {
  return Object.entries(attrs)
    .map(([name, value]) => ` ${name}="${escapeXml(String(value))}"`)
    .join('');
}

function nodeText(node: SceneNode, indent: string): string {
  const title = node.title === undefined ? '' : `<title>${escapeXml(node.title)}</title>`;
  const open = `${indent}<${node.tag}${attributesText(node.attrs)}`;
  if (node.tag === 'text') return `${open}>${title}${escapeXml(node.text)}</text>\n`;
  if (node.tag === 'g' || node.tag === 'pattern') {
    const inner = node.children.map((child) => nodeText(child, `${indent}  `)).join('');
    return `${open}>${title}\n${inner}${indent}</${node.tag}>\n`;
  }
  return title === '' ? `${open}/>\n` : `${open}>${title}</${node.tag}>\n`;
}

/** A scene as a standalone SVG document. */
export function sceneToSvg(scene: Scene): string {
  return [
    '<?xml version="1.0" encoding="UTF-8"?>\n',
    `<svg xmlns="${SVG_NS}" width="${scene.width}" height="${scene.height}" viewBox="0 0 ${scene.width} ${scene.height}" font-family="DejaVu Sans, Arial, sans-serif">\n`,
    `  <title>${escapeXml(scene.title)}</title>\n`,
    scene.defs.length > 0 ? `  <defs>\n${scene.defs.map((d) => nodeText(d, '    ')).join('')}  </defs>\n` : '',
    `  <rect x="0" y="0" width="${scene.width}" height="${scene.height}" fill="#ffffff"/>\n`,
    scene.nodes.map((n) => nodeText(n, '  ')).join(''),
    '</svg>\n',
  ].join('');
}

/** Scenes one under the other in one drawing, `gap` pixels apart. */
export function stackScenes(scenes: readonly Scene[], title: string, gap = 12): Scene {
  let y = 0;
  const nodes: SceneNode[] = [];
  const defs: SceneNode[] = [];
  for (const scene of scenes) {
    nodes.push({ tag: 'g', attrs: { transform: `translate(0 ${y})` }, children: scene.nodes });
    defs.push(...scene.defs);
    y += scene.height + gap;
  }
  return { width: Math.max(0, ...scenes.map((s) => s.width)), height: Math.max(0, y - gap), defs, nodes, title };
}
