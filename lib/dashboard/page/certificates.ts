// The certificate view: every certificate by soonest expiry (those served nowhere any more last),
// a page (200) at a time, filtered on the server by status and expiry; "show 200 more" for the next.
import { type CertificateView, certificatesPage } from './api.ts';
import { problemCell, rolloutBar, rolloutText } from './details.ts';
import { badge, day, h, link, relativeDays, replace, table, text } from './dom.ts';

const STATUSES = ['revoked', 'expired', 'invalid', 'critical', 'warning', 'ok'] as const;
const WITHIN = ['7', '30', '90'] as const;

/** The filters chosen, kept between visits of the view. */
const chosen = { status: '', within: '' };

function choice(
  name: string,
  label: string,
  values: readonly string[],
  all: string,
  current: string,
  show = (v: string) => v,
) {
  const element = h(
    'select',
    { name, 'aria-label': label },
    h('option', { value: '' }, all),
    ...values.map((v) => h('option', { value: v }, show(v))),
  );
  element.value = current;
  return element;
}

export async function renderCertificates(root: HTMLElement): Promise<void> {
  let items: CertificateView[] = [];
  let next: string | null = null;
  let missing: string | null = null;
  const statusSelect = choice('status', 'status', STATUSES, 'any status', chosen.status);
  const withinSelect = choice(
    'expiringWithin',
    'expiring within',
    WITHIN,
    'any expiry',
    chosen.within,
    (d) => `within ${d} days`,
  );
  const filterBar = h('form', { class: 'filters', role: 'search' }, statusSelect, withinSelect);
  filterBar.addEventListener('submit', (event) => event.preventDefault());
  const query = () => {
    const q = new URLSearchParams();
    if (chosen.status) q.set('status', chosen.status);
    if (chosen.within) q.set('expiringWithin', chosen.within);
    return q;
  };
  const body = h('div', {});
  const draw = () => {
    const more = h('button', { type: 'button', class: 'more' }, 'show 200 more');
    more.addEventListener('click', () => void load(next));
    replace(
      body,
      h('p', { class: 'count', 'aria-live': 'polite' }, `${items.length}${next ? ' so far' : ''} certificates`),
      missing
        ? h('p', {}, text(missing))
        : items.length
          ? table(
              ['Status', 'Expires', 'Subject', 'Issuer', 'Problem', 'Served at', 'Rollout'],
              items.map((c) => [
                badge(c.status),
                h('span', { title: day(c.notAfter) }, relativeDays(c.daysLeft)),
                link(['certificate', c.fingerprint256], c.subject ?? c.fingerprint256, 160),
                text(c.issuer, 120),
                problemCell(c),
                `${c.locationCount ?? c.locations.length}`,
                h('span', { class: 'rollout' }, rolloutText(c.rollout), ' ', rolloutBar(c.rollout)),
              ]),
            )
          : h('p', {}, 'No certificate matches.'),
      next ? more : null,
    );
  };
  const load = async (cursor: string | null) => {
    const page = await certificatesPage(query(), cursor);
    items = cursor ? [...items, ...page.items] : page.items;
    next = page.nextCursor;
    missing = page.missing;
    draw();
  };
  for (const [select, key] of [
    [statusSelect, 'status'],
    [withinSelect, 'within'],
  ] as const) {
    select.addEventListener('change', () => {
      chosen[key] = select.value;
      void load(null);
    });
  }
  replace(root, h('h2', {}, 'Certificates'), filterBar, body);
  await load(null);
}
