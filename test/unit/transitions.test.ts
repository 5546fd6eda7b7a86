import { describe, expect, it } from 'vitest';
import type { MonitorEvent, MonitorState } from '../../lib/policy/events.ts';
import { decideTransition } from '../../lib/policy/transitions.ts';
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

describe('what an event resolves', () => {
  /** Each step's fresh events as `event -> [events it resolves]`, by the keys of earlier events. */
  function resolutions(steps: ResultSpec[]): string[][] {
    let state: MonitorState | undefined;
    const sent = new Map<string, MonitorEvent>();
    return steps.map((spec, day) => {
      const transition = decideTransition(state, checkResult({ at: at(day), ...spec }));
      state = transition.state;
      const fresh = transition.events.filter((e) => !sent.has(e.id));
      for (const e of fresh) sent.set(e.id, e);
      return fresh.map((e) => {
        const ended = (e.resolves ?? []).map((id) => {
          const earlier = sent.get(id);
          if (!earlier || earlier === e) throw new Error(`${e.event} resolves ${id}, which was never announced`);
          return label(earlier);
        });
        return ended.length ? `${label(e)} ends ${ended.join(', ')}` : label(e);
      });
    });
  }

  it('a worse window ends the milder one, expiry ends the window, and the renewal ends the expiry', () => {
    expect(
      resolutions([
        { ...OLD },
        { ...OLD, status: 'warning' },
        { ...OLD, status: 'critical' },
        { ...OLD, status: 'expired' },
        { ...NEW },
        { ...NEW },
      ]),
    ).toEqual([
      [],
      ['entered-window/warning'],
      ['entered-window/critical ends entered-window/warning'],
      ['expired/critical ends entered-window/critical'],
      ['renewed/info ends expired/critical'],
      [],
    ]);
  });

  it('a recovery ends the unreachable it follows; a repair in place ends the invalid', () => {
    expect(
      resolutions([
        { ...NEW },
        { status: 'error' },
        { status: 'error' },
        { ...NEW },
        { ...NEW, status: 'invalid', trusted: false, trustError: 'UNABLE_TO_VERIFY_LEAF_SIGNATURE' },
        { ...NEW },
      ]),
    ).toEqual([
      [],
      [],
      ['unreachable/critical'],
      ['recovered/info ends unreachable/critical'],
      ['invalid/critical'],
      ['recovered/info ends invalid/critical'],
    ]);
  });

  it('addresses that agree again end the disagreement: with the renewal when there is one, else on their own', () => {
    const split = [
      { address: 'a', fingerprint: 'F2', status: 'ok' as const },
      { address: 'b', fingerprint: 'F1' },
    ];
    const same = (f: string) => [
      { address: 'a', fingerprint: f },
      { address: 'b', fingerprint: f },
    ];
    expect(
      resolutions([
        { ...OLD, status: 'warning', endpoints: same('F1') },
        { ...OLD, status: 'warning', endpoints: split },
        { ...NEW, endpoints: same('F2') },
      ]),
    ).toEqual([
      ['entered-window/warning'],
      ['inconsistent/warning'],
      ['renewed/info ends entered-window/warning, inconsistent/warning'],
    ]);
    expect(
      resolutions([
        { ...NEW, endpoints: same('F2') },
        { ...NEW, endpoints: split },
        { ...NEW, endpoints: same('F2') },
      ]),
    ).toEqual([[], ['inconsistent/warning'], ['recovered/info ends inconsistent/warning']]);
  });

  it('a disagreement never announced (the first check reported something worse) ends silently', () => {
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
    expect(first.state.inconsistent).toBeUndefined();
    const next = decideTransition(first.state, checkResult({ ...OLD, status: 'expired', at: at(1) }));
    expect(next.events.filter((e) => e.event === 'recovered')).toEqual([]);
  });

  it('ids in resolves are the ids of the events they end, whatever the check that ends them', () => {
    const warned = decideTransition(undefined, checkResult({ ...OLD, status: 'warning' }));
    const renewed = decideTransition(warned.state, checkResult({ ...NEW, at: at(1) }));
    expect(renewed.events[0]?.resolves).toEqual([warned.events[0]?.id]);
  });
});

describe('what a document event resolves', () => {
  const entry = (fingerprint: string, status: 'ok' | 'warning' | 'critical' | 'expired') => ({
    fingerprint256: fingerprint,
    subject: `CN=${fingerprint}`,
    issuer: 'CN=idp',
    serialNumber: '01',
    notBefore: at(-300),
    notAfter: at(status === 'expired' ? -1 : 30),
    daysLeft: status === 'expired' ? -1 : 30,
    lifetimeDays: 330,
    status,
    keyType: 'rsa',
    keyBits: 2048,
    signatureAlgorithm: 'sha256WithRSAEncryption',
    entityId: 'https://idp.example.com',
    role: 'idp',
    use: 'signing',
    kid: null,
    alg: null,
    successor: null,
    problem: null,
    namesKey: null,
  });
  const doc = (day: number, ...certificates: ReturnType<typeof entry>[]) => ({
    ...checkResult({ at: at(day), target: 'saml:https://idp.example.com/metadata' }),
    kind: 'saml' as const,
    endpoints: [],
    certificates,
    certificateCount: certificates.length,
  });

  it('a certificate that gets worse ends its milder condition; a removed one ends all of its own', () => {
    const first = decideTransition(undefined, doc(0, entry('A', 'warning'), entry('B', 'ok')));
    const worse = decideTransition(first.state, doc(1, entry('A', 'critical'), entry('B', 'ok')));
    const critical = worse.events.find((e) => e.event === 'entered-window');
    expect(critical?.resolves).toEqual([first.events[0]?.id]);
    const removed = decideTransition(worse.state, doc(2, entry('B', 'ok')));
    expect(removed.events.map((e) => [e.event, e.resolves])).toEqual([['removed', [critical?.id]]]);
  });

  it('an unreachable document that answers again: the recovery ends unreachable', () => {
    const first = decideTransition(undefined, doc(0, entry('A', 'ok')));
    const failing = { ...checkResult({ status: 'error', at: at(1), target: 'saml:https://idp.example.com/metadata' }) };
    const once = decideTransition(first.state, { ...failing, kind: 'saml' });
    const twice = decideTransition(once.state, { ...failing, kind: 'saml', checkedAt: at(2) });
    expect(twice.events.map((e) => e.event)).toEqual(['unreachable']);
    // The certificates seen before the failures are remembered through them.
    expect(twice.state.certificates?.map((c) => c.fingerprint256)).toEqual(['A']);
    const back = decideTransition(twice.state, doc(3, entry('A', 'ok')));
    expect(back.events.map((e) => [e.event, e.resolves])).toEqual([['recovered', [twice.events[0]?.id]]]);
  });
});
