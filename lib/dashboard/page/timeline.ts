// The expiry timeline: the next 90 days left to right, a lane per status, the summary's count per
// day as bars and the soonest targets as marks. Plain SVG (no charting library).
import type { SummaryView, TargetRow } from './api.ts';
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
  /** The summary's expiries per day and status; null where none is kept. */
  summary: SummaryView | null;
}

/** The lane a target's status draws in. */
function laneOf(status: string): number {
  if (status === 'expired' || status === 'revoked') return 0;
  if (status === 'critical' || status === 'invalid') return 1;
  if (status === 'warning') return 2;
  return 3;
}

/**
 * The next 90 days: per day and lane a bar as tall as the summary's count (every target, whatever
 * the inventory's size), and over them one mark per target of the soonest page (`rows`, soonest
 * expiry first), with its owner on hover and its certificate on click.
 */
export function expiryTimeline(rows: readonly TargetRow[], options: TimelineOptions): HTMLElement {
  const end = options.now + TIMELINE_DAYS * DAY_MS;
  const plotted = rows.filter((r) => r.notAfter !== null && Date.parse(r.notAfter) <= end);
  const height = LANE * LANES.length + 30;
  const x0 = LEFT + EXPIRED_BAND;
  const xOf = (time: number) => x0 + ((time - options.now) / (end - options.now)) * (WIDTH - x0 - 30);

  const chart = svg('svg', {
    viewBox: `0 0 ${WIDTH} ${height}`,
    role: 'img',
    'aria-label': `expiry timeline: ${plotted.length} of the soonest-expiring targets expire within ${TIMELINE_DAYS} days or have expired`,
    class: 'timeline',
  });
  LANES.forEach((lane, i) => {
    chart.appendChild(svg('rect', { x: 0, y: i * LANE, width: WIDTH, height: LANE, class: `lane lane-${i % 2}` }));
    chart.appendChild(svg('text', { x: 6, y: i * LANE + LANE / 2 + 4, class: 'lane-label' }, lane));
  });
  // The summary's days: a bar per day and lane, its height the share of that lane's busiest day.
  let ahead = 0;
  const days = options.summary?.expiring.days ?? [];
  const perLane = days.map((d) => {
    const counts = [0, 0, 0, 0];
    for (const [status, n] of Object.entries(d)) {
      const lane = laneOf(status);
      if (typeof n === 'number') counts[lane] = (counts[lane] ?? 0) + n;
    }
    ahead += counts.reduce((a, b) => a + b, 0);
    return { day: Date.parse(`${d.day}T12:00:00Z`), counts };
  });
  const busiest = Math.max(1, ...perLane.flatMap((d) => d.counts));
  for (const d of perLane) {
    d.counts.forEach((n, lane) => {
      if (!n) return;
      const tall = Math.max(2, (n / busiest) * (LANE - 6));
      chart.appendChild(
        svg('rect', {
          x: (xOf(d.day) - 2).toFixed(1),
          y: (lane * LANE + LANE - 3 - tall).toFixed(1),
          width: 4,
          height: tall.toFixed(1),
          class: `day-bar s-${LANES[lane]}`,
        }),
      );
    });
  }
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
  // One circle per target; the tooltip and the link are one handler each for all of them.
  plotted.forEach((r, i) => {
    const expires = Date.parse(r.notAfter as string);
    const key = r.fingerprint256 ?? r.target;
    const x = expires <= options.now ? LEFT + 6 + spread(key) * (EXPIRED_BAND - 12) : xOf(expires);
    const y = laneOf(r.status) * LANE + 6 + spread(`${key}~`) * (LANE - 12);
    chart.appendChild(
      svg('circle', {
        cx: x.toFixed(1),
        cy: y.toFixed(1),
        r: 5,
        class: `mark s-${r.status}`,
        'data-i': i,
        'data-fingerprint': r.fingerprint256 ?? '',
      }),
    );
  });
  const tooltip = h('div', { class: 'tooltip', role: 'tooltip', hidden: true });
  const describe = (r: TargetRow) => [
    text(r.subject, 200),
    `expires ${day(r.notAfter)} (${text(r.status, 20)})`,
    `owner: ${r.owner ? text(r.owner, 80) : 'none'}`,
    text(r.target, 120),
  ];
  const markOf = (event: Event) => {
    const index = (event.target as Element).getAttribute?.('data-i');
    return index === null || index === undefined ? undefined : plotted[Number(index)];
  };
  chart.addEventListener('mouseover', (event) => {
    const r = markOf(event);
    if (!r) return;
    replace(tooltip, ...describe(r).flatMap((line, i) => (i ? [h('br'), line] : [line])));
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
    const r = markOf(event);
    if (r) location.hash = r.fingerprint256 ? route('certificate', r.fingerprint256) : route('target', r.target);
  });
  chart.appendChild(svg('text', { x: x0 + 3, y: 12, class: 'tick' }, 'today'));
  const expired = options.summary?.byStatus.expired ?? 0;
  return h(
    'figure',
    { class: 'timeline-figure' },
    h('div', { class: 'scroll chart-host' }, chart, tooltip),
    h(
      'figcaption',
      {},
      options.summary
        ? `${ahead} target${ahead === 1 ? '' : 's'} expire in the next ${TIMELINE_DAYS} days and ${expired} have expired (bars, by day); marks for the ${plotted.length} soonest.`
        : `${plotted.length} of the soonest-expiring targets expired or expire in the next ${TIMELINE_DAYS} days.`,
      ' Point at a mark (hover, or touch) for its owner, select it for where its certificate is served; the table below lists them all.',
    ),
  );
}
