import { describe, expect, it } from 'vitest';
import { parseTargetFile } from '../../lib/targets/import-file.ts';
import { parseTarget } from '../../lib/targets/parse-target.ts';
import { canonicalHost, InvalidTargetError } from '../../lib/targets/target-id.ts';
import { normalizeTarget, TargetValidationError } from '../../lib/targets/target-schema.ts';

describe('target strings', () => {
  it.each([
    ['example.com', 'example.com:443', 'tls', 443],
    ['Example.COM.', 'example.com:443', 'tls', 443],
    ['example.com:8443', 'example.com:8443', 'tls', 8443],
    ['mail.example.com:587', 'mail.example.com:587/smtp', 'smtp', 587],
    ['mail.example.com:25', 'mail.example.com:25/smtp', 'smtp', 25],
    ['mail.example.com:465', 'mail.example.com:465', 'tls', 465],
    ['mail.example.com/imap', 'mail.example.com:143/imap', 'imap', 143],
    ['db.example.com:5432', 'db.example.com:5432/postgres', 'postgres', 5432],
    ['ldap.example.com:389', 'ldap.example.com:389/ldap', 'ldap', 389],
    ['ftp.example.com:21', 'ftp.example.com:21/ftp', 'ftp', 21],
    ['pop.example.com:110', 'pop.example.com:110/pop3', 'pop3', 110],
    ['mail.example.com:587/tls', 'mail.example.com:587/tls', 'tls', 587],
    ['mail.example.com:2525/smtp', 'mail.example.com:2525/smtp', 'smtp', 2525],
    ['https://example.com', 'example.com:443', 'tls', 443],
    ['https://example.com:443/path?q=1', 'example.com:443', 'tls', 443],
    ['https://example.com:8443/', 'example.com:8443', 'tls', 8443],
    ['smtp://mail.example.com:587', 'mail.example.com:587/smtp', 'smtp', 587],
    ['smtp://mail.example.com', 'mail.example.com:25/smtp', 'smtp', 25],
    ['imaps://mail.example.com', 'mail.example.com:993', 'tls', 993],
    ['postgresql://db.example.com', 'db.example.com:5432/postgres', 'postgres', 5432],
    ['bücher.example', 'xn--bcher-kva.example:443', 'tls', 443],
    ['https://bücher.example', 'xn--bcher-kva.example:443', 'tls', 443],
    ['192.0.2.7', '192.0.2.7:443', 'tls', 443],
    ['192.0.2.7:8443', '192.0.2.7:8443', 'tls', 8443],
    ['[2001:db8::1]:8443', '[2001:db8::1]:8443', 'tls', 8443],
    ['[2001:DB8:0::1]', '[2001:db8::1]:443', 'tls', 443],
    ['2001:db8::1', '[2001:db8::1]:443', 'tls', 443],
    ['https://[::1]:8443', '[::1]:8443', 'tls', 8443],
    ['_dmarc-ish.internal.example', '_dmarc-ish.internal.example:443', 'tls', 443],
  ])('%s is %s', (input, id, protocol, port) => {
    const endpoint = parseTarget(input);
    expect(endpoint.id).toBe(id);
    expect(endpoint.protocol).toBe(protocol);
    expect(endpoint.port).toBe(port);
  });

  it.each([
    ['', /target is empty/],
    ['example.com:0', /port 0 is outside 1 to 65535/],
    ['example.com:70000', /port 70000 is outside/],
    ['example.com:https', /port "https" is not a number/],
    ['example.com:443/gopher', /protocol "gopher" is not one of tls, smtp/],
    ['gopher://example.com', /URL scheme "gopher" is not supported/],
    ['exa mple.com', /not a valid host name/],
    ['-bad.example.com', /invalid label "-bad"/],
    ['1.2.3', /neither a host name nor an IPv4 address/],
    ['[::1', /unclosed/],
    [`${'a'.repeat(64)}.example`, /invalid label/],
  ])('rejects %j with a message naming the problem', (input, message) => {
    expect(() => parseTarget(input)).toThrowError(message);
    expect(() => parseTarget(input)).toThrowError(InvalidTargetError);
  });

  it('gives the same id to the same endpoint written differently', () => {
    const ids = ['EXAMPLE.com', 'example.com:443', 'https://example.com/', 'example.com.:443', 'tls://example.com'].map(
      (t) => parseTarget(t).id,
    );
    expect(new Set(ids)).toEqual(new Set(['example.com:443']));
  });

  it('canonicalises hosts', () => {
    expect(canonicalHost('[::FFFF:127.0.0.1]')).toBe('::ffff:7f00:1');
    expect(canonicalHost('ÉXAMPLE.fr')).toBe('xn--xample-9ua.fr');
  });
});

describe('target settings', () => {
  it('applies defaults', () => {
    expect(normalizeTarget({ host: 'example.com' })).toEqual({
      id: 'example.com:443',
      kind: 'tls',
      source: undefined,
      host: 'example.com',
      port: 443,
      protocol: 'tls',
      servername: undefined,
      addresses: undefined,
      warnDays: undefined,
      critDays: undefined,
      intervalMinutes: 1440,
      enabled: true,
      owner: undefined,
      tags: [],
      notes: undefined,
    });
  });

  it.each([
    ['saml:https://IdP.Example.com:443/metadata#frag', 'saml:https://idp.example.com/metadata', 'idp.example.com', 443],
    [
      'jwks:https://login.example.com:8443/keys?x=1',
      'jwks:https://login.example.com:8443/keys?x=1',
      'login.example.com',
      8443,
    ],
    ['PEM:https://example.com/ca.pem', 'pem:https://example.com/ca.pem', 'example.com', 443],
    ['file:/etc/ssl/../ssl/bundle.pem', 'file:/etc/ssl/bundle.pem', '', 0],
  ])('reads the document target %s', (text, id, host, port) => {
    const target = normalizeTarget({ host: text });
    expect(target).toMatchObject({ id, host, port });
    // The stored target (kind and source) reads back to the same id.
    expect(normalizeTarget({ ...target }).id).toBe(id);
  });

  it('keeps findingsInvalid only when set, from JSON or a CSV cell, and refuses anything but a boolean', () => {
    expect(normalizeTarget({ host: 'a.example' })).not.toHaveProperty('findingsInvalid');
    expect(normalizeTarget({ host: 'a.example', findingsInvalid: false })).not.toHaveProperty('findingsInvalid');
    expect(normalizeTarget({ host: 'a.example', findingsInvalid: true }).findingsInvalid).toBe(true);
    const csv = parseTargetFile('host,findingsInvalid\na.example,true\nb.example,no\n');
    expect(csv.targets.map((t) => t.target.findingsInvalid ?? false)).toEqual([true, false]);
    expect(() => normalizeTarget({ host: 'a.example', findingsInvalid: 'sometimes' })).toThrow(TargetValidationError);
  });

  it('takes the kind from its own column', () => {
    expect(normalizeTarget({ kind: 'jwks', host: 'https://login.example.com/keys' }).id).toBe(
      'jwks:https://login.example.com/keys',
    );
  });

  it.each([
    [{ host: 'saml:http://idp.example.com/metadata' }, /fetched over https/],
    [{ host: 'saml:not a url' }, /not a valid URL/],
    [{ host: 'file:relative/path.pem' }, /absolute path/],
    [{ host: 'jwks:https://user:pw@login.example.com/keys' }, /credentials/],
    [{ host: 'saml:https://idp.example.com/md', servername: 'x.example' }, /tls targets only/],
    [{ kind: 'gopher', host: 'example.com' }, /kind "gopher" is not one of/],
    [{ kind: 'saml', host: 'jwks:https://x.example/keys' }, /disagrees/],
  ])('refuses the document target %j', (input, message) => {
    expect(() => normalizeTarget(input)).toThrow(message);
  });

  it('reads every field, coercing text from CSV', () => {
    const target = normalizeTarget({
      host: 'Mail.Example.com',
      port: '587',
      protocol: 'SMTP',
      servername: 'smtp.example.com',
      addresses: '192.0.2.1; 2001:db8::2',
      warnDays: '21',
      critDays: '5',
      intervalMinutes: '60',
      enabled: 'no',
      owner: 'mail-team',
      tags: 'prod, mail',
      notes: 'renewed by hand',
    });
    expect(target).toMatchObject({
      id: 'mail.example.com:587/smtp',
      servername: 'smtp.example.com',
      addresses: ['192.0.2.1', '2001:db8::2'],
      warnDays: 21,
      critDays: 5,
      intervalMinutes: 60,
      enabled: false,
      owner: 'mail-team',
      tags: ['prod', 'mail'],
    });
  });

  it.each([
    [{}, 'host', /is required/],
    [{ host: 'example.com', port: 'x' }, 'port', /not a number/],
    [{ host: 'example.com', warnDays: '-1' }, 'warnDays', /0 days or more/],
    [{ host: 'example.com', warnDays: 5, critDays: 10 }, 'critDays', /not be more than warnDays/],
    [{ host: 'example.com', addresses: 'not-an-ip' }, 'addresses.0', /IP addresses/],
    [{ host: 'example.com', intervalMinutes: 1 }, 'intervalMinutes', /at least 5/],
    [{ host: 'example.com:443', port: 8443 }, 'port', /disagrees/],
    [{ host: 'example.com', servername: '10.0.0.1' }, 'servername', /not an IP/],
    [{ host: 'example.com', enabled: 'maybe' }, 'enabled', /true or false/],
  ])('rejects %j naming the field %s', (input, field, message) => {
    try {
      normalizeTarget(input);
      expect.unreachable('should have thrown');
    } catch (error) {
      expect(error).toBeInstanceOf(TargetValidationError);
      const problem = (error as TargetValidationError).problems.find((p) => p.field === field);
      expect(problem?.message).toMatch(message);
    }
  });
});

describe('a target given by its host alone (the command line, a line of a file)', () => {
  // normalizeTarget skips building the schema for {host}: it must answer as the schema does.
  const bySchema = (host: unknown) => normalizeTarget({ host, enabled: true });
  const problemOf = (run: () => unknown) => {
    try {
      run();
      return undefined;
    } catch (error) {
      return error instanceof TargetValidationError ? error.problems : error;
    }
  };

  it('gives the same target as the schema, trimmed', () => {
    for (const host of ['  example.com:8443 ', 'smtp://mail.example.com', 'file:/etc/ssl/x.pem', '[2001:db8::1]:443']) {
      expect(normalizeTarget({ host })).toEqual(bySchema(host));
    }
  });

  it('refuses what the schema refuses, in the same words', () => {
    for (const host of ['x'.repeat(2049), '', '   ', 'exa mple.com', 5, null]) {
      const problems = problemOf(() => normalizeTarget({ host }));
      expect(problems).toBeDefined();
      expect(problems).toEqual(problemOf(() => bySchema(host)));
    }
    expect(problemOf(() => normalizeTarget({ host: ` ${'x'.repeat(2047)} ` }))).not.toEqual([
      { field: 'host', message: 'is too long' },
    ]);
  });
});

describe('target files', () => {
  it('reads one target per line, skipping blanks and comments', () => {
    const result = parseTargetFile(
      '# our endpoints\nexample.com\n\nmail.example.com:587  # the relay\nhttps://api.example.com:8443\n',
    );
    expect(result.problems).toEqual([]);
    expect(result.targets.map((t) => [t.line, t.target.id])).toEqual([
      [2, 'example.com:443'],
      [4, 'mail.example.com:587/smtp'],
      [5, 'api.example.com:8443'],
    ]);
  });

  it('reads a spreadsheet CSV with a host column, ignoring unknown columns', () => {
    const csv =
      'Hostname,Port,Protocol,Owner,Renewal notes,Warn Days\r\nexample.com,,,web,"manual, yearly",45\r\nmail.example.com,587,,mail,,\r\n';
    const result = parseTargetFile(csv);
    expect(result.problems).toEqual([]);
    expect(result.targets.map((t) => [t.line, t.target.id, t.target.owner, t.target.warnDays])).toEqual([
      [2, 'example.com:443', 'web', 45],
      [3, 'mail.example.com:587/smtp', 'mail', undefined],
    ]);
  });

  it('reads semicolon-separated CSV (as some spreadsheet locales export)', () => {
    const result = parseTargetFile('host;port\nexample.com;8443\n');
    expect(result.targets.map((t) => t.target.id)).toEqual(['example.com:8443']);
  });

  it('reports each bad row with its line and keeps the good ones', () => {
    const result = parseTargetFile('host,port\nexample.com,443\nbad host,1\nexample.org,99999\n');
    expect(result.targets.map((t) => t.target.id)).toEqual(['example.com:443']);
    expect(result.problems).toEqual([
      { line: 3, message: expect.stringMatching(/^host: .*not a valid host name/) },
      { line: 4, message: expect.stringMatching(/^port: port 99999 is outside/) },
    ]);
  });

  it('reports an unreadable CSV instead of guessing', () => {
    const result = parseTargetFile('host,port\n"example.com,443\n');
    expect(result.targets).toEqual([]);
    expect(result.problems[0]?.message).toMatch(/the CSV cannot be read/);
  });
});
