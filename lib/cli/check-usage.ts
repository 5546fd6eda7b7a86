// The text of "certvigil check --help", apart from the check engine: printing it loads nothing else.
import { DEFAULT_MAX_ADDRESSES } from '../net/resolve-addresses.ts';
import { DEFAULT_TIMEOUTS } from '../net/timeouts.ts';
import { PROTOCOLS } from '../targets/protocols.ts';

/** Targets checked at once by default; each target's addresses are probed in parallel. */
export const DEFAULT_CONCURRENCY = 16;

export const CHECK_USAGE = `Usage: certvigil check TARGET... [options]

Reads the certificate every address of each TARGET serves, or the certificates a document
publishes, and reports how close they are to causing an outage. TARGET is host, host:port,
host:port/protocol or a URL (https://host, smtp://host:587).
Protocols: ${PROTOCOLS.join(', ')}.
Documents: saml:URL (SAML metadata), jwks:URL (a JWKS or an OIDC issuer), pem:URL (PEM or DER
over https), file:PATH (PEM, DER or PKCS#7; private keys are skipped).

Options:
  --file FILE          read targets from FILE (one per line, or CSV with a host column; - for stdin)
  --json               print an array of check results as JSON (--format json)
  --format F           table (default), json, or openmetrics: gauges Prometheus reads, for
                       node_exporter's textfile collector (docs/metrics.md)
  --resolve H:P:A[,A]  probe these addresses for host H port P instead of resolving (like curl)
  --ca FILE            also trust the CA certificates in FILE (PEM; repeatable)
  --servername NAME    send NAME as SNI and check the certificate against it
  --timeout MS         limit per address for connect + STARTTLS + handshake (default ${DEFAULT_TIMEOUTS.endpointMs})
  --concurrency N      targets checked at once (default ${DEFAULT_CONCURRENCY})
  --max-addresses N    addresses probed per target (default ${DEFAULT_MAX_ADDRESSES})
  --warn-days N        warn when fewer than N days are left (default: scales with lifetime)
  --crit-days N        critical when fewer than N days are left (default: scales with lifetime)
  --offline            do not ask CAs anything: no CRLs (revocation) and no ACME renewal information

Exit status: 0 ok, 1 warning, 2 critical/expired/invalid/revoked, 3 error or bad arguments.`;
