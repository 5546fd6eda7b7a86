// The compact form of a target's state (what a quiet check writes) gives back the full state:
// every field a transition, the inventory or a view reads, for healthy, failing, inconsistent and
// multi-certificate targets, and through a sequence of real transitions.
import { describe, expect, it } from 'vitest';
import { verdictChanges } from '../../lib/inventory/locations.ts';
import type { MonitorState } from '../../lib/policy/events.ts';
import { problemOf } from '../../lib/policy/problem.ts';
import { decideTransition } from '../../lib/policy/transitions.ts';
import { compactState, expandState } from '../../lib/store/compact-result.ts';
import { checkResult, DAY } from '../fixtures/check-results.ts';

const TARGET = { id: 'www.example.com:443', host: 'www.example.com', port: 443, protocol: 'tls' as const };
const slim = (s: MonitorState): MonitorState => ({
  ...s,
  result: { ...s.result, sans: [], chain: [], certificates: [] },
});
const roundTrip = (s: MonitorState) => expandState(JSON.parse(JSON.stringify(compactState(s))), TARGET);

describe('compact state', () => {
  it('round-trips the states a target goes through', () => {
    const at = (d: number) => new Date(Date.parse('2026-06-01T00:00:00.000Z') + d * DAY).toISOString();
    const results = [
      checkResult({ at: at(0) }),
      checkResult({ at: at(1), status: 'warning', daysLeft: 10 }),
      checkResult({ at: at(2), status: 'error', error: { kind: 'timeout', message: 'no answer' } }),
      checkResult({ at: at(3), status: 'error', error: { kind: 'timeout', message: 'no answer' } }),
      checkResult({
        at: at(4),
        endpoints: [
          { address: '192.0.2.1', fingerprint: 'AA:AA' },
          { address: '192.0.2.2', fingerprint: 'BB:BB' },
          { address: '2001:db8::1', fingerprint: null, status: 'error' },
        ],
      }),
      checkResult({
        at: at(5),
        fingerprint: 'CC:CC',
        trusted: false,
        trustError: 'UNABLE_TO_VERIFY_LEAF_SIGNATURE',
        status: 'invalid',
      }),
      checkResult({ at: at(6), fingerprint: 'DD:DD' }),
    ];
    let state: MonitorState | undefined;
    for (const result of results) {
      state = decideTransition(state, result).state;
      state.locations = {
        '192.0.2.1': [{ fingerprint256: result.fingerprint256 ?? 'EE:EE', namesKey: 'k', notAfter: result.notAfter }],
      };
      state.timelineAt = result.checkedAt;
      expect(roundTrip(state)).toEqual(slim(state));
      // What would be read back is what the next transition sees.
      state = roundTrip(state);
    }
    expect(state?.certificate?.fingerprint256).toBe('DD:DD');
  });

  it('keeps a certificate last seen that is not the result’s (a failing target) and document certificates', () => {
    const failing: MonitorState = {
      result: checkResult({ status: 'error', error: { kind: 'refused', message: 'refused' } }),
      certificate: { fingerprint256: 'AA:AA', notAfter: '2026-08-01T00:00:00.000Z', status: 'ok' },
      consecutiveFailures: 3,
      failingSince: '2026-05-30T00:00:00.000Z',
      unreachableAnnounced: true,
      announced: { key: 'window:warning:AA:AA', status: 'warning' },
      certificates: [
        {
          fingerprint256: 'AA:AA',
          notAfter: null,
          status: 'ok',
          label: 'CN=a',
          daysLeft: 3,
          successor: null,
          problem: null,
        },
      ],
    };
    expect(roundTrip(failing)).toEqual(slim(failing));
  });

  it('keeps a document result without a chain date as it is', () => {
    const doc = { ...checkResult(), kind: 'saml' as const, chainNotAfter: null, endpoints: [] };
    const state: MonitorState = { ...decideTransition(undefined, checkResult()).state, result: doc };
    expect(roundTrip(state).result).toEqual(slim(state).result);
  });

  it('keeps the first names of a wrong-name certificate (its problem) and where a certificate is refused', () => {
    const wrong = {
      ...checkResult({ status: 'invalid', trusted: true, hostnameMatch: false }),
      sans: ['a.example', 'b.example', 'c.example', 'd.example', 'e.example'],
    };
    const state: MonitorState = {
      ...decideTransition(undefined, wrong).state,
      locations: {
        '192.0.2.1': [{ fingerprint256: 'AA:AA', namesKey: 'k', notAfter: wrong.notAfter, refused: 'invalid' }],
        '192.0.2.2': [{ fingerprint256: 'BB:BB', namesKey: 'k', notAfter: wrong.notAfter }],
      },
    };
    const back = roundTrip(state);
    expect(back.result.sans).toEqual(['a.example', 'b.example', 'c.example', 'd.example']);
    expect(problemOf(back.result)).toBe(
      'the certificate names a.example, b.example, c.example, …, not www.example.com',
    );
    expect(back.locations).toEqual(state.locations);
    // An accepted certificate's names stay out, as before.
    expect(roundTrip(decideTransition(undefined, checkResult()).state).result.sans).toEqual([]);
  });

  it('finds the certificates whose verdict changed where they stayed, and reads a state without verdicts as accepting', () => {
    const at = (refused?: 'invalid') => ({
      '192.0.2.1': [{ fingerprint256: 'AA:AA', namesKey: 'k', notAfter: null, ...(refused ? { refused } : {}) }],
    });
    expect(verdictChanges(at(), at())).toEqual([]);
    expect(verdictChanges(at('invalid'), at('invalid'))).toEqual([]);
    expect(verdictChanges(at(), at('invalid'))).toEqual([
      { where: '192.0.2.1', located: at('invalid')['192.0.2.1'][0] },
    ]);
    expect(verdictChanges(at('invalid'), at())).toHaveLength(1);
    // A certificate that arrived is the inventory's `added`, not a verdict change.
    expect(verdictChanges(undefined, at('invalid'))).toEqual([]);
  });

  it('is smaller than the state it stands for', () => {
    const state = decideTransition(undefined, checkResult()).state;
    expect(JSON.stringify(compactState(state)).length).toBeLessThan(JSON.stringify(slim(state)).length * 0.8);
  });
});
