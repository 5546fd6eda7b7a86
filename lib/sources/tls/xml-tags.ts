// Just enough XML for the XMPP STARTTLS dialogue: element starts and ends with their namespace
// (xmlns and prefixed xmlns:p declarations, scoped), fed in chunks, text and comments skipped. The
// probe bundle stays small without a general parser; nothing here builds a tree or expands
// entities, every tag is bounded, and so is the nesting: each open element holds the namespace map
// in force there, so a tag costs the same at any depth and the work is linear in the input.
import { ProbeError } from '../../net/probe-error.ts';

export interface XmlTag {
  /** As written (`stream:features`). */
  name: string;
  local: string;
  /** The namespace URI the prefix (or the default) stands for; '' when none. */
  uri: string;
}

/** Longest tag accepted (a stream header with its attributes is a few hundred bytes). */
const MAX_TAG = 8 * 1024;
/** Deepest nesting accepted: the XMPP dialogue needs four levels (stream, features, starttls, required). */
export const MAX_XML_DEPTH = 16;

export class XmlTagScanner {
  /** Characters consumed: after the last complete tag (or skipped text). */
  position = 0;
  private pending = '';
  /** The namespaces in force at each depth (the whole map, not the element's own declarations). */
  private readonly scopes: Map<string, string>[] = [new Map([['xml', 'http://www.w3.org/XML/1998/namespace']])];
  private readonly open: XmlTag[] = [];
  private readonly onOpen: (tag: XmlTag) => void;
  private readonly onClose: (tag: XmlTag, position: number) => void;

  constructor(handlers: { open: (tag: XmlTag) => void; close: (tag: XmlTag, position: number) => void }) {
    this.onOpen = handlers.open;
    this.onClose = handlers.close;
  }

  /** Feeds text; complete tags are reported, a partial one waits for the next chunk. Throws ProbeError `protocol`. */
  write(text: string): void {
    this.pending += text;
    for (;;) {
      const lt = this.pending.indexOf('<');
      this.text(lt === -1 ? this.pending : this.pending.slice(0, lt));
      if (lt === -1) {
        this.consume(this.pending.length);
        return;
      }
      this.consume(lt);
      const end = this.tagEnd();
      if (end === -1) {
        if (this.pending.length > MAX_TAG) throw new ProbeError('protocol', 'an XML tag longer than 8 KiB');
        return;
      }
      const raw = this.pending.slice(0, end + 1);
      this.consume(end + 1);
      this.tag(raw);
    }
  }

  /** Index of the `>` that ends the markup at the start of `pending`, or -1 when not here yet. */
  private tagEnd(): number {
    const p = this.pending;
    if (p.length < 4 && '<!--'.startsWith(p)) return -1; // perhaps a comment: wait for more
    if (p.startsWith('<!--')) return ((i) => (i === -1 ? -1 : i + 2))(p.indexOf('-->', 4));
    if (p.startsWith('<?')) return ((i) => (i === -1 ? -1 : i + 1))(p.indexOf('?>', 2));
    if (p.startsWith('<!')) throw new ProbeError('protocol', 'the XMPP stream holds a DOCTYPE or CDATA section');
    let quote = '';
    for (let i = 1; i < p.length; i++) {
      const c = p[i];
      if (quote) {
        if (c === quote) quote = '';
      } else if (c === '"' || c === "'") quote = c;
      else if (c === '>') return i;
    }
    return -1;
  }

  private tag(raw: string): void {
    if (raw.startsWith('<!--') || raw.startsWith('<?')) return;
    const closing = raw.startsWith('</');
    const selfClosing = !closing && raw.endsWith('/>');
    const body = raw.slice(closing ? 2 : 1, selfClosing ? -2 : -1);
    const name = /^[^\s/>]+/.exec(body)?.[0];
    if (!name) throw new ProbeError('protocol', 'malformed XML in the XMPP stream');
    if (closing) {
      const top = this.open.pop();
      this.scopes.pop();
      if (!top || top.name !== name) throw new ProbeError('protocol', 'mismatched XML end tag in the XMPP stream');
      this.onClose(top, this.position);
      return;
    }
    if (this.open.length >= MAX_XML_DEPTH) {
      throw new ProbeError('protocol', `XML nested deeper than ${MAX_XML_DEPTH} elements`);
    }
    const parent = this.scopes[this.scopes.length - 1] as Map<string, string>;
    let scope = parent;
    for (const match of body.slice(name.length).matchAll(/([^\s=/]+)\s*=\s*(?:"([^"]*)"|'([^']*)')/g)) {
      const [, attribute = '', double, single] = match;
      const value = double ?? single ?? '';
      const prefix = attribute === 'xmlns' ? '' : attribute.startsWith('xmlns:') ? attribute.slice(6) : undefined;
      if (prefix === undefined) continue;
      if (scope === parent) scope = new Map(parent); // copied only where an element declares one
      scope.set(prefix, value);
    }
    this.scopes.push(scope);
    const colon = name.indexOf(':');
    const prefix = colon === -1 ? '' : name.slice(0, colon);
    const tag: XmlTag = { name, local: colon === -1 ? name : name.slice(colon + 1), uri: scope.get(prefix) ?? '' };
    this.open.push(tag);
    this.onOpen(tag);
    if (selfClosing) {
      this.open.pop();
      this.scopes.pop();
      this.onClose(tag, this.position);
    }
  }

  /** Text is skipped, but outside every element only white space is XML (else it is another protocol). */
  private text(text: string): void {
    if (this.open.length === 0 && text.trim()) {
      throw new ProbeError(
        'protocol',
        `it sent "${text
          .trim()
          .slice(0, 40)
          .replace(/[^\x20-\x7e]/g, '?')}"`,
      );
    }
  }

  private consume(count: number): void {
    this.pending = this.pending.slice(count);
    this.position += count;
  }
}
