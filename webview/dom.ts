// The only way webview code creates DOM. Model strings are untrusted (names like `<script>`,
// `"><img onerror=…>`, RTL overrides, NUL, 1 MB): they are only ever inserted as text nodes /
// textContent, never as HTML, and `displayText` makes invisible control and bidi characters
// visible so a name cannot reorder or hide the text around it.

type Child = Node | string | number | null | undefined | false;
type Attrs = Record<string, string | number | boolean | null | undefined>;

/** Creates an element; attributes via setAttribute (never `style`/`on*`), children as text nodes. */
export function h<K extends keyof HTMLElementTagNameMap>(tag: K, attrs?: Attrs | null, ...children: Child[]): HTMLElementTagNameMap[K];
export function h(tag: string, attrs?: Attrs | null, ...children: Child[]): HTMLElement;
export function h(tag: string, attrs?: Attrs | null, ...children: Child[]): HTMLElement {
  const el = document.createElement(tag);
  if (attrs) {
    for (const [k, v] of Object.entries(attrs)) {
      if (v == null || v === false) continue;
      if (k === 'style' || k.startsWith('on')) throw new Error(`h(): refusing attribute ${k}`);
      el.setAttribute(k, v === true ? '' : String(v));
    }
  }
  append(el, ...children);
  return el;
}

export function append(el: Node, ...children: Child[]): void {
  for (const c of children) {
    if (c == null || c === false) continue;
    el.appendChild(typeof c === 'object' ? c : document.createTextNode(String(c)));
  }
}

/** Removes all children. */
export function clear(el: Node): void {
  while (el.firstChild) el.removeChild(el.firstChild);
}

export function icon(name: string): HTMLElement {
  return h('span', { class: `codicon codicon-${name}`, 'aria-hidden': 'true' });
}

// C0/C1 controls (incl. NUL), bidi embeddings/overrides/isolates, LRM/RLM/ALM, zero-width chars,
// line/paragraph separators and BOM.
// eslint-disable-next-line no-control-regex
const INVISIBLE = /[\u0000-\u001f\u007f-\u009f\u061c\u200b-\u200f\u2028-\u202e\u2060-\u2069\ufeff]/g;

/** Untrusted text for display: invisible/bidi characters shown as ⟨U+XXXX⟩, truncated to `max`. */
export function displayText(s: string, max = 200): string {
  const cut = s.length > max ? s.slice(0, max) : s;
  const shown = cut.replace(INVISIBLE, (c) => `⟨U+${c.charCodeAt(0).toString(16).toUpperCase().padStart(4, '0')}⟩`);
  return s.length > max ? `${shown}… (${s.length.toLocaleString('en-US')} chars)` : shown;
}

/** The current value of a form-like custom element (vscode-single-select, vscode-textfield). */
export function valueOf(el: Element): string {
  const v = (el as unknown as { value?: unknown }).value;
  return typeof v === 'string' ? v : v == null ? '' : String(v);
}
