// Building the page from data without ever parsing data as HTML: every value becomes a text node
// (or an attribute set one by one), bounded first. There is no innerHTML anywhere in the page.
import { boundText } from '../../text-bounds.ts';

export type Child = Node | string | number | null | undefined | false;
type Attributes = Record<string, string | number | boolean | undefined | null>;

/** Longest text shown for any one field (names are bounded again by the API, this is the page's own). */
export const MAX_FIELD = 300;

/** A value from the API, as text a person can read: bounded, controls made visible. */
export function text(value: unknown, max = MAX_FIELD): string {
  if (value === null || value === undefined || value === '') return '—';
  return boundText(String(value), max);
}

function append(parent: Node, children: Child[]): void {
  for (const child of children) {
    if (child === null || child === undefined || child === false) continue;
    parent.appendChild(typeof child === 'object' ? child : document.createTextNode(String(child)));
  }
}

function setAttributes(element: Element, attributes: Attributes): void {
  for (const [name, value] of Object.entries(attributes)) {
    if (value === undefined || value === null || value === false) continue;
    // Links are only ever the page's own routes (built by route(), below).
    if (name === 'href' && !String(value).startsWith('#')) throw new Error('the page links only to its own views');
    element.setAttribute(name, value === true ? '' : String(value));
  }
}

/** An HTML element with attributes and children (strings become text nodes). */
export function h<K extends keyof HTMLElementTagNameMap>(
  tag: K,
  attributes: Attributes = {},
  ...children: Child[]
): HTMLElementTagNameMap[K] {
  const element = document.createElement(tag);
  setAttributes(element, attributes);
  append(element, children);
  return element;
}

const SVG_NS = 'http://www.w3.org/2000/svg';

/** An SVG element, the same way. */
export function svg(tag: string, attributes: Attributes = {}, ...children: Child[]): SVGElement {
  const element = document.createElementNS(SVG_NS, tag) as SVGElement;
  setAttributes(element, attributes);
  append(element, children);
  return element;
}

/** Replaces every child of `parent`. */
export function replace(parent: Element, ...children: Child[]): void {
  parent.replaceChildren();
  append(parent, children);
}

/** The page's own link to a view, with each part URL-encoded. */
export function route(...parts: string[]): string {
  return `#/${parts.map((p) => encodeURIComponent(p)).join('/')}`;
}

export function link(parts: string[], label: unknown, max = MAX_FIELD): HTMLAnchorElement {
  return h('a', { href: route(...parts) }, text(label, max));
}

/**
 * A certificate's link by its fingerprint: whole where there is room, else its first five and last
 * three bytes (`56:B5:E3:70:1A…7C:6D:9F`), whole in the tooltip.
 */
export function fingerprintLink(fingerprint: string, whole = false): HTMLAnchorElement {
  const bytes = fingerprint.split(':');
  const short = bytes.length > 10 ? `${bytes.slice(0, 5).join(':')}…${bytes.slice(-3).join(':')}` : fingerprint;
  const a = link(['certificate', fingerprint], whole ? fingerprint : short, 200);
  a.title = fingerprint.slice(0, 200);
  a.classList.add('fingerprint');
  return a;
}

const DAY_MS = 86_400_000;

/** `2026-12-20` from an ISO time, or a dash. */
export function day(iso: string | null | undefined): string {
  if (!iso) return '—';
  const time = Date.parse(iso);
  return Number.isNaN(time) ? text(iso, 40) : new Date(time).toISOString().slice(0, 10);
}

/** `2026-12-20 08:15 UTC`. */
export function moment(iso: string | null | undefined): string {
  if (!iso) return '—';
  const time = Date.parse(iso);
  return Number.isNaN(time) ? text(iso, 40) : `${new Date(time).toISOString().slice(0, 16).replace('T', ' ')} UTC`;
}

/** `in 15 days`, `today`, `3 days ago`. */
export function relativeDays(days: number | null | undefined): string {
  if (days === null || days === undefined) return '—';
  if (days === 0) return 'today';
  return days > 0 ? `in ${days} day${days === 1 ? '' : 's'}` : `${-days} day${days === -1 ? '' : 's'} ago`;
}

export function daysUntil(iso: string | null | undefined, now: number): number | null {
  if (!iso) return null;
  const time = Date.parse(iso);
  return Number.isNaN(time) ? null : Math.floor((time - now) / DAY_MS);
}

/** A status as a coloured badge (the colour comes from the status class, never from data). */
export function badge(status: string | null | undefined): HTMLElement {
  const known = STATUS_ORDER.includes(status as (typeof STATUS_ORDER)[number]) ? status : 'unknown';
  return h('span', { class: `badge s-${known}` }, text(status ?? 'unchecked', 20));
}

/** Statuses, worst first (the order filters and summaries use). */
export const STATUS_ORDER = [
  'revoked',
  'expired',
  'invalid',
  'critical',
  'warning',
  'error',
  'ok',
  'unchecked',
] as const;

export function statusRank(status: string | null | undefined): number {
  const rank = STATUS_ORDER.indexOf(status as (typeof STATUS_ORDER)[number]);
  return rank === -1 ? STATUS_ORDER.length : rank;
}

/** A two-column table of labelled values. */
export function facts(rows: [string, Child][]): HTMLElement {
  return h('dl', { class: 'facts' }, ...rows.flatMap(([label, value]) => [h('dt', {}, label), h('dd', {}, value)]));
}

/** A table with a header row; cells are children. */
export function table(headers: string[], rows: Child[][], caption?: string): HTMLElement {
  return h(
    'div',
    { class: 'scroll' },
    h(
      'table',
      { class: 'cards' },
      caption ? h('caption', {}, caption) : null,
      h('thead', {}, h('tr', {}, ...headers.map((label) => h('th', { scope: 'col' }, label)))),
      h(
        'tbody',
        {},
        ...rows.map((cells) =>
          h('tr', {}, ...cells.map((cell, i) => h('td', { 'data-label': headers[i] ?? '' }, cell))),
        ),
      ),
    ),
  );
}
