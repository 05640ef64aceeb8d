import * as E from '../util/either.js'
import type { FileOutcome, HttpResponse } from '../effects/effect.js'
import { type ArcPlatformNotSupportedError, type ManagedIdentityError } from '../errors.js'
import { arcPlatformNotSupportedError, managedIdentityError } from '../wireErrors.js'
import type { ManagedIdentityId } from './identity.js'
import { ManagedIdentitySource, type SourceEnvironment } from './sources.js'

const ARC = ManagedIdentitySource.AZURE_ARC

/** The largest key file Azure Arc's agent writes that is read (MSAL's 4 KB). */
export const ARC_KEY_FILE_MAX_BYTES = 4096

/** Where Arc's agent keeps its key files, per platform, and the platform's path separator. */
export const arcKeyFolder = (platform: string, env: SourceEnvironment): E.Either<ManagedIdentityError | ArcPlatformNotSupportedError, { readonly folder: string; readonly separator: string }> => {
  if (platform === 'linux') return E.right({ folder: '/var/opt/azcmagent/tokens', separator: '/' })
  if (platform !== 'win32') return E.left(arcPlatformNotSupportedError(platform))
  const programData = env.ProgramData
  if (programData === undefined || programData === '') {
    return E.left(managedIdentityError('the environment variable ProgramData is not set: it names the folder of Azure Arc\'s key files', ARC))
  }
  return E.right({ folder: `${programData.replace(/[\\/]+$/, '')}\\AzureConnectedMachineAgent\\Tokens`, separator: '\\' })
}

/**
 * The key file an Arc challenge (`WWW-Authenticate: Basic realm=<path>`, scheme and parameter
 * name in any case) names; undefined when the response carries no such challenge.
 */
export const arcChallengePath = (response: HttpResponse): string | undefined => {
  const header = response.headers['www-authenticate']
  if (header === undefined) return undefined
  const match = /^\s*basic\s+realm\s*=\s*(.*?)\s*$/i.exec(header)
  if (match === null || match[1] === '') return undefined
  const realm = match[1]!
  return realm.length >= 2 && realm.startsWith('"') && realm.endsWith('"') ? realm.slice(1, -1) : realm
}

/**
 * The path of the key file to read, decided before anything is read: the challenge must name a
 * `.key` file directly inside the agent's token folder for this platform (Linux or Windows), by
 * exactly that folder's path (case-insensitively on Windows). Any other path (another folder, a
 * `..`, a relative path), another extension or another platform is refused, so a process that
 * answers on the endpoint cannot make this one read (and send) any other file.
 */
export const arcKeyFilePath = (platform: string, env: SourceEnvironment, realm: string): E.Either<ManagedIdentityError | ArcPlatformNotSupportedError, string> => {
  const where = arcKeyFolder(platform, env)
  if (E.isLeft(where)) return where
  const { folder, separator } = where.right
  const windows = separator === '\\'
  const cutAt = windows ? Math.max(realm.lastIndexOf('\\'), realm.lastIndexOf('/')) : realm.lastIndexOf('/')
  const name = realm.slice(cutAt + 1)
  const directory = cutAt < 0 ? '' : realm.slice(0, cutAt)
  if (!/^[^\\/:]+\.key$/i.test(name) || (!windows && !name.endsWith('.key'))) {
    return E.left(managedIdentityError(`Azure Arc's challenge names ${JSON.stringify(name)}, not a .key file; it was not read`, ARC))
  }
  const sameFolder = windows ? directory.toLowerCase() === folder.toLowerCase() : directory === folder
  if (!sameFolder) {
    return E.left(managedIdentityError(`Azure Arc's challenge names a file outside the agent's token folder ${folder} (${JSON.stringify(realm)}); it was not read`, ARC))
  }
  return E.right(`${folder}${separator}${name}`)
}

/** The key file's content as the Authorization header's credential, or why it cannot be used. */
export const arcSecretOf = (path: string, file: FileOutcome): E.Either<ManagedIdentityError, string> => {
  switch (file._tag) {
    case 'FileTooLarge':
      return E.left(managedIdentityError(`Local key file shall not be larger than 4KB: ${path} has ${file.sizeBytes} bytes; it was not read`, ARC))
    case 'FileUnavailable':
      return E.left(managedIdentityError(`Azure Arc's key file ${path} cannot be read (${file.reason})`, ARC))
    case 'FileContent': {
      // A header value cannot carry line breaks; the agent's files have none but a trailing one.
      const secret = file.text.trim()
      if (secret === '' || /[\r\n]/.test(secret)) return E.left(managedIdentityError(`Azure Arc's key file ${path} does not hold a key`, ARC))
      return E.right(secret)
    }
  }
}

/** The response fields that echo each user-assigned id (Arc's confirmation of which identity it used). */
const ECHOES: Readonly<Record<Exclude<ManagedIdentityId['idType'], 'SystemAssigned'>, readonly string[]>> = {
  ClientId: ['client_id'],
  ObjectId: ['object_id'],
  ResourceId: ['msi_res_id', 'mi_res_id'],
}

/**
 * Azure Arc may answer a user-assigned request with its system-assigned identity's token (an
 * agent that ignores the id): the answer must echo the id asked for, case-insensitively, or the
 * token is refused and nothing is cached (MSAL for Node 7's fail-closed rule).
 */
export const confirmArcIdentity = (identity: ManagedIdentityId, body: Readonly<Record<string, unknown>>): E.Either<ManagedIdentityError, undefined> => {
  if (identity.idType === 'SystemAssigned') return E.right(undefined)
  const echoed = ECHOES[identity.idType].map((field) => body[field]).find((value): value is string => typeof value === 'string' && value !== '')
  if (echoed !== undefined && echoed.toLowerCase() === identity.id!.toLowerCase()) return E.right(undefined)
  return E.left(
    managedIdentityError(
      `Azure Arc did not confirm the user-assigned identity (${identity.idType}) asked for; it may have answered with the system-assigned identity, so its token was refused`,
      ARC,
    ),
  )
}
