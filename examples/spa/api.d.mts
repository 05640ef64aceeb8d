// Types of api.mjs, for TypeScript callers (packages/browser/test/spa/example.test.ts).

export declare const API_AUDIENCE: string
export declare const API_PERMISSION: string
export declare const API_SCOPE: string

export interface RunningApi {
  /** http://127.0.0.1:<port> */
  readonly url: string
  /** What it received: the method, path, Origin and the status it answered. */
  readonly requests: ReadonlyArray<{ readonly method: string; readonly path: string; readonly origin: string | undefined; readonly status: number }>
  close(): Promise<void>
}

export declare function startApi(options: { readonly authority: string; readonly appOrigin: string; readonly port?: number }): Promise<RunningApi>
