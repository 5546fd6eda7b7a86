import * as z from 'zod/mini';
import { ipFamily } from '../ip-family.ts';
import { isAwsKind, isSourceKind, SOURCE_KINDS, type SourceKind } from './kinds.ts';
import {
  type Endpoint,
  parsePort,
  parseProtocol,
  parseTarget,
  parseTargetString,
  resolveEndpoint,
  splitKind,
} from './parse-target.ts';
import type { Protocol } from './protocols.ts';
import { canonicalHost, clip, InvalidTargetError } from './target-id.ts';

/** Default check interval for a target, in minutes (daily). */
export const DEFAULT_INTERVAL_MINUTES = 1440;
/** Most addresses a target may pin. */
export const MAX_PINNED_ADDRESSES = 8;

/** The settings of a target: everything a person sets (the id follows from host, port, protocol). */
export const TARGET_SETTINGS = [
  'kind',
  'source',
  'host',
  'port',
  'protocol',
  'servername',
  'addresses',
  'warnDays',
  'critDays',
  'findingsInvalid',
  'intervalMinutes',
  'enabled',
  'owner',
  'tags',
  'notes',
] as const;

/** A watched endpoint or document and its settings: the admin API body, the stored item, the CSV row. */
export interface Target {
  id: string;
  /** Where its certificates are read from (DESIGN.md, "Certificate sources"); `tls` by default. */
  kind: SourceKind;
  /** The document's URL or the file's path, for kinds other than `tls`. */
  source: string | undefined;
  host: string;
  port: number;
  protocol: Protocol;
  servername: string | undefined;
  addresses: string[] | undefined;
  warnDays: number | undefined;
  critDays: number | undefined;
  /** A finding (weak key or signature, over-long lifetime) makes the target `invalid`; default: only noted. */
  findingsInvalid?: boolean | undefined;
  intervalMinutes: number;
  enabled: boolean;
  owner: string | undefined;
  tags: string[];
  notes: string | undefined;
}

/** Longest `host` a target may give (the schema's bound; the host-only path below keeps it too). */
const MAX_HOST = 2048;

/**
 * Raw target input, as it comes from JSON or a CSV row (strings are coerced). Built on first use:
 * making the schema costs a few milliseconds of every start, and `certvigil check` of host names
 * never needs it (see normalizeTarget).
 */
function buildTargetInputSchema() {
  /**
   * A number as JSON gives it, or written in decimal in a string (a CSV cell): not `true`, `[5]`
   * or `"0x10"`, which JavaScript would turn into numbers.
   */
  const decimal = (error: string) =>
    z.pipe(
      z.transform((value: unknown) =>
        typeof value === 'string' && /^\s*-?\d+(\.\d+)?\s*$/.test(value) ? Number(value) : value,
      ),
      z.number({ error }).check(z.refine(Number.isFinite, error)),
    );

  /** 0 turns the window off (no warning, or no critical, before expiry). */
  const days = decimal('must be a number of days').check(
    z.minimum(0, 'must be 0 days or more'),
    z.maximum(3650, 'must be at most 3650 days'),
  );

  /** A list given as an array, or as text separated by commas, semicolons, bars or spaces (CSV). */
  const listOf = <T extends z.core.SomeType>(item: T, max: number, tooMany: string) =>
    z.pipe(
      z.transform((value: unknown) => (typeof value === 'string' ? splitList(value) : value)),
      z.array(item).check(z.maxLength(max, tooMany)),
    );

  /** Raw target input, as it comes from JSON or a CSV row (strings are coerced). */
  const schema = z
    .object({
      // Required, unless a stored `source` says where the certificates are (a file has no host).
      host: z.optional(z.string({ error: 'is required' }).check(z.trim(), z.maxLength(MAX_HOST, 'is too long'))),
      kind: z.optional(z.string().check(z.trim(), z.maxLength(16, 'is too long'))),
      source: z.optional(z.string().check(z.trim(), z.maxLength(2048, 'is too long'))),
      port: z.optional(z.union([z.number(), z.string().check(z.trim())])),
      protocol: z.optional(z.string()),
      servername: z.optional(z.string().check(z.trim(), z.maxLength(253, 'is too long'))),
      addresses: z.optional(
        listOf(
          z.string().check(
            z.trim(),
            z.refine((a) => ipFamily(stripBrackets(a)) !== 0, 'must be IP addresses'),
          ),
          MAX_PINNED_ADDRESSES,
          `may pin at most ${MAX_PINNED_ADDRESSES} addresses`,
        ),
      ),
      warnDays: z.optional(days),
      critDays: z.optional(days),
      findingsInvalid: z.optional(z.pipe(z.transform(parseBoolean), z.boolean({ error: 'must be true or false' }))),
      intervalMinutes: z.optional(
        decimal('must be a number of minutes').check(
          z.int('must be a whole number of minutes'),
          z.minimum(5, 'must be at least 5 minutes'),
          z.maximum(525_600, 'must be at most 525600 minutes (a year)'),
        ),
      ),
      enabled: z.optional(z.pipe(z.transform(parseBoolean), z.boolean({ error: 'must be true or false' }))),
      owner: z.optional(z.string().check(z.trim(), z.maxLength(200, 'is too long'))),
      tags: z.optional(
        listOf(
          z.string().check(z.trim(), z.minLength(1), z.maxLength(64, 'entries must be at most 64 characters')),
          50,
          'may hold at most 50 tags',
        ),
      ),
      notes: z.optional(z.string().check(z.maxLength(2000, 'is too long'))),
    })
    .check(
      z.refine((t) => t.warnDays === undefined || t.critDays === undefined || t.critDays <= t.warnDays, {
        error: 'must not be more than warnDays',
        path: ['critDays'],
      }),
    );
  return schema;
}

let targetInputSchema: ReturnType<typeof buildTargetInputSchema> | undefined;

/** One problem with one field of a target. */
export interface FieldProblem {
  field: string;
  message: string;
}

export class TargetValidationError extends Error {
  override name = 'TargetValidationError';
  readonly problems: FieldProblem[];
  constructor(problems: FieldProblem[]) {
    super(problems.map((p) => `${p.field}: ${p.message}`).join('; '));
    this.problems = problems;
  }
}

/**
 * Validates raw input and applies defaults, producing a Target with its canonical id.
 * `host` may itself be a target string (`example.com:8443`, `smtp://mail.example.com`);
 * explicit `port`/`protocol` fields must then agree with it.
 */
export function normalizeTarget(input: unknown): Target {
  const raw = hostOnly(input) ?? validated(input);
  try {
    const text = targetText(raw);
    const { kind } = splitKind(text);
    if (kind !== 'tls') return sourceTarget(raw, parseTarget(text));
    const fromHost = parseTargetString(splitKind(text).rest);
    const port = raw.port === undefined || raw.port === '' ? undefined : parsePort(String(raw.port));
    const protocol = raw.protocol === undefined || raw.protocol.trim() === '' ? undefined : parseProtocol(raw.protocol);
    if (port !== undefined && fromHost.port !== undefined && port !== fromHost.port) {
      throw new InvalidTargetError(`port ${port} disagrees with the port in host "${raw.host}"`, 'port');
    }
    if (protocol !== undefined && fromHost.protocol !== undefined && protocol !== fromHost.protocol) {
      throw new InvalidTargetError(
        `protocol ${protocol} disagrees with the protocol in host "${raw.host}"`,
        'protocol',
      );
    }
    const endpoint = resolveEndpoint({
      host: fromHost.host,
      port: port ?? fromHost.port,
      protocol: protocol ?? fromHost.protocol,
    });
    const servername = raw.servername ? canonicalServername(raw.servername) : undefined;
    return {
      ...endpoint,
      servername,
      ...common(raw),
    };
  } catch (error) {
    if (error instanceof InvalidTargetError) {
      throw new TargetValidationError([{ field: error.field ?? 'host', message: error.message }]);
    }
    throw error;
  }
}

type RawTarget = z.infer<ReturnType<typeof buildTargetInputSchema>>;

function validated(input: unknown): RawTarget {
  targetInputSchema ??= buildTargetInputSchema();
  const parsed = targetInputSchema.safeParse(input);
  if (!parsed.success) {
    throw new TargetValidationError(
      parsed.error.issues.map((issue) => ({
        field: issue.path.join('.') || 'target',
        message: issue.message,
      })),
    );
  }
  return parsed.data;
}

/**
 * `{host: "…"}` and nothing else (a target on the command line, a line of a target file), as the
 * schema would give it back (trimmed, bounded), without building the schema; undefined for
 * anything else, which the schema checks.
 */
function hostOnly(input: unknown): RawTarget | undefined {
  if (typeof input !== 'object' || input === null || Object.getPrototypeOf(input) !== Object.prototype)
    return undefined;
  const keys = Object.keys(input);
  const host = (input as { host?: unknown }).host;
  if (keys.length !== 1 || keys[0] !== 'host' || typeof host !== 'string') return undefined;
  const trimmed = host.trim();
  if (trimmed.length > MAX_HOST) throw new TargetValidationError([{ field: 'host', message: 'is too long' }]);
  return { host: trimmed };
}

/** The target string: `host` as given, with `kind` (and a stored `source`) taken into account. */
function targetText(raw: RawTarget): string {
  const kind = raw.kind?.toLowerCase() || undefined;
  if (kind !== undefined && !isSourceKind(kind)) {
    throw new InvalidTargetError(`kind "${clip(kind)}" is not one of ${SOURCE_KINDS.join(', ')}`, 'kind');
  }
  if (raw.source && kind && kind !== 'tls') return `${kind}:${raw.source}`;
  if (!raw.host) throw new InvalidTargetError('is required', 'host');
  const given = splitKind(raw.host);
  if (kind && given.kind !== 'tls' && given.kind !== kind) {
    throw new InvalidTargetError(`kind ${kind} disagrees with the target "${clip(raw.host)}"`, 'kind');
  }
  return kind && kind !== 'tls' && given.kind === 'tls' ? `${kind}:${raw.host}` : raw.host;
}

/** A document or file target: port, protocol and servername follow from the source. */
function sourceTarget(raw: RawTarget, endpoint: Endpoint): Target {
  const port = raw.port === undefined || raw.port === '' ? undefined : Number(raw.port);
  if ((port !== undefined && port !== endpoint.port) || (raw.protocol && raw.protocol.trim() !== endpoint.protocol)) {
    throw new InvalidTargetError(`port and protocol follow from the ${endpoint.kind} target's URL`, 'port');
  }
  if (raw.servername) throw new InvalidTargetError('servername applies to tls targets only', 'servername');
  if ((endpoint.kind === 'file' || isAwsKind(endpoint.kind)) && raw.addresses?.length) {
    throw new InvalidTargetError(`${endpoint.kind} targets have no addresses to pin`, 'addresses');
  }
  return { ...endpoint, servername: undefined, ...common(raw) };
}

/** The settings every kind shares. */
function common(raw: RawTarget) {
  return {
    addresses: raw.addresses?.length ? raw.addresses.map((a) => canonicalHost(a)) : undefined,
    warnDays: raw.warnDays,
    critDays: raw.critDays,
    // Kept only when set, so that items of targets without it do not grow.
    ...(raw.findingsInvalid ? { findingsInvalid: true } : {}),
    intervalMinutes: raw.intervalMinutes ?? DEFAULT_INTERVAL_MINUTES,
    enabled: raw.enabled ?? true,
    owner: raw.owner || undefined,
    tags: raw.tags ?? [],
    notes: raw.notes || undefined,
  };
}

function canonicalServername(name: string): string {
  const host = canonicalHost(name);
  if (ipFamily(host) !== 0)
    throw new InvalidTargetError('servername must be a host name, not an IP address', 'servername');
  return host;
}

function splitList(value: string): string[] {
  return value
    .split(/[\s,;|]+/)
    .map((v) => v.trim())
    .filter((v) => v !== '');
}

function stripBrackets(address: string): string {
  return address.startsWith('[') && address.endsWith(']') ? address.slice(1, -1) : address;
}

function parseBoolean(value: unknown): unknown {
  if (typeof value !== 'string') return value;
  const text = value.trim().toLowerCase();
  if (['true', 'yes', 'y', '1', 'on'].includes(text)) return true;
  if (['false', 'no', 'n', '0', 'off'].includes(text)) return false;
  return value;
}

/**
 * Why a watched target's host cannot be reached as written: a name of one label (`intranet`, `a`)
 * resolves only through a machine's search domains, which the deployed monitor has none of, so
 * it would fail every check. Monitored targets give the full name, or pin their addresses;
 * `localhost` is a name of its own (local mode). The CLI's one-off `check` still takes such a
 * name, through the machine's resolver.
 */
export function singleLabelProblem(target: Target): string | undefined {
  const host = target.host;
  if (!host || ipFamily(stripBrackets(host)) !== 0 || host.includes('.') || host === 'localhost') return undefined;
  if (target.addresses?.length) return undefined;
  return `host "${clip(host)}" is a single label: the monitor resolves names without search domains, so give the full name (${clip(host)}.example.com) or pin its addresses`;
}
