import { homedir } from 'node:os'
import { join } from 'node:path'
import { PublicClientApplication } from '../app/PublicClientApplication.js'
import { FilePersistence } from '../cache/filePersistence.js'
import { SerializableTokenCache } from '../cache/tokenCaches.js'
import type { Account } from '@msal-ts/core'

/** Options every user command takes (login, token without a secret, accounts, logout). */
export const USER_OPTIONS = {
  authority: { type: 'string' },
  'client-id': { type: 'string' },
  cache: { type: 'string' },
  timeout: { type: 'string' },
} as const

export const USER_OPTIONS_USAGE = `  --authority URL     the authority (default https://login.microsoftonline.com/organizations)
  --client-id ID      the public client's application id (required)
  --cache PATH        the token cache file (default $MSAL_TS_CACHE, else ~/.msal-ts/token-cache.json)
  --timeout SECONDS   per-request timeout in seconds (default 30)`

export const DEFAULT_USER_AUTHORITY = 'https://login.microsoftonline.com/organizations'

export interface UserAppValues {
  readonly authority?: string | undefined
  readonly 'client-id'?: string | undefined
  readonly cache?: string | undefined
  readonly timeout?: string | undefined
}

/** Where the CLI keeps tokens between runs. */
export const cachePathOf = (values: UserAppValues, env: NodeJS.ProcessEnv): string =>
  values.cache ?? env['MSAL_TS_CACHE'] ?? join(homedir(), '.msal-ts', 'token-cache.json')

/**
 * A PublicClientApplication on the CLI's persisted cache: a file, locked while in use, written
 * atomically, so a login in one terminal serves `msal-ts token` in another.
 */
export const userApp = (values: UserAppValues, env: NodeJS.ProcessEnv, extra: Record<string, unknown> = {}): PublicClientApplication => {
  const timeout = values.timeout === undefined ? undefined : Number(values.timeout)
  return new PublicClientApplication({
    clientId: values['client-id']!,
    authority: values.authority ?? DEFAULT_USER_AUTHORITY,
    tokenCache: new SerializableTokenCache({ persistence: new FilePersistence(cachePathOf(values, env)) }),
    ...(timeout !== undefined ? { timeout } : {}),
    ...extra,
  })
}

/** The account a command is about: the one named, else the only one; undefined (with a message) otherwise. */
export const chooseAccount = (accounts: readonly Account[], username: string | undefined): { account?: Account; problem?: string } => {
  if (username !== undefined) {
    const account = accounts.find((candidate) => candidate.username.toLowerCase() === username.toLowerCase())
    return account !== undefined ? { account } : { problem: `no signed-in account ${username}; run msal-ts login first (msal-ts accounts lists who is signed in)` }
  }
  if (accounts.length === 1) return { account: accounts[0]! }
  return {
    problem:
      accounts.length === 0
        ? 'nobody is signed in with this client id and authority; run msal-ts login first'
        : `several accounts are signed in (${accounts.map((a) => a.username).join(', ')}); choose one with --username`,
  }
}
