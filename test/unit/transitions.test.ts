import { describe, expect, it } from 'vitest';
import { decideTransition, type MonitorEvent, type MonitorState } from '../../lib/policy/transitions.ts';
import { checkResult, DAY, type ResultSpec } from '../fixtures/check-results.ts';

const T0 = Date.parse('2026-06-01T00:00:00Z');
const at = (day: number) => new Date(T0 + day * DAY).toISOString();
const OLD = { fingerprint: 'F1', notAfter: at(30) };
const NEW = { fingerprint: 'F2', notAfter: at(120) };

/**
 * Feeds a sequence of checks through the transition function, dropping events whose key was
 * already announced (as the store does), and returns what would be sent at each step.
 */
function run(steps: ResultSpec[], unreachableAfter = 2): string[][] {
  let state: MonitorState | undefined;
  const sent = new Set<string>();
  return steps.map((spec, day) => {
    const transition = decideTransition(state, checkResult({ at: at(day), ...spec }), { unreachableAfter });
    state = transition.state;
    const fresh = transition.events.filter((e) => !sent.has(e.key));
    for (const e of fresh) sent.add(e.key);
    return fresh.map(label);
  });
}

function label(e: MonitorEvent): string {
  return `${e.event}/${e.severity}`;
}

describe('transitions', () => {
  it.each<[string, ResultSpec[], string[][]]>([
    ['a healthy target stays quiet', [{ ...NEW }, { ...NEW }, { ...NEW }], [[], [], []]],
    [
      'a certificate walks into the windows once each, then expires once',
      [
        { ...OLD },
        { ...OLD, status: 'warning' },
        { ...OLD, status: 'warning' },
        { ...OLD, status: 'critical' },
        { ...OLD, status: 'critical' },
        { ...OLD, status: 'expired' },
        { ...OLD, status: 'expired' },
      ],
      [[], ['entered-window/warning'], [], ['entered-window/critical'], [], ['expired/critical'], []],
    ],
    [
      'a renewal is announced once, with the old and new expiry',
      [{ ...OLD, status: 'warning' }, { ...NEW }, { ...NEW }],
      [['entered-window/warning'], ['renewed/info'], []],
    ],
    [
      'one failed check is a blip; the second announces unreachable; recovery is announced once',
      [
        { ...NEW },
        { status: 'error' },
        { ...NEW },
        { status: 'error' },
        { status: 'error' },
        { status: 'error' },
        { ...NEW },
        { ...NEW },
      ],
      [[], [], [], [], ['unreachable/critical'], [], ['recovered/info'], []],
    ],
    [
      'unreachable only after three failures when so configured',
      [{ status: 'error' }, { status: 'error' }, { status: 'error' }, { status: 'error' }],
      [[], [], ['unreachable/critical'], []],
    ],
    [
      'a new run of failures after recovery is announced again',
      [{ ...NEW }, { status: 'error' }, { status: 'error' }, { ...NEW }, { status: 'error' }, { status: 'error' }],
      [[], [], ['unreachable/critical'], ['recovered/info'], [], ['unreachable/critical']],
    ],
    [
      'an invalid certificate is announced once, and its repair in place as recovered',
      [
        { ...NEW },
        { ...NEW, status: 'invalid', trusted: false, trustError: 'UNABLE_TO_VERIFY_LEAF_SIGNATURE' },
        { ...NEW, status: 'invalid', trusted: false, trustError: 'UNABLE_TO_VERIFY_LEAF_SIGNATURE' },
        { ...NEW },
      ],
      [[], ['invalid/critical'], [], ['recovered/info']],
    ],
    [
      'a CDN alternating between the old and the new certificate announces each event once',
      [
        { ...OLD, status: 'warning' },
        { ...NEW },
        { ...OLD, status: 'warning' },
        { ...NEW },
        { ...OLD, status: 'warning' },
        { ...NEW },
      ],
      [['entered-window/warning'], ['renewed/info'], [], [], [], []],
    ],
    [
      'a renewal seen on one address before the other: inconsistent first, renewed when complete',
      [
        {
          ...OLD,
          status: 'warning',
          endpoints: [
            { address: 'a', fingerprint: 'F1' },
            { address: 'b', fingerprint: 'F1' },
          ],
        },
        {
          ...OLD,
          status: 'warning',
          endpoints: [
            { address: 'a', fingerprint: 'F2', status: 'ok' },
            { address: 'b', fingerprint: 'F1' },
          ],
        },
        {
          ...OLD,
          status: 'warning',
          endpoints: [
            { address: 'a', fingerprint: 'F2', status: 'ok' },
            { address: 'b', fingerprint: 'F1' },
          ],
        },
        {
          ...NEW,
          endpoints: [
            { address: 'a', fingerprint: 'F2' },
            { address: 'b', fingerprint: 'F2' },
          ],
        },
      ],
      [['entered-window/warning'], ['inconsistent/warning'], [], ['renewed/info']],
    ],
  ])('%s', (_name, steps, expected) => {
    expect(run(steps, _name.includes('three failures') ? 3 : 2)).toEqual(expected);
  });

  it('reports only the worst condition on the first check of a target', () => {
    const first = decideTransition(
      undefined,
      checkResult({
        ...OLD,
        status: 'expired',
        endpoints: [
          { address: 'a', fingerprint: 'F1' },
          { address: 'b', fingerprint: 'F0' },
        ],
      }),
    );
    expect(first.events.map(label)).toEqual(['expired/critical']);
  });

  it('keys window events by certificate fingerprint, so the same event always has the same id', () => {
    const a = decideTransition(undefined, checkResult({ ...OLD, status: 'warning', at: at(1) }));
    const b = decideTransition(undefined, checkResult({ ...OLD, status: 'warning', at: at(2) }));
    expect(a.events[0]?.key).toBe('window:warning:F1');
    expect(a.events[0]?.id).toBe(b.events[0]?.id);
  });

  it('carries the replaced certificate in a renewed event', () => {
    const first = decideTransition(undefined, checkResult({ ...OLD }));
    const second = decideTransition(first.state, checkResult({ ...NEW, at: at(1) }));
    expect(second.events[0]).toMatchObject({
      event: 'renewed',
      previous: { fingerprint256: 'F1', notAfter: OLD.notAfter },
    });
  });

  it('does not call an older certificate a renewal', () => {
    const first = decideTransition(undefined, checkResult({ ...NEW }));
    const second = decideTransition(first.state, checkResult({ ...OLD, at: at(1) }));
    expect(second.events.map((e) => e.event)).not.toContain('renewed');
  });

  it('remembers the certificate through failed checks', () => {
    const first = decideTransition(undefined, checkResult({ ...OLD }));
    const failed = decideTransition(first.state, checkResult({ status: 'error', at: at(1) }));
    expect(failed.state.certificate?.fingerprint256).toBe('F1');
    expect(failed.state.consecutiveFailures).toBe(1);
    const renewed = decideTransition(failed.state, checkResult({ ...NEW, at: at(2) }));
    expect(renewed.events.map((e) => e.event)).toEqual(['renewed']);
  });
});
