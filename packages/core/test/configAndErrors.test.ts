import * as E from '#fp-ts/Either'
import { CLIENT_APPLICATION_RULES, decodeConfidentialClientConfig, decodePublicClientConfig, isMsalError, MsalError, networkError, serverError, ServerError, SingleFlight, throttledError, ThrottledError, usageError, withFields, type ClientApplicationOptions, type OptionRules } from '@msal-ts/core'
import { uuidFromBytes } from '@msal-ts/core/protocol'

describe('decodeConfidentialClientConfig', () => {
  const valid = { clientId: 'client-1', clientCredential: 'secret', authority: 'https://login.microsoftonline.com/t' }

  it('accepts a valid configuration and defaults the rest', () => {
    const result = decodeConfidentialClientConfig({ clientId: ' client-1 ', clientCredential: 's' })
    expect(E.isRight(result) && result.right).toMatchObject({
      clientId: 'client-1',
      authority: { url: 'https://login.microsoftonline.com/common' },
      credential: { _tag: 'ClientSecret', secret: 's' },
      clientCapabilities: [],
    })
  })

  it.each([
    [{ ...valid, clientId: '' }, 'clientId', 'clientId: expected a non-empty string, got ""'],
    [{ ...valid, clientId: '   ' }, 'clientId', 'clientId: expected a non-empty string, got "   "'],
    [{ ...valid, clientId: 42 }, 'clientId', 'clientId: expected a non-empty string, got 42'],
    [{ clientCredential: 's' }, 'clientId', 'clientId: expected a non-empty string, got nothing'],
    [{ ...valid, clientCredential: '' }, 'clientCredential', 'clientCredential: expected a client secret (a non-empty string) or a credential, got ""'],
    [{ clientId: 'c' }, 'clientCredential', 'clientCredential: expected a client secret (a non-empty string) or a credential, got nothing'],
    [{ ...valid, authority: 'http://login.microsoftonline.com/t' }, 'authority', 'authority: must use https'],
    [{ ...valid, authority: 'https://login.microsoftonline.com' }, 'authority', 'authority: must name a tenant'],
    [{ ...valid, clientCapabilities: 'CP1' }, 'clientCapabilities', 'clientCapabilities: expected an array of capability names, got "CP1"'],
    [{ ...valid, clientCapabilities: ['CP1', ''] }, 'clientCapabilities.1', 'clientCapabilities.1: expected a non-empty string, got ""'],
    [null, 'options', 'options: expected an object such as { clientId, clientCredential, authority }'],
  ])('refuses %j naming %s', (input, field, message) => {
    const result = decodeConfidentialClientConfig(input)
    expect(E.isLeft(result) && result.left).toMatchObject({ kind: 'ConfigurationError', error: 'invalid_configuration', field })
    expect(E.isLeft(result) && result.left.message).toContain(message)
  })
})

describe('MsalError', () => {
  it('is an Error of its kind, with the fields of MSAL Python\'s error dict', () => {
    const error = serverError(400, { error: 'invalid_grant', errorCodes: [50126], suberror: 'consent_required', correlationId: 'c' })
    expect(error).toBeInstanceOf(Error)
    expect(error).toBeInstanceOf(MsalError)
    expect(error).toBeInstanceOf(ServerError)
    expect(error).not.toBeInstanceOf(ThrottledError)
    expect(error).toMatchObject({
      name: 'ServerError',
      kind: 'ServerError',
      error: 'invalid_grant',
      errorCodes: [50126],
      suberror: 'consent_required',
      classification: 'consent_required',
      correlationId: 'c',
      status: 400,
      message: 'invalid_grant',
    })
  })

  it('uses a stable snake_case name as `error` when the identity provider sent none', () => {
    const error = networkError('https://idp.example/token', 'down')
    expect([error.error, error.kind, error.url]).toEqual(['network_error', 'NetworkError', 'https://idp.example/token'])
    expect(serverError(500, {}).error).toBe('server_error')
  })

  it('narrows by kind: instanceof MsalError, then switch (error.kind); or isMsalError(error, kind)', () => {
    const caught: unknown = throttledError(429, 5000, { error: 'too_many_requests' })
    if (!(caught instanceof MsalError)) throw new Error('not an MsalError')
    const wait = caught.kind === 'ThrottledError' ? caught.retryAfterMs : -1
    expect(wait).toBe(5000)
    expect(isMsalError(caught, 'ThrottledError') && caught.retryAfterMs).toBe(5000)
    expect(isMsalError(caught, 'ServerError')).toBe(false)
    expect(isMsalError(new Error('x'))).toBe(false)
  })

  it('copies with changed fields keep their class (errors are values)', () => {
    const error = serverError(400, { error: 'invalid_grant' })
    const copy = withFields(error, { correlationId: 'c2' })
    expect(copy).toBeInstanceOf(ServerError)
    expect([copy.correlationId, error.correlationId, copy.message, copy.status]).toEqual(['c2', undefined, error.message, 400])
  })

  it('serializes to JSON as its kind, message and fields, never a stack', () => {
    const json = JSON.parse(JSON.stringify(usageError('scopes', 'expected an array'))) as Record<string, unknown>
    expect(json).toEqual({ name: 'UsageError', kind: 'UsageError', message: 'scopes: expected an array', error: 'invalid_argument', argument: 'scopes' })
  })
})

describe('SingleFlight', () => {
  it('shares one pending promise between identical calls and forgets it when settled', async () => {
    const flight = new SingleFlight<number>()
    const releases: Array<(n: number) => void> = []
    const start = () => new Promise<number>((resolve) => releases.push(resolve))
    const a = flight.do(() => 'k', start)
    const b = flight.do(() => 'k', start)
    const c = flight.do(() => 'other', start)
    expect(releases).toHaveLength(2)
    expect(b).toBe(a)
    expect(flight.size).toBe(2)
    releases[0]!(7)
    await expect(b).resolves.toBe(7)
    expect(flight.size).toBe(1)
    releases[1]!(8)
    await expect(c).resolves.toBe(8)
    expect(flight.size).toBe(0)
  })

  it('never registers, or even computes a key for, a synchronous result', () => {
    const flight = new SingleFlight<number>()
    let keyComputed = false
    const key = () => {
      keyComputed = true
      return 'k'
    }
    expect(flight.do(key, () => 5)).toBe(5)
    expect(keyComputed).toBe(false)
    expect(flight.size).toBe(0)
  })

  it('shares a rejection too, and then lets the next call start afresh', async () => {
    const flight = new SingleFlight<number>()
    const failing = () => Promise.reject(new Error('nope'))
    const a = flight.do(() => 'k', failing)
    const b = flight.do(() => 'k', () => Promise.resolve(1))
    await expect(a).rejects.toThrow('nope')
    await expect(b).rejects.toThrow('nope')
    await expect(flight.do(() => 'k', () => Promise.resolve(2))).resolves.toBe(2)
  })
})

describe('uuidFromBytes', () => {
  it('formats a version-4, variant-1 UUID', () => {
    expect(uuidFromBytes(new Uint8Array(16).fill(0xff))).toBe('ffffffff-ffff-4fff-bfff-ffffffffffff')
    expect(uuidFromBytes(new Uint8Array(16))).toBe('00000000-0000-4000-8000-000000000000')
  })
})

describe('options: one rule table per application, every option known', () => {
  const valid = { clientId: 'client-1', clientCredential: 'secret' }
  const refusal = (input: unknown, decode: (input: unknown) => E.Either<MsalError, unknown> = decodeConfidentialClientConfig) => {
    const result = decode(input)
    return E.isLeft(result) ? result.left : undefined
  }

  it('refuses an unknown option, naming it and the nearest known one', () => {
    expect(refusal({ ...valid, authorty: 'https://login.microsoftonline.com/t' })).toMatchObject({
      kind: 'ConfigurationError',
      field: 'authorty',
      message: expect.stringMatching(/^authorty: unknown option; did you mean authority\? \(the options are clientId, authority, /),
    })
    expect(refusal({ ...valid, somethingElse: 1 })?.message).toMatch(/^somethingElse: unknown option \(the options are /)
  })

  it.each([
    // Core's runtime-neutral rules (the web runtimes'): Node takes both (issue 14).
    ['verify', false, /taken on Node \(@msal-ts\/node\) only/],
    ['proxies', { https: 'http://proxy:8080' }, /taken on Node \(@msal-ts\/node\) only/],
    ['allowBroker', true, /brokers/],
    ['enableBrokerOnWindows', true, /brokers/],
    ['authScheme', {}, /proof-of-possession/],
    ['auth', { clientId: 'x' }, /MSAL for Node's \{ auth/],
    ['clientSecret', 's', /pass the secret as `clientCredential`/],
  ])("refuses MSAL Python's or MSAL for Node's %s with what to use instead", (name, value, instead) => {
    expect(refusal({ ...valid, [name]: value })).toMatchObject({ kind: 'ConfigurationError', field: name, message: expect.stringMatching(instead) })
  })

  it('a public client refuses what only a confidential client takes', () => {
    for (const [name, value] of [['azureRegion', 'westus2'], ['clientCredential', 's'], ['clientClaims', {}]] as const) {
      expect(refusal({ clientId: 'c', [name]: value }, decodePublicClientConfig)).toMatchObject({ kind: 'ConfigurationError', field: name })
    }
  })

  it('counts an option set to undefined as not given', () => {
    expect(E.isRight(decodeConfidentialClientConfig({ ...valid, authority: undefined, unknownButUndefined: undefined }))).toBe(true)
  })

  it('keeps the rule tables and the option types in step (compile-time: a missing or extra rule does not type-check)', () => {
    const rules: OptionRules<ClientApplicationOptions> = CLIENT_APPLICATION_RULES
    expect(Object.keys(rules)).toContain('timeout')
    // @ts-expect-error a table without a rule for every option is not an OptionRules
    const incomplete: OptionRules<ClientApplicationOptions> = { clientId: CLIENT_APPLICATION_RULES.clientId }
    expect(incomplete).toBeDefined()
  })
})
