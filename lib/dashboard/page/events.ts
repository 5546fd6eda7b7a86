// Open events: what certvigil announced and is still true, most severe first, in pages; each can
// be acknowledged (until its certificate is renewed) or snoozed for a week from here.
import { acknowledgeEvent, eventsPage, type OpenEventView } from './api.ts';
import { type Child, day, h, link, moment, replace, table, text } from './dom.ts';

const WEEK_MS = 7 * 86_400_000;

/** Who acknowledged or snoozed it and until when; or the buttons that do. */
function acknowledgement(e: OpenEventView, done?: (e: OpenEventView) => void): Child {
  const ack = e.acknowledged;
  if (ack) {
    const what =
      ack.kind === 'snooze'
        ? `snoozed until ${day(ack.until)}`
        : `acknowledged${ack.until ? ` until ${day(ack.until)}` : ''}`;
    return h(
      'span',
      { class: 'ack', title: text(ack.note ?? '', 500) },
      `${what} by ${text(ack.by, 80)}, ${moment(ack.at)}`,
    );
  }
  if (!done) return '—';
  const button = (label: string, kind: 'ack' | 'snooze') => {
    const b = h('button', { type: 'button', class: `ack-${kind}` }, label);
    b.addEventListener('click', () => {
      b.disabled = true;
      const until = kind === 'snooze' ? new Date(Date.now() + WEEK_MS).toISOString() : undefined;
      void acknowledgeEvent(kind, e, until).then(
        (answer) => done({ ...e, acknowledged: answer.acknowledged }),
        (error: Error) => {
          b.disabled = false;
          b.title = text(error.message, 300);
          b.textContent = `${label} (failed)`;
        },
      );
    });
    return b;
  };
  return h('span', { class: 'ack-actions' }, button('acknowledge', 'ack'), ' ', button('snooze 7 days', 'snooze'));
}

/** The columns of an events table (eventRows' cells, in order). */
export const EVENT_COLUMNS = [
  'Severity',
  'Event',
  'Target',
  'Certificate',
  'Problem',
  'Since',
  'Owner',
  'Acknowledged',
];

export function eventRows(events: readonly OpenEventView[], done?: (e: OpenEventView) => void): Child[][] {
  return events.map((e) => [
    h(
      'span',
      { class: `badge v-${e.severity === 'critical' ? 'critical' : e.severity === 'warning' ? 'warning' : 'info'}` },
      text(e.severity, 12),
    ),
    text(e.event, 40),
    link(['target', e.target], e.target, 120),
    text(e.subject, 160),
    text(e.problem, 300),
    e.pending ? 'being sent' : moment(e.since),
    text(e.owner, 80),
    acknowledgement(e, done),
  ]);
}

/** The open events, a page (100) at a time: most severe first, "show more" for the next page. */
export async function renderEvents(root: HTMLElement): Promise<void> {
  let events: OpenEventView[] = [];
  let next: string | null = null;
  const draw = () => {
    const more = h('button', { type: 'button', class: 'more' }, 'show more');
    more.addEventListener('click', () => void load(next));
    replace(
      root,
      h('h2', {}, `Open events (${events.length}${next ? ' so far' : ''})`),
      events.length
        ? table(
            EVENT_COLUMNS,
            eventRows(events, (changed) => {
              events = events.map((e) => (e.id === changed.id ? changed : e));
              draw();
            }),
          )
        : h('p', {}, 'Nothing is open: every announced condition has ended.'),
      next ? more : null,
    );
  };
  const load = async (cursor: string | null) => {
    const page = await eventsPage(cursor);
    events = [...events, ...page.items];
    next = page.nextCursor;
    draw();
  };
  await load(null);
}
