// Issue 32: the page says why a target is not ok, in words, from its latest check: the error, the
// trust error, the names the certificate carries against the name checked, a certificate not yet
// valid, a revocation.
import { describe, expect, it } from 'vitest';
import { problemOf } from '../../lib/policy/problem.ts';
import { checkResult } from '../fixtures/check-results.ts';

describe("the page's Problem", () => {
  it('says why, in words, for every way a target is not ok', () => {
    const base = checkResult({ target: 'api.example.com:443', status: 'invalid' });
    const cases: [Parameters<typeof problemOf>[0], string | null][] = [
      [{ ...base, status: 'ok' }, null],
      [
        { ...base, status: 'error', error: { kind: 'refused', message: 'connection refused' } },
        'refused: connection refused',
      ],
      [
        { ...base, trusted: false, trustError: 'DEPTH_ZERO_SELF_SIGNED_CERT' },
        'not trusted: self-signed certificate (DEPTH_ZERO_SELF_SIGNED_CERT)',
      ],
      [
        { ...base, trusted: true, hostnameMatch: false, sans: ['a.example', 'b.example', 'c.example', 'd.example'] },
        'the certificate names a.example, b.example, c.example, …, not www.example.com',
      ],
      [
        { ...base, trusted: true, hostnameMatch: true, notBefore: '2999-01-01T00:00:00.000Z' },
        'not valid before 2999-01-01',
      ],
      [null, null],
    ];
    for (const [check, words] of cases) expect(problemOf(check)).toBe(words);
  });
});
