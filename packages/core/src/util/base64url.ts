/**
 * base64url (RFC 4648 §5, unpadded) and UTF-8 helpers that need no runtime globals beyond
 * TextEncoder. Written out (a table each way) rather than taken from jose: a browser bundle then
 * carries 300 bytes instead of jose's buffer utilities.
 */
const ALPHABET = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_'
/** Each character code's 6-bit value (the standard alphabet's + and / too); -1 for any other character. */
const VALUE = ((): Int8Array => {
  const table = new Int8Array(128).fill(-1)
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
  // A character table, not regular expressions and a map: every token response's ID token and
  // client_info are decoded as they are filed.
  let end = text.length
  while (end > 0 && text.charCodeAt(end - 1) === 61) end-- // trailing "=" padding
  if (end % 4 === 1) return undefined
  const out = new Uint8Array(Math.floor((end * 3) / 4))
  let bits = 0
  let value = 0
  let at = 0
  for (let i = 0; i < end; i++) {
    const code = text.charCodeAt(i)
    const six = code < 128 ? VALUE[code]! : -1
    if (six < 0) return undefined
    value = ((value << 6) | six) & 0xffff
    bits += 6
    if (bits >= 8) {
      bits -= 8
      out[at++] = (value >> bits) & 255
    }
  }
  return out
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
