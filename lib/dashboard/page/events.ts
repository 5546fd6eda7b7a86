// Open events: what certvigil announced and is still true, most severe first, in pages.
import { eventsPage, type OpenEventView } from './api.ts';
import { type Child, h, link, moment, replace, table, text } from './dom.ts';

export function eventRows(events: readonly OpenEventView[]): Child[][] {
  return events.map((e) => [
    h(
      'span',
      { class: `badge v-${e.severity === 'critical' ? 'critical' : e.severity === 'warning' ? 'warning' : 'info'}` },
      text(e.severity, 12),
    ),
    text(e.event, 40),
    link(['target', e.target], e.target, 120),
    text(e.subject, 160),
    e.pending ? 'being sent' : moment(e.since),
    text(e.owner, 80),
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
        ? table(['Severity', 'Event', 'Target', 'Certificate', 'Since', 'Owner'], eventRows(events))
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
