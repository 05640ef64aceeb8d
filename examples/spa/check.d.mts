// Types of check.mjs, for TypeScript callers (packages/browser/test/spa/example.test.ts).
import type { Plugin } from 'esbuild'
import type { BrowserContext } from 'playwright-core'

export declare const CHROMIUM: string

export interface SpaCheckOptions {
  /** A context to run in, kept on loopback by the caller; default: Chromium launched behind a proxy that refuses every other host. */
  readonly context?: BrowserContext
  /** esbuild plugins for the page bundles (default: @msal-ts/* from the built packages). */
  readonly plugins?: readonly Plugin[]
  /** Gets each transcript line as it happens. */
  readonly log?: (line: string) => void
}

/** What the page showed after a step. */
export interface SpaCheckStep {
  readonly step: string
  /** The status line (#status): "Not signed in", or "Signed in as <name> (<username>)". */
  readonly status: string
  /** What the last action did (#last-action). */
  readonly lastAction: string
  /** The API's answer the page shows, after an API call. */
  readonly api?: { readonly status: number | null; readonly body: Record<string, unknown> | null }
  /** Where the shown access token came from, after an API call or a refresh. */
  readonly tokenSource?: string
}

export interface SpaCheckResult {
  /** Every step held and the app's pages reported no error. */
  readonly ok: boolean
  /** The first step that did not hold, or the pages' errors. */
  readonly failure: string | undefined
  readonly lines: readonly string[]
  readonly steps: readonly SpaCheckStep[]
  /** The identity provider's token requests: grant type and the browser's Origin. */
  readonly tokenRequests: ReadonlyArray<{ readonly grantType: string | undefined; readonly origin: string | undefined }>
  /** CORS preflights the identity provider received. */
  readonly idpPreflights: number
  /** Who each end-session request signed out. */
  readonly endSessions: ReadonlyArray<readonly string[]>
  /** The API's requests, "METHOD status". */
  readonly apiRequests: readonly string[]
  /** Pages of the app the browser loaded (path and query). */
  readonly pageLoads: readonly string[]
  /** Console errors and exceptions of the app's pages. */
  readonly pageErrors: readonly string[]
  /** Requests the launched browser's proxy refused (empty with a caller's context). */
  readonly refused: readonly string[]
  /** The page scripts' sizes in bytes. */
  readonly sizes: Readonly<Record<'app' | 'redirect', { readonly minified: number; readonly gzip: number }>>
}

export declare function runSpaCheck(options?: SpaCheckOptions): Promise<SpaCheckResult>
