/**
 * Side by side with MSAL for Node: for each source, @azure/msal-node's ManagedIdentityApplication
 * and msal-ts's ManagedIdentityClient run against the same emulation, one after the other, and
 * the requests each sent are compared (method, URL path, query, headers, body, count). Every
 * difference must be one of the deliberate choices the README lists (by its id, M1…), and every
 * choice listed for a scenario must show: the list cannot go stale in either direction.
 *
 * MSAL for Node keeps its source and its token cache in static fields, so each source gets a
 * fresh copy of the module. It reads process.env, which each test sets to the emulation's
 * variables (and restores). For Azure Arc, its `fs` is pointed at the emulation's key folder, as
 * msal-ts's interpreter is (`arc.files`): both read the same real key files.
 */
import type * as MsalNodeModule from '@azure/msal-node'
import { jest } from '@jest/globals'
import { createHash } from 'node:crypto'
import { readFileSync } from 'node:fs'
import * as realFs from 'node:fs'
import { join } from 'node:path'
import { createNodeInterpreter, ManagedIdentityClient, SystemAssignedManagedIdentity, UserAssignedManagedIdentity, type ManagedIdentity } from '@msal-ts/node'
import {
  AppServiceEmulation,
  AzureArcEmulation,
  CloudShellEmulation,
  ImdsEmulation,
  MachineLearningEmulation,
  managedIdentityFaults,
  msalNodeNetworkClient,
  ServiceFabricEmulation,
  type EmulatedRequest,
  type ManagedIdentityEmulation,
} from '@msal-ts/testing'

type MsalNode = typeof MsalNodeModule

// ---- MSAL for Node's fs, pointed at the Arc emulation's key folder ----
let currentArc: AzureArcEmulation | undefined
const redirected = (path: unknown): unknown => (typeof path === 'string' && currentArc !== undefined ? (currentArc.localPath(path) ?? path) : path)
const fsForMsalNode = {
  ...realFs,
  accessSync: (path: realFs.PathLike, mode?: number) => realFs.accessSync(redirected(path) as string, mode),
  statSync: ((path: realFs.PathLike, options?: realFs.StatSyncOptions) => realFs.statSync(redirected(path) as string, options)) as typeof realFs.statSync,
  readFileSync: ((path: realFs.PathOrFileDescriptor, options?: unknown) => realFs.readFileSync(redirected(path) as string, options as never)) as typeof realFs.readFileSync,
}
jest.unstable_mockModule('fs', () => ({ ...fsForMsalNode, default: fsForMsalNode }))

/** A fresh copy of MSAL for Node (its static source and cache start empty). */
const freshMsalNode = async (): Promise<MsalNode> => {
  let module: MsalNode | undefined
  await jest.isolateModulesAsync(async () => {
    module = await import('@azure/msal-node')
  })
  return module!
}

// ---- process.env for MSAL for Node ----
const VARIABLES = ['IDENTITY_ENDPOINT', 'IDENTITY_HEADER', 'IDENTITY_SERVER_THUMBPRINT', 'MSI_ENDPOINT', 'MSI_SECRET', 'IMDS_ENDPOINT', 'AZUREPS_HOST_ENVIRONMENT', 'AZURE_POD_IDENTITY_AUTHORITY_HOST', 'DEFAULT_IDENTITY_CLIENT_ID']
const saved = Object.fromEntries(VARIABLES.map((name) => [name, process.env[name]]))
const useEnvironment = (env: Record<string, string>): void => {
  for (const name of VARIABLES) delete process.env[name]
  Object.assign(process.env, env)
}
afterAll(() => {
  for (const name of VARIABLES) {
    if (saved[name] === undefined) delete process.env[name]
    else process.env[name] = saved[name]
  }
})

// ---- What each library sent, comparably ----
const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i

/** A request with what is expected to differ in value made comparable: request ids, versions, key file contents. */
const comparable = (request: EmulatedRequest, emulation: ManagedIdentityEmulation): Record<string, unknown> => {
  const keys = emulation instanceof AzureArcEmulation ? Object.values(emulation.keyFiles) : []
  const issuedHashes = new Set(emulation.issued.map((token) => createHash('sha256').update(token.accessToken).digest('hex')))
  const query = Object.fromEntries(
    Object.entries(request.query).map(([name, value]) => [name, name === 'token_sha256_to_refresh' && issuedHashes.has(value) ? '<sha256 of a token it issued>' : value]),
  )
  const headers = Object.fromEntries(
    Object.entries(request.headers).map(([name, value]) => {
      if (name === 'x-ms-client-request-id' && UUID.test(value)) return [name, '<uuid>']
      if (name === 'x-client-ver') return [name, '<version>']
      if (name === 'authorization' && keys.some((key) => value === `Basic ${key}`)) return [name, 'Basic <the key file>']
      return [name, value]
    }),
  )
  return { method: request.method, path: request.path, query, headers, form: request.form }
}

/** The differences between two request lists, one line each: `#1 header x: msal-node "a" | msal-ts "b"`. */
const differences = (node: readonly Record<string, unknown>[], ours: readonly Record<string, unknown>[]): string[] => {
  const lines: string[] = []
  if (node.length !== ours.length) lines.push(`count: msal-node ${node.length} | msal-ts ${ours.length}`)
  const show = (value: unknown) => (value === undefined ? '(none)' : JSON.stringify(value))
  for (let i = 0; i < Math.min(node.length, ours.length); i++) {
    const a = node[i]!
    const b = ours[i]!
    for (const field of ['method', 'path'] as const) if (a[field] !== b[field]) lines.push(`#${i + 1} ${field}: msal-node ${show(a[field])} | msal-ts ${show(b[field])}`)
    for (const part of ['query', 'headers', 'form'] as const) {
      const x = a[part] as Record<string, string>
      const y = b[part] as Record<string, string>
      for (const name of [...new Set([...Object.keys(x), ...Object.keys(y)])].sort()) {
        if (x[name] !== y[name]) lines.push(`#${i + 1} ${part === 'headers' ? 'header' : part === 'query' ? 'query' : 'form'} ${name}: msal-node ${show(x[name])} | msal-ts ${show(y[name])}`)
      }
    }
  }
  return lines.sort()
}

// ---- The deliberate choices (README, "Differences from MSAL for Node"), and where each shows ----
const README = readFileSync(join(import.meta.dirname, '..', '..', '..', 'README.md'), 'utf8')
type Choice = `M${number}`
/** Each expected difference line, with the choice that explains it. */
type Expected = ReadonlyArray<readonly [Choice, string]>

const GET_CONTENT_TYPE = (n: number): readonly [Choice, string] => ['M1', `#${n} header content-type: msal-node "application/x-www-form-urlencoded;charset=utf-8" | msal-ts (none)`]
const SKU = (n: number): readonly [Choice, string] => ['M2', `#${n} header x-client-sku: msal-node "msal.js.node" | msal-ts "msal.ts.node"`]

interface Scenario {
  readonly name: string
  readonly identity?: (emulation: ManagedIdentityEmulation) => { readonly ours: ManagedIdentity; readonly node?: Record<string, string> }
  readonly capabilities?: readonly string[]
  /** Calls in order; each is a resource (and a claims challenge). */
  readonly calls: ReadonlyArray<{ readonly resource: string; readonly claims?: string }>
  readonly prepare?: (emulation: ManagedIdentityEmulation) => void
  readonly expected: Expected
}

interface Source {
  readonly name: string
  readonly make: () => ManagedIdentityEmulation
  readonly scenarios: readonly Scenario[]
}

const VAULT = 'https://vault.azure.net'
const COLD_THEN_CACHED = [{ resource: `${VAULT}/.default` }, { resource: VAULT }]
const byClientId = (emulation: ManagedIdentityEmulation) => {
  const clientId = emulation.userAssigned[0]!.clientId
  return { ours: UserAssignedManagedIdentity({ clientId }), node: { userAssignedClientId: clientId } }
}
const byResourceId = (emulation: ManagedIdentityEmulation) => {
  const resourceId = emulation.userAssigned[0]!.resourceId
  return { ours: UserAssignedManagedIdentity({ resourceId }), node: { userAssignedResourceId: resourceId } }
}
const CHALLENGED = [{ resource: VAULT }, { resource: VAULT, claims: '{"access_token":{"nbf":{"essential":true,"value":"1"}}}' }]

const SOURCES: readonly Source[] = [
  {
    name: 'IMDS',
    make: () => new ImdsEmulation(),
    scenarios: [
      { name: 'system-assigned, cold then cached', calls: COLD_THEN_CACHED, expected: [GET_CONTENT_TYPE(1), SKU(1)] },
      { name: 'user-assigned by resource id', identity: byResourceId, calls: [{ resource: VAULT }], expected: [GET_CONTENT_TYPE(1), SKU(1)] },
      {
        name: 'a claims challenge, with capabilities',
        capabilities: ['cp1'],
        calls: CHALLENGED,
        expected: [GET_CONTENT_TYPE(1), GET_CONTENT_TYPE(2), SKU(1), SKU(2), ['M3', '#1 query xms_cc: msal-node "cp1" | msal-ts (none)'], ['M3', '#2 query xms_cc: msal-node "cp1" | msal-ts (none)']],
      },
      { name: 'a 500, retried after 1 s', calls: [{ resource: VAULT }], prepare: (e) => e.injectFault(managedIdentityFaults.serverError(500)), expected: [GET_CONTENT_TYPE(1), GET_CONTENT_TYPE(2), SKU(1), SKU(2)] },
    ],
  },
  {
    name: 'App Service',
    make: () => new AppServiceEmulation(),
    scenarios: [
      { name: 'system-assigned, cold then cached', calls: COLD_THEN_CACHED, expected: [GET_CONTENT_TYPE(1), ['M4', '#1 header metadata: msal-node (none) | msal-ts "true"']] },
      { name: 'user-assigned by client id', identity: byClientId, calls: [{ resource: VAULT }], expected: [GET_CONTENT_TYPE(1), ['M4', '#1 header metadata: msal-node (none) | msal-ts "true"']] },
      {
        name: 'a claims challenge, with capabilities',
        capabilities: ['cp1'],
        calls: CHALLENGED,
        expected: [
          GET_CONTENT_TYPE(1),
          GET_CONTENT_TYPE(2),
          ['M4', '#1 header metadata: msal-node (none) | msal-ts "true"'],
          ['M4', '#2 header metadata: msal-node (none) | msal-ts "true"'],
          ['M3', '#1 query xms_cc: msal-node "cp1" | msal-ts (none)'],
          ['M3', '#2 query xms_cc: msal-node "cp1" | msal-ts (none)'],
        ],
      },
    ],
  },
  {
    name: 'Machine Learning',
    make: () => new MachineLearningEmulation(),
    scenarios: [
      {
        name: 'system-assigned, cold then cached',
        calls: COLD_THEN_CACHED,
        expected: [GET_CONTENT_TYPE(1), ['M5', '#1 header metadata: msal-node "true" | msal-ts (none)'], ['M5', '#1 query clientid: msal-node "<DEFAULT_IDENTITY_CLIENT_ID>" | msal-ts (none)']],
      },
      { name: 'user-assigned by client id', identity: byClientId, calls: [{ resource: VAULT }], expected: [GET_CONTENT_TYPE(1), ['M5', '#1 header metadata: msal-node "true" | msal-ts (none)']] },
    ],
  },
  {
    name: 'Service Fabric',
    make: () => new ServiceFabricEmulation(),
    scenarios: [
      { name: 'system-assigned, cold then cached', calls: COLD_THEN_CACHED, expected: [GET_CONTENT_TYPE(1)] },
      { name: 'a user-assigned id', identity: byClientId, calls: [{ resource: VAULT }], expected: [GET_CONTENT_TYPE(1), ['M6', '#1 query client_id: msal-node "<the id>" | msal-ts (none)']] },
      // Both tell Service Fabric the revoked token's hash and the capabilities.
      { name: 'a claims challenge, with capabilities', capabilities: ['cp1', 'cp2'], calls: CHALLENGED, expected: [GET_CONTENT_TYPE(1), GET_CONTENT_TYPE(2)] },
    ],
  },
  {
    name: 'Azure Arc',
    make: () => new AzureArcEmulation(),
    scenarios: [
      { name: 'system-assigned: the challenge, the key file, the token; then cached', calls: COLD_THEN_CACHED, expected: [GET_CONTENT_TYPE(1), GET_CONTENT_TYPE(2)] },
      { name: 'user-assigned by client id, forwarded', identity: byClientId, calls: [{ resource: VAULT }], expected: [GET_CONTENT_TYPE(1), GET_CONTENT_TYPE(2)] },
    ],
  },
  {
    name: 'Cloud Shell',
    make: () => new CloudShellEmulation(),
    scenarios: [
      { name: 'system-assigned, cold then cached', calls: COLD_THEN_CACHED, expected: [] },
    ],
  },
]

/** What a difference line says once the emulation's own values are named. */
const named = (line: string, emulation: ManagedIdentityEmulation): string =>
  line
    .replace(`"${emulation.systemAssigned?.clientId}"`, '"<DEFAULT_IDENTITY_CLIENT_ID>"')
    .replace(`"${emulation.userAssigned[0]!.clientId}"`, '"<the id>"')

describe.each(SOURCES)('$name: MSAL for Node and msal-ts on one emulation', (source) => {
  it.each(source.scenarios)('$name', async (scenario) => {
    const msalNode = await freshMsalNode()
    const emulation = source.make()
    currentArc = emulation instanceof AzureArcEmulation ? emulation : undefined
    try {
      useEnvironment(emulation.env)
      const identity = scenario.identity?.(emulation)

      // MSAL for Node.
      scenario.prepare?.(emulation)
      const nodeApp = new msalNode.ManagedIdentityApplication({
        ...(identity?.node !== undefined ? { managedIdentityIdParams: identity.node } : {}),
        ...(scenario.capabilities !== undefined ? { clientCapabilities: [...scenario.capabilities] } : {}),
        system: { networkClient: msalNodeNetworkClient(emulation.fetch) },
      })
      const nodeResults = []
      for (const call of scenario.calls) nodeResults.push(await nodeApp.acquireToken({ resource: call.resource, ...(call.claims !== undefined ? { claims: call.claims } : {}) }))
      const nodeRequests = emulation.requests.map((request) => comparable(request, emulation))

      // msal-ts, on the same emulation.
      emulation.clearRequests()
      scenario.prepare?.(emulation)
      const env = emulation.env
      const ours = new ManagedIdentityClient(identity?.ours ?? SystemAssignedManagedIdentity(), {
        ...(scenario.capabilities !== undefined ? { clientCapabilities: scenario.capabilities } : {}),
        ...(emulation instanceof AzureArcEmulation ? { interpreter: emulation.files(createNodeInterpreter({ env, httpClient: emulation.fetch })) } : { env, httpClient: emulation.fetch }),
      })
      const ourResults = []
      for (const call of scenario.calls) ourResults.push(await ours.acquireTokenForClient({ resource: call.resource, claimsChallenge: call.claims }))
      const ourRequests = emulation.requests.map((request) => comparable(request, emulation))

      // Both got tokens, from the same places (the source or the cache).
      expect(ourResults.map((r) => r.tokenSource)).toEqual(nodeResults.map((r) => (r.fromCache ? 'cache' : 'identity_provider')))
      expect(differences(nodeRequests, ourRequests).map((line) => named(line, emulation))).toEqual(scenario.expected.map(([, line]) => line).sort())
      for (const [choice] of scenario.expected) expect(README).toMatch(new RegExp(`\\*\\*${choice}\\.\\*\\*`))
    } finally {
      currentArc = undefined
      await emulation.close()
    }
  })

  it('both name the source alike', async () => {
    const msalNode = await freshMsalNode()
    const emulation = source.make()
    try {
      useEnvironment(emulation.env)
      const nodeSource = new msalNode.ManagedIdentityApplication({ system: { networkClient: msalNodeNetworkClient(emulation.fetch) } }).getManagedIdentitySource()
      const ourSource = await new ManagedIdentityClient(SystemAssignedManagedIdentity(), { env: emulation.env }).getManagedIdentitySource()
      expect({ nodeSource, ourSource }).toEqual({ nodeSource: NODE_NAMES[source.name], ourSource: emulation.source })
    } finally {
      await emulation.close()
    }
  })
})

/** MSAL for Node's names of the sources (ManagedIdentitySourceNames). */
const NODE_NAMES: Readonly<Record<string, string>> = {
  IMDS: 'DefaultToImds',
  'App Service': 'AppService',
  'Machine Learning': 'MachineLearning',
  'Service Fabric': 'ServiceFabric',
  'Azure Arc': 'AzureArc',
  'Cloud Shell': 'CloudShell',
}
