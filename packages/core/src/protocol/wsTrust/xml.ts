/**
 * A small, safe XML reader for the documents the username/password flow meets from federation
 * servers: MEX (WS-MetadataExchange / WSDL), WS-Trust responses and SOAP faults.
 *
 * Safe by construction: a DOCTYPE (and so any ENTITY declaration) is refused outright, which rules
 * out external entities (XXE) and entity expansion ("billion laughs"); only the five predefined
 * entities and numeric character references are understood. No recursion (a deeply nested
 * document cannot overflow the stack) and a depth limit. It never throws: a malformed document
 * gives a Left with a message naming the problem and its line.
 *
 * It reads elements, attributes, namespaces (prefixes resolved to URIs), text and CDATA; comments
 * and processing instructions are skipped. Every element remembers where it sits in the source,
 * so a caller can take a fragment exactly as it was sent (a signed SAML assertion must not be
 * re-serialised).
 */
import * as E from '../../util/either.js'

/** The namespace the `xml:` prefix is bound to, always. */
export const XML_NAMESPACE = 'http://www.w3.org/XML/1998/namespace'

export interface XmlAttribute {
  /** As written, e.g. `wsu:Id`. */
  readonly name: string
  /** The name without its prefix, e.g. `Id`. */
  readonly localName: string
  /** Resolved URI; '' for an unprefixed attribute (attributes take no default namespace). */
  readonly namespace: string
  /** Entities decoded, whitespace normalised (XML 1.0 §3.3.3). */
  readonly value: string
}

export interface XmlElement {
  /** As written, e.g. `s:Envelope`. */
  readonly name: string
  /** The name without its prefix, e.g. `Envelope`. */
  readonly localName: string
  /** Resolved URI; '' when the element is in no namespace. */
  readonly namespace: string
  /** Namespace declarations (`xmlns`, `xmlns:p`) are not listed here; see `namespaces`. */
  readonly attributes: readonly XmlAttribute[]
  /** The child elements, in document order. */
  readonly children: readonly XmlElement[]
  /** The character data directly inside (entities decoded, CDATA as is), concatenated. */
  readonly text: string
  /** Prefixes in scope, '' for the default namespace. */
  readonly namespaces: Readonly<Record<string, string>>
  /** Offsets in the source: the element is `source.slice(start, end)`. */
  readonly start: number
  /** The offset in the source just after the element (its end tag, or a self-closing tag's `/>`). */
  readonly end: number
  /** Its content, without its own tags: `source.slice(contentStart, contentEnd)`. */
  readonly contentStart: number
  /** The offset in the source where its content ends: its end tag's `<` (equal to `end` for a self-closing element). */
  readonly contentEnd: number
}

/** Namespace URI and local name: how elements are looked for, whatever prefix a document chose. */
export type XmlName = readonly [namespace: string, localName: string]

/** Deeper than any document of these protocols; deep enough to stop pathological input early. */
export const MAX_XML_DEPTH = 256

type Mutable<T> = { -readonly [K in keyof T]: T[K] extends readonly (infer U)[] ? U[] : T[K] }
type Building = Mutable<XmlElement>

class XmlSyntaxError {
  constructor(
    readonly problem: string,
    readonly offset: number,
  ) {}
}

const PREDEFINED: Readonly<Record<string, string>> = { lt: '<', gt: '>', amp: '&', quot: '"', apos: "'" }

const NAME = /[A-Za-z_:\u00C0-\uFFFF][\w.\-:\u00B7\u00C0-\uFFFF]*/y
const WHITESPACE = /[ \t\r\n]*/y

const isXmlChar = (code: number): boolean =>
  code === 0x9 || code === 0xa || code === 0xd || (code >= 0x20 && code <= 0xd7ff) || (code >= 0xe000 && code <= 0xfffd) || (code >= 0x10000 && code <= 0x10ffff)

/** Decodes the predefined entities and character references; anything else is an error. */
const decodeReferences = (raw: string, offset: number): string => {
  if (!raw.includes('&')) return raw
  let out = ''
  let from = 0
  for (let amp = raw.indexOf('&'); amp !== -1; amp = raw.indexOf('&', from)) {
    out += raw.slice(from, amp)
    const semicolon = raw.indexOf(';', amp)
    const reference = semicolon === -1 ? '' : raw.slice(amp + 1, semicolon)
    if (semicolon === -1 || reference.length === 0 || reference.length > 10) {
      throw new XmlSyntaxError("a bare '&' (write &amp;)", offset + amp)
    }
    const numeric = /^#(?:x([0-9A-Fa-f]+)|([0-9]+))$/.exec(reference)
    if (numeric !== null) {
      const code = numeric[1] !== undefined ? parseInt(numeric[1], 16) : parseInt(numeric[2]!, 10)
      if (!isXmlChar(code)) throw new XmlSyntaxError(`&${reference}; is not a character XML allows`, offset + amp)
      out += String.fromCodePoint(code)
    } else {
      const text = PREDEFINED[reference]
      if (text === undefined) throw new XmlSyntaxError(`unknown entity &${reference}; (only the five predefined entities are allowed)`, offset + amp)
      out += text
    }
    from = semicolon + 1
  }
  return out + raw.slice(from)
}

const splitName = (name: string): { prefix: string; localName: string } => {
  const colon = name.indexOf(':')
  return colon === -1 ? { prefix: '', localName: name } : { prefix: name.slice(0, colon), localName: name.slice(colon + 1) }
}

/** The line and column of an offset, for error messages. */
const position = (source: string, offset: number): string => {
  const before = source.slice(0, Math.max(0, Math.min(offset, source.length)))
  const line = before.split('\n').length
  return `line ${line}, column ${offset - before.lastIndexOf('\n')}`
}

class Reader {
  private pos = 0
  private readonly stack: Building[] = []
  private root: Building | undefined

  constructor(private readonly src: string) {
    if (src.charCodeAt(0) === 0xfeff) this.pos = 1
  }

  read(): XmlElement {
    const { src } = this
    while (this.pos < src.length) {
      const lt = src.indexOf('<', this.pos)
      if (lt === -1) {
        this.text(src.slice(this.pos), this.pos)
        this.pos = src.length
        break
      }
      if (lt > this.pos) this.text(src.slice(this.pos, lt), this.pos)
      this.pos = lt
      if (src.startsWith('<!--', lt)) this.pos = this.until('-->', lt + 4, 'comment')
      else if (src.startsWith('<![CDATA[', lt)) this.cdata(lt)
      else if (src.startsWith('<!', lt)) this.declaration(lt)
      else if (src.startsWith('<?', lt)) this.pos = this.until('?>', lt + 2, 'processing instruction')
      else if (src.startsWith('</', lt)) this.endTag(lt)
      else this.startTag(lt)
    }
    const open = this.stack[this.stack.length - 1]
    if (open !== undefined) throw new XmlSyntaxError(`<${open.name}> is never closed`, src.length)
    if (this.root === undefined) throw new XmlSyntaxError('no root element', src.length)
    return this.root
  }

  /** The offset just past `terminator`, searched from `from`. */
  private until(terminator: string, from: number, what: string): number {
    const at = this.src.indexOf(terminator, from)
    if (at === -1) throw new XmlSyntaxError(`unterminated ${what}`, this.pos)
    return at + terminator.length
  }

  private text(raw: string, offset: number): void {
    const parent = this.stack[this.stack.length - 1]
    if (parent === undefined) {
      if (raw.trim() !== '') throw new XmlSyntaxError('text outside the root element', offset)
      return
    }
    parent.text += decodeReferences(raw, offset)
  }

  private cdata(lt: number): void {
    const end = this.until(']]>', lt + 9, 'CDATA section')
    const parent = this.stack[this.stack.length - 1]
    if (parent === undefined) throw new XmlSyntaxError('CDATA outside the root element', lt)
    parent.text += this.src.slice(lt + 9, end - 3)
    this.pos = end
  }

  private declaration(lt: number): void {
    const keyword = /^<!([A-Za-z]*)/.exec(this.src.slice(lt, lt + 12))?.[1]?.toUpperCase() ?? ''
    if (keyword === 'DOCTYPE' || keyword === 'ENTITY') {
      throw new XmlSyntaxError(`${keyword} declarations are not allowed (they enable external entities and entity expansion)`, lt)
    }
    throw new XmlSyntaxError(`unexpected markup '<!${keyword}'`, lt)
  }

  private name(): string {
    NAME.lastIndex = this.pos
    const match = NAME.exec(this.src)
    if (match === null) throw new XmlSyntaxError('expected a name', this.pos)
    this.pos = NAME.lastIndex
    return match[0]
  }

  /** Skips whitespace; whether there was any. */
  private whitespace(): boolean {
    WHITESPACE.lastIndex = this.pos
    WHITESPACE.exec(this.src)
    const skipped = WHITESPACE.lastIndex > this.pos
    this.pos = WHITESPACE.lastIndex
    return skipped
  }

  private expect(text: string): void {
    if (!this.src.startsWith(text, this.pos)) throw new XmlSyntaxError(`expected '${text}'`, this.pos)
    this.pos += text.length
  }

  private startTag(lt: number): void {
    if (this.root !== undefined && this.stack.length === 0) throw new XmlSyntaxError('more than one root element', lt)
    if (this.stack.length >= MAX_XML_DEPTH) throw new XmlSyntaxError(`elements nested deeper than ${MAX_XML_DEPTH}`, lt)
    this.pos = lt + 1
    const name = this.name()
    const raw: { name: string; value: string; at: number }[] = []
    const seen = new Set<string>()
    let selfClosing = false
    for (;;) {
      const spaced = this.whitespace()
      if (this.src.startsWith('/>', this.pos)) {
        selfClosing = true
        this.pos += 2
        break
      }
      if (this.src.startsWith('>', this.pos)) {
        this.pos += 1
        break
      }
      if (this.pos >= this.src.length) throw new XmlSyntaxError(`<${name}> is not closed with '>'`, lt)
      if (!spaced) throw new XmlSyntaxError('expected whitespace before an attribute', this.pos)
      const at = this.pos
      const attribute = this.name()
      this.whitespace()
      this.expect('=')
      this.whitespace()
      const quote = this.src[this.pos]
      if (quote !== '"' && quote !== "'") throw new XmlSyntaxError(`the value of ${attribute} must be quoted`, this.pos)
      const close = this.src.indexOf(quote, this.pos + 1)
      if (close === -1) throw new XmlSyntaxError(`unterminated value of ${attribute}`, this.pos)
      const literal = this.src.slice(this.pos + 1, close)
      if (literal.includes('<')) throw new XmlSyntaxError(`'<' in the value of ${attribute}`, this.pos)
      if (seen.has(attribute)) throw new XmlSyntaxError(`duplicate attribute ${attribute}`, at)
      seen.add(attribute)
      raw.push({ name: attribute, value: decodeReferences(literal.replace(/[\t\r\n]/g, ' '), this.pos + 1), at })
      this.pos = close + 1
    }
    const element = this.element(name, raw, lt)
    const parent = this.stack[this.stack.length - 1]
    if (parent !== undefined) parent.children.push(element)
    else this.root = element
    if (selfClosing) {
      element.contentStart = element.contentEnd = element.end = this.pos
    } else {
      element.contentStart = this.pos
      this.stack.push(element)
    }
  }

  private element(name: string, raw: readonly { name: string; value: string; at: number }[], lt: number): Building {
    const inherited = this.stack[this.stack.length - 1]?.namespaces ?? { xml: XML_NAMESPACE }
    const declarations = raw.filter((a) => a.name === 'xmlns' || a.name.startsWith('xmlns:'))
    let namespaces = inherited
    if (declarations.length > 0) {
      const scope: Record<string, string> = { ...inherited }
      for (const declaration of declarations) {
        const prefix = declaration.name === 'xmlns' ? '' : declaration.name.slice(6)
        if (prefix !== '' && declaration.value === '') throw new XmlSyntaxError(`the prefix ${prefix} cannot be undeclared`, declaration.at)
        if (prefix === 'xml' || prefix === 'xmlns') throw new XmlSyntaxError(`the prefix ${prefix} cannot be redeclared`, declaration.at)
        scope[prefix] = declaration.value
      }
      namespaces = scope
    }
    const resolve = (qualified: string, at: number, isAttribute: boolean): { localName: string; namespace: string } => {
      const { prefix, localName } = splitName(qualified)
      if (localName === '' || localName.includes(':')) throw new XmlSyntaxError(`${qualified} is not a valid qualified name`, at)
      if (prefix === '') return { localName, namespace: isAttribute ? '' : (namespaces[''] ?? '') }
      const namespace = namespaces[prefix]
      if (namespace === undefined) throw new XmlSyntaxError(`the prefix ${prefix} is not declared`, at)
      return { localName, namespace }
    }
    const declared = new Set(declarations)
    const attributes = raw
      .filter((a) => !declared.has(a))
      .map((a) => ({ name: a.name, value: a.value, ...resolve(a.name, a.at, true) }))
    return { name, ...resolve(name, lt + 1, false), attributes, children: [], text: '', namespaces, start: lt, end: lt, contentStart: lt, contentEnd: lt }
  }

  private endTag(lt: number): void {
    this.pos = lt + 2
    const name = this.name()
    this.whitespace()
    this.expect('>')
    const open = this.stack.pop()
    if (open === undefined) throw new XmlSyntaxError(`</${name}> closes nothing`, lt)
    if (open.name !== name) throw new XmlSyntaxError(`</${name}> closes <${open.name}>`, lt)
    open.contentEnd = lt
    open.end = this.pos
  }
}

/** Parses a whole document to its root element; a Left names the problem and where it is. */
export const parseXml = (source: string): E.Either<string, XmlElement> => {
  try {
    return E.right(new Reader(source).read())
  } catch (error) {
    if (error instanceof XmlSyntaxError) return E.left(`malformed XML: ${error.problem} (${position(source, error.offset)})`)
    // A RangeError from a pathological input, say: still a Left, never a crash.
    return E.left(`malformed XML: ${error instanceof Error ? error.message : 'unreadable'}`)
  }
}

export const isNamed = (element: XmlElement, [namespace, localName]: XmlName): boolean =>
  element.localName === localName && element.namespace === namespace

/** The first direct child with this name. */
export const childNamed = (element: XmlElement, name: XmlName): XmlElement | undefined => element.children.find((child) => isNamed(child, name))

/** Every element reached from `element` by this path of direct children, across all branches. */
export const selectAll = (element: XmlElement, path: readonly XmlName[]): XmlElement[] => {
  let current: XmlElement[] = [element]
  for (const step of path) current = current.flatMap((node) => node.children.filter((child) => isNamed(child, step)))
  return current
}

/** The first element at this path of direct children. */
export const select = (element: XmlElement, path: readonly XmlName[]): XmlElement | undefined => selectAll(element, path)[0]

/** Every element below `element` (not itself) with this name, in document order. No recursion. */
export const descendantsNamed = (element: XmlElement, name: XmlName): XmlElement[] => {
  const found: XmlElement[] = []
  const pending: XmlElement[] = [...element.children].reverse()
  for (let node = pending.pop(); node !== undefined; node = pending.pop()) {
    if (isNamed(node, name)) found.push(node)
    for (let i = node.children.length - 1; i >= 0; i--) pending.push(node.children[i]!)
  }
  return found
}

/** An attribute's value, by its namespace ('' for unprefixed attributes) and local name. */
export const attributeOf = (element: XmlElement, localName: string, namespace = ''): string | undefined =>
  element.attributes.find((a) => a.localName === localName && a.namespace === namespace)?.value

/**
 * A QName written in content (`a:FailedAuthentication` in a SOAP fault code), resolved with the
 * prefixes in scope at `element`. Undefined when its prefix is not declared.
 */
export const resolveQName = (element: XmlElement, qname: string): { namespace: string; localName: string } | undefined => {
  const { prefix, localName } = splitName(qname.trim())
  const namespace = element.namespaces[prefix]
  return namespace === undefined && prefix !== '' ? undefined : { namespace: namespace ?? '', localName }
}

/** Escapes text for element content or a quoted attribute value. */
export const escapeXml = (text: string): string =>
  text.replace(/[&<>"']/g, (c) => (c === '&' ? '&amp;' : c === '<' ? '&lt;' : c === '>' ? '&gt;' : c === '"' ? '&quot;' : '&apos;'))
