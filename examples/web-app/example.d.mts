// Types of example.mjs, for TypeScript callers (packages/node/test/examples.test.ts).
import type { ConfidentialClientApplication } from '@msal-ts/node'
import type { FakeIdentityProvider } from '@msal-ts/testing'

export declare const TENANT: string
export declare const WEB_APP_CLIENT_ID: string
export declare const WEB_APP_SECRET: string
export declare const TODO_API_CLIENT_ID: string
export declare const TODO_API_SECRET: string
export declare const TODO_API_SCOPE: string
export declare const USER: { readonly username: string; readonly displayName: string }

export interface ExampleOptions {
  /** How the web app authenticates: a client secret (default) or a certificate (private_key_jwt). */
  readonly credential?: 'secret' | 'certificate'
  /** How the sign-in response reaches /redirect. Default 'query'. */
  readonly responseMode?: 'query' | 'form_post'
}

export interface RunningServer {
  readonly url: string
  readonly app: ConfidentialClientApplication
  close(): Promise<void>
}

export interface RunningExample {
  readonly idp: FakeIdentityProvider
  readonly authority: string
  readonly api: RunningServer
  readonly webApp: RunningServer & { readonly redirectUri: string }
  readonly credential: 'secret' | 'certificate'
  close(): Promise<void>
}

export declare function startExample(options?: ExampleOptions & { readonly webAppPort?: number }): Promise<RunningExample>

/** What GET /todos of the to-do API answers. */
export interface TodoApiAnswer {
  readonly caller: { readonly name: string; readonly preferredUsername: string; readonly oid: string; readonly scp: string; readonly aud: string; readonly azp: string }
  readonly todos: readonly { readonly id: number; readonly title: string; readonly done: boolean }[]
  readonly onBehalfOf: {
    readonly scopes: readonly string[]
    readonly tokenSource: 'cache' | 'identity_provider'
    readonly expiresIn: number
    readonly claims: Readonly<Record<string, unknown>>
  }
}

/** What the web app's /call-api answers (as JSON). */
export interface ApiCall {
  readonly webAppToken?: { readonly tokenSource: 'cache' | 'identity_provider' }
  readonly api?: { readonly status: number; readonly body: TodoApiAnswer }
  readonly error?: string
}

export interface ExampleTranscript {
  /** Every check held. */
  readonly ok: boolean
  /** The checks that did not hold, in words. */
  readonly failures: readonly string[]
  /** What run.mjs prints. */
  readonly lines: readonly string[]
  readonly signedIn: { readonly name: string; readonly username: string } | undefined
  readonly apiCalls: readonly ApiCall[]
  /** On-behalf-of requests the identity provider received. */
  readonly onBehalfOfRequests: number
  /** How the web app authenticated at the token endpoint (client_secret_post, private_key_jwt). */
  readonly webAppAuthentication: readonly string[]
  readonly signedOut: boolean
}

export declare function runExample(options?: ExampleOptions & { readonly log?: (line: string) => void }): Promise<ExampleTranscript>
