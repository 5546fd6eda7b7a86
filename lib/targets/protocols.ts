/** How a check reaches TLS: `tls` is a direct handshake, the others negotiate STARTTLS first. */
export const PROTOCOLS = [
  'tls',
  'smtp',
  'imap',
  'pop3',
  'ftp',
  'ldap',
  'postgres',
  'mysql',
  'xmpp',
  'xmpp-server',
  'lmtp',
  'nntp',
  'sieve',
] as const;
export type Protocol = (typeof PROTOCOLS)[number];
export type StartTlsProtocol = Exclude<Protocol, 'tls'>;

/** The port each STARTTLS dialect listens on when a target names the protocol but no port. */
export const DEFAULT_PORT: Record<Protocol, number> = {
  tls: 443,
  smtp: 25,
  imap: 143,
  pop3: 110,
  ftp: 21,
  ldap: 389,
  postgres: 5432,
  mysql: 3306,
  xmpp: 5222,
  'xmpp-server': 5269,
  lmtp: 24,
  nntp: 119,
  sieve: 4190,
};

/** Ports whose service speaks STARTTLS; every other port is assumed to speak TLS directly. */
const STARTTLS_BY_PORT: ReadonlyMap<number, StartTlsProtocol> = new Map([
  [25, 'smtp'],
  [587, 'smtp'],
  [143, 'imap'],
  [110, 'pop3'],
  [21, 'ftp'],
  [389, 'ldap'],
  [5432, 'postgres'],
  [3306, 'mysql'],
  [5222, 'xmpp'],
  [5269, 'xmpp-server'],
  [24, 'lmtp'],
  [119, 'nntp'],
  [4190, 'sieve'],
]);

export function isProtocol(value: string): value is Protocol {
  return (PROTOCOLS as readonly string[]).includes(value);
}

/** The protocol a bare `host:port` implies. */
export function protocolForPort(port: number): Protocol {
  return STARTTLS_BY_PORT.get(port) ?? 'tls';
}

/** URL schemes accepted as targets, with the protocol and default port each implies. */
export const URL_SCHEMES: Record<string, { protocol: Protocol; port: number }> = {
  https: { protocol: 'tls', port: 443 },
  tls: { protocol: 'tls', port: 443 },
  smtps: { protocol: 'tls', port: 465 },
  imaps: { protocol: 'tls', port: 993 },
  pop3s: { protocol: 'tls', port: 995 },
  ldaps: { protocol: 'tls', port: 636 },
  ftps: { protocol: 'tls', port: 990 },
  smtp: { protocol: 'smtp', port: 25 },
  submission: { protocol: 'smtp', port: 587 },
  imap: { protocol: 'imap', port: 143 },
  pop3: { protocol: 'pop3', port: 110 },
  ftp: { protocol: 'ftp', port: 21 },
  ldap: { protocol: 'ldap', port: 389 },
  postgres: { protocol: 'postgres', port: 5432 },
  postgresql: { protocol: 'postgres', port: 5432 },
  mysql: { protocol: 'mysql', port: 3306 },
  xmpp: { protocol: 'xmpp', port: 5222 },
  'xmpp-server': { protocol: 'xmpp-server', port: 5269 },
  lmtp: { protocol: 'lmtp', port: 24 },
  nntp: { protocol: 'nntp', port: 119 },
  sieve: { protocol: 'sieve', port: 4190 },
};
