import { describe, expect, it } from 'vitest';
import { boundBytes, boundList, boundText } from '../../lib/text-bounds.ts';

describe('bounding hostile text', () => {
  it.each([
    ['short', 10, 'short'],
    ['a'.repeat(30), 20, `${'a'.repeat(8)}…[+22 chars]`],
    ['bell\u0007', 20, 'bell\\u0007'],
    ['rtl\u202eexe.txt', 30, 'rtl\\u202eexe.txt'],
    ['line\nbreak', 30, 'line\\u000abreak'],
  ])('bounds %j to %i characters as %j', (text, max, expected) => {
    const bounded = boundText(text, max);
    expect(bounded).toBe(expected);
    expect(bounded.length).toBeLessThanOrEqual(max);
  });

  it('keeps line breaks in text it is told is ours, and still escapes other controls', () => {
    expect(boundText('a\nb\tc\u001b', 50, { keepLines: true })).toBe('a\nb\tc\\u001b');
  });

  it('never leaves half a surrogate pair', () => {
    const bounded = boundText('😀'.repeat(20), 20);
    expect(bounded).not.toMatch(/[\ud800-\udbff](?![\udc00-\udfff])/);
  });

  it('keeps the first entries of a list and says how many more there were', () => {
    expect(boundList(['a', 'b', 'c', 'd'], 2, 10)).toEqual(['a', 'b', '…(+2 more)']);
  });

  it('cuts to a byte budget, visibly, counting multi-byte characters', () => {
    const cut = boundBytes('é'.repeat(10_000), 1000);
    expect(Buffer.byteLength(cut)).toBeLessThanOrEqual(1000);
    expect(cut.endsWith('…[truncated]')).toBe(true);
  });
});
