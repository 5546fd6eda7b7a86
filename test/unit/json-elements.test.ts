// The elements of a JSON list, one at a time: the same values JSON.parse gives, with nesting, size
// and count bounded, and the run's signal obeyed.
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { forEachJsonElement, type JsonListLimits } from '../../lib/discovery/ct/json-elements.ts';
import { ProbeError } from '../../lib/net/probe-error.ts';

const LIMITS: JsonListLimits = { maxDepth: 8, maxElementBytes: 1 << 20, maxElements: 1_000 };

async function elements(text: string, limits = LIMITS, signal = AbortSignal.timeout(10_000)) {
  const out: unknown[] = [];
  const { cut } = await forEachJsonElement(Buffer.from(text), limits, signal, (v) => out.push(v));
  return { out, cut };
}

describe('forEachJsonElement', () => {
  it('gives what JSON.parse gives for any list, strings with brackets, quotes and escapes included', async () => {
    const value = fc.jsonValue({ maxDepth: 4 });
    await fc.assert(
      fc.asyncProperty(fc.array(value, { maxLength: 8 }), async (list) => {
        for (const text of [JSON.stringify(list), JSON.stringify(list, null, 2)]) {
          expect((await elements(text)).out).toEqual(JSON.parse(text));
        }
      }),
      { numRuns: 300 },
    );
    expect((await elements(' [ "a,]\\"[{" , {"b":"\\\\"} ] ')).out).toEqual(['a,]"[{', { b: '\\' }]);
  });

  it.each([
    ['not a list', '{"a":1}', 'the answer is not a JSON list'],
    ['nested past the cap', `[${'['.repeat(8)}${']'.repeat(8)}]`, 'the answer nests deeper than 8 levels'],
    ['an element past the size cap', `["${'x'.repeat(1 << 20)}"]`, 'the answer holds an entry larger than 1024 KiB'],
    ['a trailing comma', '[1,]', 'the answer is not valid JSON (an empty list element)'],
    ['data after the list', '[1] [2]', 'the answer has data after its list'],
    ['a list that does not end', '[1, 2', 'the answer ends inside its list'],
    ['an element that is not JSON', '[1, nope]', 'the answer is not valid JSON'],
  ])('refuses %s', async (_what, text, message) => {
    await expect(elements(text)).rejects.toThrow(new ProbeError('parse', message));
  });

  it('stops at the count cap and says so; reads an empty list as no element', async () => {
    expect(await elements('[1,2,3,4]', { ...LIMITS, maxElements: 2 })).toEqual({ out: [1, 2], cut: true });
    expect(await elements('[]')).toEqual({ out: [], cut: false });
  });

  it('skips elements too small to be read, counting them', async () => {
    expect(await elements('[{}, {"id": 123456}, {}]', { ...LIMITS, minElementBytes: 8 })).toEqual({
      out: [{ id: 123456 }],
      cut: false,
    });
  });

  it('stops when the run’s signal aborts', async () => {
    const big = `[${Array.from({ length: 200_000 }, (_, i) => i).join(',')}]`;
    await expect(elements(big, { ...LIMITS, maxElements: 1e9 }, AbortSignal.abort())).rejects.toThrow(
      new ProbeError('timeout', 'the run ran out of time while reading the answer'),
    );
  });
});
