// `saml:URL`: SAML 2.0 metadata, a single EntityDescriptor or an EntitiesDescriptor aggregate.
// Every X509Certificate in every KeyDescriptor of every role descriptor is read, with the
// entity, role and use it is published for. The document is streamed through saxes (no DOM, so
// a federation aggregate of tens of megabytes stays small in memory); a DOCTYPE is refused
// outright, so entities, DTDs and external references are never processed.
import { X509Certificate } from 'node:crypto';
import type { Readable } from 'node:stream';
import { StringDecoder } from 'node:string_decoder';
import { type SaxesAttributeNS, SaxesParser, type SaxesTagNS } from 'saxes';
import { createPacer } from '../../concurrency.ts';
import { openDocument } from '../../net/fetch-document.ts';
import { ProbeError } from '../../net/probe-error.ts';
import type { CheckResult } from '../../policy/check-result.ts';
import type { SourceCertificate } from '../../policy/judge-certificates.ts';
import { documentDeadline, judgedResult, judgeFor, readOrFail } from '../document-result.ts';
import type { SourceContext, SourceRequest } from '../source-context.ts';

export const MAX_SAML_BYTES = 64 * 1024 * 1024;
/** Most certificates read from one metadata document; an aggregate beyond that is cut there. */
export const MAX_SAML_CERTIFICATES = 50_000;
/**
 * Deepest nesting accepted. Metadata needs about ten levels (EntitiesDescriptor groups,
 * EntityDescriptor, role, KeyDescriptor, KeyInfo, X509Data, X509Certificate, extensions); the cap
 * also bounds saxes's namespace lookup, which walks the open elements for each tag.
 */
export const MAX_SAML_DEPTH = 64;
/** The longest base64 text of one certificate. */
const MAX_CERTIFICATE_TEXT = 64 * 1024;

const PARSE_SLICE_BYTES = 16 * 1024;

const MD = 'urn:oasis:names:tc:SAML:2.0:metadata';
const DS = 'http://www.w3.org/2000/09/xmldsig#';

const ROLES: Record<string, string> = {
  IDPSSODescriptor: 'idp',
  SPSSODescriptor: 'sp',
  AttributeAuthorityDescriptor: 'aa',
  AuthnAuthorityDescriptor: 'authn',
  PDPDescriptor: 'pdp',
  RoleDescriptor: 'role',
};

/** Certificates published for the same entity, role and use are successors of one another (rollover). */
export const samlPurpose = (item: SourceCertificate): string =>
  `${item.entityId ?? ''}\n${item.role ?? ''}\n${item.use ?? ''}`;

export function readSaml(request: SourceRequest, context: SourceContext): Promise<CheckResult> {
  return readOrFail(request, context, async () => {
    const opened = await openDocument(request.source as string, {
      trust: context.trust,
      timeouts: context.timeouts,
      maxBytes: MAX_SAML_BYTES,
      accept: 'application/samlmetadata+xml, application/xml, text/xml',
      guard: context.guard,
      resolver: context.resolver,
      pinned: request.addresses?.length ? { host: request.host, addresses: request.addresses } : undefined,
      signal: documentDeadline(context),
    });
    const judge = judgeFor(request, context, samlPurpose);
    await parseSamlMetadata(opened.body, (item) => judge.add(item));
    return judgedResult(request, context, judge, 'the metadata');
  });
}

/**
 * The certificates of SAML metadata, streamed: each is handed to `onCertificate` as it is read
 * (and can be dropped then), the count is returned. Throws ProbeError `parse` for anything that
 * is not well-formed SAML metadata (or holds a DOCTYPE).
 */
export async function parseSamlMetadata(
  body: Readable,
  onCertificate: (item: SourceCertificate) => void,
): Promise<number> {
  let found = 0;
  const parser = new SaxesParser({ xmlns: true, position: false });
  const inMd = (tag: SaxesTagNS) => tag.uri === MD || tag.uri === '';
  const inDs = (tag: SaxesTagNS) => tag.uri === DS || tag.uri === '';
  let depth = 0;
  let rootSeen = false;
  let entityId: string | undefined;
  let role: string | undefined;
  let roleDepth = -1;
  let use: string | undefined;
  let keyDepth = -1;
  let certText: string[] | undefined;
  let certLength = 0;
  let full = false;

  parser.on('doctype', () => {
    throw new ProbeError('parse', 'the metadata has a DOCTYPE; certvigil does not process DTDs or entities');
  });
  // Before saxes resolves the tag's namespace: past the cap, nothing deeper is looked at.
  parser.on('opentagstart', () => {
    if (depth >= MAX_SAML_DEPTH) {
      throw new ProbeError('parse', `the metadata nests elements deeper than ${MAX_SAML_DEPTH} levels`);
    }
  });
  parser.on('opentag', (tag) => {
    depth++;
    if (!rootSeen) {
      rootSeen = true;
      if (!inMd(tag) || (tag.local !== 'EntityDescriptor' && tag.local !== 'EntitiesDescriptor')) {
        throw new ProbeError('parse', `not SAML metadata: the document starts with <${tag.name.slice(0, 60)}>`);
      }
    }
    if (inMd(tag) && tag.local === 'EntityDescriptor') entityId = attribute(tag, 'entityID');
    else if (inMd(tag) && ROLES[tag.local] && roleDepth < 0) {
      role = ROLES[tag.local];
      roleDepth = depth;
    } else if (inMd(tag) && tag.local === 'KeyDescriptor' && roleDepth >= 0) {
      use = attribute(tag, 'use');
      keyDepth = depth;
    } else if (inDs(tag) && tag.local === 'X509Certificate' && keyDepth >= 0 && !full) {
      certText = [];
      certLength = 0;
    }
  });
  const onText = (text: string) => {
    if (!certText) return;
    certLength += text.length;
    if (certLength <= MAX_CERTIFICATE_TEXT) certText.push(text);
  };
  parser.on('text', onText);
  parser.on('cdata', onText);
  parser.on('closetag', (tag) => {
    if (certText && inDs(tag) && tag.local === 'X509Certificate') {
      onCertificate(certificateFrom(certText, certLength, { entityId, role, use }));
      certText = undefined;
      if (++found >= MAX_SAML_CERTIFICATES) full = true;
    }
    if (depth === keyDepth) {
      keyDepth = -1;
      use = undefined;
    }
    if (depth === roleDepth) {
      roleDepth = -1;
      role = undefined;
    }
    if (inMd(tag) && tag.local === 'EntityDescriptor') entityId = undefined;
    depth--;
  });

  const decoder = new StringDecoder('utf8');
  const pace = createPacer();
  try {
    for await (const chunk of body) {
      // At most 16 KiB at a time, so one chunk of a large read is never a long synchronous step.
      for (let at = 0; at < (chunk as Buffer).length; at += PARSE_SLICE_BYTES) {
        parser.write(decoder.write((chunk as Buffer).subarray(at, at + PARSE_SLICE_BYTES)));
        if (pace.due()) await pace.yield();
      }
    }
    parser.write(decoder.end());
    parser.close();
  } catch (error) {
    body.destroy();
    if (error instanceof ProbeError) throw error;
    throw new ProbeError(
      'parse',
      `the metadata is not well-formed XML: ${String((error as Error).message).slice(0, 200)}`,
    );
  }
  if (!rootSeen) throw new ProbeError('parse', 'the document holds no XML element');
  return found;
}

function attribute(tag: SaxesTagNS, local: string): string | undefined {
  const attributes = tag.attributes as Record<string, SaxesAttributeNS>;
  for (const attr of Object.values(attributes)) if (attr.local === local && attr.uri === '') return attr.value;
  return undefined;
}

function certificateFrom(
  parts: string[],
  length: number,
  place: { entityId: string | undefined; role: string | undefined; use: string | undefined },
): SourceCertificate {
  // A replacement is published for the same entity, role and use.
  const meta = { ...place, placeKey: `saml\n${place.entityId ?? ''}\n${place.role ?? ''}\n${place.use ?? ''}` };
  if (length > MAX_CERTIFICATE_TEXT) return { cert: null, ...meta, problem: 'an X509Certificate longer than 64 KiB' };
  const base64 = parts.join('').replace(/\s+/g, '');
  try {
    return { cert: new X509Certificate(Buffer.from(base64, 'base64')), ...meta };
  } catch {
    return { cert: null, ...meta, problem: 'an X509Certificate that is not a valid certificate' };
  }
}
