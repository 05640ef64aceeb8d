import { readdirSync, readFileSync } from 'node:fs'
import { join } from 'node:path'
import { TokenCache } from '@msal-ts/node'
import { replay, ReplayMismatchError, type Transcript } from '@msal-ts/testing'
import { newSilentApp, scenarios as silentScenarios, type SilentScenario } from './scenarios/silent.js'

const FIXTURES = join(import.meta.dirname, 'fixtures', 'silent')

const loadFixture = (name: string): Transcript => JSON.parse(readFileSync(join(FIXTURES, `${name}.json`), 'utf8')) as Transcript

const play = async (scenario: SilentScenario, transcript: Transcript): Promise<void> => {
  const replayer = replay(transcript)
  const cache = new TokenCache()
  await scenario.play({ app: (clientId, authority) => newSilentApp(replayer.interpret, cache, clientId, authority), cache, advance: () => undefined })
  replayer.assertComplete()
}

/** The Http requests a fixture holds, as "METHOD url" lines: what each branch costs on the wire. */
const requestsOf = (name: string): string[] =>
  loadFixture(name)
    .steps.filter((step) => step.effect._tag === 'Http')
    .map((step) => {
      const request = (step.effect as unknown as { request: { method: string; url: string; form?: Record<string, string> } }).request
      return `${request.method} ${request.url}${request.form?.['grant_type'] !== undefined ? ` ${request.form['grant_type']}` : ''}`
    })

const headersOf = (name: string, index: number): Record<string, string> =>
  (loadFixture(name).steps.filter((step) => step.effect._tag === 'Http')[index]!.effect as unknown as { request: { headers: Record<string, string> } }).request.headers

const formOf = (name: string, index: number): Record<string, string> =>
  (loadFixture(name).steps.filter((step) => step.effect._tag === 'Http')[index]!.effect as unknown as { request: { form: Record<string, string> } }).request.form

const SIGN_IN = [
  'GET https://login.microsoftonline.com/common/userrealm/megan%40contoso.onmicrosoft.com?api-version=1.0',
  'POST https://login.microsoftonline.com/organizations/oauth2/v2.0/token password',
]
const REFRESH = 'POST https://login.microsoftonline.com/organizations/oauth2/v2.0/token refresh_token'

describe('silent acquisition, replayed from recorded transcripts', () => {
  it.each(silentScenarios.map((s) => [s.name, s] as const))('%s', async (_, scenario) => {
    await play(scenario, loadFixture(scenario.name))
  })

  it('every fixture on disk belongs to a scenario', () => {
    const onDisk = readdirSync(FIXTURES).filter((file) => file.endsWith('.json')).sort()
    expect(onDisk).toEqual(silentScenarios.map((s) => `${s.name}.json`).sort())
  })

  it.each([
    ['cache-hit', SIGN_IN],
    ['nothing-cached', []],
    ['expired-refresh', [...SIGN_IN, REFRESH]],
    ['aging-server-error-fallback', [...SIGN_IN, REFRESH]],
    // Per call: the one refresh token, sent again once on a connection failure, and not tried a
    // second time as the app's own after failing as the family's.
    ['network-failure', [...SIGN_IN, REFRESH, REFRESH, REFRESH, REFRESH]],
    // Two calls, one family token each: MSAL Python's rule (client_mismatch ends the family attempts).
    ['foci-client-mismatch', [...SIGN_IN, REFRESH, REFRESH]],
    ['foci-family-first', [...SIGN_IN, ...SIGN_IN, REFRESH, REFRESH]],
    ['alias-retry', [SIGN_IN[0]!.replace('login.microsoftonline.com', 'login.windows.net'), SIGN_IN[1]!.replace('login.microsoftonline.com', 'login.windows.net'), REFRESH.replace('login.microsoftonline.com', 'login.windows.net')]],
  ])('%s costs exactly these requests', (name, expected) => {
    expect(requestsOf(name)).toEqual(expected)
  })

  it('a refresh names the refresh reason in telemetry and routes by X-AnchorMailbox', () => {
    expect(headersOf('expired-refresh', 2)['x-client-current-telemetry']).toBe('4|84,3|')
    expect(headersOf('aging-refresh', 2)['x-client-current-telemetry']).toBe('4|84,4|')
    expect(headersOf('force-refresh', 2)['x-client-current-telemetry']).toBe('4|84,1|')
    expect(headersOf('expired-refresh', 2)['X-AnchorMailbox']).toMatch(/^Oid:[0-9a-f-]{36}@[0-9a-f-]{36}$/)
    expect(headersOf('cache-hit', 1)['X-AnchorMailbox']).toBe('upn:megan@contoso.onmicrosoft.com')
  })

  it('a claims challenge goes out with the scopes decorated', () => {
    expect(formOf('claims-challenge', 2)).toMatchObject({
      grant_type: 'refresh_token',
      claims: '{"access_token":{"nbf":{"essential":true,"value":"1767225600"}}}',
      scope: 'https://graph.microsoft.com/User.Read openid profile offline_access',
      client_info: '1',
    })
  })

  it('the family-first scenario tries the sibling\'s family token before its own', () => {
    // Fixtures keep refresh tokens redacted, but the request order and the client are there.
    expect([formOf('foci-family-first', 4)['client_id'], formOf('foci-family-first', 5)['client_id']]).toEqual([
      '2a3b4c5d-6e7f-4081-9293-a4b5c6d7e8f9',
      '2a3b4c5d-6e7f-4081-9293-a4b5c6d7e8f9',
    ])
  })

  it('a changed request fails the replay', async () => {
    const changed = JSON.parse(JSON.stringify(loadFixture('force-refresh'))) as Transcript
    const refresh = changed.steps.filter((step) => step.effect._tag === 'Http')[2]!.effect as unknown as { request: { form: Record<string, string> } }
    refresh.request.form['scope'] = 'User.Read'
    await expect(play(silentScenarios.find((s) => s.name === 'force-refresh')!, changed)).rejects.toBeInstanceOf(ReplayMismatchError)
  })
})
