// The expiry timeline: the next 90 days left to right, one mark per certificate, a lane per
// status. Plain SVG (no charting library): marks, a day axis and a native tooltip per mark.
import type { CertificateView } from './api.ts';
import { day, h, replace, route, svg, text } from './dom.ts';

export const TIMELINE_DAYS = 90;
const DAY_MS = 86_400_000;
const WIDTH = 1000;
const LEFT = 90; // room for the lane names
const EXPIRED_BAND = 40; // certificates already expired stand left of day 0
const LANE = 34;
const LANES = ['expired', 'critical', 'warning', 'ok'] as const;

/** A small stable number from a fingerprint, to spread marks of the same day across their lane. */
function spread(fingerprint: string): number {
  let n = 0;
  for (let i = 0; i < fingerprint.length; i++) n = (n * 31 + fingerprint.charCodeAt(i)) >>> 0;
  return (n % 1000) / 1000;
}

export interface TimelineOptions {
  now: number;
  /** Owners of each target, for the tooltip. */
  ownerOf: (target: string) => string | null;
}

export function expiryTimeline(certificates: readonly CertificateView[], options: TimelineOptions): HTMLElement {
  const end = options.now + TIMELINE_DAYS * DAY_MS;
  const plotted = certificates.filter(
    (c) => c.notAfter !== null && c.locations.length > 0 && Date.parse(c.notAfter) <= end,
  );
  const later = certificates.filter((c) => c.locations.length > 0).length - plotted.length;
  const height = LANE * LANES.length + 30;
  const x0 = LEFT + EXPIRED_BAND;
  const xOf = (time: number) => x0 + ((time - options.now) / (end - options.now)) * (WIDTH - x0 - 30);

  const chart = svg('svg', {
    viewBox: `0 0 ${WIDTH} ${height}`,
    role: 'img',
    'aria-label': `expiry timeline: ${plotted.length} certificates expire within ${TIMELINE_DAYS} days or have expired`,
    class: 'timeline',
  });
  LANES.forEach((lane, i) => {
    chart.appendChild(svg('rect', { x: 0, y: i * LANE, width: WIDTH, height: LANE, class: `lane lane-${i % 2}` }));
    chart.appendChild(svg('text', { x: 6, y: i * LANE + LANE / 2 + 4, class: 'lane-label' }, lane));
  });
  chart.appendChild(svg('line', { x1: x0, y1: 0, x2: x0, y2: LANE * LANES.length, class: 'today' }));
  chart.appendChild(
    svg('text', { x: LEFT + EXPIRED_BAND / 2, y: height - 8, class: 'tick', 'text-anchor': 'middle' }, 'past'),
  );
  for (let d = 0; d <= TIMELINE_DAYS; d += 15) {
    const x = xOf(options.now + d * DAY_MS);
    chart.appendChild(
      svg('line', { x1: x, y1: LANE * LANES.length, x2: x, y2: LANE * LANES.length + 5, class: 'tick' }),
    );
    chart.appendChild(
      svg('text', { x, y: height - 8, class: 'tick', 'text-anchor': 'middle' }, d === 0 ? '' : `+${d}d`),
    );
  }
  // One circle per certificate; the tooltip and the link are one handler each for all of them
  // (a title and an anchor per mark would triple the elements of a 10,000-target inventory).
  plotted.forEach((c, i) => {
    const expires = Date.parse(c.notAfter as string);
    const lane = Math.max(0, LANES.indexOf(c.status));
    const x = expires <= options.now ? LEFT + 6 + spread(c.fingerprint256) * (EXPIRED_BAND - 12) : xOf(expires);
    const y = lane * LANE + 6 + spread(`${c.fingerprint256}~`) * (LANE - 12);
    chart.appendChild(
      svg('circle', {
        cx: x.toFixed(1),
        cy: y.toFixed(1),
        r: 5,
        class: `mark s-${c.status}`,
        'data-i': i,
        'data-fingerprint': c.fingerprint256,
      }),
    );
  });
  const tooltip = h('div', { class: 'tooltip', role: 'tooltip', hidden: true });
  const describe = (c: CertificateView) => {
    const owners = [...new Set(c.locations.map((l) => options.ownerOf(l.target)).filter((o) => o !== null))];
    return [
      text(c.subject, 200),
      `expires ${day(c.notAfter)} (${c.status})`,
      `owner: ${
        owners.length
          ? owners
              .slice(0, 3)
              .map((o) => text(o, 80))
              .join(', ')
          : 'none'
      }`,
      `served at ${c.locations.length} location${c.locations.length === 1 ? '' : 's'}`,
    ];
  };
  const markOf = (event: Event) => {
    const index = (event.target as Element).getAttribute?.('data-i');
    return index === null || index === undefined ? undefined : plotted[Number(index)];
  };
  chart.addEventListener('mouseover', (event) => {
    const c = markOf(event);
    if (!c) return;
    replace(tooltip, ...describe(c).flatMap((line, i) => (i ? [h('br'), line] : [line])));
    const box = (event.target as Element).getBoundingClientRect();
    const host = chart.getBoundingClientRect();
    tooltip.style.left = `${Math.min(box.left - host.left, host.width - 260)}px`;
    tooltip.style.top = `${box.bottom - host.top + 4}px`;
    tooltip.hidden = false;
  });
  chart.addEventListener('mouseout', (event) => {
    if (markOf(event)) tooltip.hidden = true;
  });
  chart.addEventListener('click', (event) => {
    const c = markOf(event);
    if (c) location.hash = route('certificate', c.fingerprint256);
  });
  chart.appendChild(svg('text', { x: x0 + 3, y: 12, class: 'tick' }, 'today'));
  return h(
    'figure',
    { class: 'timeline-figure' },
    h('div', { class: 'scroll chart-host' }, chart, tooltip),
    h(
      'figcaption',
      {},
      `${plotted.length} certificate${plotted.length === 1 ? '' : 's'} expired or expiring in the next ${TIMELINE_DAYS} days`,
      later > 0 ? `; ${later} more later` : '',
      '. Hover a mark for its owner, click it for where it is served; the table below lists them all.',
    ),
  );
}
