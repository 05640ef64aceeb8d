import { bytesToBase64Url } from '../util/base64url.js'

/**
 * A certificate thumbprint as the portal and `openssl x509 -fingerprint` show it (hex; colons and
 * spaces tolerated) as JOSE's `x5t` / `x5t#S256` carry it: base64url of the raw digest.
 * Undefined when it is not `bytes` bytes of hex (20 for SHA-1, 32 for SHA-256).
 */
export const hexThumbprintToBase64Url = (hex: string, bytes: number): string | undefined => {
  const clean = hex.replace(/[\s:]/g, '')
  if (!new RegExp(`^[0-9a-fA-F]{${bytes * 2}}$`).test(clean)) return undefined
  const raw = new Uint8Array(bytes)
  for (let i = 0; i < bytes; i++) raw[i] = parseInt(clean.slice(i * 2, i * 2 + 2), 16)
  return bytesToBase64Url(raw)
}
