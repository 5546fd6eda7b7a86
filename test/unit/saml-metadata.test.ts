// SAML metadata is read in time linear in its size, with nesting capped, and shares the event loop
// with other checks while it is read.
import { Readable } from 'node:stream';
import { beforeAll, describe, expect, it } from 'vitest';
import { PACE_SLICE_MS } from '../../lib/concurrency.ts';
import { ProbeError } from '../../lib/net/probe-error.ts';
import { MAX_SAML_DEPTH, parseSamlMetadata } from '../../lib/sources/documents/saml.ts';
import { createSelfSigned, type Minted } from '../fixtures/cert-factory.ts';
import { samlMetadata } from '../fixtures/documents.ts';

const MD = 'urn:oasis:names:tc:SAML:2.0:metadata';
let cert: Minted;

beforeAll(async () => {
  cert = await createSelfSigned({ subject: 'CN=idp signing' });
});

/** Reads a document handed over as one chunk, as a buffered body arrives. */
async function parse(text: string): Promise<number> {
  return parseSamlMetadata(Readable.from([Buffer.from(text)]), () => undefined);
}

describe('parseSamlMetadata bounds', () => {
  it('refuses elements nested past the cap, before saxes resolves their namespaces', async () => {
    const deep = `<EntityDescriptor xmlns="${MD}" entityID="x">${'<a>'.repeat(87_000)}`;
    await expect(parse(deep)).rejects.toThrow(
      new ProbeError('parse', `the metadata nests elements deeper than ${MAX_SAML_DEPTH} levels`),
    );
  });

  it('reads a certificate nested as deep as the cap allows', async () => {
    const one = samlMetadata([
      { entityId: 'https://idp.test', roles: [{ role: 'IDPSSODescriptor', keys: [{ cert }] }] },
    ]);
    // The certificate is the entity's sixth level (entity, role, KeyDescriptor, KeyInfo, X509Data,
    // X509Certificate): groups around the entity take it to the cap exactly.
    const entity = one.slice(one.indexOf('<md:EntityDescriptor')).replace(` xmlns:md="${MD}"`, '');
    const groups = MAX_SAML_DEPTH - 6;
    const nested = `${`<md:EntitiesDescriptor xmlns:md="${MD}">`.repeat(groups)}${entity}${'</md:EntitiesDescriptor>'.repeat(groups)}`;
    await expect(parse(nested)).resolves.toBe(1);
    await expect(parse(`<md:EntitiesDescriptor xmlns:md="${MD}">${nested}</md:EntitiesDescriptor>`)).rejects.toThrow(
      ProbeError,
    );
  });

  it('lets timers run while a large aggregate delivered in one chunk is read', async () => {
    const entities = Array.from({ length: 3_000 }, (_, i) => ({
      entityId: `https://sp${i}.test`,
      roles: [{ role: 'SPSSODescriptor' as const, keys: [{ cert, use: 'signing' as const }] }],
    }));
    const aggregate = samlMetadata(entities);
    let ticks = 0;
    const timer = setInterval(() => ticks++, 1);
    const started = performance.now();
    try {
      expect(await parse(aggregate)).toBe(3_000);
    } finally {
      clearInterval(timer);
    }
    const took = performance.now() - started;
    // A document that takes several slices to read lets the timer in between them.
    expect(took).toBeGreaterThan(3 * PACE_SLICE_MS);
    expect(ticks).toBeGreaterThanOrEqual(2);
  });
});
