import { createHash } from 'node:crypto'
import { type Effect } from '@msal-ts/core'
import { SECRET_FORM_FIELDS, bytesToBase64Url, base64UrlToBytes } from '@msal-ts/core/protocol'

/**
 * A transcript: the effects a program asked for, in order, each with the result it was given.
 * JSON all the way down, so it can be committed as a fixture and read in a review.
 */
export interface TranscriptStep {
  /** The effect the program asked for, secrets redacted. */
  readonly effect: Effect
  /** What it was answered, as JSON: bytes as { $bytes: base64url }, undefined as null, secrets redacted. */
  readonly result: unknown
}

export interface Transcript {
  /** The transcript format's version, "msal-ts/transcript@1": parseTranscript refuses another. */
  readonly format: typeof TRANSCRIPT_FORMAT
  /** The scenario's name, for messages and file names. */
  readonly name: string
  /** Every effect but Log and Commit, in the order the program asked, with its answer. */
  readonly steps: readonly TranscriptStep[]
}

export const TRANSCRIPT_FORMAT = 'msal-ts/transcript@1'

export const REDACTED = '<redacted>'

/** Request headers that carry secrets (managed identity sources' too). */
const SECRET_HEADERS = new Set(['authorization', 'proxy-authorization', 'cookie', 'x-identity-header', 'secret'])

/** Headers that describe the machine, not the protocol; ignored when comparing by default. */
export const MACHINE_HEADERS: readonly string[] = ['x-client-os', 'x-client-ver']

const SECRET_FIELDS = new Set(SECRET_FORM_FIELDS)

/**
 * A hash's input may hold secrets (throttling keys hash whole token requests): a transcript keeps
 * only its fingerprint, which a replay compares just as well.
 */
const fingerprint = (data: string): string =>
  data.startsWith('sha256:') ? data : `sha256:${createHash('sha256').update(data, 'utf8').digest('hex')}`

/** The effect with secrets replaced, as it is written to (and compared with) a transcript. */
export const redactEffect = (effect: Effect): Effect => {
  if (effect._tag === 'Sha256') return { _tag: 'Sha256', data: fingerprint(effect.data) }
  // A signed HTTP request's `at` is the access token it presents.
  if (effect._tag === 'SignPop') return { ...effect, payload: { ...effect.payload, ...('at' in effect.payload ? { at: REDACTED } : {}) } }
  if (effect._tag !== 'Http') return effect
  const { request } = effect
  const headers = Object.fromEntries(
    Object.entries(request.headers).map(([name, value]) => [name, SECRET_HEADERS.has(name.toLowerCase()) ? REDACTED : value]),
  )
  const form =
    request.form === undefined
      ? undefined
      : Object.fromEntries(Object.entries(request.form).map(([name, value]) => [name, SECRET_FIELDS.has(name) ? REDACTED : value]))
  const body = request.body === undefined ? undefined : redactPasswordElements(request.body)
  return { _tag: 'Http', request: { ...request, headers, ...(form !== undefined ? { form } : {}), ...(body !== undefined ? { body } : {}) } }
}

/** A WS-Trust request carries the user's password in a (namespaced) Password element. */
const redactPasswordElements = (xml: string): string =>
  xml.replace(/(<(?:[\w.-]+:)?Password\b[^>]*>)[^<]*(<\/(?:[\w.-]+:)?Password>)/g, `$1${REDACTED}$2`)

/** The result as a transcript keeps it: a file's content (an Azure Arc key) is a secret. */
export const redactResult = (effect: Effect, result: unknown): unknown =>
  effect._tag === 'ReadFile' && typeof result === 'object' && result !== null && (result as { _tag?: unknown })._tag === 'FileContent'
    ? { _tag: 'FileContent', text: REDACTED }
    : result

/** Results to JSON: byte arrays become { "$bytes": base64url }. */
export const encodeResult = (result: unknown): unknown =>
  result instanceof Uint8Array ? { $bytes: bytesToBase64Url(result) } : result === undefined ? null : result

/** Effects whose answer may be null itself (a storage key that holds nothing), not "no answer". */
const NULLABLE_RESULTS: ReadonlySet<string> = new Set(['StorageGet'])

/** `tag`, the effect's: JSON has no undefined, so a null answers undefined unless the effect answers null. */
export const decodeResult = (encoded: unknown, tag?: string): unknown => {
  if (typeof encoded === 'object' && encoded !== null && '$bytes' in encoded) {
    return base64UrlToBytes(String((encoded as { $bytes: unknown }).$bytes)) ?? new Uint8Array()
  }
  return encoded === null && !NULLABLE_RESULTS.has(tag ?? '') ? undefined : encoded
}

/** Reads a transcript from parsed JSON, checking its shape so a broken fixture fails clearly. */
export const parseTranscript = (json: unknown): Transcript => {
  const problem = (what: string) => new Error(`not a transcript: ${what}`)
  if (typeof json !== 'object' || json === null) throw problem('expected an object')
  const candidate = json as Partial<Transcript>
  if (candidate.format !== TRANSCRIPT_FORMAT) throw problem(`format must be "${TRANSCRIPT_FORMAT}"`)
  if (!Array.isArray(candidate.steps)) throw problem('steps must be an array')
  candidate.steps.forEach((step, index) => {
    const tag = (step as Partial<TranscriptStep>)?.effect?._tag
    if (typeof tag !== 'string') throw problem(`step ${index + 1} has no effect._tag`)
  })
  return { format: TRANSCRIPT_FORMAT, name: String(candidate.name ?? 'unnamed'), steps: candidate.steps }
}
