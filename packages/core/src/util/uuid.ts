import { HEX } from './base64url.js'

/** Each byte's two lower-case hex digits, as character codes. */
const HEX_CODES: readonly (readonly [number, number])[] = HEX.map((pair) => [pair.charCodeAt(0), pair.charCodeAt(1)] as const)
/** Where the 16 bytes' digits go in "xxxxxxxx-xxxx-4xxx-yxxx-xxxxxxxxxxxx". */
const OFFSETS = [0, 2, 4, 6, 9, 11, 14, 16, 19, 21, 24, 26, 28, 30, 32, 34]
const DASH = 45
const decoder = new TextDecoder()
/** The characters being written: one buffer, reused (decoding copies them out; nothing runs in between). */
const CHARS = new Uint8Array(36)
CHARS[8] = CHARS[13] = CHARS[18] = CHARS[23] = DASH

/**
 * Formats 16 random bytes as an RFC 9562 version-4 UUID (the correlation id format). It runs on
 * every call, cache hits included, so it writes the characters into one buffer and decodes it
 * once: one flat string, where joining 20 pieces would leave 20 string objects to collect.
 */
export const uuidFromBytes = (bytes: Uint8Array): string => {
  const chars = CHARS
  for (let i = 0; i < 16; i++) {
    let byte = bytes[i] ?? 0
    if (i === 6) byte = (byte & 0x0f) | 0x40 // version 4
    else if (i === 8) byte = (byte & 0x3f) | 0x80 // variant 10
    const [high, low] = HEX_CODES[byte]!
    chars[OFFSETS[i]!] = high
    chars[OFFSETS[i]! + 1] = low
  }
  return decoder.decode(chars)
}
