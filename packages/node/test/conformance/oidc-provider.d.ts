// oidc-provider ships no type declarations; these cover the part of its API the conformance
// harness uses (https://github.com/panva/node-oidc-provider/blob/main/docs/README.md).
declare module 'oidc-provider' {
  import type { IncomingMessage, ServerResponse } from 'node:http'

  /** What `findAccount` resolves: the account's id and its claims for a token. */
  export interface ProviderAccount {
    readonly accountId: string
    claims(use: string, scope: string): Promise<Record<string, unknown>>
  }

  export interface ProviderClient {
    readonly clientId: string
    readonly clientAuthMethod: string
  }

  /** The koa context a middleware sees (the fields the harness reads, and the answer it may rewrite). */
  export interface ProviderContext {
    readonly method: string
    readonly path: string
    /** A request header's value ("" when absent): koa's ctx.get. */
    get(field: string): string
    status: number
    body: unknown
    readonly oidc?:
      | {
          readonly route?: string | undefined
          readonly params?: Readonly<Record<string, unknown>> | undefined
          readonly client?: ProviderClient | undefined
        }
      | undefined
  }

  export type ProviderConfiguration = Readonly<Record<string, unknown>> & {
    readonly findAccount?: (ctx: unknown, id: string) => Promise<ProviderAccount | undefined>
  }

  /** The provider's errors (https://github.com/panva/node-oidc-provider/blob/main/lib/helpers/errors.js). */
  export namespace errors {
    class OIDCProviderError extends Error {
      readonly error: string
      readonly error_description?: string | undefined
      /** Why, for the provider's logs and events only. */
      readonly error_detail?: string | undefined
      readonly status: number
    }
    class InvalidTarget extends OIDCProviderError {
      constructor(detail?: string)
    }
  }

  export default class Provider {
    constructor(issuer: string, configuration?: ProviderConfiguration)
    readonly issuer: string
    callback(): (req: IncomingMessage, res: ServerResponse) => void
    use(middleware: (ctx: ProviderContext, next: () => Promise<void>) => Promise<void>): void
    on(event: string, listener: (...args: unknown[]) => void): this
  }
}
