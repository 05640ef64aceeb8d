import { parseArgs } from 'node:util'
import { ConfidentialClientApplication } from '../app/ConfidentialClientApplication.js'
import { MANAGED_IDENTITY_USAGE, runManagedIdentityToken } from './managedIdentity.js'
import type { Output } from './output.js'
import { chooseAccount, USER_OPTIONS_USAGE, userApp } from './userApp.js'

export const TOKEN_USAGE = `usage: msal-ts token --client-id ID --scope SCOPE [--scope SCOPE...] [--username NAME]
                     [--authority URL] [--cache PATH] [--force-refresh] [--claims-challenge JSON] [--access-token-only]
       msal-ts token --client-id ID --client-secret-env VAR --authority URL --scope SCOPE [--scope SCOPE...]
                     [--claims-challenge JSON] [--timeout SECONDS] [--access-token-only]

Without a secret: a token for a signed-in user (msal-ts login), silently, from the persisted
cache: the cached access token, else one redeemed with the cached refresh token.
With --client-secret-env: an app token (client credentials); the secret is read from the
environment variable VAR, never from the command line.
Prints the result as JSON (or only the access token).
  --username NAME     the account (needed when several are signed in)
  --force-refresh     skip the cached access token
${USER_OPTIONS_USAGE}

${MANAGED_IDENTITY_USAGE}`

/** `msal-ts token ...`: an app token (with a secret) or a signed-in user's token (from the cache). */
export const runToken = async (args: readonly string[], output: Output, env: NodeJS.ProcessEnv): Promise<number> => {
  const { values } = parseArgs({
    args: [...args],
    options: {
      authority: { type: 'string' },
      'client-id': { type: 'string' },
      'client-secret-env': { type: 'string' },
      scope: { type: 'string', multiple: true },
      'claims-challenge': { type: 'string' },
      timeout: { type: 'string' },
      cache: { type: 'string' },
      username: { type: 'string' },
      'force-refresh': { type: 'boolean', default: false },
      'access-token-only': { type: 'boolean', default: false },
      'managed-identity': { type: 'string' },
      resource: { type: 'string' },
      'no-retries': { type: 'boolean', default: false },
    },
    strict: true,
  })
  if (values['managed-identity'] !== undefined || values.resource !== undefined) {
    const stray = (['client-id', 'client-secret-env', 'authority', 'scope', 'username', 'force-refresh'] as const).filter((name) => values[name] !== undefined && values[name] !== false)
    if (stray.length > 0 || values['managed-identity'] === undefined) {
      const problem = values['managed-identity'] === undefined ? '--resource goes with --managed-identity' : `--managed-identity does not take ${stray.map((name) => `--${name}`).join(', ')}`
      output.err(`msal-ts token: ${problem}\n\n${MANAGED_IDENTITY_USAGE}`)
      return 2
    }
    return runManagedIdentityToken(values, output, env)
  }
  const forApp = values['client-secret-env'] !== undefined
  const required = forApp ? (['authority', 'client-id', 'client-secret-env', 'scope'] as const) : (['client-id', 'scope'] as const)
  const missing = required.filter((name) => values[name] === undefined)
  if (missing.length > 0) {
    output.err(`msal-ts token: missing ${missing.map((name) => `--${name}`).join(', ')}\n\n${TOKEN_USAGE}`)
    return 2
  }
  const print = (result: { accessToken: string }): number => {
    output.out(values['access-token-only'] ? result.accessToken : JSON.stringify(result, null, 2))
    return 0
  }
  if (!forApp) {
    const app = userApp(values, env)
    const chosen = chooseAccount(await app.getAccounts(), values.username)
    if (chosen.account === undefined) {
      output.err(`msal-ts token: ${chosen.problem!}`)
      return 1
    }
    const result = await app.acquireTokenSilentWithError(values.scope!, chosen.account, {
      forceRefresh: values['force-refresh'],
      claimsChallenge: values['claims-challenge'],
    })
    if (result === undefined) {
      output.err(`msal-ts token: nothing cached for ${chosen.account.username} can be used; run msal-ts login again`)
      return 1
    }
    return print(result)
  }
  const secretVariable = values['client-secret-env']!
  const secret = env[secretVariable]
  if (secret === undefined || secret === '') {
    output.err(`msal-ts token: the environment variable ${secretVariable} (named by --client-secret-env) is not set`)
    return 2
  }
  const timeout = values.timeout === undefined ? undefined : Number(values.timeout)
  const app = new ConfidentialClientApplication({
    clientId: values['client-id']!,
    clientCredential: secret,
    authority: values.authority!,
    ...(timeout !== undefined ? { timeout } : {}),
  })
  return print(await app.acquireTokenForClient(values.scope!, { claimsChallenge: values['claims-challenge'] }))
}
