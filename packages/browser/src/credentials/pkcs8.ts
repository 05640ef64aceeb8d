/**
 * A PKCS#8 PEM private key read far enough to refuse a wrong one when the application is made:
 * WebCrypto only imports keys asynchronously, and a constructor cannot wait. The key itself is
 * imported by WebCrypto at the first signature (see signingKey.ts), which checks it again.
 */
import { base64UrlToBytes, bytesToHex, notAPrivateKeyProblem, signingKeyProblem } from '@msal-ts/core/protocol'

/** A PKCS#8 key the web runtimes can sign with: its PEM (for WebCrypto through jose) and modulus size. */
export interface Pkcs8RsaKey {
  /** The key as PKCS#8 PEM (RFC 5208; RFC 7468 §10 "PRIVATE KEY"), unencrypted. */
  readonly pem: string
  /** The RSA modulus's size in bits. */
  readonly modulusBits: number
}

const PKCS8_BLOCK = /-----BEGIN PRIVATE KEY-----([A-Za-z0-9+/=\s]+)-----END PRIVATE KEY-----/

const TO_PKCS8 = 'openssl pkcs8 -topk8 -nocrypt -in key.pem -out key.pkcs8.pem'

/** What to do with a PEM private key block web runtimes do not read. */
const unsupportedBlockProblem = (text: string): string | undefined => {
  if (/-----BEGIN ENCRYPTED PRIVATE KEY-----/.test(text) || /Proc-Type:\s*4,ENCRYPTED/.test(text)) {
    return `the private key is encrypted, and web runtimes read no encrypted keys: decrypt it to PKCS#8 once (${TO_PKCS8}) and keep it in a secret store`
  }
  if (/-----BEGIN RSA PRIVATE KEY-----/.test(text)) return `this is a PKCS#1 key (BEGIN RSA PRIVATE KEY), which WebCrypto cannot import: convert it to PKCS#8 (${TO_PKCS8})`
  if (!PKCS8_BLOCK.test(text)) return 'expected an RSA private key in PKCS#8 PEM (-----BEGIN PRIVATE KEY-----)'
  return undefined
}

interface Tlv {
  readonly tag: number
  /** Where the value starts and ends. */
  readonly start: number
  readonly end: number
}

/** One DER tag-length-value at `offset` (definite lengths of up to 4 bytes), or undefined when it does not fit. */
const tlvAt = (der: Uint8Array, offset: number, limit: number): Tlv | undefined => {
  if (offset + 2 > limit) return undefined
  const tag = der[offset]!
  let length = der[offset + 1]!
  let start = offset + 2
  if (length & 0x80) {
    const octets = length & 0x7f
    if (octets === 0 || octets > 4 || start + octets > limit) return undefined
    length = 0
    for (let i = 0; i < octets; i++) length = length * 256 + der[start++]!
  }
  return start + length <= limit ? { tag, start, end: start + length } : undefined
}

/** The values inside a constructed TLV, in order. */
const childrenOf = (der: Uint8Array, parent: Tlv): Tlv[] | undefined => {
  const children: Tlv[] = []
  for (let offset = parent.start; offset < parent.end; ) {
    const child = tlvAt(der, offset, parent.end)
    if (child === undefined) return undefined
    children.push(child)
    offset = child.end
  }
  return children
}

const SEQUENCE = 0x30
const INTEGER = 0x02
const OCTET_STRING = 0x04
const OID = 0x06

/** Key algorithms by their OID's DER bytes (hex), named as Node names key types. */
const KEY_TYPES = new Map([
  ['2a864886f70d010101', 'rsa'],
  ['2a864886f70d01010a', 'rsa-pss'],
  ['2a8648ce3d0201', 'ec'],
  ['2b6570', 'ed25519'],
  ['2b6571', 'ed448'],
])

/** The significant bits of a DER INTEGER's (unsigned) value. */
const bitLength = (der: Uint8Array, integer: Tlv): number => {
  let start = integer.start
  while (start < integer.end && der[start] === 0) start++
  if (start === integer.end) return 0
  return (integer.end - start - 1) * 8 + (32 - Math.clz32(der[start]!))
}

/**
 * PKCS#8's PrivateKeyInfo (RFC 5208 §5): SEQUENCE { version, AlgorithmIdentifier { OID, ... },
 * OCTET STRING privateKey }, and for RSA the privateKey's RSAPrivateKey (RFC 8017 §A.1.2):
 * SEQUENCE { version, modulus, ... }. Answers the key type and the modulus's size.
 */
const describeKey = (der: Uint8Array): { readonly type: string | undefined; readonly modulusBits?: number } | undefined => {
  const outer = tlvAt(der, 0, der.length)
  const info = outer?.tag === SEQUENCE ? childrenOf(der, outer) : undefined
  const algorithm = info?.[1]?.tag === SEQUENCE ? childrenOf(der, info[1]) : undefined
  if (info === undefined || info.length < 3 || info[0]!.tag !== INTEGER || algorithm?.[0]?.tag !== OID || info[2]!.tag !== OCTET_STRING) return undefined
  const type = KEY_TYPES.get(bytesToHex(der.subarray(algorithm[0].start, algorithm[0].end)))
  if (type !== 'rsa') return { type }
  const rsa = tlvAt(der, info[2]!.start, info[2]!.end)
  const fields = rsa?.tag === SEQUENCE ? childrenOf(der, rsa) : undefined
  if (fields === undefined || fields.length < 2 || fields[1]!.tag !== INTEGER) return undefined
  return { type, modulusBits: bitLength(der, fields[1]!) }
}

/**
 * An unencrypted PKCS#8 PEM RSA private key of at least 2048 bits, or why not: an encrypted or
 * PKCS#1 key is refused with the openssl command that converts it. The message never holds the key.
 */
export const readPkcs8RsaKey = (pem: string | Uint8Array): { readonly ok: Pkcs8RsaKey } | { readonly problem: string } => {
  const text = typeof pem === 'string' ? pem : new TextDecoder().decode(pem)
  const problem = notAPrivateKeyProblem(text) ?? unsupportedBlockProblem(text)
  if (problem !== undefined) return { problem }
  const body = PKCS8_BLOCK.exec(text)![1]!.replace(/\s+/g, '')
  const der = base64UrlToBytes(body)
  const key = der === undefined ? undefined : describeKey(der)
  if (key === undefined) return { problem: 'the PRIVATE KEY block is not a PKCS#8 key (its base64 or DER is damaged)' }
  const unusable = signingKeyProblem(key.type, key.modulusBits)
  return unusable !== undefined ? { problem: unusable } : { ok: { pem: `-----BEGIN PRIVATE KEY-----\n${body}\n-----END PRIVATE KEY-----`, modulusBits: key.modulusBits! } }
}
