import { parseArgs } from 'node:util'
import type { Output } from './output.js'
import { chooseAccount, USER_OPTIONS, USER_OPTIONS_USAGE, userApp } from './userApp.js'

export const ACCOUNTS_USAGE = `usage: msal-ts accounts --client-id ID [--authority URL] [--cache PATH]

Lists the accounts signed in (in the token cache) for this client id and authority.
${USER_OPTIONS_USAGE}`

export const LOGOUT_USAGE = `usage: msal-ts logout --client-id ID [--username NAME] [--authority URL] [--cache PATH]

Signs the account out of this app (and its family) and forgets it: its tokens leave the cache.
  --username NAME     the account to sign out (needed when several are signed in)
${USER_OPTIONS_USAGE}`

const requireClientId = (values: { 'client-id'?: string | undefined }, usage: string, output: Output): boolean => {
  if (values['client-id'] !== undefined) return true
  output.err(`msal-ts: missing --client-id\n\n${usage}`)
  return false
}

/** `msal-ts accounts`: who is signed in, one line each (username, home account id, environment). */
export const runAccounts = async (args: readonly string[], output: Output, env: NodeJS.ProcessEnv): Promise<number> => {
  const { values } = parseArgs({ args: [...args], options: { ...USER_OPTIONS, json: { type: 'boolean', default: false } }, strict: true })
  if (!requireClientId(values, ACCOUNTS_USAGE, output)) return 2
  const accounts = await userApp(values, env).getAccounts()
  if (values.json) output.out(JSON.stringify(accounts, null, 2))
  else if (accounts.length === 0) output.out('nobody is signed in')
  else for (const account of accounts) output.out(`${account.username}\t${account.homeAccountId}\t${account.environment}`)
  return 0
}

/** `msal-ts logout`: removeAccount for the chosen account. */
export const runLogout = async (args: readonly string[], output: Output, env: NodeJS.ProcessEnv): Promise<number> => {
  const { values } = parseArgs({ args: [...args], options: { ...USER_OPTIONS, username: { type: 'string' } }, strict: true })
  if (!requireClientId(values, LOGOUT_USAGE, output)) return 2
  const app = userApp(values, env)
  const chosen = chooseAccount(await app.getAccounts(), values.username)
  if (chosen.account === undefined) {
    output.err(`msal-ts logout: ${chosen.problem!}`)
    return 1
  }
  await app.removeAccount(chosen.account)
  output.out(`signed out ${chosen.account.username}`)
  return 0
}
