// Certificates in PEM, DER and PKCS#7 documents. Private keys and anything else in a PEM file
// are skipped without being read: only CERTIFICATE and PKCS7 blocks are decoded, and no error
// message quotes the document.
import { X509Certificate } from 'node:crypto';
import { createPacer } from '../concurrency.ts';
import { ProbeError } from '../net/probe-error.ts';

const PEM_BLOCK = /-----BEGIN ([A-Z0-9 ]+)-----([A-Za-z0-9+/=\s]*?)-----END \1-----/g;

/** Most certificates read from one PEM, DER or PKCS#7 document. */
export const MAX_BUNDLE_CERTIFICATES = 5_000;

/**
 * Every certificate of a PEM or DER document (and of PKCS#7 bundles when `pkcs7` is given, which
 * loads a parser only the CLI and local mode need). Throws ProbeError `parse` or `empty`.
 */
export async function certificatesIn(
  data: Buffer,
  options: { pkcs7?: (der: Buffer) => Promise<Buffer[]> } = {},
): Promise<X509Certificate[]> {
  const text = data.toString('latin1');
  const certificates: X509Certificate[] = [];
  if (text.includes('-----BEGIN ')) {
    let blocks = 0;
    const pace = createPacer();
    for (const match of text.matchAll(PEM_BLOCK)) {
      if (pace.due()) await pace.yield();
      const label = match[1] ?? '';
      const pkcs7Label = label === 'PKCS7' || label === 'CMS';
      if (label !== 'CERTIFICATE' && label !== 'TRUSTED CERTIFICATE' && !pkcs7Label) continue;
      blocks++;
      const der = Buffer.from((match[2] ?? '').replace(/\s+/g, ''), 'base64');
      if (pkcs7Label) certificates.push(...(await fromPkcs7(der, options.pkcs7)));
      else certificates.push(parseDer(der, `PEM block ${blocks}`));
      if (certificates.length > MAX_BUNDLE_CERTIFICATES) break;
    }
    if (certificates.length === 0) {
      throw new ProbeError('empty', 'the document holds no certificate (no CERTIFICATE or PKCS7 block)');
    }
    return certificates.slice(0, MAX_BUNDLE_CERTIFICATES);
  }
  if (data.length === 0) throw new ProbeError('empty', 'the document is empty');
  if (data[0] !== 0x30) throw new ProbeError('parse', 'the document is neither PEM nor DER');
  try {
    return [new X509Certificate(data)];
  } catch {
    return (await fromPkcs7(data, options.pkcs7)).slice(0, MAX_BUNDLE_CERTIFICATES);
  }
}

function parseDer(der: Buffer, where: string): X509Certificate {
  try {
    return new X509Certificate(der);
  } catch {
    throw new ProbeError('parse', `${where} is not a valid X.509 certificate`);
  }
}

async function fromPkcs7(
  der: Buffer,
  pkcs7: ((der: Buffer) => Promise<Buffer[]>) | undefined,
): Promise<X509Certificate[]> {
  if (!pkcs7) throw new ProbeError('parse', 'the document is not a certificate (PKCS#7 is read from files only)');
  let ders: Buffer[];
  try {
    ders = await pkcs7(der);
  } catch {
    throw new ProbeError('parse', 'the document is neither a certificate nor a PKCS#7 bundle');
  }
  return ders.map((d, i) => parseDer(d, `PKCS#7 certificate ${i + 1}`));
}

/** PKCS#7 (CMS SignedData) certificates, with @peculiar/x509, loaded on first use. */
export async function pkcs7Certificates(der: Buffer): Promise<Buffer[]> {
  await import('reflect-metadata');
  const x509 = await import('@peculiar/x509');
  // A copy typed as plain ArrayBuffer bytes: a Buffer may view shared memory, which the
  // BufferSource this constructor takes excludes (the type check flickered on it in CI).
  return [...new x509.X509Certificates(new Uint8Array(der))].map((c) => Buffer.from(c.rawData));
}
