// The ACME CAs known to publish renewal information (RFC 9773), by the organization (O=) in their
// certificates' issuer name. Kept apart from the ARI client so configuration can name them
// without loading any parser.
export const DEFAULT_ARI_DIRECTORIES: Readonly<Record<string, string>> = {
  "Let's Encrypt": 'https://acme-v02.api.letsencrypt.org/directory',
  'Google Trust Services': 'https://dv.acme-v02.api.pki.goog/directory',
};
