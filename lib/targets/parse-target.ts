import { isAbsolute, normalize } from 'node:path';
import { ipFamily } from '../ip-family.ts';
import { AWS_KIND_FORMS, type AwsKind, isAwsKind, isSourceKind, isUrlKind, type SourceKind } from './kinds.ts';
import { DEFAULT_PORT, isProtocol, PROTOCOLS, type Protocol, protocolForPort, URL_SCHEMES } from './protocols.ts';
import { canonicalHost, clip, InvalidTargetError, targetId } from './target-id.ts';

/**
 * Where to connect and how: the part of a target every check needs. For document kinds, host,
 * port and protocol are those of the document's URL (what the address guard and pinned
 * addresses apply to); for `file` they are empty.
 */
export interface Endpoint {
  id: string;
  kind: SourceKind;
  /** The document's URL or the file's absolute path; undefined for `tls`. */
  source: string | undefined;
  host: string;
  port: number;
  protocol: Protocol;
}

/** `saml:`, `jwks:`, `pem:` or `file:` before a target: the kind, and the rest. */
export function splitKind(input: string): { kind: SourceKind; rest: string } {
  const match = /^([a-z][a-z-]*):(?!\/\/)(.*)$/is.exec(input.trim());
  const kind = match?.[1]?.toLowerCase();
  if (match && kind && isSourceKind(kind) && kind !== 'tls') return { kind, rest: (match[2] ?? '').trim() };
  const tls = /^tls:(?!\/\/)(.*)$/is.exec(input.trim());
  return { kind: 'tls', rest: (tls?.[1] ?? input).trim() };
}

/**
 * A document target (`saml:https://…`, `jwks:…`, `pem:…`) or a file target (`file:/abs/path`).
 * URLs must be https; they are kept as given with scheme and host lower-cased, a default port
 * and any fragment dropped. Paths must be absolute (the CLI makes relative ones absolute).
 */
export function parseSourceTarget(kind: Exclude<SourceKind, 'tls'>, text: string): Endpoint {
  if (isAwsKind(kind)) return awsTarget(kind, text);
  if (kind === 'file') {
    if (!isAbsolute(text)) {
      throw new InvalidTargetError(`file target "${clip(text)}" must be an absolute path`, 'host');
    }
    const path = normalize(text);
    return { id: `file:${path}`, kind, source: path, host: '', port: 0, protocol: 'tls' };
  }
  if (!isUrlKind(kind)) throw new InvalidTargetError(`kind ${kind} is not a document kind`, 'kind');
  let url: URL;
  try {
    url = new URL(text);
  } catch {
    throw new InvalidTargetError(`${kind} target "${clip(text)}" is not a valid URL`, 'host');
  }
  if (url.protocol !== 'https:') {
    throw new InvalidTargetError(`${kind} documents are fetched over https (got "${clip(url.protocol)}")`, 'host');
  }
  if (url.username || url.password) {
    throw new InvalidTargetError(`${kind} URLs must not carry credentials`, 'host');
  }
  url.hash = '';
  const host = canonicalHost(url.hostname);
  return {
    id: `${kind}:${url.href}`,
    kind,
    source: url.href,
    host,
    port: url.port ? Number(url.port) : 443,
    protocol: 'tls',
  };
}

/** What a target string said explicitly, before defaults are applied. */
export interface ParsedTargetString {
  host: string;
  port: number | undefined;
  protocol: Protocol | undefined;
}

/** Parses a port given as text; throws InvalidTargetError naming the value. */
export function parsePort(text: string): number {
  if (!/^\d{1,5}$/.test(text))
    throw new InvalidTargetError(`port "${clip(text)}" is not a number from 1 to 65535`, 'port');
  const port = Number(text);
  if (port < 1 || port > 65535) throw new InvalidTargetError(`port ${port} is outside 1 to 65535`, 'port');
  return port;
}

export function parseProtocol(text: string): Protocol {
  const protocol = text.trim().toLowerCase();
  if (!isProtocol(protocol)) {
    throw new InvalidTargetError(`protocol "${clip(text)}" is not one of ${PROTOCOLS.join(', ')}`, 'protocol');
  }
  return protocol;
}

/**
 * Reads `host`, `host:port`, `host:port/protocol`, `[v6]:port`, a bare IPv6 address, or a URL
 * (`https://host`, `smtp://host:587`) without applying defaults.
 */
export function parseTargetString(input: string): ParsedTargetString {
  const text = input.trim();
  if (text === '') throw new InvalidTargetError('target is empty', 'host');
  const scheme = /^([a-z][a-z0-9+.-]*):\/\//i.exec(text);
  if (scheme) return parseUrl(text, (scheme[1] ?? '').toLowerCase());

  let rest = text;
  let protocol: Protocol | undefined;
  const slash = rest.indexOf('/');
  if (slash !== -1) {
    protocol = parseProtocol(rest.slice(slash + 1));
    rest = rest.slice(0, slash);
  }
  let hostText = rest;
  let port: number | undefined;
  if (rest.startsWith('[')) {
    const close = rest.indexOf(']');
    if (close === -1) throw new InvalidTargetError(`target "${clip(input)}" has an unclosed "["`, 'host');
    hostText = rest.slice(1, close);
    const after = rest.slice(close + 1);
    if (after !== '') {
      if (!after.startsWith(':')) throw new InvalidTargetError(`target "${clip(input)}" has text after "]"`, 'host');
      port = parsePort(after.slice(1));
    }
  } else if (ipFamily(rest) !== 6) {
    const colon = rest.lastIndexOf(':');
    if (colon !== -1) {
      hostText = rest.slice(0, colon);
      port = parsePort(rest.slice(colon + 1));
    }
  }
  return { host: canonicalHost(hostText), port, protocol };
}

function parseUrl(text: string, scheme: string): ParsedTargetString {
  const known = URL_SCHEMES[scheme];
  if (!known) {
    throw new InvalidTargetError(
      `URL scheme "${clip(scheme)}" is not supported (use one of ${Object.keys(URL_SCHEMES).join(', ')})`,
      'host',
    );
  }
  let url: URL;
  try {
    // Parse as a special scheme so the host is IDNA-normalised the same way for every scheme.
    url = new URL(`https://${text.slice(scheme.length + 3)}`);
  } catch {
    throw new InvalidTargetError(`target "${clip(text)}" is not a valid URL`, 'host');
  }
  const port = /^[^/?#]*:(\d+)(?:[/?#]|$)/.exec(text.slice(scheme.length + 3))?.[1];
  return {
    host: canonicalHost(url.hostname),
    port: port === undefined ? known.port : parsePort(port),
    protocol: known.protocol,
  };
}

/** Applies the defaults: the protocol follows from the port, the port from the protocol. */
export function resolveEndpoint(parsed: ParsedTargetString): Endpoint {
  const protocol = parsed.protocol ?? (parsed.port === undefined ? 'tls' : protocolForPort(parsed.port));
  const port = parsed.port ?? DEFAULT_PORT[protocol];
  return {
    id: targetId(parsed.host, port, protocol),
    kind: 'tls',
    source: undefined,
    host: parsed.host,
    port,
    protocol,
  };
}

/** Any target string: a TLS endpoint (`host:port/protocol`, URLs) or `kind:` and its source. */
export function parseTarget(input: string): Endpoint {
  const { kind, rest } = splitKind(input);
  if (kind !== 'tls') return parseSourceTarget(kind, rest);
  return resolveEndpoint(parseTargetString(rest));
}

/** `acm:ARN`, `iam:NAME`, `secret:ARN[#jsonKey]`, `ssm:NAME-or-ARN`: kept as given. */
function awsTarget(kind: AwsKind, text: string): Endpoint {
  const form = AWS_KIND_FORMS[kind];
  if (!form.pattern.test(text)) {
    throw new InvalidTargetError(`${kind} target "${clip(text)}" is not of the form ${form.example}`, 'host');
  }
  return { id: `${kind}:${text}`, kind, source: text, host: '', port: 0, protocol: 'tls' };
}
