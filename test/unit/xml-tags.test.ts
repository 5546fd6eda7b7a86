// The XMPP dialogue's XML tag scanner: namespaces as declared (scoped, prefixed or default), tags
// split across chunks anywhere, and refusals of what is not a plain XML stream.
import { describe, expect, it } from 'vitest';
import { ProbeError } from '../../lib/net/probe-error.ts';
import { MAX_XML_DEPTH, type XmlTag, XmlTagScanner } from '../../lib/sources/tls/xml-tags.ts';

function scan(chunks: string[]) {
  const events: string[] = [];
  const scanner = new XmlTagScanner({
    open: (t: XmlTag) => events.push(`+${t.local}@${t.uri}`),
    close: (t: XmlTag, at: number) => events.push(`-${t.local}:${at}`),
  });
  for (const chunk of chunks) scanner.write(chunk);
  return events;
}

const STREAM =
  "<?xml version='1.0'?><stream:stream xmlns='jabber:client' xmlns:stream='http://etherx.jabber.org/streams' id='a>b'>" +
  "<!-- features follow --><stream:features><starttls xmlns='urn:ietf:params:xml:ns:xmpp-tls'><required/></starttls>" +
  '</stream:features>';

describe('XmlTagScanner', () => {
  it('reports starts and ends with the namespace each prefix stands for, whatever the chunking', () => {
    const whole = scan([STREAM]);
    expect(whole).toEqual([
      '+stream@http://etherx.jabber.org/streams',
      '+features@http://etherx.jabber.org/streams',
      '+starttls@urn:ietf:params:xml:ns:xmpp-tls',
      '+required@urn:ietf:params:xml:ns:xmpp-tls',
      `-required:${STREAM.indexOf('<required/>') + '<required/>'.length}`,
      `-starttls:${STREAM.indexOf('</starttls>') + '</starttls>'.length}`,
      `-features:${STREAM.length}`,
    ]);
    // One character at a time, and in random cuts: the same events.
    expect(scan([...STREAM])).toEqual(whole);
    for (let seed = 1; seed < 20; seed++) {
      const cuts: string[] = [];
      for (let i = 0; i < STREAM.length; i += ((seed * 7919 + i) % 13) + 1)
        cuts.push(STREAM.slice(i, i + ((seed * 7919 + i) % 13) + 1));
      expect(scan(cuts)).toEqual(whole);
    }
  });

  it.each([
    ['text outside the stream', 'HTTP/1.1 400 Bad Request\r\n'],
    ['a DOCTYPE', "<!DOCTYPE x [<!ENTITY a 'b'>]><x/>"],
    ['a mismatched end tag', '<a><b></a>'],
    ['an end tag with nothing open', '</a>'],
    ['a tag longer than 8 KiB', `<a ${'x'.repeat(9000)}`],
  ])('refuses %s', (_what, text) => {
    expect(() => scan([text])).toThrow(ProbeError);
  });

  it('accepts nesting up to the cap and refuses the element one level deeper, before reporting it', () => {
    const deepest = scan(['<a>'.repeat(MAX_XML_DEPTH)]);
    expect(deepest).toHaveLength(MAX_XML_DEPTH);
    const opened: string[] = [];
    const scanner = new XmlTagScanner({ open: (t) => opened.push(t.local), close: () => undefined });
    expect(() => scanner.write('<a>'.repeat(43_690))).toThrow(`XML nested deeper than ${MAX_XML_DEPTH} elements`);
    expect(opened).toHaveLength(MAX_XML_DEPTH);
  });

  it('resolves a namespace declared at the top from the deepest element, and a redeclaration only inside it', () => {
    const events = scan([
      "<s xmlns='urn:top' xmlns:p='urn:p'>",
      '<a>'.repeat(MAX_XML_DEPTH - 3),
      "<p:b xmlns:p='urn:inner'><p:c/></p:b><p:d/>",
    ]);
    expect(events.filter((e) => e.startsWith('+')).slice(-4)).toEqual([
      '+a@urn:top',
      '+b@urn:inner',
      '+c@urn:inner',
      '+d@urn:p',
    ]);
  });
});
