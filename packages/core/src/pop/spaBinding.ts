import * as E from '../util/either.js'
import { usageError, type UsageError } from '../errors.js'
import type { SpaRequest } from '../flows/browser/request.js'
import type { PrepareBinding } from './binding.js'
import { resourceUrlProblem } from './popAuthScheme.js'
import { preparerOf, type TokenBinding } from './tokenBinding.js'

const text = (value: unknown): value is string => typeof value === 'string' && value !== ''

/** An HTTP method's name (RFC 9110 §9.1: a token). */
const METHOD = /^[A-Za-z]+$/

/**
 * The binding msal-browser's request fields ask for (undefined: a bearer token), or a
 * UsageError naming the field, with msal-browser's messages for SSH.
 */
export const spaBindingOf = (request: SpaRequest): E.Either<UsageError, TokenBinding | undefined> => {
  const scheme = request.authenticationScheme
  if (scheme === undefined || scheme === 'Bearer') return E.right(undefined)
  if (scheme === 'pop') {
    const method = request.resourceRequestMethod
    const url = request.resourceRequestUri
    if (!text(method) || !METHOD.test(method)) return E.left(usageError('resourceRequestMethod', "a proof-of-possession token needs the resource request's HTTP method, such as GET"))
    if (!text(url)) return E.left(usageError('resourceRequestUri', "a proof-of-possession token needs the resource's absolute URL"))
    const problem = resourceUrlProblem(url)
    if (problem !== undefined) return E.left(usageError('resourceRequestUri', problem))
    for (const name of ['shrNonce', 'shrClaims'] as const) {
      if (request[name] !== undefined && typeof request[name] !== 'string') return E.left(usageError(name, `expected a string, got ${typeof request[name]}`))
    }
    return E.right({ _tag: 'Pop', request: { httpMethod: method.toUpperCase(), url, nonce: request.shrNonce, clientClaims: request.shrClaims } })
  }
  if (scheme === 'ssh-cert') {
    if (!text(request.sshJwk)) return E.left(usageError('sshJwk', 'Missing sshJwk in SSH certificate request. A stringified JSON Web Key is required when using the SSH authentication scheme.'))
    if (!text(request.sshKid)) return E.left(usageError('sshKid', 'Missing sshKid in SSH certificate request. A string that uniquely identifies the public SSH key is required when using the SSH authentication scheme.'))
    return E.right({ _tag: 'Data', data: { tokenType: 'ssh-cert', keyId: request.sshKid, reqCnf: request.sshJwk } })
  }
  return E.left(usageError('authenticationScheme', `expected "Bearer", "pop" or "ssh-cert", got ${JSON.stringify(scheme)}`))
}


/** How to ready msal-browser's request's binding, for the browser flows (undefined: a bearer token). */
export const spaPreparerOf = (request: SpaRequest): E.Either<UsageError, PrepareBinding | undefined> => E.map(preparerOf)(spaBindingOf(request))
