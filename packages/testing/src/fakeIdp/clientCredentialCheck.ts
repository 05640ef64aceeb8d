import { verifyClientAssertion, type AssertionCheckContext, type AssertionRefusal } from './clientAssertions.js'
import type { ClientAuthentication, ClientAuthenticationMethod } from './clientAuthentications.js'
import type { PresentedCredential } from './presentedCredentials.js'
import type { IdpRequest, RegisteredApp } from './types.js'

/** Why a confidential client's credential is refused, whatever words a provider has for it. */
export type CredentialRefusal =
  | { readonly reason: 'missing' }
  | { readonly reason: 'several'; readonly methods: readonly ClientAuthenticationMethod[] }
  | { readonly reason: 'malformed_basic' }
  | { readonly reason: 'client_id_mismatch'; readonly basicClientId: string }
  | { readonly reason: 'wrong_secret' }
  | { readonly reason: 'unsupported_method'; readonly method: ClientAuthenticationMethod }
  | AssertionRefusal

export interface CredentialCheckContext extends AssertionCheckContext {
  /** The methods this endpoint takes; default all three (Entra's). */
  readonly methods?: readonly ClientAuthenticationMethod[]
}

const ALL_METHODS: readonly ClientAuthenticationMethod[] = ['client_secret_post', 'client_secret_basic', 'private_key_jwt']

/**
 * Checks the credential a confidential client presented for a registered app, by any method
 * the endpoint takes (RFC 6749 §2.3.1, RFC 7523 §2.2). An accepted one is recorded in the
 * ledger (so tests can see how each request authenticated) and returned.
 */
export const checkClientCredential = async (
  request: IdpRequest,
  app: RegisteredApp,
  presented: PresentedCredential,
  ctx: CredentialCheckContext,
): Promise<ClientAuthentication | CredentialRefusal> => {
  const accepted = (method: ClientAuthenticationMethod, extra: Partial<ClientAuthentication> = {}): ClientAuthentication => {
    const authentication = { clientId: app.clientId, method, grantType: request.form['grant_type'] ?? '', at: ctx.nowMs, ...extra }
    ctx.ledger.record(authentication)
    return authentication
  }
  switch (presented.method) {
    case 'none':
      return { reason: 'missing' }
    case 'several':
      return { reason: 'several', methods: presented.methods }
    case 'malformed_basic':
      return { reason: 'malformed_basic' }
  }
  if (!(ctx.methods ?? ALL_METHODS).includes(presented.method)) return { reason: 'unsupported_method', method: presented.method }
  switch (presented.method) {
    case 'client_secret_post':
      return presented.secret === app.clientSecret ? accepted(presented.method) : { reason: 'wrong_secret' }
    case 'client_secret_basic': {
      // The form may name the client too; it must be the same one.
      const formId = request.form['client_id']
      if (formId !== undefined && formId !== '' && formId.toLowerCase() !== presented.clientId.toLowerCase()) {
        return { reason: 'client_id_mismatch', basicClientId: presented.clientId }
      }
      return presented.secret === app.clientSecret ? accepted(presented.method) : { reason: 'wrong_secret' }
    }
    case 'private_key_jwt': {
      const verified = await verifyClientAssertion(app, presented, ctx)
      return 'reason' in verified ? verified : accepted(presented.method, verified)
    }
  }
}

/** Narrows `checkClientCredential`'s answer. */
export const isRefusal = (value: ClientAuthentication | CredentialRefusal): value is CredentialRefusal => 'reason' in value
