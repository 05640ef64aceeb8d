/**
 * base64url (RFC 4648 §5, unpadded) and UTF-8 helpers that need no runtime globals beyond
 * TextEncoder. Written out (a table each way) rather than taken from jose: a browser bundle then
 * carries 300 bytes instead of jose's buffer utilities.
 */
const ALPHABET = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_'
/** A flag above any 6-bit value: set in a table entry for a character that is not base64. */
const INVALID = 256
/** Each character code's 6-bit value (the standard alphabet's + and / too); INVALID for any other character. */
const VALUE = ((): Uint16Array => {
  const table = new Uint16Array(128).fill(INVALID)
  for (let i = 0; i < ALPHABET.length; i++) table[ALPHABET.charCodeAt(i)] = i
  table[43] = 62 // +
  table[47] = 63 // /
  return table
})()

export const bytesToBase64Url = (bytes: Uint8Array): string => {
  let out = ''
  for (let i = 0; i < bytes.length; i += 3) {
    const n = (bytes[i]! << 16) | ((bytes[i + 1] ?? 0) << 8) | (bytes[i + 2] ?? 0)
    out += ALPHABET[(n >> 18) & 63]! + ALPHABET[(n >> 12) & 63]!
    if (i + 1 < bytes.length) out += ALPHABET[(n >> 6) & 63]!
    if (i + 2 < bytes.length) out += ALPHABET[n & 63]!
  }
  return out
}

/** Decodes base64url (padding and standard-alphabet characters tolerated). Returns undefined when invalid. */
export const base64UrlToBytes = (text: string): Uint8Array | undefined => {
  const out = new Uint8Array(decodedLength(text))
  return decodeInto(text, out) === undefined ? undefined : out
}

/**
 * base64url text's UTF-8 content (a JWT's payload, client_info), or undefined when either
 * layer is invalid. Decoded through one reused buffer: a typed array over 64 bytes costs
 * microseconds to make (its memory lives outside V8's heap), and every filed token response
 * decodes its ID token and client_info.
 */
export const base64UrlToText = (text: string): string | undefined => {
  const length = decodedLength(text)
  if (scratch.length < length) scratch = new Uint8Array(Math.max(length, 2 * scratch.length))
  const end = decodeInto(text, scratch)
  return end === undefined ? undefined : utf8Decode(scratch.subarray(0, end))
}

let scratch = new Uint8Array(1024)

/** How many bytes base64url text decodes to (when it is valid). */
const decodedLength = (text: string): number => Math.floor((unpaddedLength(text) * 3) / 4)

/** The text's length without trailing "=" padding. */
const unpaddedLength = (text: string): number => {
  let end = text.length
  while (end > 0 && text.charCodeAt(end - 1) === 61) end--
  return end
}

/** Decodes base64url into `out` (large enough: decodedLength); the bytes written, or undefined when invalid. */
const decodeInto = (text: string, out: Uint8Array): number | undefined => {
  // A character table, four characters at a time, not regular expressions and a map: every token
  // response's ID token and client_info are decoded as they are filed.
  const end = unpaddedLength(text)
  if (end % 4 === 1) return undefined
  const table = VALUE
  let at = 0
  let i = 0
  for (; i + 4 <= end; i += 4) {
    const c0 = text.charCodeAt(i)
    const c1 = text.charCodeAt(i + 1)
    const c2 = text.charCodeAt(i + 2)
    const c3 = text.charCodeAt(i + 3)
    if ((c0 | c1 | c2 | c3) > 127) return undefined
    const a = table[c0]!
    const b = table[c1]!
    const c = table[c2]!
    const d = table[c3]!
    if (((a | b | c | d) & INVALID) !== 0) return undefined
    const n = (a << 18) | (b << 12) | (c << 6) | d
    out[at++] = n >> 16
    out[at++] = (n >> 8) & 255
    out[at++] = n & 255
  }
  // The last two or three characters: one or two bytes.
  if (i < end) {
    const c0 = text.charCodeAt(i)
    const c1 = text.charCodeAt(i + 1)
    const c2 = i + 2 < end ? text.charCodeAt(i + 2) : 65 // "A": no bits
    if ((c0 | c1 | c2) > 127) return undefined
    const a = table[c0]!
    const b = table[c1]!
    const c = table[c2]!
    if (((a | b | c) & INVALID) !== 0) return undefined
    const n = (a << 18) | (b << 12) | (c << 6)
    out[at++] = n >> 16
    if (i + 2 < end) out[at++] = (n >> 8) & 255
  }
  return at
}

const encoder = new TextEncoder()
const decoder = new TextDecoder('utf-8', { fatal: true })

export const utf8Encode = (text: string): Uint8Array => encoder.encode(text)

/** Returns undefined for bytes that are not valid UTF-8. */
export const utf8Decode = (bytes: Uint8Array): string | undefined => {
  try {
    return decoder.decode(bytes)
  } catch {
    return undefined
  }
}

export const HEX: readonly string[] = Array.from({ length: 256 }, (_, byte) => byte.toString(16).padStart(2, '0'))

/** Lower-case hex. A lookup table: correlation ids are made on every call, cache hits included. */
export const bytesToHex = (bytes: Uint8Array): string => {
  let hex = ''
  for (let i = 0; i < bytes.length; i++) hex += HEX[bytes[i]!]
  return hex
}
