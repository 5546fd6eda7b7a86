// OpenSSL's verification codes in words (no imports: the dashboard page bundles this too).

const TRUST_ERRORS: Record<string, string> = {
  DEPTH_ZERO_SELF_SIGNED_CERT: 'self-signed certificate',
  SELF_SIGNED_CERT_IN_CHAIN: 'self-signed certificate in the chain (unknown root)',
  UNABLE_TO_GET_ISSUER_CERT_LOCALLY: 'issuer not found (unknown CA, or the server does not send its intermediate)',
  UNABLE_TO_GET_ISSUER_CERT: 'issuer certificate not found',
  UNABLE_TO_VERIFY_LEAF_SIGNATURE: 'incomplete chain (the server does not send its intermediate) or unknown CA',
  CERT_HAS_EXPIRED: 'a certificate in the chain has expired',
  CERT_NOT_YET_VALID: 'a certificate in the chain is not yet valid',
  CERT_REVOKED: 'revoked',
  CERT_SIGNATURE_FAILURE: 'bad signature',
  CERT_UNTRUSTED: 'not trusted',
  INVALID_CA: 'an issuer is not a CA certificate',
  PATH_LENGTH_EXCEEDED: 'the chain is longer than an issuer allows',
  INVALID_PURPOSE: 'not valid for TLS servers',
};

export function describeTrustError(code: string | null): string {
  if (code === null) return 'unknown reason';
  return TRUST_ERRORS[code] ? `${TRUST_ERRORS[code]} (${code})` : code;
}
