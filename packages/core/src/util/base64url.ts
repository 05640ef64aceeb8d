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
  // A character table, four characters at a time, not regular expressions and a map: every token
  // response's ID token and client_info are decoded as they are filed.
  let end = text.length
  while (end > 0 && text.charCodeAt(end - 1) === 61) end-- // trailing "=" padding
  if (end % 4 === 1) return undefined
  const out = new Uint8Array(Math.floor((end * 3) / 4))
  let at = 0
  let i = 0
  for (; i + 4 <= end; i += 4) {
    const a = sixBits(text, i)
    const b = sixBits(text, i + 1)
    const c = sixBits(text, i + 2)
    const d = sixBits(text, i + 3)
    if (((a | b | c | d) & INVALID) !== 0) return undefined
    const n = (a << 18) | (b << 12) | (c << 6) | d
    out[at++] = n >> 16
    out[at++] = (n >> 8) & 255
    out[at++] = n & 255
  }
  // The last two or three characters: one or two bytes.
  if (i < end) {
    const a = sixBits(text, i)
    const b = sixBits(text, i + 1)
    const c = i + 2 < end ? sixBits(text, i + 2) : 0
    if (((a | b | c) & INVALID) !== 0) return undefined
    const n = (a << 18) | (b << 12) | (c << 6)
    out[at++] = n >> 16
    if (i + 2 < end) out[at++] = (n >> 8) & 255
  }
  return out
}

/** A character's 6-bit value, or INVALID. */
const sixBits = (text: string, i: number): number => {
  const code = text.charCodeAt(i)
  return code < 128 ? VALUE[code]! : INVALID
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
