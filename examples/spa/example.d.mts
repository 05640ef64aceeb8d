// Types of example.mjs, for TypeScript callers (packages/browser/test/spa/example.test.ts).
import type { Plugin } from 'esbuild'
import type { FakeIdentityProvider } from '@msal-ts/testing'
import type { RunningApi } from './api.mjs'

export declare const TENANT: string
export declare const CLIENT_ID: string
export declare const USERS: ReadonlyArray<{ readonly username: string; readonly displayName: string; readonly password: string }>

export interface RunningSpaExample {
  readonly idp: FakeIdentityProvider
  /** http://127.0.0.1:<port>/<tenant> */
  readonly authority: string
  readonly api: RunningApi
  readonly site: { readonly origin: string; readonly pageLoads: readonly string[]; close(): Promise<void> }
  readonly bundle: {
    readonly files: Readonly<Record<string, Uint8Array>>
    readonly sizes: Readonly<Record<'app' | 'redirect', { readonly minified: number; readonly gzip: number }>>
  }
  close(): Promise<void>
}

export declare function startSpaExample(options?: { readonly port?: number; readonly plugins?: readonly Plugin[] }): Promise<RunningSpaExample>
