import { HEX } from './base64url.js'

/**
 * Formats 16 random bytes as an RFC 9562 version-4 UUID (the correlation id format). It runs on
 * every call, cache hits included, so it reads the hex table directly and copies nothing.
 */
export const uuidFromBytes = (bytes: Uint8Array): string => {
  const h = (i: number): string => HEX[bytes[i] ?? 0]!
  return (
    h(0) + h(1) + h(2) + h(3) + '-' +
    h(4) + h(5) + '-' +
    HEX[((bytes[6] ?? 0) & 0x0f) | 0x40]! + h(7) + '-' +
    HEX[((bytes[8] ?? 0) & 0x3f) | 0x80]! + h(9) + '-' +
    h(10) + h(11) + h(12) + h(13) + h(14) + h(15)
  )
}
