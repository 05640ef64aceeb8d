/**
 * The XML reader behind MEX and WS-Trust: namespaces, entities, CDATA, source offsets, and the
 * safety rules (no DOCTYPE or ENTITY, only predefined entities, bounded depth, never a throw).
 */
import * as E from '#fp-ts/Either'
import fc from 'fast-check'
import { attributeOf, childNamed, descendantsNamed, escapeXml, MAX_XML_DEPTH, parseXml, resolveQName, selectAll, type XmlElement } from '@msal-ts/core/protocol'

const parsed = (xml: string): XmlElement => {
  const result = parseXml(xml)
  if (E.isLeft(result)) throw new Error(result.left)
  return result.right
}
const problem = (xml: string): string => {
  const result = parseXml(xml)
  if (E.isRight(result)) throw new Error('expected malformed XML')
  return result.left
}

describe('parseXml: what it reads', () => {
  it('resolves prefixes and default namespaces, scoped to the element that declares them', () => {
    const root = parsed(
      '<?xml version="1.0" encoding="utf-8"?><a:root xmlns:a="urn:a" xmlns="urn:default"><child/><a:child xmlns:a="urn:other"><b:leaf xmlns:b="urn:b" b:x="1" y="2"/></a:child></a:root>',
    )
    expect([root.namespace, root.localName, root.name]).toEqual(['urn:a', 'root', 'a:root'])
    expect(root.children.map((c) => [c.namespace, c.localName])).toEqual([
      ['urn:default', 'child'],
      ['urn:other', 'child'],
    ])
    const leaf = root.children[1]!.children[0]!
    expect(leaf.namespace).toBe('urn:b')
    // Unprefixed attributes are in no namespace; namespace declarations are not attributes.
    expect(leaf.attributes).toEqual([
      { name: 'b:x', localName: 'x', namespace: 'urn:b', value: '1' },
      { name: 'y', localName: 'y', namespace: '', value: '2' },
    ])
    expect(attributeOf(leaf, 'x', 'urn:b')).toBe('1')
    expect(attributeOf(leaf, 'x')).toBeUndefined()
  })

  it('decodes the five predefined entities and character references in text and attributes', () => {
    const root = parsed(`<r a="&lt;&amp;&quot;&apos;&gt; &#65;&#x1F600;">x &lt;y&gt; &amp; &#233;</r>`)
    expect(attributeOf(root, 'a')).toBe(`<&"'> A😀`)
    expect(root.text).toBe('x <y> & é')
  })

  it('reads CDATA verbatim, skips comments and processing instructions', () => {
    const root = parsed('<!-- before --><r><![CDATA[<not> &markup;]]><!-- inside --><?pi data?>tail</r><!-- after -->')
    expect(root.text).toBe('<not> &markup;tail')
    expect(root.children).toEqual([])
  })

  it('normalises whitespace in attribute values, as XML 1.0 requires', () => {
    expect(attributeOf(parsed('<r a="one\ttwo\nthree"/>'), 'a')).toBe('one two three')
  })

  it('remembers where each element is, so a fragment can be taken exactly as sent', () => {
    const source = '<outer xmlns:p="urn:p">\n  <p:inner  p:a = "1" >text<p:x/></p:inner >\n</outer>'
    const inner = parsed(source).children[0]!
    expect(source.slice(inner.start, inner.end)).toBe('<p:inner  p:a = "1" >text<p:x/></p:inner >')
    expect(source.slice(inner.contentStart, inner.contentEnd)).toBe('text<p:x/>')
  })

  it('finds elements by path, by descent and resolves QNames in content', () => {
    const root = parsed('<r xmlns="urn:r"><a><b>1</b><b>2</b></a><a><b>3</b><c xmlns:q="urn:q">q:Value</c></a></r>')
    expect(selectAll(root, [['urn:r', 'a'], ['urn:r', 'b']]).map((b) => b.text)).toEqual(['1', '2', '3'])
    expect(descendantsNamed(root, ['urn:r', 'b']).map((b) => b.text)).toEqual(['1', '2', '3'])
    const c = descendantsNamed(root, ['urn:r', 'c'])[0]!
    expect(resolveQName(c, c.text)).toEqual({ namespace: 'urn:q', localName: 'Value' })
    expect(resolveQName(c, 'nope:Value')).toBeUndefined()
    expect(childNamed(root, ['urn:other', 'a'])).toBeUndefined()
  })

  it('accepts a byte-order mark and whitespace around the root', () => {
    expect(parsed('\uFEFF  <r/>\n').localName).toBe('r')
  })

  it('escapes the five special characters', () => {
    expect(escapeXml(`a&b<c>d"e'f`)).toBe('a&amp;b&lt;c&gt;d&quot;e&apos;f')
  })
})

describe('parseXml: safety', () => {
  it('refuses a DOCTYPE: no external entities (XXE)', () => {
    const xxe = '<?xml version="1.0"?><!DOCTYPE r [<!ENTITY xxe SYSTEM "file:///etc/passwd">]><r>&xxe;</r>'
    expect(problem(xxe)).toMatch(/DOCTYPE declarations are not allowed/)
  })

  it('refuses a DOCTYPE: no entity expansion (billion laughs)', () => {
    const laughs =
      '<!DOCTYPE lolz [<!ENTITY lol "lol"><!ENTITY lol2 "&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;">' +
      '<!ENTITY lol3 "&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;">]><lolz>&lol3;</lolz>'
    expect(problem(laughs)).toMatch(/DOCTYPE declarations are not allowed/)
  })

  it('refuses an ENTITY declaration wherever it appears', () => {
    expect(problem('<r><!ENTITY x "y"></r>')).toMatch(/ENTITY declarations are not allowed/)
  })

  it('refuses entities other than the predefined five', () => {
    expect(problem('<r>&nbsp;</r>')).toMatch(/unknown entity &nbsp;/)
    expect(problem('<r a="&ext;"/>')).toMatch(/unknown entity &ext;/)
    expect(problem('<r>fish & chips</r>')).toMatch(/bare '&'/)
    expect(problem('<r>&#0;</r>')).toMatch(/not a character XML allows/)
    expect(problem('<r>&#xD800;</r>')).toMatch(/not a character XML allows/)
  })

  it('stops at a depth limit without recursion', () => {
    const deep = '<a>'.repeat(MAX_XML_DEPTH + 1) + '</a>'.repeat(MAX_XML_DEPTH + 1)
    expect(problem(deep)).toMatch(/nested deeper than 256/)
    const fine = '<a>'.repeat(MAX_XML_DEPTH) + '</a>'.repeat(MAX_XML_DEPTH)
    expect(E.isRight(parseXml(fine))).toBe(true)
  })

  it.each([
    ['an empty document', '', /no root element/],
    ['only text', 'hello', /text outside the root element/],
    ['an unclosed element', '<a><b></b>', /<a> is never closed/],
    ['a mismatched end tag', '<a><b></a></b>', /<\/a> closes <b>/],
    ['a stray end tag', '<a/></b>', /<\/b> closes nothing/],
    ['two roots', '<a/><b/>', /more than one root element/],
    ['an unquoted attribute', '<a x=1/>', /must be quoted/],
    ['a duplicate attribute', '<a x="1" x="2"/>', /duplicate attribute x/],
    ['attributes without space between', '<a x="1"y="2"/>', /expected whitespace before an attribute/],
    ["'<' in an attribute", '<a x="<"/>', /'<' in the value of x/],
    ['an undeclared prefix', '<p:a/>', /the prefix p is not declared/],
    ['an undeclared attribute prefix', '<a p:x="1"/>', /the prefix p is not declared/],
    ['an unterminated comment', '<a><!-- x</a>', /unterminated comment/],
    ['an unterminated CDATA section', '<a><![CDATA[x</a>', /unterminated CDATA section/],
    ['a truncated start tag', '<a x="1"', /not closed with '>'/],
    ['other markup declarations', '<a><!ELEMENT a ANY></a>', /unexpected markup '<!ELEMENT'/],
  ])('reports %s clearly, with its position', (_, xml, expected) => {
    const message = problem(xml)
    expect(message).toMatch(expected)
    expect(message).toMatch(/^malformed XML: .* \(line \d+, column \d+\)$/)
  })

  it('never throws, whatever the input (property)', () => {
    const pieces = fc.constantFrom('<a>', '</a>', '<b x="1">', '</b>', '<p:c/>', '&amp;', '&', '<!DOCTYPE', '<![CDATA[', ']]>', '<!--', '-->', '<?', '?>', 'text', '"', '=', ' ')
    fc.assert(
      fc.property(fc.array(fc.oneof(pieces, fc.string()), { maxLength: 30 }), (parts) => {
        const result = parseXml(parts.join(''))
        return E.isLeft(result) ? result.left.startsWith('malformed XML: ') : typeof result.right.localName === 'string'
      }),
    )
  })
})
