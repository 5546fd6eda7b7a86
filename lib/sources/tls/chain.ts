import type { X509Certificate } from 'node:crypto';
import { BoundedMap, issued } from '../../certificate/certificate-cache.ts';
import type { TrustStore } from '../../certificate/trust-store.ts';

/** Most certificates we follow in a chain; longer chains are cut there. */
export const MAX_CHAIN_LENGTH = 16;

export interface ChainLink {
  cert: X509Certificate;
  /** `server`: presented by the endpoint; `trust-store`: the anchor we verified against. */
  source: 'server' | 'trust-store';
}

export interface Chain {
  links: readonly ChainLink[];
  /** The chain ends at a trusted root. */
  anchored: boolean;
  /** …and that root is one of the public web PKI's (TrustStore.isPublicAnchor). */
  publicAnchor: boolean;
  /** The last link is a root (from the trust store, or self-signed), not counted in the dates. */
  endsAtRoot: boolean;
  /** Earliest notAfter among the leaf and intermediates, the trust anchor excluded. */
  notAfter: Date;
  /** Latest notBefore among the same certificates. */
  notBefore: Date;
}

/**
 * Builds the certification path from the leaf the way OpenSSL does (trusted issuers first):
 * at each step a trust anchor that issued the current certificate ends the chain, otherwise
 * a certificate the server presented continues it; where neither does, an anchor whose name
 * matches only as text (another string encoding) ends it. Presented certificates that are not on
 * the path (an expired cross-sign, say) do not count against the chain's expiry.
 */
export function buildChain(presented: readonly X509Certificate[], trust: TrustStore): Chain {
  // Endpoints behind one certificate present the same chain: its path is built once per trust store.
  let paths = built.get(trust);
  if (!paths) {
    paths = new BoundedMap<string, Chain>(1_000);
    built.set(trust, paths);
  }
  const key = presented.map((cert) => cert.fingerprint256).join(' ');
  return paths.get(key) ?? paths.set(key, Object.freeze(pathOf(presented, trust)));
}

const built = new WeakMap<TrustStore, BoundedMap<string, Chain>>();

function pathOf(presented: readonly X509Certificate[], trust: TrustStore): Chain {
  const [leaf] = presented;
  if (!leaf) throw new Error('buildChain needs at least the leaf certificate');
  const links: ChainLink[] = [{ cert: leaf, source: 'server' }];
  let anchored = trust.isAnchor(leaf);
  let current = leaf;
  while (!anchored && links.length < MAX_CHAIN_LENGTH && !issued(current, current)) {
    const anchor = trust.issuerOf(current);
    if (anchor) {
      links.push({ cert: anchor, source: 'trust-store' });
      anchored = true;
      break;
    }
    const next = presented.find(
      (cert) => !links.some((l) => l.cert.fingerprint256 === cert.fingerprint256) && issued(cert, current),
    );
    if (!next) {
      const byText = trust.issuerOfByText(current);
      if (byText) {
        links.push({ cert: byText, source: 'trust-store' });
        anchored = true;
      }
      break;
    }
    links.push({ cert: next, source: 'server' });
    current = next;
    anchored = trust.isAnchor(next);
  }
  // The last certificate is the anchor when it came from the trust store or is a self-signed root.
  const last = links.at(-1) as ChainLink;
  const endsAtRoot = links.length > 1 && (last.source === 'trust-store' || issued(last.cert, last.cert));
  const counted = endsAtRoot ? links.slice(0, -1) : links;
  return {
    links: Object.freeze(links),
    anchored,
    publicAnchor: anchored && trust.isPublicAnchor(last.cert),
    endsAtRoot,
    notAfter: new Date(Math.min(...counted.map((l) => l.cert.validToDate.getTime()))),
    notBefore: new Date(Math.max(...counted.map((l) => l.cert.validFromDate.getTime()))),
  };
}
