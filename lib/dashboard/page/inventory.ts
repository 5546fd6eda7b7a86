// The morning view: counts by status, the expiry timeline, the open events, and the target
// table with its filters and sorting. Filtering and sorting run on what was loaded (no request).
import type { Inventory, ReportRow } from './api.ts';
import { badge, day, h, link, relativeDays, replace, STATUS_ORDER, statusRank, table, text } from './dom.ts';
import { eventRows } from './events.ts';
import { expiryTimeline } from './timeline.ts';

/** Rows the table shows at first, and how many more each "show more" adds. */
export const PAGE_ROWS = 200;

export interface Filters {
  status: string;
  kind: string;
  owner: string;
  tag: string;
  text: string;
  sort: SortKey;
  descending: boolean;
}

type SortKey = 'status' | 'daysLeft' | 'target' | 'kind' | 'owner' | 'issuer' | 'checkedAt';

const COLUMNS: { key: SortKey | null; label: string }[] = [
  { key: 'status', label: 'Status' },
  { key: 'daysLeft', label: 'Expires' },
  { key: 'target', label: 'Target' },
  { key: 'kind', label: 'Kind' },
  { key: 'owner', label: 'Owner' },
  { key: null, label: 'Tags' },
  { key: null, label: 'Subject' },
  { key: 'issuer', label: 'Issuer' },
  { key: 'checkedAt', label: 'Checked' },
];

export function defaultFilters(): Filters {
  return { status: '', kind: '', owner: '', tag: '', text: '', sort: 'daysLeft', descending: false };
}

const tagsOf = (row: ReportRow) =>
  String(row.tags ?? '')
    .split(' ')
    .filter(Boolean);

export function filterRows(rows: readonly ReportRow[], f: Filters): ReportRow[] {
  const needle = f.text.trim().toLowerCase();
  const kept = rows.filter(
    (r) =>
      (!f.status || r.status === f.status) &&
      (!f.kind || r.kind === f.kind) &&
      (!f.owner || (f.owner === '(none)' ? !r.owner : r.owner === f.owner)) &&
      (!f.tag || tagsOf(r).includes(f.tag)) &&
      (!needle ||
        [r.target, r.subject, r.issuer, r.owner, r.tags, r.notes, r.error].some((v) =>
          String(v ?? '')
            .toLowerCase()
            .includes(needle),
        )),
  );
  const value = (r: ReportRow): number | string => {
    switch (f.sort) {
      case 'status':
        return statusRank(String(r.status));
      case 'daysLeft':
        return typeof r.daysLeft === 'number' ? r.daysLeft : Number.MAX_SAFE_INTEGER;
      default:
        return String(r[f.sort] ?? '').toLowerCase();
    }
  };
  const direction = f.descending ? -1 : 1;
  // Keys computed once per row, compared with < (localeCompare is far slower on 10,000 rows).
  const keyed = kept.map((r) => ({ r, v: value(r), id: String(r.target) }));
  keyed.sort((a, b) => {
    const order = a.v < b.v ? -1 : a.v > b.v ? 1 : 0;
    return order * direction || (a.id < b.id ? -1 : a.id > b.id ? 1 : 0);
  });
  return keyed.map((k) => k.r);
}

function options(values: Iterable<string>, all: string): HTMLOptionElement[] {
  return [h('option', { value: '' }, all), ...[...values].map((v) => h('option', { value: v }, text(v, 80)))];
}

function select(name: string, label: string, values: Iterable<string>, all: string, current: string) {
  const element = h('select', { name, 'aria-label': label }, ...options(values, all));
  element.value = current;
  return element;
}

function row(r: ReportRow): HTMLTableRowElement {
  const cells = [
    badge(String(r.status)),
    h('span', { title: day(r.notAfter as string | null) }, relativeDays(r.daysLeft as number | null)),
    link(['target', String(r.target)], r.target, 120),
    text(r.kind, 20),
    text(r.owner, 80),
    text(r.tags, 120),
    text(r.subject ?? r.error, 160),
    text(r.issuer, 120),
    day(r.checkedAt as string | null),
  ];
  return h('tr', { 'data-target': String(r.target) }, ...cells.map((c) => h('td', {}, c)));
}

/** Renders the inventory into `root`; `filters` is kept by the caller between renders. */
export function renderInventory(root: HTMLElement, inventory: Inventory, filters: Filters): void {
  const rows = inventory.targets;
  const owners = new Map(rows.map((r) => [String(r.target), r.owner === null ? null : String(r.owner)]));
  const counts = new Map<string, number>();
  for (const r of rows) counts.set(String(r.status), (counts.get(String(r.status)) ?? 0) + 1);

  const summary = h(
    'ul',
    { class: 'summary', 'aria-label': 'targets by status' },
    ...STATUS_ORDER.filter((s) => counts.has(s)).map((s) => {
      const button = h('button', { type: 'button', class: `count s-${s}`, 'data-status': s }, `${counts.get(s)} ${s}`);
      button.addEventListener('click', () => {
        filters.status = filters.status === s ? '' : s;
        draw();
      });
      return h('li', {}, button);
    }),
  );

  const filterBar = h('form', { class: 'filters', role: 'search' });
  filterBar.addEventListener('submit', (e) => e.preventDefault());
  const kinds = [...new Set(rows.map((r) => String(r.kind)))].sort();
  const ownerNames = [...new Set(rows.map((r) => r.owner).filter((o) => o !== null && o !== ''))].map(String).sort();
  const tags = [...new Set(rows.flatMap(tagsOf))].sort();
  const statusSelect = select('status', 'status', STATUS_ORDER, 'any status', filters.status);
  const kindSelect = select('kind', 'kind', kinds, 'any kind', filters.kind);
  const ownerSelect = select('owner', 'owner', ['(none)', ...ownerNames], 'any owner', filters.owner);
  const tagSelect = select('tag', 'tag', tags, 'any tag', filters.tag);
  const search = h('input', {
    type: 'search',
    name: 'text',
    placeholder: 'search names, subjects, notes…',
    'aria-label': 'search',
    maxlength: 200,
  });
  search.value = filters.text;
  for (const [control, key] of [
    [statusSelect, 'status'],
    [kindSelect, 'kind'],
    [ownerSelect, 'owner'],
    [tagSelect, 'tag'],
  ] as const) {
    control.addEventListener('change', () => {
      filters[key] = control.value;
      draw();
    });
  }
  search.addEventListener('input', () => {
    filters.text = search.value;
    draw();
  });
  filterBar.append(statusSelect, kindSelect, ownerSelect, tagSelect, search);

  const tableHost = h('div', { class: 'targets' });
  let shown = PAGE_ROWS;
  function draw(): void {
    statusSelect.value = filters.status;
    for (const button of summary.querySelectorAll('button')) {
      button.setAttribute('aria-pressed', String(button.dataset.status === filters.status));
    }
    const kept = filterRows(rows, filters);
    const head = h(
      'tr',
      {},
      ...COLUMNS.map((c) => {
        if (!c.key) return h('th', { scope: 'col' }, c.label);
        const key = c.key;
        const active = filters.sort === key;
        const button = h(
          'button',
          { type: 'button', class: 'sort', 'data-sort': key },
          c.label,
          active ? (filters.descending ? ' ▼' : ' ▲') : '',
        );
        button.addEventListener('click', () => {
          filters.descending = active ? !filters.descending : false;
          filters.sort = key;
          draw();
        });
        return h(
          'th',
          { scope: 'col', 'aria-sort': active ? (filters.descending ? 'descending' : 'ascending') : 'none' },
          button,
        );
      }),
    );
    const more = h('button', { type: 'button', class: 'more' }, `show ${PAGE_ROWS} more`);
    more.addEventListener('click', () => {
      shown += PAGE_ROWS;
      draw();
    });
    replace(
      tableHost,
      h('p', { class: 'count-line', 'aria-live': 'polite' }, `${kept.length} of ${rows.length} targets`),
      h(
        'div',
        { class: 'scroll' },
        h('table', { class: 'target-table' }, h('thead', {}, head), h('tbody', {}, ...kept.slice(0, shown).map(row))),
      ),
      kept.length > shown ? more : null,
      rows.length === 0
        ? h('p', {}, 'No targets yet: add one with "certvigil targets add HOST" or POST /targets.')
        : null,
    );
  }
  draw();

  replace(
    root,
    h('section', { 'aria-labelledby': 'h-summary' }, h('h2', { id: 'h-summary' }, 'Targets'), summary),
    h(
      'section',
      { 'aria-labelledby': 'h-timeline' },
      h('h2', { id: 'h-timeline' }, 'Expiry timeline'),
      inventory.certificatesMissing
        ? h('p', {}, text(inventory.certificatesMissing))
        : expiryTimeline(inventory.certificates, {
            now: inventory.loadedAt,
            ownerOf: (target) => owners.get(target) ?? null,
          }),
    ),
    h(
      'section',
      { 'aria-labelledby': 'h-open' },
      h('h2', { id: 'h-open' }, 'Open events'),
      inventory.events.length
        ? table(
            ['Severity', 'Event', 'Target', 'Certificate', 'Since', 'Owner'],
            eventRows(inventory.events.slice(0, 10)),
          )
        : h('p', {}, 'Nothing is open.'),
      inventory.events.length > 10 ? link(['events'], `all ${inventory.events.length} open events`) : null,
    ),
    h('section', { 'aria-labelledby': 'h-table' }, h('h2', { id: 'h-table' }, 'Inventory'), filterBar, tableHost),
  );
}
