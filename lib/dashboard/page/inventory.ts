// The morning view: counts by status (the summary), the expiry timeline (the summary's days and the
// soonest targets as marks), the first open events, and the target table, soonest expiry first,
// filtered by the server and read a page at a time. The page never holds the whole inventory.
import { type Overview, PAGE_ROWS, type Page, type TargetRow, targetsPage } from './api.ts';
import { badge, day, h, link, relativeDays, replace, STATUS_ORDER, table, text } from './dom.ts';
import { EVENT_COLUMNS, eventRows } from './events.ts';
import { expiryTimeline } from './timeline.ts';

export interface Filters {
  status: string;
  kind: string;
  owner: string;
  tag: string;
  text: string;
}

export function defaultFilters(): Filters {
  return { status: '', kind: '', owner: '', tag: '', text: '' };
}

/** The list statuses a filter may ask for: the check statuses and `unchecked`. */
const FILTER_STATUSES = [...STATUS_ORDER, 'unchecked'];

/** The filters as the admin API's query (`owner=(none)` is `unowned=true`). */
export function filterQuery(f: Filters): URLSearchParams {
  const query = new URLSearchParams();
  if (f.status) query.set('status', f.status);
  if (f.kind) query.set('kind', f.kind);
  if (f.owner === '(none)') query.set('unowned', 'true');
  else if (f.owner) query.set('owner', f.owner);
  if (f.tag.trim()) query.set('tag', f.tag.trim());
  if (f.text.trim()) query.set('q', f.text.trim());
  return query;
}

const filtered = (f: Filters) => Boolean(f.status || f.kind || f.owner || f.tag.trim() || f.text.trim());

const COLUMNS = ['Status', 'Expires', 'Target', 'Kind', 'Owner', 'Tags', 'Subject', 'Problem', 'Issuer', 'Checked'];

function options(values: Iterable<string>, all: string): HTMLOptionElement[] {
  return [h('option', { value: '' }, all), ...[...values].map((v) => h('option', { value: v }, text(v, 80)))];
}

function select(name: string, label: string, values: Iterable<string>, all: string, current: string) {
  const element = h('select', { name, 'aria-label': label }, ...options(values, all));
  element.value = current;
  return element;
}

function row(r: TargetRow): HTMLTableRowElement {
  const cells = [
    badge(r.status),
    h('span', { title: day(r.notAfter) }, relativeDays(r.daysLeft)),
    link(['target', r.target], r.target, 120),
    text(r.kind, 20),
    text(r.owner, 80),
    text(r.tags, 120),
    text(r.subject, 160),
    text(r.problem, 200),
    text(r.issuer, 120),
    day(r.checkedAt),
  ];
  // Each cell names its column: at phone width the rows are cards, and the names are shown.
  return h('tr', { 'data-target': r.target }, ...cells.map((c, i) => h('td', { 'data-label': COLUMNS[i] ?? '' }, c)));
}

/** Renders the inventory into `root`; `filters` is kept by the caller between renders. */
export function renderInventory(root: HTMLElement, overview: Overview, filters: Filters): void {
  const summary = overview.summary;
  const counts = new Map<string, number>(
    summary
      ? Object.entries(summary.byStatus)
      : [...overview.first.items.reduce((m, r) => m.set(r.status, (m.get(r.status) ?? 0) + 1), new Map())],
  );
  const total = summary ? summary.targets : overview.first.items.length;

  const statusBar = h(
    'ul',
    { class: 'summary', 'aria-label': 'targets by status' },
    ...FILTER_STATUSES.filter((s) => (counts.get(s) ?? 0) > 0).map((s) => {
      const button = h('button', { type: 'button', class: `count s-${s}`, 'data-status': s }, `${counts.get(s)} ${s}`);
      button.addEventListener('click', () => {
        filters.status = filters.status === s ? '' : s;
        void reload();
      });
      return h('li', {}, button);
    }),
  );

  const filterBar = h('form', { class: 'filters', role: 'search' });
  filterBar.addEventListener('submit', (e) => e.preventDefault());
  const kinds = summary ? Object.keys(summary.byKind).sort() : [...new Set(overview.first.items.map((r) => r.kind))];
  const ownerNames = summary
    ? summary.owners.top.map((o) => o.owner).sort()
    : [...new Set(overview.first.items.map((r) => r.owner).filter((o): o is string => Boolean(o)))].sort();
  const statusSelect = select('status', 'status', FILTER_STATUSES, 'any status', filters.status);
  const kindSelect = select('kind', 'kind', kinds, 'any kind', filters.kind);
  const ownerSelect = select('owner', 'owner', ['(none)', ...ownerNames], 'any owner', filters.owner);
  const tagInput = h('input', { type: 'search', name: 'tag', placeholder: 'tag', 'aria-label': 'tag', maxlength: 64 });
  tagInput.value = filters.tag;
  const search = h('input', {
    type: 'search',
    name: 'text',
    placeholder: 'search target names…',
    'aria-label': 'search',
    maxlength: 200,
  });
  search.value = filters.text;
  for (const [control, key] of [
    [statusSelect, 'status'],
    [kindSelect, 'kind'],
    [ownerSelect, 'owner'],
  ] as const) {
    control.addEventListener('change', () => {
      filters[key] = control.value;
      void reload();
    });
  }
  // Typing asks the server once the typing pauses, not per key.
  let typing: ReturnType<typeof setTimeout> | undefined;
  for (const [input, key] of [
    [tagInput, 'tag'],
    [search, 'text'],
  ] as const) {
    input.addEventListener('input', () => {
      filters[key] = input.value;
      clearTimeout(typing);
      typing = setTimeout(() => void reload(), 250);
    });
  }
  filterBar.append(statusSelect, kindSelect, ownerSelect, tagInput, search);

  const tableHost = h('div', { class: 'targets' });
  let rows: TargetRow[] = [];
  let next: string | null = null;
  /** Bumped by every new query: an answer to an older one is dropped. */
  let generation = 0;

  function countLine(): string {
    if (!filtered(filters)) return `${rows.length} of ${total} targets`;
    const only = filters.status && !filters.kind && !filters.owner && !filters.tag.trim() && !filters.text.trim();
    if (only && summary) return `${rows.length} of ${counts.get(filters.status) ?? 0} ${filters.status} targets`;
    return `${rows.length} targets match${next ? ' so far' : ''}`;
  }

  function draw(): void {
    statusSelect.value = filters.status;
    for (const button of statusBar.querySelectorAll('button')) {
      button.setAttribute('aria-pressed', String(button.dataset.status === filters.status));
    }
    const more = h('button', { type: 'button', class: 'more' }, `show ${PAGE_ROWS} more`);
    more.addEventListener('click', () => void loadMore());
    replace(
      tableHost,
      h('p', { class: 'count-line', 'aria-live': 'polite' }, countLine()),
      h(
        'div',
        { class: 'scroll' },
        h(
          'table',
          { class: 'target-table cards' },
          h('caption', { class: 'order' }, 'soonest expiry first; never checked last'),
          h('thead', {}, h('tr', {}, ...COLUMNS.map((c) => h('th', { scope: 'col' }, c)))),
          h('tbody', {}, ...rows.map(row)),
        ),
      ),
      next ? more : null,
      total === 0 ? h('p', {}, 'No targets yet: add one with "certvigil targets add HOST" or POST /targets.') : null,
    );
  }

  function show(page: Page<TargetRow>, append: boolean): void {
    rows = append ? [...rows, ...page.items] : page.items;
    next = page.nextCursor;
    draw();
  }

  async function reload(): Promise<void> {
    const mine = ++generation;
    tableHost.setAttribute('aria-busy', 'true');
    try {
      const page = filtered(filters) ? await targetsPage(filterQuery(filters)) : overview.first;
      if (mine === generation) show(page, false);
    } catch (error) {
      if (mine === generation)
        replace(tableHost, h('p', { class: 'error', role: 'alert' }, text((error as Error).message, 400)));
    } finally {
      if (mine === generation) tableHost.removeAttribute('aria-busy');
    }
  }

  async function loadMore(): Promise<void> {
    const mine = generation;
    const page = await targetsPage(filterQuery(filters), next);
    if (mine === generation) show(page, true);
  }

  if (filtered(filters)) void reload();
  else show(overview.first, false);

  const events = overview.events.items;
  replace(
    root,
    h('section', { 'aria-labelledby': 'h-summary' }, h('h2', { id: 'h-summary' }, 'Targets'), statusBar),
    h(
      'section',
      { 'aria-labelledby': 'h-timeline' },
      h('h2', { id: 'h-timeline' }, 'Expiry timeline'),
      expiryTimeline(overview.first.items, { now: overview.loadedAt, summary }),
    ),
    h(
      'section',
      { 'aria-labelledby': 'h-open' },
      h('h2', { id: 'h-open' }, 'Open events'),
      events.length ? table(EVENT_COLUMNS, eventRows(events.slice(0, 10))) : h('p', {}, 'Nothing is open.'),
      overview.events.nextCursor || events.length > 10 ? link(['events'], 'all open events') : null,
    ),
    h('section', { 'aria-labelledby': 'h-table' }, h('h2', { id: 'h-table' }, 'Inventory'), filterBar, tableHost),
  );
}
