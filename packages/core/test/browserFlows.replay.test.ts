/**
 * The browser flows (core's programs for single-page apps), replayed without a browser or an
 * identity provider from transcripts recorded against the FakeIdentityProvider with a scripted
 * browser tab (scenarios/record.ts; pnpm fixtures:record). Each scenario's own assertions run
 * again here; the tests below pin what each flow costs: its requests, and its page effects.
 */
import { readdirSync, readFileSync } from 'node:fs'
import { join } from 'node:path'
import { replay, type Transcript, type TranscriptStep } from '@msal-ts/testing'
import { APP_PAGE, CLIENT_ID, recordScenario, replayWorld, scenarios, USERNAME, type BrowserScenario } from './scenarios/browserFlows.js'

const FIXTURES = join(import.meta.dirname, 'fixtures', 'browser')
const SIGNING_KEY = readFileSync(join(import.meta.dirname, '..', '..', 'node', 'test', 'scenarios', 'fixture-signing-key.pem'), 'utf8')

const loadFixture = (name: string): Transcript => JSON.parse(readFileSync(join(FIXTURES, `${name}.json`), 'utf8')) as Transcript

const play = async (scenario: BrowserScenario): Promise<void> => {
  const replayer = replay(loadFixture(scenario.name))
  await scenario.play(replayWorld(replayer.interpret))
  replayer.assertComplete()
}

type Effect = TranscriptStep['effect']
const effectsOf = (name: string): Effect[] => loadFixture(name).steps.map((step) => step.effect)

/** A fixture's page effects and requests, one line each ("Http POST …/token refresh_token", "AcquireLock"), skipping time and randomness. */
const outline = (name: string): string[] =>
  effectsOf(name)
    .filter((effect) => !['Now', 'RandomBytes', 'Sha256'].includes(effect._tag))
    .map((effect) => {
      if (effect._tag === 'Http') return `Http ${effect.request.method} ${new URL(effect.request.url).pathname}${effect.request.form?.['grant_type'] === undefined ? '' : ` ${effect.request.form['grant_type']}`}`
      if (effect._tag === 'StorageGet' || effect._tag === 'StorageSet' || effect._tag === 'StorageRemove') return `${effect._tag} ${effect.key.replace(`msal-ts.${CLIENT_ID}.`, '<app>.').replace(/^msal-ts\.flow\..*/, 'msal-ts.flow.<state>')}`
      return effect._tag
    })

const navigationOf = (name: string): URL => {
  const navigate = effectsOf(name).find((effect) => effect._tag === 'Navigate')
  if (navigate?._tag !== 'Navigate') throw new Error(`${name} navigates nowhere`)
  return new URL(navigate.url)
}

const POPUP_SIGN_IN = [
  'OpenPopup',
  'StorageGet <app>.interaction',
  'StorageSet <app>.interaction',
  'NavigatePopup',
  'AwaitAuthResponse',
  'ClosePopup',
  'StorageRemove <app>.interaction',
  'Http POST /contoso.onmicrosoft.com/oauth2/v2.0/token authorization_code',
]

describe('browser flows, replayed from recorded transcripts', () => {
  it.each(scenarios.map((scenario) => [scenario.name, scenario] as const))('%s', async (_, scenario) => {
    await play(scenario)
  })

  it.each(scenarios.map((scenario) => [scenario.name, scenario] as const))(
    '%s, played live against the FakeIdentityProvider with a scripted browser, records its fixture again (else: pnpm fixtures:record)',
    async (name, scenario) => {
      expect(await recordScenario(scenario, SIGNING_KEY)).toEqual(loadFixture(name))
    },
  )

  it('every fixture on disk belongs to a scenario', () => {
    const onDisk = readdirSync(FIXTURES).filter((file) => file.endsWith('.json')).sort()
    expect(onDisk).toEqual(scenarios.map((scenario) => `${scenario.name}.json`).sort())
  })

  it('redirect: the flag and the flow (under its state) stored before the page leaves; the next load redeems, clears both and returns to the page', () => {
    expect(outline('redirect-sign-in')).toEqual([
      'StorageGet <app>.interaction',
      'StorageSet <app>.interaction',
      'CurrentUrl',
      'StorageSet msal-ts.flow.<state>',
      'Navigate',
      'CurrentUrl',
      'ReplaceUrl',
      'StorageGet msal-ts.flow.<state>',
      'StorageRemove <app>.interaction',
      'StorageRemove msal-ts.flow.<state>',
      'Http POST /contoso.onmicrosoft.com/oauth2/v2.0/token authorization_code',
      'ReplaceUrl',
    ])
    const effects = effectsOf('redirect-sign-in')
    const state = navigationOf('redirect-sign-in').searchParams.get('state')
    expect(effects).toContainEqual(expect.objectContaining({ _tag: 'StorageSet', area: 'session', key: `msal-ts.flow.${state}` }))
    expect(effects.at(-1)).toEqual({ _tag: 'ReplaceUrl', url: `${APP_PAGE}?tab=2#/dashboard` })
    expect(Object.fromEntries(navigationOf('redirect-sign-in').searchParams)).toMatchObject({ response_mode: 'fragment', code_challenge_method: 'S256', login_hint: USERNAME, redirect_uri: APP_PAGE })
  })

  it('a forged response costs no request; a blocked popup costs nothing but the attempt', () => {
    expect(outline('redirect-forged-response')).toEqual(['CurrentUrl', 'ReplaceUrl', 'StorageGet msal-ts.flow.<state>'])
    expect(outline('popup-blocked')).toEqual(['OpenPopup'])
  })

  it('popup: opened before anything else (in the caller\'s task), the flag held while it is open', () => {
    expect(effectsOf('popup-sign-in')[0]).toEqual({ _tag: 'OpenPopup' })
    expect(outline('popup-sign-in')).toEqual(POPUP_SIGN_IN)
    expect(outline('popup-closed')).toEqual(POPUP_SIGN_IN.slice(0, -1))
  })

  it('silent: a cache hit takes no lock and sends nothing; a refresh takes the lock, re-reads storage, refreshes, releases', () => {
    expect(outline('silent-cache-hit')).toEqual(POPUP_SIGN_IN)
    expect(outline('silent-refresh')).toEqual([...POPUP_SIGN_IN, 'AcquireLock', 'SyncCache', 'Http POST /contoso.onmicrosoft.com/oauth2/v2.0/token refresh_token', 'ReleaseLock'])
    const lock = effectsOf('silent-refresh').find((effect) => effect._tag === 'AcquireLock')
    expect(lock).toEqual({ _tag: 'AcquireLock', name: expect.stringMatching(new RegExp(`^msal-ts:${CLIENT_ID}:[0-9a-f-]+\\.[0-9a-f-]+$`)) })
  })

  it("after the SPA refresh token's 24 hours: no refresh request, straight to the prompt=none iframe", () => {
    expect(outline('silent-refresh-token-expired')).toEqual([...POPUP_SIGN_IN, 'LoadIframe'])
    const iframe = effectsOf('silent-refresh-token-expired').find((effect) => effect._tag === 'LoadIframe')
    expect(iframe?._tag === 'LoadIframe' && new URL(iframe.url).searchParams.get('prompt')).toBe('none')
  })

  it('ssoSilent: one iframe, then the code redeemed', () => {
    expect(outline('sso-silent')).toEqual(['LoadIframe', 'Http POST /contoso.onmicrosoft.com/oauth2/v2.0/token authorization_code'])
  })

  it('logout: the page sent to the end-session endpoint with post_logout_redirect_uri and logout_hint', () => {
    const url = navigationOf('logout-redirect')
    expect(`${url.origin}${url.pathname}`).toBe('https://login.microsoftonline.com/contoso.onmicrosoft.com/oauth2/v2.0/logout')
    expect(Object.fromEntries(url.searchParams)).toEqual({ client_id: CLIENT_ID, state: expect.any(String), post_logout_redirect_uri: `${APP_PAGE}signed-out`, logout_hint: USERNAME })
  })
})
