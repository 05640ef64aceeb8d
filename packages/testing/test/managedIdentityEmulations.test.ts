/**
 * The managed identity emulations themselves: each checks what its source checks and answers in
 * its source's shapes, on all three faces; faults; Azure Arc's key files.
 */
import { existsSync, readFileSync } from 'node:fs'
import {
  AppServiceEmulation,
  AzureArcEmulation,
  CloudShellEmulation,
  faults,
  ImdsEmulation,
  MachineLearningEmulation,
  managedIdentityFaults,
  ServiceFabricEmulation,
  type ManagedIdentityEmulation,
} from '@msal-ts/testing'
import type { Effect, FileOutcome } from '@msal-ts/core'

const get = async (emulation: ManagedIdentityEmulation, url: string, headers: Record<string, string> = {}) => {
  const response = await emulation.fetch(url, { headers })
  return { status: response.status, headers: Object.fromEntries(response.headers), body: (await response.json()) as Record<string, unknown> }
}

describe('IMDS', () => {
  const imds = new ImdsEmulation()
  const url = (query: string) => `http://169.254.169.254/metadata/identity/oauth2/token?api-version=2018-02-01&${query}`

  it.each<[string, string, Record<string, string>, number, Record<string, unknown>]>([
    ['a token, every number a string', 'resource=https://vault.azure.net', { Metadata: 'true' }, 200, { token_type: 'Bearer', expires_in: '86399', resource: 'https://vault.azure.net' }],
    ['no Metadata header', 'resource=r', {}, 400, { error: 'invalid_request', error_description: 'Required metadata header not specified' }],
    ['no resource', 'x=1', { Metadata: 'true' }, 400, { error_description: "Required query variable 'resource' is missing" }],
    ['an unknown identity', 'resource=https://r&client_id=nobody', { Metadata: 'true' }, 400, { error_description: 'Identity not found' }],
    ['App Service\'s name for a resource id', 'resource=https://r&mi_res_id=x', { Metadata: 'true' }, 400, { error_description: expect.stringMatching(/mi_res_id/) }],
    ['two ids', 'resource=https://r&client_id=a&object_id=b', { Metadata: 'true' }, 400, { error_description: expect.stringMatching(/only one of/) }],
  ])('%s', async (_, query, headers, status, body) => {
    const answer = await get(imds, url(query), headers)
    expect(answer).toMatchObject({ status, body })
  })

  it('a user-assigned identity by each of its ids', async () => {
    const user = imds.userAssigned[0]!
    for (const query of [`client_id=${user.clientId}`, `object_id=${user.objectId}`, `msi_res_id=${encodeURIComponent(user.resourceId)}`]) {
      expect((await get(imds, url(`resource=https://r&${query}`), { Metadata: 'true' })).body).toMatchObject({ client_id: user.clientId })
    }
    expect(imds.issued.slice(-3).map((token) => token.identity)).toEqual([user, user, user])
  })

  it('env is empty until it listens; then it names the loopback server, which answers over HTTP', async () => {
    const served = new ImdsEmulation()
    expect(served.env).toEqual({})
    const base = await served.listen()
    try {
      expect(served.env).toEqual({ AZURE_POD_IDENTITY_AUTHORITY_HOST: base })
      const response = await fetch(`${base}/metadata/identity/oauth2/token?api-version=2018-02-01&resource=https://r`, { headers: { Metadata: 'true' } })
      expect(response.status).toBe(200)
    } finally {
      await served.close()
    }
  })
})

describe('App Service, Machine Learning, Service Fabric', () => {
  it('App Service checks its secret header and api-version and answers {statusCode, message}; expires_on in the formats asked', async () => {
    const appService = new AppServiceEmulation({ expiresOnFormat: 'app-service-2017' })
    const endpoint = `${appService.env['IDENTITY_ENDPOINT']}?api-version=2019-08-01&resource=https://r`
    expect(await get(appService, endpoint, { 'X-IDENTITY-HEADER': 'wrong' })).toMatchObject({ status: 401, body: { statusCode: 401 } })
    expect(await get(appService, endpoint.replace('2019-08-01', '2017-09-01'), { 'X-IDENTITY-HEADER': appService.identityHeader })).toMatchObject({ status: 400, body: { message: expect.stringMatching(/api-version/) } })
    const ok = await get(appService, endpoint, { 'X-IDENTITY-HEADER': appService.identityHeader })
    expect(ok.body['expires_on']).toMatch(/^\d{1,2}\/\d{1,2}\/\d{4} \d{1,2}:\d{2}:\d{2} [AP]M \+00:00$/)
  })

  it('Machine Learning needs its secret; env carries DEFAULT_IDENTITY_CLIENT_ID', async () => {
    const ml = new MachineLearningEmulation()
    expect(ml.env).toMatchObject({ MSI_SECRET: ml.secret, DEFAULT_IDENTITY_CLIENT_ID: ml.systemAssigned!.clientId })
    expect((await get(ml, `${ml.env['MSI_ENDPOINT']}?api-version=2017-09-01&resource=r`, { secret: 'no' })).status).toBe(401)
    expect((await get(ml, `${ml.env['MSI_ENDPOINT']}?api-version=2017-09-01&resource=r`, { secret: ml.secret })).body).toMatchObject({ expires_on: expect.stringMatching(/^\d+$/) })
  })

  it('Service Fabric answers its error object, and records revocation and capabilities', async () => {
    const sf = new ServiceFabricEmulation()
    const endpoint = `${sf.env['IDENTITY_ENDPOINT']}?api-version=2019-07-01-preview`
    expect(await get(sf, `${endpoint}&resource=r`)).toMatchObject({ status: 401, body: { error: { code: 'SecretHeaderNotFound' } } })
    expect(await get(sf, endpoint, { Secret: sf.identityHeader })).toMatchObject({ status: 400, body: { error: { code: 'ArgumentNullOrEmpty' } } })
    expect((await get(sf, `${endpoint}&resource=r&token_sha256_to_refresh=abc&xms_cc=cp1`, { Secret: sf.identityHeader })).body).toMatchObject({ token_type: 'Bearer', expires_on: expect.any(Number) })
    expect(sf.revocations.at(-1)).toEqual({ tokenSha256ToRefresh: 'abc', clientCapabilities: 'cp1' })
    expect(sf.env['IDENTITY_SERVER_THUMBPRINT']).toMatch(/^[0-9A-F]{40}$/)
  })
})

describe('faults', () => {
  it('inject the next answers (after skip), then the source answers again', async () => {
    const imds = new ImdsEmulation().injectFault(managedIdentityFaults.gone(), { times: 2, skip: 1 }).injectFault(managedIdentityFaults.throttled(3))
    const statuses: Array<[number, string | undefined]> = []
    for (let i = 0; i < 5; i++) {
      const answer = await get(imds, 'http://169.254.169.254/metadata/identity/oauth2/token?api-version=2018-02-01&resource=https://r', { Metadata: 'true' })
      statuses.push([answer.status, answer.headers['retry-after']])
    }
    expect(statuses).toEqual([[200, undefined], [410, undefined], [410, undefined], [429, '3'], [200, undefined]])
  })

  it('a connection failure as a value on the Http face', async () => {
    const imds = new ImdsEmulation().injectFault(faults.connectionError())
    expect(await imds.http({ method: 'GET', url: 'http://169.254.169.254/metadata/identity/oauth2/token', headers: {} })).toMatchObject({ _tag: 'HttpFailure', kind: 'connection' })
  })
})

describe('Azure Arc', () => {
  it('challenges with a fresh key file in its folder, accepts its content, and removes the folder on close', async () => {
    const arc = new AzureArcEmulation()
    const endpoint = `${arc.env['IDENTITY_ENDPOINT']}?api-version=2020-06-01&resource=https://r`
    const challenged = await get(arc, endpoint, { Metadata: 'true' })
    expect(challenged.status).toBe(401)
    const realm = /^Basic realm=(.+)$/.exec(challenged.headers['www-authenticate']!)![1]!
    expect(realm).toMatch(/^\/var\/opt\/azcmagent\/tokens\/[0-9a-f]{32}\.key$/)
    const local = arc.localPath(realm)!
    expect(readFileSync(local, 'utf8')).toBe(arc.keyFiles[realm])
    expect(await get(arc, endpoint, { Metadata: 'true', Authorization: 'Basic wrong' })).toMatchObject({ status: 401 })
    expect(await get(arc, endpoint, { Metadata: 'true', Authorization: `Basic ${arc.keyFiles[realm]}` })).toMatchObject({ status: 200, body: { token_type: 'Bearer', expires_in: '86399' } })
    await arc.close()
    expect(existsSync(arc.keyFolder)).toBe(false)
  })

  it('files() sends the platform\'s token folder and agent to its temporary folder, nothing else', async () => {
    const arc = new AzureArcEmulation()
    try {
      const seen: string[] = []
      const inner = (effect: Effect): FileOutcome | boolean | undefined => {
        if (effect._tag === 'ReadFile' || effect._tag === 'FileExists') seen.push(effect.path)
        return undefined
      }
      const files = arc.files(inner)
      files({ _tag: 'ReadFile', path: '/var/opt/azcmagent/tokens/a.key', maxBytes: 4096 })
      files({ _tag: 'ReadFile', path: '/var/opt/azcmagent/tokens/sub/a.key', maxBytes: 4096 })
      files({ _tag: 'ReadFile', path: '/etc/passwd', maxBytes: 4096 })
      files({ _tag: 'FileExists', path: '/opt/azcmagent/bin/himds' })
      expect(seen).toEqual([`${arc.keyFolder}/a.key`, '/var/opt/azcmagent/tokens/sub/a.key', '/etc/passwd', `${arc.keyFolder}/.no-agent`])
    } finally {
      await arc.close()
    }
  })

  it('on Windows, names %ProgramData% paths; an agent that ignores user-assigned ids echoes nothing', async () => {
    const arc = new AzureArcEmulation({ platform: 'win32', programData: 'D:\\Data', honoursUserAssigned: false })
    try {
      expect(arc.env).toMatchObject({ ProgramData: 'D:\\Data', ProgramFiles: 'C:\\Program Files' })
      const endpoint = `${arc.env['IDENTITY_ENDPOINT']}?api-version=2020-06-01&resource=https://r&client_id=${arc.userAssigned[0]!.clientId}`
      const challenged = await get(arc, endpoint, { Metadata: 'true' })
      const realm = /^Basic realm=(.+)$/.exec(challenged.headers['www-authenticate']!)![1]!
      expect(realm).toMatch(/^D:\\Data\\AzureConnectedMachineAgent\\Tokens\\[0-9a-f]{32}\.key$/)
      const answer = await get(arc, endpoint, { Metadata: 'true', Authorization: `Basic ${arc.keyFiles[realm]}` })
      expect(answer.body['client_id']).toBeUndefined()
      expect(arc.issued[0]!.identity).toBe(arc.systemAssigned)
    } finally {
      await arc.close()
    }
  })
})

describe('Cloud Shell', () => {
  it('a POST with Metadata: the signed-in user\'s JWT; its error object otherwise', async () => {
    const cloudShell = new CloudShellEmulation({ user: { username: 'carol@contoso.com' } })
    const post = (body: string, headers: Record<string, string> = { Metadata: 'true' }) =>
      cloudShell.fetch('http://localhost:50342/oauth2/token', { method: 'POST', headers: { ...headers, 'content-type': 'application/x-www-form-urlencoded' }, body })
    const ok = (await (await post('resource=https%3A%2F%2Fmanagement.core.windows.net')).json()) as { access_token: string; expires_in: string }
    const claims = JSON.parse(Buffer.from(ok.access_token.split('.')[1]!, 'base64url').toString('utf8')) as Record<string, unknown>
    expect(claims).toMatchObject({ aud: 'https://management.core.windows.net', preferred_username: 'carol@contoso.com', oid: cloudShell.user.objectId, tid: cloudShell.user.tenantId })
    expect(ok.expires_in).toBe('3599')
    expect(await (await post('resource=x')).json()).toEqual({ error: { code: 'AudienceNotSupported', message: 'Audience x is not a supported MSI token audience.' } })
    expect((await post('resource=https%3A%2F%2Fr', {})).status).toBe(400)
    expect(cloudShell.env).toEqual({ AZUREPS_HOST_ENVIRONMENT: 'cloud-shell/1.0', MSI_ENDPOINT: 'http://localhost:50342/oauth2/token' })
  })
})
