import type { Socket } from 'node:net';
import type { StartTlsProtocol } from '../targets/protocols.ts';
import { clip } from '../targets/target-id.ts';
import { ProbeError } from './probe-error.ts';
import { SocketReader } from './socket-reader.ts';

/** The name we introduce ourselves with in SMTP EHLO. */
const EHLO_NAME = 'certvigil.invalid';
/** Most reply lines we read while waiting for the one that matters. */
const MAX_REPLY_LINES = 200;

type Dialect = (socket: Socket, reader: SocketReader) => Promise<void>;

const DIALECTS: Record<StartTlsProtocol, Dialect> = { smtp, imap, pop3, ftp, ldap, postgres };

/**
 * Runs the plaintext part of a STARTTLS protocol on a connected socket, leaving the socket
 * ready for the TLS handshake. Throws ProbeError: `starttls` when the server declines,
 * `protocol` when it does not speak the protocol, `reset` when it hangs up.
 */
export async function negotiateStartTls(protocol: StartTlsProtocol, socket: Socket): Promise<void> {
  const reader = new SocketReader(socket);
  try {
    await DIALECTS[protocol](socket, reader);
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

async function smtp(socket: Socket, reader: SocketReader): Promise<void> {
  const greeting = await readCodedReply(reader, 'SMTP');
  if (greeting.code !== 220) throw declined('SMTP', 'greeted with', greeting.text);
  send(socket, `EHLO ${EHLO_NAME}\r\n`);
  const ehlo = await readCodedReply(reader, 'SMTP');
  if (ehlo.code !== 250) throw declined('SMTP', 'refused EHLO with', ehlo.text);
  if (!/^250[ -]STARTTLS\b/im.test(ehlo.text)) {
    throw new ProbeError('starttls', 'the SMTP server does not offer STARTTLS');
  }
  send(socket, 'STARTTLS\r\n');
  const reply = await readCodedReply(reader, 'SMTP');
  if (reply.code !== 220) throw declined('SMTP', 'refused STARTTLS with', reply.text);
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
