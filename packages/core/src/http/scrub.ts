/**
 * Errors scrubbed by value. Pattern-based redaction (redactSecretsIn) misses a secret a server
 * puts anywhere unexpected: after `>` in an HTML page, bare, or echoed back from the request
 * form into `error_description`. But the library knows exactly which secrets it sent: the
 * client secret, the assertion, the refresh token, the password, the codes. Every error made
 * from the answer to a request has each of those values taken out of its text, in every
 * encoding the answer may carry them in.
 */
import type { HttpRequest } from '../effects/effect.js'
import { withFields, type MsalError } from '../errors.js'
import { SECRET_FORM_FIELDS } from '../protocol/clientAuth.js'
import { base64UrlToBytes, utf8Decode } from '../util/base64url.js'
import { REDACTED_SECRET } from '../util/redact.js'

/**
 * Shorter values are not scrubbed: taking every "abc" out of a message would destroy it, and a
 * secret that short protects nothing.
 */
export const MIN_SCRUBBED_LENGTH = 4

const formDecode = (text: string): string | undefined => {
  try {
    return decodeURIComponent(text.replace(/\+/g, ' '))
  } catch {
    return undefined
  }
}

/** The secrets in a Basic Authorization header: the whole header value, and the password it encodes. */
const basicSecrets = (header: string | undefined): string[] => {
  if (header === undefined) return []
  const match = /^\s*Basic\s+(\S+)\s*$/i.exec(header)
  const bytes = match === null ? undefined : base64UrlToBytes(match[1]!)
  const decoded = bytes === undefined ? undefined : utf8Decode(bytes)
  const colon = decoded?.indexOf(':') ?? -1
  const password = decoded === undefined || colon < 0 ? undefined : decoded.slice(colon + 1)
  return [header.replace(/^\s*\S+\s+/, ''), ...(password === undefined ? [] : [password, formDecode(password) ?? password])]
}

/**
 * The secret values a request carried: its secret form fields, its Authorization header (and the
 * password in a Basic one), and `extra` values the caller knows it put in a body (a WS-Trust
 * password). Values shorter than MIN_SCRUBBED_LENGTH are left out.
 */
export const secretsSentIn = (request: HttpRequest, extra: readonly (string | undefined)[] = []): string[] => {
  const values: Array<string | undefined> = [...extra]
  const form = request.form ?? {}
  for (const field of SECRET_FORM_FIELDS) values.push(form[field])
  for (const [name, value] of Object.entries(request.headers)) if (name.toLowerCase() === 'authorization') values.push(...basicSecrets(value))
  return [...new Set(values.filter((value): value is string => typeof value === 'string' && value.length >= MIN_SCRUBBED_LENGTH))]
}

const XML_ESCAPES: Readonly<Record<string, string>> = { '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&apos;' }

/** The ways a value may appear in an answer: as sent, JSON-escaped, URL- and form-encoded, XML-escaped. */
const spellingsOf = (secret: string): string[] => {
  const encoded = encodeURIComponent(secret)
  return [
    ...new Set([
      secret,
      JSON.stringify(secret).slice(1, -1),
      JSON.stringify(secret).slice(1, -1).replace(/\//g, '\\/'),
      encoded,
      encoded.replace(/%20/g, '+'),
      secret.replace(/[&<>"']/g, (c) => XML_ESCAPES[c]!),
      secret.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`),
    ]),
  ].filter((spelling) => spelling.length >= MIN_SCRUBBED_LENGTH)
}

/** `text` with every spelling of every secret replaced by `<redacted>`. */
export const scrubSecrets = (text: string, secrets: readonly string[]): string => {
  let scrubbed = text
  for (const secret of secrets) for (const spelling of spellingsOf(secret)) if (scrubbed.includes(spelling)) scrubbed = scrubbed.split(spelling).join(REDACTED_SECRET)
  return scrubbed
}


/**
 * The error with every secret value taken out of its text (see secretsSentIn), or the error
 * itself when none is there: errors are returned to callers and end up in their logs.
 */
export const withoutSecrets = <T extends MsalError>(error: T, secrets: readonly string[]): T => {
  if (secrets.length === 0) return error
  const fields: Record<string, string> = {}
  const own = error as unknown as Record<string, unknown>
  // Every text field (a server's answer reaches most, and a classification repeats a suberror), the message and the stack.
  for (const name of Object.getOwnPropertyNames(error)) {
    const value = own[name]
    if (typeof value !== 'string') continue
    const scrubbed = scrubSecrets(value, secrets)
    if (scrubbed !== value) fields[name] = scrubbed
  }
  const descriptions = own['errorAdditionalInfo']
  if (Array.isArray(descriptions)) {
    const scrubbed = descriptions.map((entry: unknown) => (typeof entry === 'string' ? scrubSecrets(entry, secrets) : entry))
    if (scrubbed.some((entry, i) => entry !== descriptions[i])) (fields as Record<string, unknown>)['errorAdditionalInfo'] = scrubbed
  }
  return Object.keys(fields).length === 0 ? error : withFields(error, fields as Partial<Omit<T, 'kind'>>)
}

/** `withoutSecrets` for the secrets `request` carried (and `extra` ones): for errors made from its answer. */
export const withoutSecretsSentIn = <T extends MsalError>(error: T, request: HttpRequest, extra: readonly (string | undefined)[] = []): T =>
  withoutSecrets(error, secretsSentIn(request, extra))
