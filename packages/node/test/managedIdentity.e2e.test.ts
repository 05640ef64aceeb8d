/**
 * ManagedIdentityClient on Node, over real HTTP: each emulated source served on 127.0.0.1, found
 * through the environment (the `env` option), Azure Arc's key files real files read by the Node
 * interpreter. Also the constructor's checks, persistence, and the file rules on real files.
 */
import { execFileSync } from 'node:child_process'
import { closeSync, ftruncateSync, mkdtempSync, openSync, rmSync, statSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { performance } from 'node:perf_hooks'
import {
  ArcPlatformNotSupportedError,
  ConfigurationError,
  createNodeInterpreter,
  FilePersistence,
  ManagedIdentityClient,
  ManagedIdentityError,
  MsalError,
  SerializableTokenCache,
  SystemAssignedManagedIdentity,
  UserAssignedManagedIdentity,
  type ManagedIdentityClientOptions,
} from '@msal-ts/node'
import {
  AppServiceEmulation,
  AzureArcEmulation,
  CloudShellEmulation,
  ImdsEmulation,
  MachineLearningEmulation,
  ServiceFabricEmulation,
  type ManagedIdentityEmulation,
} from '@msal-ts/testing'
import { readSmallFile } from '../src/interpreter/files.js'
import { rejectionOf } from './support/rejection.js'

const RESOURCE = 'https://vault.azure.net'

/** A client of the emulation's host: its environment, and (Arc) the key folder the platform is pointed at. */
const clientOn = (emulation: ManagedIdentityEmulation, options: ManagedIdentityClientOptions = {}, identity = SystemAssignedManagedIdentity()) =>
  emulation instanceof AzureArcEmulation
    ? new ManagedIdentityClient(identity, { ...options, interpreter: emulation.files(createNodeInterpreter({ env: emulation.env })) })
    : new ManagedIdentityClient(identity, { ...options, env: emulation.env })

const running: ManagedIdentityEmulation[] = []
const started = async <E extends ManagedIdentityEmulation>(emulation: E): Promise<E> => {
  running.push(emulation)
  await emulation.listen()
  return emulation
}
afterEach(async () => {
  await Promise.all(running.splice(0).map((emulation) => emulation.close()))
})

describe.each<[string, () => ManagedIdentityEmulation, Record<string, unknown>]>([
  ['IMDS, through AZURE_POD_IDENTITY_AUTHORITY_HOST', () => new ImdsEmulation(), { 'api-version': '2018-02-01' }],
  ['App Service', () => new AppServiceEmulation(), { 'api-version': '2019-08-01' }],
  ['Machine Learning', () => new MachineLearningEmulation(), { 'api-version': '2017-09-01' }],
  ['Service Fabric', () => new ServiceFabricEmulation(), { 'api-version': '2019-07-01-preview' }],
  ['Azure Arc, with real key files', () => new AzureArcEmulation(), { 'api-version': '2020-06-01' }],
  ['Cloud Shell', () => new CloudShellEmulation(), {}],
])('%s over HTTP', (_, make, query) => {
  it('acquires a token end to end, then serves the second call from the cache', async () => {
    const emulation = await started(make())
    const client = clientOn(emulation)
    expect(await client.getManagedIdentitySource()).toBe(emulation.source)
    const first = await client.acquireTokenForClient({ resource: `${RESOURCE}/.default` })
    expect(first).toMatchObject({ tokenSource: 'identity_provider', accessToken: emulation.issued[0]!.accessToken, scopes: [RESOURCE] })
    expect(emulation.requests.at(-1)!.query).toMatchObject(query)
    const requests = emulation.requests.length
    const second = await client.acquireTokenForClient({ resource: RESOURCE })
    expect(second).toMatchObject({ tokenSource: 'cache', accessToken: first.accessToken })
    expect(emulation.requests).toHaveLength(requests)
  })
})

describe('the source\'s errors over HTTP', () => {
  it('App Service\'s {statusCode, message}, a wrong secret', async () => {
    const appService = await started(new AppServiceEmulation())
    const client = new ManagedIdentityClient(SystemAssignedManagedIdentity(), { env: { ...appService.env, IDENTITY_HEADER: 'stolen?' } })
    const error = await rejectionOf(client.acquireTokenForClient({ resource: RESOURCE }))
    expect(error).toMatchObject({ kind: 'ServerError', status: 401, error: 'invalid_scope' })
    // The secret never appears in what the error says.
    expect(JSON.stringify(error)).not.toContain(appService.identityHeader)
  })

  it('IMDS, a user-assigned identity the VM does not have', async () => {
    const imds = await started(new ImdsEmulation())
    const client = clientOn(imds, {}, UserAssignedManagedIdentity({ clientId: '00000000-0000-0000-0000-000000000000' }))
    expect(await rejectionOf(client.acquireTokenForClient({ resource: RESOURCE }))).toMatchObject({ kind: 'ServerError', status: 400, error: 'invalid_request', errorDescription: 'Identity not found' })
    expect(imds.requests[0]!.query).toMatchObject({ client_id: '00000000-0000-0000-0000-000000000000' })
  })

  it('no source answering is a NetworkError naming the endpoint (retried once, as every request)', async () => {
    const imds = await started(new ImdsEmulation())
    const env = imds.env
    await imds.close()
    const client = new ManagedIdentityClient(SystemAssignedManagedIdentity(), { env, timeout: 2000 })
    expect(await rejectionOf(client.acquireTokenForClient({ resource: RESOURCE }))).toMatchObject({ kind: 'NetworkError', url: `${env['AZURE_POD_IDENTITY_AUTHORITY_HOST']}/metadata/identity/oauth2/token` })
  })
})

describe('Azure Arc\'s key file, on real files', () => {
  const arcClient = async () => {
    const arc = await started(new AzureArcEmulation())
    return { arc, client: clientOn(arc) }
  }

  it('a 10 GiB file is refused from its size alone, in milliseconds, never read', async () => {
    const { arc, client } = await arcClient()
    const realm = arc.writeKeyFile('huge.key', '')
    const fd = openSync(join(arc.keyFolder, 'huge.key'), 'r+')
    ftruncateSync(fd, 10 * 2 ** 30) // sparse: no disk is used
    closeSync(fd)
    arc.challengeWith(realm)
    const start = performance.now()
    const error = await rejectionOf(client.acquireTokenForClient({ resource: RESOURCE }))
    expect(performance.now() - start).toBeLessThan(5000)
    expect(error).toMatchObject({ kind: 'ManagedIdentityError', source: 'AZURE_ARC', message: expect.stringContaining(`has ${10 * 2 ** 30} bytes; it was not read`) })
    expect(error).toBeInstanceOf(ManagedIdentityError)
    expect(arc.requests).toHaveLength(1)
  })

  it('a FIFO planted as the key file is refused at once (opening it does not wait for a writer)', async () => {
    const { arc, client } = await arcClient()
    execFileSync('mkfifo', [join(arc.keyFolder, 'fifo.key')])
    arc.challengeWith(arc.platformPath('fifo.key'))
    expect(await rejectionOf(client.acquireTokenForClient({ resource: RESOURCE }))).toMatchObject({ kind: 'ManagedIdentityError', message: expect.stringMatching(/cannot be read \(not a regular file\)/) })
  })

  it('a missing key file is named', async () => {
    const { arc, client } = await arcClient()
    arc.challengeWith(arc.platformPath('gone.key'))
    expect(await rejectionOf(client.acquireTokenForClient({ resource: RESOURCE }))).toMatchObject({ kind: 'ManagedIdentityError', message: expect.stringMatching(/gone\.key cannot be read \(ENOENT\)/) })
  })

  it('on this platform\'s real folder, outside the emulation: the platform rule is the application\'s, not the test\'s', async () => {
    const arc = await started(new AzureArcEmulation())
    // No files(): the Node interpreter looks in the real /var/opt/azcmagent/tokens, where this machine has no agent.
    const client = new ManagedIdentityClient(SystemAssignedManagedIdentity(), { env: arc.env })
    expect(await rejectionOf(client.acquireTokenForClient({ resource: RESOURCE }))).toMatchObject({ kind: 'ManagedIdentityError', message: expect.stringMatching(/^managed identity: Azure Arc's key file \/var\/opt\/azcmagent\/tokens\/[0-9a-f]{32}\.key cannot be read/) })
  })

  it('readSmallFile: the size checked on the open handle, a read bounded by maxBytes', async () => {
    const folder = mkdtempSync(join(tmpdir(), 'msal-ts-files-'))
    try {
      expect(await readSmallFile(folder, 10)).toEqual({ _tag: 'FileUnavailable', reason: 'not a regular file' })
      expect(await readSmallFile(join(folder, 'none'), 10)).toEqual({ _tag: 'FileUnavailable', reason: 'ENOENT' })
      const arc = new AzureArcEmulation()
      running.push(arc)
      arc.writeKeyFile('k.key', 'x'.repeat(11))
      expect(await readSmallFile(join(arc.keyFolder, 'k.key'), 10)).toEqual({ _tag: 'FileTooLarge', sizeBytes: 11 })
      expect(await readSmallFile(join(arc.keyFolder, 'k.key'), 11)).toEqual({ _tag: 'FileContent', text: 'x'.repeat(11) })
      expect(statSync(join(arc.keyFolder, 'k.key')).size).toBe(11)
    } finally {
      rmSync(folder, { recursive: true, force: true })
    }
  })
})

describe('the constructor', () => {
  it.each<[string, unknown, RegExp]>([
    ['no identity', undefined, /expected SystemAssignedManagedIdentity\(\)/],
    ['an unknown type', { ManagedIdentityIdType: 'Email', Id: 'x' }, /unknown ManagedIdentityIdType "Email"/],
    ['a user-assigned type without its id', { ManagedIdentityIdType: 'ResourceId' }, /ResourceId needs its Id/],
    ['a JSON string (parse it first)', '{"ManagedIdentityIdType":"SystemAssigned","Id":null}', /expected SystemAssignedManagedIdentity/],
  ])('%s: a ManagedIdentityError naming what is wrong', (_, identity, message) => {
    expect(() => new ManagedIdentityClient(identity as never)).toThrow(expect.objectContaining({ kind: 'ManagedIdentityError', message: expect.stringMatching(message) }))
  })

  it('the dict form, as loaded from JSON or an environment variable, equals the helpers', () => {
    const fromEnv = JSON.parse('{"ManagedIdentityIdType": "ClientId", "Id": "c-1"}') as never
    expect(new ManagedIdentityClient(fromEnv).managedIdentity).toEqual(UserAssignedManagedIdentity({ clientId: 'c-1' }))
    expect(new ManagedIdentityClient({ ManagedIdentityIdType: 'SystemAssigned', Id: null }).managedIdentity).toEqual(SystemAssignedManagedIdentity())
  })

  it.each<[string, object, string, RegExp]>([
    ['an unknown option', { tokenCahce: {} }, 'tokenCahce', /did you mean tokenCache\?/],
    ['MSAL for Node\'s disableInternalRetries', { disableInternalRetries: true }, 'disableInternalRetries', /retries: false/],
    ['a client id option', { clientId: 'x' }, 'clientId', /UserAssignedManagedIdentity\(\{ clientId \}\)/],
    ['an authority', { authority: 'https://login.microsoftonline.com/x' }, 'authority', /source its environment names/],
    ['retries not a boolean', { retries: 'yes' }, 'retries', /expected true or false/],
    ['capabilities not a list', { clientCapabilities: 'CP1' }, 'clientCapabilities', /an array/],
    ['a proxy beside an httpClient', { proxy: 'http://proxy:3128', httpClient: fetch }, 'proxy', /httpClient/],
  ])('%s: a ConfigurationError naming the option', (_, options, field, message) => {
    const make = () => new ManagedIdentityClient(SystemAssignedManagedIdentity(), options as never)
    expect(make).toThrow(ConfigurationError)
    expect(make).toThrow(expect.objectContaining({ field, message: expect.stringMatching(message) }))
  })

  it('an empty resource is a UsageError (as MSAL for Node\'s urlEmptyError)', async () => {
    const client = new ManagedIdentityClient(SystemAssignedManagedIdentity(), { env: {} })
    expect(await rejectionOf(client.acquireTokenForClient({ resource: '' }))).toMatchObject({ kind: 'UsageError', argument: 'resource' })
    expect(await rejectionOf(client.acquireTokenForClient(undefined as never))).toMatchObject({ kind: 'UsageError', argument: 'options' })
  })

  it('errors narrow: ArcPlatformNotSupportedError is also a ManagedIdentityError, and an MsalError', () => {
    const error: unknown = Object.assign(Object.create(ArcPlatformNotSupportedError.prototype) as object, { kind: 'ArcPlatformNotSupportedError' })
    expect(error).toBeInstanceOf(MsalError)
    expect(error instanceof ManagedIdentityError).toBe(true)
    if (error instanceof ManagedIdentityError) {
      // Narrowed to the union of both kinds: their fields type-check.
      const source: string | undefined = error.source
      expect(source).toBeUndefined()
    }
  })
})

describe('persistence', () => {
  it('a FilePersistence keeps the token for the next process: a new client is served from the file', async () => {
    const folder = mkdtempSync(join(tmpdir(), 'msal-ts-mi-cache-'))
    try {
      const appService = await started(new AppServiceEmulation())
      const cacheFile = join(folder, 'cache.json')
      const first = new ManagedIdentityClient(SystemAssignedManagedIdentity(), { env: appService.env, tokenCache: new SerializableTokenCache({ persistence: new FilePersistence(cacheFile) }) })
      const token = await first.acquireTokenForClient({ resource: RESOURCE })
      const second = new ManagedIdentityClient(SystemAssignedManagedIdentity(), { env: appService.env, tokenCache: new SerializableTokenCache({ persistence: new FilePersistence(cacheFile) }) })
      expect(await second.acquireTokenForClient({ resource: RESOURCE })).toMatchObject({ tokenSource: 'cache', accessToken: token.accessToken })
      expect(appService.requests).toHaveLength(1)
    } finally {
      rmSync(folder, { recursive: true, force: true })
    }
  })
})
