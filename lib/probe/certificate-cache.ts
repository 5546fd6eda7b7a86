import type { X509Certificate } from 'node:crypto';

/**
 * A bounded memo table for work that repeats across checks: the same intermediates and roots
 * appear behind thousands of endpoints, so each issuer/subject pair has its signature verified
 * once per process. Oldest entries go first when the table is full.
 */
class BoundedMap<K, V> {
  private readonly map = new Map<K, V>();
  private readonly limit: number;

  constructor(limit: number) {
    this.limit = limit;
  }

  get(key: K): V | undefined {
    return this.map.get(key);
  }

  set(key: K, value: V): V {
    if (this.map.size >= this.limit) this.map.delete(this.map.keys().next().value as K);
    this.map.set(key, value);
    return value;
  }
}

const signatures = new BoundedMap<string, boolean>(10_000);

/** True when `issuer` issued `cert` and its key verifies the signature (memoised). */
export function issued(issuer: X509Certificate, cert: X509Certificate): boolean {
  if (!cert.checkIssued(issuer)) return false;
  const key = `${issuer.fingerprint256}>${cert.fingerprint256}`;
  const known = signatures.get(key);
  if (known !== undefined) return known;
  let valid: boolean;
  try {
    valid = cert.verify(issuer.publicKey);
  } catch {
    valid = false;
  }
  return signatures.set(key, valid);
}
