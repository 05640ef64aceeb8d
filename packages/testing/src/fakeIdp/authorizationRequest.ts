import { errorPage, replyError, type AuthorizationOutcome, type ReplyTo, type ResponseMode } from './authorizationResponses.js'
import type { ErrorContext } from './entraErrors.js'
import { isChallengeMethod, isWellFormedChallenge, type ChallengeMethod } from './pkce.js'
import { defaultRedirectUri, isRegisteredRedirectUri, redirectPlatformOf, type RedirectPlatform } from './redirectUris.js'
import { parseScopes } from './scopes.js'
import type { IdpRequest, RegisteredApp } from './types.js'

export type Prompt = 'login' | 'none' | 'consent' | 'select_account' | 'create'

const PROMPTS: ReadonlySet<string> = new Set<Prompt>(['login', 'none', 'consent', 'select_account', 'create'])
const RESPONSE_MODES: ReadonlySet<string> = new Set<ResponseMode>(['query', 'fragment', 'form_post'])

/** A valid authorization request (`GET /{tenant}/oauth2/v2.0/authorize`), as `onAuthorize` rules see it. */
export interface AuthorizeRequest {
  /** The request's URL, a form POST's parameters moved into its query. */
  readonly url: URL
  /** The tenant the request was sent to ('common', a domain name or an id). */
  readonly tenant: string
  /** client_id (RFC 6749 §4.1.1) as registered (the registration's spelling). */
  readonly clientId: string
  /** Where the response goes: the redirect URI asked for, or the app's first registered one. */
  readonly redirectUri: string
  /** Whether the request named the redirect URI (redemption must then name the same). */
  readonly redirectUriAsked: boolean
  /** The platform the app registered the redirect URI under: a single-page application's codes are redeemed cross-origin only. */
  readonly redirectPlatform: RedirectPlatform
  /** response_mode (OAuth 2.0 Multiple Response Type Encoding Practices §2.1); "query" when the request named none. */
  readonly responseMode: ResponseMode
  /** scope (RFC 6749 §3.3), split on spaces. */
  readonly scopes: readonly string[]
  /** state (RFC 6749 §4.1.1), echoed in the response. */
  readonly state: string | undefined
  /** nonce (OpenID Connect Core 1.0 §3.1.2.1), copied into the ID token. */
  readonly nonce: string | undefined
  /** prompt (OpenID Connect Core 1.0 §3.1.2.1), one Entra accepts. */
  readonly prompt: Prompt | undefined
  /** login_hint (OpenID Connect Core 1.0 §3.1.2.1). */
  readonly loginHint: string | undefined
  /** domain_hint (Entra). */
  readonly domainHint: string | undefined
  /** claims (OpenID Connect Core 1.0 §5.5), valid JSON text. */
  readonly claims: string | undefined
  /** Seconds. */
  readonly maxAge: number | undefined
  /** The PKCE challenge, when the request sent one. */
  readonly codeChallenge: string | undefined
  /** How the challenge was made from the verifier (plain when the request named no method). */
  readonly codeChallengeMethod: ChallengeMethod | undefined
  /** `client_info=1`: the response carries the user's client_info, as the token response does. */
  readonly clientInfo: boolean
}

type Parsed = { readonly request: AuthorizeRequest } | { readonly outcome: AuthorizationOutcome }

/** Entra takes the authorization request as a GET or as a form POST: a posted one reads as if its parameters were in the query. */
export const authorizeUrlOf = (request: IdpRequest): URL => {
  const url = new URL(request.url)
  for (const [name, value] of Object.entries(request.form)) url.searchParams.set(name, value)
  return url
}

const MISSING = (name: string): string => `The request body must contain the following parameter: '${name}'.`

/**
 * Checks an authorization request in Entra's order. Until the app and its redirect URI are
 * known to belong together, errors are an error page (never a redirect: that would make the
 * endpoint an open redirector); after, they go back to the redirect URI.
 */
export const parseAuthorizeRequest = (url: URL, tenant: string, apps: ReadonlyMap<string, RegisteredApp>, ctx: ErrorContext): Parsed => {
  const param = (name: string): string | undefined => url.searchParams.get(name) ?? undefined
  const clientId = param('client_id')
  if (clientId === undefined || clientId === '') return { outcome: errorPage(400, 900144, MISSING('client_id'), ctx) }
  const app = apps.get(clientId.toLowerCase())
  if (app === undefined) {
    return {
      outcome: errorPage(400, 700016, `Application with identifier '${clientId}' was not found in the directory '${tenant}'. This can happen if the application has not been installed by the administrator of the tenant or consented to by any user in the tenant. You may have sent your authentication request to the wrong tenant.`, ctx),
    }
  }
  const asked = param('redirect_uri')
  if (asked !== undefined && !isRegisteredRedirectUri(app, asked)) {
    return {
      outcome: errorPage(400, 50011, `The redirect URI '${asked}' specified in the request does not match the redirect URIs configured for the application '${clientId}'. Make sure the redirect URI sent in the request matches one added to your application in the Azure portal. Navigate to https://aka.ms/redirectUriMismatchError to learn more about how to fix this.`, ctx),
    }
  }
  const redirectUri = asked ?? defaultRedirectUri(app)
  if (redirectUri === undefined) return { outcome: errorPage(400, 500113, 'No reply address is registered for the application.', ctx) }

  // From here on the redirect URI is trusted: errors go back to the app.
  const state = param('state')
  const mode = param('response_mode') ?? 'query'
  const to: ReplyTo = { redirectUri, responseMode: RESPONSE_MODES.has(mode) ? (mode as ResponseMode) : 'query', state }
  const refuse = (error: string, code: number, text: string): Parsed => ({ outcome: replyError(to, error, code, text, ctx) })
  if (!RESPONSE_MODES.has(mode)) return refuse('invalid_request', 90023, `The provided value for the input parameter 'response_mode' is not valid: '${mode}'.`)

  const responseType = param('response_type')
  if (responseType === undefined || responseType === '') return refuse('invalid_request', 900144, MISSING('response_type'))
  const types = responseType.split(' ')
  if (types.includes('token')) return refuse('unsupported_response_type', 700051, "response_type 'token' is not enabled for the application.")
  if (types.includes('id_token')) return refuse('unsupported_response_type', 700054, "response_type 'id_token' is not enabled for the application.")
  if (responseType !== 'code') return refuse('unsupported_response_type', 70005, `response_type '${responseType}' is not supported.`)

  const scopes = parseScopes(param('scope'))
  if (scopes.length === 0) return refuse('invalid_request', 900144, MISSING('scope'))

  const codeChallenge = param('code_challenge')
  // RFC 7636: a challenge that names no method is plain.
  const method = param('code_challenge_method') ?? 'plain'
  const codeChallengeMethod = codeChallenge !== undefined && isChallengeMethod(method) ? method : undefined
  if (codeChallenge !== undefined) {
    if (codeChallengeMethod === undefined) return refuse('invalid_request', 50149, 'Invalid Code_Challenge_method parameter.')
    if (!isWellFormedChallenge(codeChallenge, codeChallengeMethod)) return refuse('invalid_request', 501491, 'Invalid size of Code_Challenge parameter.')
  }

  const prompt = param('prompt')
  if (prompt !== undefined && !PROMPTS.has(prompt)) return refuse('invalid_request', 90023, `Unsupported 'prompt' value: '${prompt}'.`)
  const maxAge = param('max_age')
  if (maxAge !== undefined && !/^\d+$/.test(maxAge)) return refuse('invalid_request', 90023, `The provided value for the input parameter 'max_age' is not valid: '${maxAge}'.`)
  const claims = param('claims')
  if (claims !== undefined && !isJson(claims)) return refuse('invalid_request', 90014, "The request parameter 'claims' is not valid JSON.")

  return {
    request: {
      url,
      tenant,
      clientId: app.clientId,
      redirectUri,
      redirectUriAsked: asked !== undefined,
      redirectPlatform: redirectPlatformOf(app, redirectUri) ?? 'web',
      responseMode: to.responseMode,
      scopes,
      state,
      nonce: param('nonce'),
      prompt: prompt as Prompt | undefined,
      loginHint: param('login_hint'),
      domainHint: param('domain_hint'),
      claims,
      maxAge: maxAge === undefined ? undefined : Number(maxAge),
      codeChallenge,
      codeChallengeMethod,
      clientInfo: param('client_info') === '1',
    },
  }
}

const isJson = (text: string): boolean => {
  try {
    JSON.parse(text)
    return true
  } catch {
    return false
  }
}
