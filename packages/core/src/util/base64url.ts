/**
 * base64url (RFC 4648 §5, unpadded) and UTF-8 helpers that need no runtime globals beyond
 * TextEncoder. Written out (a table each way) rather than taken from jose: a browser bundle then
 * carries 300 bytes instead of jose's buffer utilities.
 */
const ALPHABET = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_'
const VALUE = new Map([...ALPHABET].map((char, index) => [char, index]))

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
  const normalised = text.replace(/=+$/, '').replace(/\+/g, '-').replace(/\//g, '_')
  if (!/^[A-Za-z0-9_-]*$/.test(normalised) || normalised.length % 4 === 1) return undefined
  const out = new Uint8Array(Math.floor((normalised.length * 3) / 4))
  let bits = 0
  let value = 0
  let at = 0
  for (const char of normalised) {
    value = (value << 6) | VALUE.get(char)!
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
