import type { KeyObject } from 'node:crypto'
import { CompactSign } from 'jose'
import type { AssertionOutcome, Interpret } from '@msal-ts/core'
import type { ClientAssertionCallback, ParsedCredential } from './clientCredential.js'

const failure = (error: unknown): AssertionOutcome => ({ _tag: 'CredentialFailure', message: error instanceof Error ? error.message : String(error) })

const sign = async (key: KeyObject, header: Readonly<Record<string, unknown>>, claims: Readonly<Record<string, unknown>>): Promise<AssertionOutcome> => {
  try {
    const jws = await new CompactSign(new TextEncoder().encode(JSON.stringify(claims)))
      .setProtectedHeader(header as { alg: string })
      .sign(key)
    return { _tag: 'Assertion', assertion: jws }
  } catch (error) {
    return failure(error)
  }
}

const ask = async (callback: ClientAssertionCallback, clientId: string, tokenEndpoint: string): Promise<AssertionOutcome> => {
  try {
    const assertion = await callback({ clientId, tokenEndpoint })
    return typeof assertion === 'string' ? { _tag: 'Assertion', assertion } : failure(`it returned ${typeof assertion}, not a string`)
  } catch (error) {
    return failure(error)
  }
}

/**
 * The application's interpreter with its credential: SignJwt is signed with the certificate's
 * key (jose) and ClientAssertion answered by the callback, here and nowhere else, so keys and
 * functions never reach core, transcripts or logs. Everything else goes to `inner`.
 */
export const withCredential = (inner: Interpret, parsed: ParsedCredential): Interpret => {
  const { signingKey, assertionCallback } = parsed
  if (signingKey === undefined && assertionCallback === undefined) return inner
  return (effect) => {
    if (effect._tag === 'SignJwt' && signingKey !== undefined) return sign(signingKey, effect.header, effect.claims)
    if (effect._tag === 'ClientAssertion' && assertionCallback !== undefined) return ask(assertionCallback, effect.clientId, effect.tokenEndpoint)
    return inner(effect)
  }
}
