// What a target's state says is still open: each announced condition once, with its event type and
// severity (the dashboard's open events, and what a vanished resource leaves to resolve).
import { describe, expect, it } from 'vitest';
import type { MonitorState } from '../../lib/policy/events.ts';
import { decideTransition, openEventIds, openEvents } from '../../lib/policy/transitions.ts';
import { checkResult, DAY, type ResultSpec } from '../fixtures/check-results.ts';

const T0 = Date.parse('2026-06-01T00:00:00Z');
const at = (day: number) => new Date(T0 + day * DAY).toISOString();
const TARGET = 'www.example.com:443';

/** The state after these checks, and every event announced on the way (id → type). */
function after(steps: ResultSpec[]): { state: MonitorState | undefined; announced: Map<string, string> } {
  let state: MonitorState | undefined;
  const announced = new Map<string, string>();
  for (const step of steps) {
    const next = decideTransition(state, checkResult({ target: TARGET, ...step }));
    for (const e of next.events) announced.set(e.id, `${e.event}/${e.severity}`);
    state = next.state;
  }
  return { state, announced };
}

const cases: { name: string; steps: ResultSpec[]; open: string[] }[] = [
  { name: 'a healthy certificate', steps: [{ status: 'ok' }], open: [] },
  {
    name: 'a certificate in its warning window',
    steps: [{ status: 'warning', daysLeft: 20 }],
    open: ['entered-window/warning'],
  },
  {
    name: 'warning, then critical (the critical one replaces it)',
    steps: [
      { status: 'warning', at: at(0) },
      { status: 'critical', at: at(10) },
    ],
    open: ['entered-window/critical'],
  },
  { name: 'an expired certificate', steps: [{ status: 'expired' }], open: ['expired/critical'] },
  {
    name: 'an untrusted chain',
    steps: [{ status: 'invalid', trusted: false, trustError: 'UNABLE_TO_GET_ISSUER_CERT' }],
    open: ['invalid/critical'],
  },
  {
    name: 'unreachable after two failures, the window announced before still open',
    steps: [
      { status: 'warning', at: at(0) },
      { status: 'error', at: at(1) },
      { status: 'error', at: at(2) },
    ],
    open: ['unreachable/critical', 'entered-window/warning'],
  },
  {
    name: 'addresses serving different certificates',
    steps: [
      { status: 'ok', at: at(0) },
      {
        status: 'ok',
        at: at(1),
        endpoints: [
          { address: '192.0.2.1', fingerprint: 'F1' },
          { address: '192.0.2.2', fingerprint: 'F2' },
        ],
      },
    ],
    open: ['inconsistent/warning'],
  },
  {
    name: 'renewed after the window (nothing left open)',
    steps: [
      { status: 'warning', at: at(0), fingerprint: 'F1', notAfter: at(20) },
      { status: 'ok', at: at(5), fingerprint: 'F2', notAfter: at(95) },
    ],
    open: [],
  },
];

describe('open events of a target', () => {
  for (const c of cases) {
    it(`${c.name}: ${c.open.join(', ') || 'nothing'}`, () => {
      const { state, announced } = after(c.steps);
      const open = openEvents(TARGET, state);
      expect(open.map((e) => `${e.event}/${e.severity}`)).toEqual(c.open);
      // Each open event is one that was really announced, with the same type and severity.
      for (const e of open) expect(announced.get(e.id)).toBe(`${e.event}/${e.severity}`);
      expect(openEventIds(TARGET, state)).toEqual(open.map((e) => e.id));
    });
  }

  it('has nothing open for a target never checked', () => {
    expect(openEvents(TARGET, undefined)).toEqual([]);
  });
});
