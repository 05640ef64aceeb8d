import { CompactSign } from 'jose'
import { describeLayer, type AssertionOutcome, type ClientAssertionCallback, type Interpret } from '@msal-ts/core'

/** What jose signs with: a WebCrypto CryptoKey, or (on Node) a KeyObject. */
export type SigningKey = Parameters<CompactSign['sign']>[0]

/** What only the interpreter may hold of a credential: the key (or how to get it) and the assertion callback. */
export interface CredentialHolder {
  /**
   * The key to sign an assertion with this protected header: answered at once, or imported on
   * first use (WebCrypto imports asynchronously). A rejection fails that signature with its message.
   */
  readonly signingKey?: ((header: Readonly<Record<string, unknown>>) => SigningKey | Promise<SigningKey>) | undefined
  /** The application's callback that returns a client assertion (RFC 7523 §2.2) for a client id and token endpoint. */
  readonly assertionCallback?: ClientAssertionCallback | undefined
}

const failure = (error: unknown): AssertionOutcome => ({ _tag: 'CredentialFailure', message: error instanceof Error ? error.message : String(error) })

const sign = async (holder: CredentialHolder['signingKey'] & {}, header: Readonly<Record<string, unknown>>, claims: Readonly<Record<string, unknown>>): Promise<AssertionOutcome> => {
  try {
    const jws = await new CompactSign(new TextEncoder().encode(JSON.stringify(claims)))
      .setProtectedHeader(header as { alg: string })
      .sign(await holder(header))
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

/** The effects a credential layer answers (the rest pass through it). */
const CREDENTIAL_EFFECTS = ['SignJwt', 'ClientAssertion'] as const

/**
 * The application's interpreter with its credential: SignJwt is signed (jose's CompactSign) with
 * the certificate's key and ClientAssertion answered by the callback, here and nowhere else, so
 * keys and functions never reach core, transcripts or logs. Everything else goes to `inner`.
 * Every runtime's confidential client uses this one (Node's with a KeyObject, web runtimes' with a
 * CryptoKey).
 */
export const withClientCredential = (inner: Interpret, holder: CredentialHolder): Interpret => {
  const { signingKey, assertionCallback } = holder
  if (signingKey === undefined && assertionCallback === undefined) return inner
  return describeLayer(
    (effect) => {
      if (effect._tag === 'SignJwt' && signingKey !== undefined) return sign(signingKey, effect.header, effect.claims)
      if (effect._tag === 'ClientAssertion' && assertionCallback !== undefined) return ask(assertionCallback, effect.clientId, effect.tokenEndpoint)
      return inner(effect)
    },
    { inner, handles: CREDENTIAL_EFFECTS },
  )
}
