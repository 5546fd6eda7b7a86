import type { Socket } from 'node:net';
import { ProbeError } from '../../net/probe-error.ts';
import type { StartTlsProtocol } from '../../targets/protocols.ts';
import { clip } from '../../targets/target-id.ts';
import { SocketReader } from './socket-reader.ts';
import { XmlTagScanner } from './xml-tags.ts';

/** The name we introduce ourselves with in SMTP EHLO. */
const EHLO_NAME = 'certvigil.invalid';
/** Most reply lines we read while waiting for the one that matters. */
const MAX_REPLY_LINES = 200;

/** `domain`: the name the client asks for (XMPP's stream `to`): the target's host. */
type Dialect = (socket: Socket, reader: SocketReader, domain: string) => Promise<void>;

const DIALECTS: Record<StartTlsProtocol, Dialect> = {
  smtp,
  imap,
  pop3,
  ftp,
  ldap,
  postgres,
  mysql,
  xmpp: (socket, reader, domain) => xmpp(socket, reader, domain, 'jabber:client'),
  'xmpp-server': (socket, reader, domain) => xmpp(socket, reader, domain, 'jabber:server'),
  lmtp: (socket, reader) => smtpLike(socket, reader, 'LMTP', 'LHLO'),
  nntp,
  sieve,
};

/**
 * Runs the plaintext part of a STARTTLS protocol on a connected socket, leaving the socket
 * ready for the TLS handshake. Throws ProbeError: `starttls` when the server declines,
 * `protocol` when it does not speak the protocol, `reset` when it hangs up.
 */
export async function negotiateStartTls(protocol: StartTlsProtocol, socket: Socket, domain = ''): Promise<void> {
  const reader = new SocketReader(socket);
  try {
    await DIALECTS[protocol](socket, reader, domain);
  } finally {
    socket.pause();
  }
  reader.release();
}

function send(socket: Socket, data: string | Buffer): void {
  socket.write(data);
}

/** Reads an SMTP/FTP reply (`250-…` continuation lines, then `250 …`). */
async function readCodedReply(reader: SocketReader, service: string): Promise<{ code: number; text: string }> {
  const lines: string[] = [];
  for (let i = 0; i < MAX_REPLY_LINES; i++) {
    const line = await reader.readLine();
    const match = /^(\d{3})([ -]|$)/.exec(line);
    if (!match) {
      if (lines.length > 0 && service === 'FTP') continue; // RFC 959 allows free text inside a multi-line reply
      throw new ProbeError('protocol', `the server does not speak ${service}: it said "${clip(printable(line))}"`);
    }
    lines.push(line);
    if (match[2] !== '-') return { code: Number(match[1]), text: lines.join('\n') };
  }
  throw new ProbeError('protocol', `the ${service} server sent a reply longer than ${MAX_REPLY_LINES} lines`);
}

function smtp(socket: Socket, reader: SocketReader): Promise<void> {
  return smtpLike(socket, reader, 'SMTP', 'EHLO');
}

/** SMTP (EHLO) and LMTP (RFC 2033: the same dialogue, LHLO in place of EHLO). */
async function smtpLike(socket: Socket, reader: SocketReader, service: string, hello: string): Promise<void> {
  const greeting = await readCodedReply(reader, service);
  if (greeting.code !== 220) throw declined(service, 'greeted with', greeting.text);
  send(socket, `${hello} ${EHLO_NAME}\r\n`);
  const ehlo = await readCodedReply(reader, service);
  if (ehlo.code !== 250) throw declined(service, `refused ${hello} with`, ehlo.text);
  if (!/^250[ -]STARTTLS\b/im.test(ehlo.text)) {
    throw new ProbeError('starttls', `the ${service} server does not offer STARTTLS`);
  }
  send(socket, 'STARTTLS\r\n');
  const reply = await readCodedReply(reader, service);
  if (reply.code !== 220) throw declined(service, 'refused STARTTLS with', reply.text);
}

/** NNTP (RFC 4642): greeting 200/201, STARTTLS, 382 to go on (580 when TLS cannot be started). */
async function nntp(socket: Socket, reader: SocketReader): Promise<void> {
  const greeting = await readCodedReply(reader, 'NNTP');
  if (greeting.code !== 200 && greeting.code !== 201) throw declined('NNTP', 'greeted with', greeting.text);
  send(socket, 'STARTTLS\r\n');
  const reply = await readCodedReply(reader, 'NNTP');
  if (reply.code !== 382) throw declined('NNTP', 'refused STARTTLS with', reply.text);
}

/** ManageSieve (RFC 5804): capability lines ending in OK, STARTTLS offered among them, then OK. */
async function sieve(socket: Socket, reader: SocketReader): Promise<void> {
  const readResponse = async (): Promise<{ ok: boolean; lines: string[] }> => {
    const lines: string[] = [];
    for (let i = 0; i < MAX_REPLY_LINES; i++) {
      const line = await reader.readLine();
      lines.push(line);
      if (/^OK\b/i.test(line)) return { ok: true, lines };
      if (/^(NO|BYE)\b/i.test(line)) return { ok: false, lines };
      if (!line.startsWith('"')) {
        throw new ProbeError('protocol', `the server does not speak ManageSieve: it said "${clip(printable(line))}"`);
      }
    }
    throw new ProbeError('protocol', `the ManageSieve server sent more than ${MAX_REPLY_LINES} lines`);
  };
  const greeting = await readResponse();
  if (!greeting.ok) throw declined('ManageSieve', 'greeted with', greeting.lines.join('\n'));
  if (!greeting.lines.some((l) => /^"STARTTLS"/i.test(l))) {
    throw new ProbeError('starttls', 'the ManageSieve server does not offer STARTTLS');
  }
  send(socket, 'STARTTLS\r\n');
  const reply = await readResponse();
  if (!reply.ok) throw declined('ManageSieve', 'refused STARTTLS with', reply.lines.join('\n'));
}

async function ftp(socket: Socket, reader: SocketReader): Promise<void> {
  const greeting = await readCodedReply(reader, 'FTP');
  if (greeting.code !== 220) throw declined('FTP', 'greeted with', greeting.text);
  send(socket, 'AUTH TLS\r\n');
  const reply = await readCodedReply(reader, 'FTP');
  if (reply.code !== 234) throw declined('FTP', 'refused AUTH TLS with', reply.text);
}

async function imap(socket: Socket, reader: SocketReader): Promise<void> {
  const greeting = await reader.readLine();
  if (/^\* BYE\b/i.test(greeting)) throw declined('IMAP', 'greeted with', greeting);
  if (!/^\* (OK|PREAUTH)\b/i.test(greeting)) {
    throw new ProbeError('protocol', `the server does not speak IMAP: it said "${clip(printable(greeting))}"`);
  }
  send(socket, 'cv1 STARTTLS\r\n');
  for (let i = 0; i < MAX_REPLY_LINES; i++) {
    const line = await reader.readLine();
    if (line.startsWith('* ')) continue;
    if (/^cv1 OK\b/i.test(line)) return;
    if (/^cv1 (NO|BAD)\b/i.test(line)) throw declined('IMAP', 'refused STARTTLS with', line);
    throw new ProbeError('protocol', `unexpected IMAP reply "${clip(printable(line))}"`);
  }
  throw new ProbeError(
    'protocol',
    `the IMAP server sent more than ${MAX_REPLY_LINES} lines without answering STARTTLS`,
  );
}

async function pop3(socket: Socket, reader: SocketReader): Promise<void> {
  const greeting = await reader.readLine();
  if (/^-ERR\b/i.test(greeting)) throw declined('POP3', 'greeted with', greeting);
  if (!/^\+OK\b/i.test(greeting)) {
    throw new ProbeError('protocol', `the server does not speak POP3: it said "${clip(printable(greeting))}"`);
  }
  send(socket, 'STLS\r\n');
  const reply = await reader.readLine();
  if (/^-ERR\b/i.test(reply)) throw declined('POP3', 'refused STLS with', reply);
  if (!/^\+OK\b/i.test(reply)) throw new ProbeError('protocol', `unexpected POP3 reply "${clip(printable(reply))}"`);
}

/** LDAPv3 StartTLS extended operation (RFC 4511 §4.14), message id 1. */
const LDAP_STARTTLS_OID = '1.3.6.1.4.1.1466.20037';
const LDAP_STARTTLS_REQUEST = Buffer.concat([
  Buffer.from([0x30, 0x1d, 0x02, 0x01, 0x01, 0x77, 0x18, 0x80, 0x16]),
  Buffer.from(LDAP_STARTTLS_OID, 'latin1'),
]);

async function ldap(socket: Socket, reader: SocketReader): Promise<void> {
  send(socket, LDAP_STARTTLS_REQUEST);
  const [tag] = await reader.readBytes(1);
  if (tag !== 0x30) throw new ProbeError('protocol', 'the server does not speak LDAP: its reply is not an LDAPMessage');
  const length = await readBerLength(reader);
  const message = await reader.readBytes(length);
  // LDAPMessage ::= SEQUENCE { messageID INTEGER, protocolOp [APPLICATION 24] ExtendedResponse { resultCode ENUMERATED, … } }
  const id = readTlv(message, 0);
  if (id.tag !== 0x02) throw new ProbeError('protocol', 'malformed LDAP reply: no message id');
  const op = readTlv(message, id.end);
  if (op.tag !== 0x78)
    throw new ProbeError('protocol', `unexpected LDAP reply (operation tag 0x${op.tag.toString(16)})`);
  const result = readTlv(message, op.start);
  if (result.tag !== 0x0a || result.end > op.end)
    throw new ProbeError('protocol', 'malformed LDAP reply: no result code');
  const code = message.subarray(result.start, result.end).reduce((n, b) => n * 256 + b, 0);
  if (code !== 0) throw new ProbeError('starttls', `the LDAP server refused StartTLS (resultCode ${code})`);
}

async function readBerLength(reader: SocketReader): Promise<number> {
  const [first = 0] = await reader.readBytes(1);
  if (first < 0x80) return first;
  const octets = first & 0x7f;
  if (octets === 0 || octets > 3) throw new ProbeError('protocol', 'LDAP reply has an unsupported length encoding');
  const bytes = await reader.readBytes(octets);
  const length = bytes.reduce((n, b) => n * 256 + b, 0);
  if (length > 16 * 1024) throw new ProbeError('protocol', 'LDAP reply is implausibly large');
  return length;
}

function readTlv(buffer: Buffer, offset: number): { tag: number; start: number; end: number } {
  const tag = buffer[offset];
  let lengthByte = buffer[offset + 1];
  if (tag === undefined || lengthByte === undefined) throw new ProbeError('protocol', 'truncated LDAP reply');
  let start = offset + 2;
  let length = lengthByte;
  if (lengthByte >= 0x80) {
    const octets = lengthByte & 0x7f;
    if (octets === 0 || octets > 3) throw new ProbeError('protocol', 'LDAP reply has an unsupported length encoding');
    length = 0;
    for (let i = 0; i < octets; i++) {
      lengthByte = buffer[start + i];
      if (lengthByte === undefined) throw new ProbeError('protocol', 'truncated LDAP reply');
      length = length * 256 + lengthByte;
    }
    start += octets;
  }
  if (start + length > buffer.length) throw new ProbeError('protocol', 'truncated LDAP reply');
  return { tag, start, end: start + length };
}

/** PostgreSQL SSLRequest: length 8, code 80877103. */
const POSTGRES_SSL_REQUEST = Buffer.from([0, 0, 0, 8, 0x04, 0xd2, 0x16, 0x2f]);

async function postgres(socket: Socket, reader: SocketReader): Promise<void> {
  send(socket, POSTGRES_SSL_REQUEST);
  const [answer] = await reader.readBytes(1);
  if (answer === 0x53 /* S */) return;
  if (answer === 0x4e /* N */)
    throw new ProbeError('starttls', 'the PostgreSQL server does not accept SSL connections');
  throw new ProbeError('protocol', 'the server does not speak the PostgreSQL protocol');
}

/** MySQL's CLIENT_SSL and CLIENT_PROTOCOL_41 capability flags. */
const MYSQL_CLIENT_SSL = 0x0800;
const MYSQL_CLIENT_PROTOCOL_41 = 0x0200;
const MYSQL_CLIENT_SECURE_CONNECTION = 0x8000;
/** Largest handshake packet read (the real ones are about 100 bytes). */
const MYSQL_MAX_PACKET = 16 * 1024;

/**
 * MySQL/MariaDB (the client/server protocol, "SSL handshake"): the server greets with an Initial
 * Handshake packet (protocol 10) whose capability flags say whether it can do SSL; the client
 * answers with an SSLRequest packet (sequence 1), and TLS starts at once (the server says nothing).
 */
async function mysql(socket: Socket, reader: SocketReader): Promise<void> {
  const header = await reader.readBytes(4);
  const length = (header[0] ?? 0) | ((header[1] ?? 0) << 8) | ((header[2] ?? 0) << 16);
  if (length === 0 || length > MYSQL_MAX_PACKET) {
    throw new ProbeError('protocol', 'the server does not speak the MySQL protocol: no handshake packet');
  }
  const payload = await reader.readBytes(length);
  if (payload[0] === 0xff) {
    // An ERR packet instead of a greeting: code (2 bytes), then a message ("Host … is not allowed").
    const message = payload
      .subarray(3)
      .toString('latin1')
      .replace(/^#[0-9A-Z]{5}/, '');
    throw new ProbeError('starttls', `the MySQL server refused the connection: "${clip(printable(message))}"`);
  }
  if (payload[0] !== 10) {
    throw new ProbeError('protocol', 'the server does not speak the MySQL protocol (no protocol 10 handshake)');
  }
  const versionEnd = payload.indexOf(0, 1);
  // version NUL, connection id (4), auth data part 1 (8), filler (1), then the lower capability flags.
  const flagsAt = versionEnd + 1 + 4 + 8 + 1;
  if (versionEnd < 0 || flagsAt + 2 > payload.length) {
    throw new ProbeError('protocol', 'malformed MySQL handshake packet');
  }
  const capabilities = payload.readUInt16LE(flagsAt);
  if (!(capabilities & MYSQL_CLIENT_SSL)) {
    throw new ProbeError('starttls', 'the MySQL server does not offer SSL (no CLIENT_SSL capability)');
  }
  const request = Buffer.alloc(4 + 32);
  request.writeUIntLE(32, 0, 3);
  request[3] = 1; // sequence id
  request.writeUInt32LE(MYSQL_CLIENT_SSL | MYSQL_CLIENT_PROTOCOL_41 | MYSQL_CLIENT_SECURE_CONNECTION, 4);
  request.writeUInt32LE(16 * 1024 * 1024, 8); // max packet size
  request[12] = 45; // utf8mb4_general_ci; 23 zero bytes follow
  send(socket, request);
}

const XMPP_STREAMS = 'http://etherx.jabber.org/streams';
const XMPP_TLS = 'urn:ietf:params:xml:ns:xmpp-tls';

/**
 * XMPP (RFC 6120 §5): open a stream to the domain, read the stream features, ask for STARTTLS
 * when offered, and wait for <proceed/> (or <failure/>). Read with a streaming XML parser; the
 * stream element never closes, and nothing may follow <proceed/> before TLS.
 */
async function xmpp(socket: Socket, reader: SocketReader, domain: string, namespace: string): Promise<void> {
  let depth = 0;
  let phase: 'features' | 'answer' = 'features';
  let offered = false;
  let outcome: 'features-done' | 'proceed' | 'failure' | undefined;
  let failure: ProbeError | undefined;
  let endAt = -1; // position (characters) right after <proceed/>
  const scanner = new XmlTagScanner({
    open: (tag) => {
      depth++;
      if (depth === 1 && (tag.local !== 'stream' || tag.uri !== XMPP_STREAMS)) {
        failure ??= new ProbeError(
          'protocol',
          `the server does not speak XMPP: its first element is <${clip(printable(tag.name))}>`,
        );
      } else if (depth === 2 && tag.uri === XMPP_STREAMS && tag.local === 'error') {
        failure ??= new ProbeError('starttls', 'the XMPP server ended the stream with an error');
      } else if (depth === 3 && phase === 'features' && tag.local === 'starttls' && tag.uri === XMPP_TLS) {
        offered = true;
      }
    },
    close: (tag, position) => {
      if (depth === 2 && phase === 'features' && tag.uri === XMPP_STREAMS && tag.local === 'features') {
        outcome = 'features-done';
      } else if (depth === 2 && phase === 'answer' && tag.uri === XMPP_TLS) {
        outcome = tag.local === 'proceed' ? 'proceed' : 'failure';
        endAt = position;
      }
      depth--;
    },
  });
  let fed = 0;
  const readUntil = async (done: () => boolean): Promise<Buffer> => {
    for (;;) {
      const chunk = await reader.readSome();
      fed += chunk.length;
      try {
        scanner.write(chunk.toString('latin1'));
      } catch (error) {
        // Text that is not XML at all (an HTTP or SMTP greeting) is "does not speak XMPP".
        throw (
          failure ??
          (error instanceof ProbeError
            ? new ProbeError('protocol', `the server does not speak XMPP: ${error.message}`)
            : error)
        );
      }
      if (failure) throw failure;
      if (done()) return chunk;
    }
  };
  const to = domain.replace(/[<>&'"]/g, '');
  send(
    socket,
    `<?xml version='1.0'?><stream:stream to='${to}' version='1.0' xmlns='${namespace}' xmlns:stream='${XMPP_STREAMS}'>`,
  );
  await readUntil(() => outcome === 'features-done');
  if (!offered) throw new ProbeError('starttls', 'the XMPP server does not offer STARTTLS');
  phase = 'answer';
  outcome = undefined;
  send(socket, `<starttls xmlns='${XMPP_TLS}'/>`);
  const last = await readUntil(() => outcome === 'proceed' || outcome === 'failure');
  if (outcome === 'failure') throw new ProbeError('starttls', 'the XMPP server answered STARTTLS with <failure/>');
  // Bytes after <proceed/> are not the server's TLS (it waits for ours): hand them back for release() to refuse.
  const extra = fed - endAt;
  const rest = extra > 0 ? last.subarray(last.length - extra) : Buffer.alloc(0);
  if (rest.toString('latin1').trim()) reader.unread(rest);
}

function declined(service: string, verb: string, reply: string): ProbeError {
  return new ProbeError(
    'starttls',
    `the ${service} server ${verb} "${clip(printable(reply.split('\n').at(-1) ?? ''))}"`,
  );
}

/** Keeps server-sent text printable in messages and logs. */
function printable(text: string): string {
  return text.replace(/[^\x20-\x7e]/g, '?');
}
