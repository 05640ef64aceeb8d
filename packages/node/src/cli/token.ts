import { parseArgs } from 'node:util'
import { ConfidentialClientApplication } from '../app/ConfidentialClientApplication.js'
import type { Output } from './output.js'

export const TOKEN_USAGE = `usage: msal-ts token --authority URL --client-id ID --client-secret-env VAR --scope SCOPE [--scope SCOPE...]
                     [--claims-challenge JSON] [--timeout MS] [--access-token-only]

Acquires an app token with the client-credentials grant and prints the result as JSON.
The secret is read from the environment variable VAR, never from the command line.`

/** `msal-ts token ...`: a client-credentials token for a real tenant (or any authority). */
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
      'access-token-only': { type: 'boolean', default: false },
    },
    strict: true,
  })
  const missing = (['authority', 'client-id', 'client-secret-env', 'scope'] as const).filter((name) => values[name] === undefined)
  if (missing.length > 0) {
    output.err(`msal-ts token: missing ${missing.map((name) => `--${name}`).join(', ')}\n\n${TOKEN_USAGE}`)
    return 2
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
  const result = await app.acquireTokenForClient(values.scope!, { claimsChallenge: values['claims-challenge'] })
  output.out(values['access-token-only'] ? result.accessToken : JSON.stringify(result, null, 2))
  return 0
}
