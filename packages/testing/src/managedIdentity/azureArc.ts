import { randomBytes } from 'node:crypto'
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import type { Interpret } from '@msal-ts/core'
import type { IdpAnswer, IdpRequest } from '../fakeIdp/types.js'
import { json, ManagedIdentityEmulation, namedId, type ManagedIdentityEmulationOptions } from './emulation.js'

/** The platforms Arc's agent runs on, and where it keeps its key files there. */
export type ArcPlatform = 'linux' | 'win32'

export const ARC_LINUX_TOKEN_FOLDER = '/var/opt/azcmagent/tokens'
export const ARC_LINUX_AGENT = '/opt/azcmagent/bin/himds'

export interface AzureArcEmulationOptions extends ManagedIdentityEmulationOptions {
  /** Whose paths the challenge names. Default 'linux'. */
  readonly platform?: ArcPlatform
  /** %ProgramData% on Windows. Default 'C:\ProgramData'. */
  readonly programData?: string
  /**
   * Whether the agent honours a user-assigned id (and echoes it in its answer). false: it answers
   * with the system-assigned identity and echoes nothing, as an older agent does. Default true.
   */
  readonly honoursUserAssigned?: boolean
}

const arcError = (status: number, error: string, description: string): IdpAnswer => json(status, { error, error_description: description })

/**
 * Azure Arc's agent (himds), api-version 2020-06-01: the first GET (with `Metadata: true`) is
 * answered 401 with `WWW-Authenticate: Basic realm=<key file>`, a fresh key file the agent wrote
 * in its token folder; the same GET again with `Authorization: Basic <the file's content>` gets
 * the token. The key files are real files in a temporary folder (`keyFolder`); `files(inner)`
 * wraps an interpreter so the platform's token folder (and the agent's executable) are looked up
 * there: the test points the platform at it, the application's rule is unchanged (or give
 * `keyFiles` to createTestInterpreter as its virtual file system). `env` sets
 * IDENTITY_ENDPOINT and IMDS_ENDPOINT; `close()` removes the folder.
 */
export class AzureArcEmulation extends ManagedIdentityEmulation {
  readonly source = 'AZURE_ARC'
  protected readonly defaultOrigin = 'http://127.0.0.1:40342'
  protected readonly defaultLifetimeSeconds = 86_399
  readonly platform: ArcPlatform
  /** A real, temporary folder standing in for the platform's token folder. */
  readonly keyFolder: string
  private readonly programData: string
  private readonly honoursUserAssigned: boolean
  /** Secrets of the key files the agent wrote, by file name. */
  private readonly keys = new Map<string, string>()
  /**
   * The token folder's files by their platform path, as text: a virtual file system for
   * createTestInterpreter's `files` (it sees files written later too).
   */
  readonly keyFiles: Record<string, string> = {}
  private challengeRealm: string | undefined
  private agentInstalled = false

  constructor(options: AzureArcEmulationOptions = {}) {
    super(options)
    this.platform = options.platform ?? 'linux'
    this.programData = options.programData ?? 'C:\\ProgramData'
    this.honoursUserAssigned = options.honoursUserAssigned ?? true
    this.keyFolder = mkdtempSync(join(tmpdir(), 'msal-ts-arc-'))
  }

  /**
   * IDENTITY_ENDPOINT and IMDS_ENDPOINT naming this emulation (on Windows also ProgramData and
   * ProgramFiles). Once the agent is installed (`installAgent()`), only the platform's variables:
   * the source is then found by the agent's executable, at the agent's fixed endpoint
   * (http://127.0.0.1:40342; reach a listening emulation there with `tunnelFetch`).
   */
  get env(): Record<string, string> {
    return {
      ...(this.agentInstalled ? {} : { IDENTITY_ENDPOINT: `${this.origin}/metadata/identity/oauth2/token`, IMDS_ENDPOINT: this.origin }),
      ...(this.platform === 'win32' ? { ProgramData: this.programData, ProgramFiles: 'C:\\Program Files' } : {}),
    }
  }

  /** The platform's token folder, as the agent names it in its challenges. */
  get tokenFolder(): string {
    return this.platform === 'linux' ? ARC_LINUX_TOKEN_FOLDER : `${this.programData}\\AzureConnectedMachineAgent\\Tokens`
  }

  /** A file of the platform's token folder, as the challenge names it. */
  platformPath(name: string): string {
    return `${this.tokenFolder}${this.platform === 'linux' ? '/' : '\\'}${name}`
  }

  /** Writes a file into the (temporary) token folder, e.g. one too large or of the wrong kind. */
  writeKeyFile(name: string, content: string | Buffer): string {
    writeFileSync(join(this.keyFolder, name), content, { mode: 0o600 })
    const path = this.platformPath(name)
    this.keyFiles[path] = typeof content === 'string' ? content : content.toString('utf8')
    return path
  }

  /** The next challenges name this realm instead of a fresh key file (undefined: back to fresh files). */
  challengeWith(realm: string | undefined): this {
    this.challengeRealm = realm
    return this
  }

  /** Makes the agent's executable "exist", so the source is found by file rather than by variables. */
  installAgent(): this {
    this.agentInstalled = true
    writeFileSync(join(this.keyFolder, '.himds'), '')
    this.keyFiles[this.agentPath] = ''
    return this
  }

  /** Where the agent's executable is on the platform. */
  get agentPath(): string {
    return this.platform === 'linux' ? ARC_LINUX_AGENT : 'C:\\Program Files\\AzureConnectedMachineAgent\\himds.exe'
  }

  /**
   * Wraps an interpreter (the Node interpreter, to read real files) so ReadFile and FileExists of
   * the platform's token folder and agent executable go to this emulation's temporary folder.
   * Any other path is passed through unchanged.
   */
  files(inner: Interpret): Interpret {
    return (effect) => {
      if (effect._tag !== 'ReadFile' && effect._tag !== 'FileExists') return inner(effect)
      const mapped = this.localPath(effect.path)
      return inner(mapped === undefined ? effect : { ...effect, path: mapped })
    }
  }

  /** Where a platform path really is in this emulation, or undefined for a path outside its folder. */
  localPath(platformPath: string): string | undefined {
    if (platformPath === this.agentPath) return this.agentInstalled ? join(this.keyFolder, '.himds') : join(this.keyFolder, '.no-agent')
    const separator = this.platform === 'linux' ? '/' : '\\'
    const prefix = `${this.tokenFolder}${separator}`
    if (!platformPath.startsWith(prefix)) return undefined
    const name = platformPath.slice(prefix.length)
    return name.includes('/') || name.includes('\\') ? undefined : join(this.keyFolder, name)
  }

  /** Removes the temporary folder and stops the loopback server. */
  override async close(): Promise<void> {
    await super.close()
    rmSync(this.keyFolder, { recursive: true, force: true })
  }

  protected answer(request: IdpRequest, query: Readonly<Record<string, string>>): IdpAnswer {
    if (request.url.pathname !== '/metadata/identity/oauth2/token') return arcError(404, 'not_found', `no such path: ${request.url.pathname}`)
    if (request.method !== 'GET') return arcError(405, 'invalid_request', 'The request method is not supported')
    if (request.headers['metadata'] !== 'true') return arcError(400, 'invalid_request', 'Required metadata header not specified')
    if (query['api-version'] !== '2020-06-01') return arcError(400, 'invalid_request', `Invalid api-version: ${query['api-version'] ?? '(none)'}`)
    const resource = query['resource']
    if (resource === undefined || resource === '') return arcError(400, 'invalid_request', "Required query variable 'resource' is missing")
    const authorization = request.headers['authorization']
    const presented = authorization?.startsWith('Basic ') === true ? authorization.slice('Basic '.length) : undefined
    if (presented === undefined || ![...this.keys.values()].includes(presented)) return this.challenge()
    const named = namedId(query, { client_id: 'clientId', object_id: 'objectId', msi_res_id: 'resourceId' })
    if (named.problem !== undefined) return arcError(400, 'invalid_request', named.problem)
    const identity = this.honoursUserAssigned ? this.identityNamed(named.kind, named.id) : (this.systemAssigned ?? undefined)
    if (identity === undefined) return arcError(400, 'invalid_request', 'Identity not found')
    const token = this.issue(identity, resource)
    const echo = this.honoursUserAssigned && named.kind !== undefined ? { client_id: identity.clientId, object_id: identity.objectId, msi_res_id: identity.resourceId } : {}
    return json(200, {
      access_token: token.accessToken,
      expires_in: String(token.expiresIn),
      expires_on: String(token.expiresOn),
      not_before: String(token.notBefore),
      resource,
      token_type: 'Bearer',
      ...echo,
    })
  }

  /** A 401 naming a fresh key file the agent just wrote (or the realm the test chose). */
  private challenge(): IdpAnswer {
    let realm = this.challengeRealm
    if (realm === undefined) {
      const name = `${randomBytes(16).toString('hex')}.key`
      const secret = randomBytes(32).toString('hex')
      this.keys.set(name, secret)
      realm = this.writeKeyFile(name, secret)
    }
    return { kind: 'response', status: 401, headers: { 'www-authenticate': `Basic realm=${realm}`, 'content-type': 'application/json; charset=utf-8' }, body: JSON.stringify({ error: 'unauthorized', error_description: 'A key file was written; present it.' }) }
  }
}
