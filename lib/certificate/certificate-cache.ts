import type { X509Certificate } from 'node:crypto';

/**
 * A bounded memo table for work that repeats across checks: the same intermediates and roots
 * appear behind thousands of endpoints, so each issuer/subject pair has its signature verified
 * once per process. Oldest entries go first when the table is full.
 */
export class BoundedMap<K, V> {
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

/**
 * `derive` memoised by certificate (its SHA-256 fingerprint), for values that depend on the
 * certificate alone: the same intermediates, and often the same leaf, sit behind many endpoints,
 * and reading a key or walking extensions again for each costs more than the handshake's own
 * JavaScript. What it returns is shared, so it is frozen.
 */
export function perCertificate<T extends object>(
  derive: (cert: X509Certificate) => T,
  limit = 2_000,
): (cert: X509Certificate) => Readonly<T> {
  const table = new BoundedMap<string, Readonly<T>>(limit);
  return (cert) => {
    const key = cert.fingerprint256;
    return table.get(key) ?? table.set(key, deepFreeze(derive(cert)));
  };
}

function deepFreeze<T extends object>(value: T): Readonly<T> {
  for (const field of Object.values(value)) {
    if (typeof field === 'object' && field !== null && !Object.isFrozen(field)) deepFreeze(field);
  }
  return Object.freeze(value);
}
