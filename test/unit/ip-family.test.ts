// ipFamily skips Node's IPv6 pattern where no IPv6 address can be: its answers are net.isIP's.
import { isIP } from 'node:net';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { ipFamily } from '../../lib/ip-family.ts';

const EXAMPLES = [
  '127.0.0.1',
  '127.0.0.1:8443',
  '::1',
  '::',
  '1::',
  '::ffff:192.0.2.1',
  '2001:db8::1',
  'fe80::1%eth0',
  '[::1]',
  'example.com',
  'example.com:443',
  '',
  ':',
  '1.2.3',
  '256.1.1.1',
  '1:2:3:4:5:6:7:8',
];

describe('ipFamily', () => {
  it('answers as net.isIP on addresses, names and near misses', () => {
    for (const text of EXAMPLES) expect(ipFamily(text), text).toBe(isIP(text));
  });

  it('answers as net.isIP on any text', () => {
    const ipish = fc.stringMatching(/^[0-9a-f:.%]{0,40}$/);
    fc.assert(fc.property(fc.oneof(fc.string(), ipish, fc.ipV4(), fc.ipV6()), (text) => ipFamily(text) === isIP(text)));
  });
});
