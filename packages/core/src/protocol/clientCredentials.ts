import type { HttpRequest } from '../effects/effect.js'

export interface ClientCredentialsRequestInput {
  /** The token endpoint (RFC 6749 §3.2) the request is POSTed to. */
  readonly tokenEndpoint: string
  /** client_id (RFC 6749 §2.2): the application (client) id. */
  readonly clientId: string
  /** Sent as given: the client-credentials grant takes no scope decoration. */
  readonly scopes: readonly string[]
  /** The merged claims parameter, if any. */
  readonly claims?: string | undefined
  /** The Federated Managed Identity credential path (MSAL Python's fmi_path). */
  readonly fmiPath?: string | undefined
  /** Request headers: the library's, telemetry and client-request-id. */
  readonly headers: Readonly<Record<string, string>>
}

/** The token request of the OAuth2 client-credentials grant (RFC 6749 §4.4); the client's authentication is added when it is sent. */
export const buildClientCredentialsRequest = (input: ClientCredentialsRequestInput): HttpRequest => ({
  method: 'POST',
  url: input.tokenEndpoint,
  headers: input.headers,
  form: {
    grant_type: 'client_credentials',
    client_id: input.clientId,
    scope: input.scopes.join(' '),
    ...(input.claims !== undefined ? { claims: input.claims } : {}),
    ...(input.fmiPath !== undefined ? { fmi_path: input.fmiPath } : {}),
  },
})
