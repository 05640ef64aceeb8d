/** A client id and secret from HTTP Basic authentication. */
export interface BasicCredentials {
  readonly clientId: string
  readonly secret: string
}

/** Form-urlencoding's decoding ('+' is a space), which RFC 6749 §2.3.1 applies to both halves. */
const formDecode = (text: string): string => decodeURIComponent(text.replace(/\+/g, ' '))

/**
 * Reads `Authorization: Basic base64(urlencode(client_id) ":" urlencode(secret))` (RFC 6749
 * §2.3.1, client_secret_basic). `undefined` when the request has no Basic authorization;
 * 'malformed' when it has one that does not decode to an id and a secret.
 */
export const basicCredentialsOf = (headers: Readonly<Record<string, string>>): BasicCredentials | 'malformed' | undefined => {
  const authorization = headers['authorization']
  const match = authorization === undefined ? null : /^Basic\s+(?<encoded>\S*)\s*$/i.exec(authorization)
  if (match === null) return undefined
  const encoded = match.groups!['encoded']!
  if (!/^[A-Za-z0-9+/]+={0,2}$/.test(encoded)) return 'malformed'
  const decoded = Buffer.from(encoded, 'base64').toString('utf8')
  const colon = decoded.indexOf(':')
  if (colon <= 0) return 'malformed'
  try {
    return { clientId: formDecode(decoded.slice(0, colon)), secret: formDecode(decoded.slice(colon + 1)) }
  } catch {
    return 'malformed' // a stray '%'
  }
}
