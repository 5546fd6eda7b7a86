import { describe, expect, it } from 'vitest';
import { subjectAltNames } from '../../lib/certificate/cert-facts.ts';

describe('subjectAltNames', () => {
  it.each([
    [undefined, []],
    ['DNS:example.com', ['example.com']],
    [
      'DNS:example.com, DNS:*.example.com, IP Address:192.0.2.1, IP Address:2001:DB8:0:0:0:0:0:1',
      ['example.com', '*.example.com', '192.0.2.1', '2001:DB8:0:0:0:0:0:1'],
    ],
    ['email:ops@example.com, URI:https://example.com/', ['email:ops@example.com', 'URI:https://example.com/']],
    ['DNS:"a, b.example", DNS:c.example', ['a, b.example', 'c.example']],
  ])('splits %j', (text, values) => {
    expect(subjectAltNames(text)).toEqual(values);
  });
});
