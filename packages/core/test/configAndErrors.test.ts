import * as E from '#fp-ts/Either'
import { decodeConfidentialClientConfig, MsalException, serverError, SingleFlight, uuidFromBytes } from '@msal-ts/core'

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
    expect(E.isLeft(result) && result.left).toMatchObject({ _tag: 'ConfigurationError', code: 'invalid_configuration', field })
    expect(E.isLeft(result) && result.left.message).toContain(message)
  })
})

describe('MsalException', () => {
  it('carries every field of the tagged error, named as in MSAL Python', () => {
    const error = new MsalException({ ...serverError(400, { error: 'invalid_grant', errorCodes: [50126], suberror: 'consent_required', correlationId: 'c' }) })
    expect(error).toBeInstanceOf(Error)
    expect(error).toMatchObject({
      name: 'MsalError',
      kind: 'ServerError',
      code: 'server_error',
      error: 'invalid_grant',
      errorCodes: [50126],
      suberror: 'consent_required',
      classification: 'consent_required',
      correlationId: 'c',
      status: 400,
      message: 'invalid_grant',
    })
  })

  it('uses the stable code as `error` when no server error exists', () => {
    const error = new MsalException({ _tag: 'NetworkError', code: 'network_error', url: 'u', message: 'down' })
    expect([error.error, error.kind, error.url]).toEqual(['network_error', 'NetworkError', 'u'])
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
