// Bounds for text that comes from certificates, documents and servers: hostile input. Every such
// field is bounded before it is stored, logged or sent, and truncation is visible.

/** Field limits, in characters (UTF-16 code units). */
export const LIMITS = {
  /** A distinguished name (subject, issuer). */
  name: 512,
  /** One subjectAltName entry (a DNS name is at most 253). */
  san: 256,
  /** subjectAltName entries kept; a note entry says how many more there were. */
  sans: 50,
  /** Certificates of a chain kept, leaf first. */
  chain: 10,
  /** A serial number in hex (20 octets is the RFC 5280 maximum: 40 digits, with colons more). */
  serial: 128,
  /** Short identifiers: key type, signature algorithm, TLS version, trust error code. */
  token: 64,
  /** An error message (server banners and replies end up here). */
  message: 500,
} as const;

// C0 and C1 controls, DEL, and the bidirectional overrides and isolates that can disguise text.
const UNSAFE = /[\u0000-\u001f\u007f-\u009f\u200e\u200f\u202a-\u202e\u2066-\u2069]/g;
// The same, but line breaks and tabs are kept (for text we composed ourselves).
const UNSAFE_INLINE = /[\u0000-\u0008\u000b-\u001f\u007f-\u009f\u200e\u200f\u202a-\u202e\u2066-\u2069]/g;

/**
 * The text with control and bidi-override characters written as `\uXXXX`, cut to `max`
 * characters with a visible marker saying how much was left out.
 */
export function boundText(text: string, max: number, options: { keepLines?: boolean } = {}): string {
  const clean = text.replace(
    options.keepLines ? UNSAFE_INLINE : UNSAFE,
    (c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}`,
  );
  if (clean.length <= max) return clean;
  // The marker can only get shorter once the kept length is known, so this one is long enough.
  let keep = Math.max(0, max - `…[+${clean.length} chars]`.length);
  // Do not leave half a surrogate pair.
  if (/[\ud800-\udbff]/.test(clean.charAt(keep - 1))) keep--;
  return `${clean.slice(0, keep)}…[+${clean.length - keep} chars]`;
}

/** The same, for a value that may be null. */
export function boundNullable(text: string | null, max: number): string | null {
  return text === null ? null : boundText(text, max);
}

/** At most `max` entries, each bounded; a last entry says how many more there were. */
export function boundList(items: readonly string[], max: number, maxEach: number): string[] {
  const kept = items.slice(0, max).map((item) => boundText(item, maxEach));
  if (items.length > max) kept.push(`…(+${items.length - max} more)`);
  return kept;
}

/** Cuts text to at most `maxBytes` bytes of UTF-8, with a visible marker. */
export function boundBytes(text: string, maxBytes: number): string {
  if (Buffer.byteLength(text) <= maxBytes) return text;
  const marker = '\n…[truncated]';
  let end = Math.min(text.length, maxBytes);
  while (end > 0 && Buffer.byteLength(text.slice(0, end)) + Buffer.byteLength(marker) > maxBytes) {
    end -= Math.max(1, Math.ceil((Buffer.byteLength(text.slice(0, end)) - maxBytes) / 4));
  }
  let cut = text.slice(0, end);
  if (/[\ud800-\udbff]$/.test(cut)) cut = cut.slice(0, -1);
  return cut + marker;
}
