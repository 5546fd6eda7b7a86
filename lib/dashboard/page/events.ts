// Open events: what certvigil announced and is still true, most severe first.
import type { OpenEventView } from './api.ts';
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

export function renderEvents(root: HTMLElement, events: readonly OpenEventView[]): void {
  replace(
    root,
    h('h2', {}, `Open events (${events.length})`),
    events.length
      ? table(['Severity', 'Event', 'Target', 'Certificate', 'Since', 'Owner'], eventRows(events))
      : h('p', {}, 'Nothing is open: every announced condition has ended.'),
  );
}
