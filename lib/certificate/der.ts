// A small DER reader for the few X.509 structures the probe looks into (certificate extensions,
// CRLs): it walks tag-length-value elements over the original bytes without building objects, so
// it costs a few kilobytes of bundle rather than an ASN.1 library, and every length is checked
// against the input. Anything malformed throws DerError.

export class DerError extends Error {
  override name = 'DerError';
}

/** One element: its tag, and where its content lies in the input. */
export interface Element {
  tag: number;
  /** The whole element (header included): what a signature covers. */
  bytes: Buffer;
  content: Buffer;
}

export const TAG = {
  boolean: 0x01,
  integer: 0x02,
  bitString: 0x03,
  octetString: 0x04,
  oid: 0x06,
  enumerated: 0x0a,
  sequence: 0x30,
  utcTime: 0x17,
  generalizedTime: 0x18,
} as const;

/** Where the element at `offset` lies (its tag, where its content starts, where it ends), copying nothing. */
export function locate(input: Buffer, offset = 0, limit = input.length): { tag: number; start: number; end: number } {
  const tag = input[offset];
  let length = input[offset + 1];
  if (tag === undefined || length === undefined || offset + 2 > limit) throw new DerError('truncated');
  if ((tag & 0x1f) === 0x1f) throw new DerError('high tag numbers are not used here');
  let p = offset + 2;
  if (length & 0x80) {
    const bytes = length & 0x7f;
    if (bytes === 0 || bytes > 4) throw new DerError('unsupported length');
    length = 0;
    for (let i = 0; i < bytes; i++) {
      const b = input[p++];
      if (b === undefined) throw new DerError('truncated');
      length = length * 256 + b;
    }
  }
  const end = p + length;
  if (end > limit) throw new DerError('truncated');
  return { tag, start: p, end };
}

/** The element starting at `offset`. */
export function element(input: Buffer, offset = 0): Element & { end: number } {
  const { tag, start, end } = locate(input, offset);
  return { tag, bytes: input.subarray(offset, end), content: input.subarray(start, end), end };
}

/** The elements inside a constructed element's content. */
export function children(content: Buffer): Element[] {
  const list: Element[] = [];
  for (let offset = 0; offset < content.length; ) {
    const child = element(content, offset);
    list.push(child);
    offset = child.end;
  }
  return list;
}

/** An OBJECT IDENTIFIER's dotted form. */
export function oid(content: Buffer): string {
  if (content.length === 0) throw new DerError('empty OID');
  const first = content[0] as number;
  const parts = [Math.min(2, Math.floor(first / 40)), first - Math.min(2, Math.floor(first / 40)) * 40];
  let value = 0;
  for (const byte of content.subarray(1)) {
    value = value * 128 + (byte & 0x7f);
    if (!(byte & 0x80)) {
      parts.push(value);
      value = 0;
    }
  }
  return parts.join('.');
}

/** UTCTime or GeneralizedTime (the forms RFC 5280 allows: seconds, `Z`). */
export function time(e: Element): Date {
  const text = e.content.toString('latin1');
  const match =
    e.tag === TAG.utcTime
      ? /^(\d\d)(\d\d)(\d\d)(\d\d)(\d\d)(\d\d)Z$/.exec(text)
      : e.tag === TAG.generalizedTime
        ? /^(\d{4})(\d\d)(\d\d)(\d\d)(\d\d)(\d\d)(?:\.\d+)?Z$/.exec(text)
        : null;
  if (!match) throw new DerError('not a time');
  let year = Number(match[1]);
  if (e.tag === TAG.utcTime) year += year >= 50 ? 1900 : 2000;
  return new Date(
    Date.UTC(year, Number(match[2]) - 1, Number(match[3]), Number(match[4]), Number(match[5]), Number(match[6])),
  );
}

/** The extensions of a certificate (DER), by OID: each one's extnValue content. */
export function certificateExtensions(der: Buffer): Map<string, Buffer> {
  const [tbs] = children(element(der).content);
  if (!tbs) throw new DerError('no TBSCertificate');
  const extensions = new Map<string, Buffer>();
  // [3] EXPLICIT Extensions, the last optional field of the TBSCertificate.
  const wrapper = children(tbs.content).find((e) => e.tag === 0xa3);
  if (!wrapper) return extensions;
  const [list] = children(wrapper.content);
  for (const extension of list ? children(list.content) : []) {
    const parts = children(extension.content);
    const id = parts[0];
    const value = parts.at(-1);
    if (id?.tag === TAG.oid && value?.tag === TAG.octetString) extensions.set(oid(id.content), value.content);
  }
  return extensions;
}

/**
 * Where the first six fields of a certificate's TBSCertificate lie ([0] version (optional),
 * serialNumber, signature, issuer, validity, subject), copying nothing, and how many precede the
 * serial number (1 with a version).
 */
function tbsFields(der: Buffer): { fields: { tag: number; from: number; start: number; end: number }[]; skip: number } {
  const certificate = locate(der);
  const tbs = locate(der, certificate.start, certificate.end);
  if (certificate.tag !== TAG.sequence || tbs.tag !== TAG.sequence) throw new DerError('not a certificate');
  const fields: { tag: number; from: number; start: number; end: number }[] = [];
  for (let at = tbs.start; at < tbs.end && fields.length < 6; ) {
    const field = locate(der, at, tbs.end);
    fields.push({ tag: field.tag, from: at, start: field.start, end: field.end });
    at = field.end;
  }
  return { fields, skip: fields[0]?.tag === 0xa0 ? 1 : 0 };
}

/** A certificate's serial number as the DER INTEGER content bytes (what RFC 9773 identifies it by). */
export function serialBytes(der: Buffer): Buffer {
  const { fields, skip } = tbsFields(der);
  const serial = fields[skip];
  if (serial?.tag !== TAG.integer) throw new DerError('no serial number');
  return der.subarray(serial.start, serial.end);
}

/** A certificate's subject name, as its DER element bytes. */
export function subjectBytes(der: Buffer): Buffer {
  const { fields, skip } = tbsFields(der);
  const subject = fields[skip + 4];
  if (subject?.tag !== TAG.sequence) throw new DerError('no subject');
  return der.subarray(subject.from, subject.end);
}

/**
 * The DER encodings of a certificate's issuer and subject names (binary strings, usable as map
 * keys), or undefined when the bytes are not a certificate's shape. The trust store indexes its
 * few hundred roots this way without parsing them: X509Certificate reads a whole certificate
 * (about 0.1 ms each, 30-40 ms at every `certvigil check`'s start).
 */
export function certificateNames(der: Buffer): { issuer: string; subject: string } | undefined {
  try {
    const { fields, skip } = tbsFields(der);
    const issuer = fields[skip + 2];
    const subject = fields[skip + 4];
    if (issuer?.tag !== TAG.sequence || subject?.tag !== TAG.sequence) return undefined;
    return {
      issuer: der.toString('latin1', issuer.from, issuer.end),
      subject: der.toString('latin1', subject.from, subject.end),
    };
  } catch (error) {
    if (error instanceof DerError) return undefined;
    throw error;
  }
}
