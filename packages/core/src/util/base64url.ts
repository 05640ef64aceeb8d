/** base64url (RFC 4648 §5, unpadded) and UTF-8 helpers that need no runtime globals beyond TextEncoder. */
import { base64url } from 'jose'

export const bytesToBase64Url = (bytes: Uint8Array): string => base64url.encode(bytes)

/** Decodes base64url (padding and standard-alphabet characters tolerated). Returns undefined when invalid. */
export const base64UrlToBytes = (text: string): Uint8Array | undefined => {
  const normalised = text.replace(/=+$/, '').replace(/\+/g, '-').replace(/\//g, '_')
  if (!/^[A-Za-z0-9_-]*$/.test(normalised) || normalised.length % 4 === 1) return undefined
  try {
    return base64url.decode(normalised)
  } catch {
    return undefined
  }
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
