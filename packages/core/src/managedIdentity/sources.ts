import { fileExists, readEnv, type Program } from '../effects/program.js'

/**
 * Where a managed identity's tokens come from: MSAL Python's sentinels, which
 * get_managed_identity_source() returns (and getManagedIdentitySource() here).
 */
export const ManagedIdentitySource = {
  SERVICE_FABRIC: 'SERVICE_FABRIC',
  /** App Service, Azure Functions and Azure Automation (one protocol). */
  APP_SERVICE: 'APP_SERVICE',
  MACHINE_LEARNING: 'MACHINE_LEARNING',
  AZURE_ARC: 'AZURE_ARC',
  CLOUD_SHELL: 'CLOUD_SHELL',
  /** The VM's (or VM scale set's) instance metadata service, IMDS. */
  DEFAULT_TO_VM: 'DEFAULT_TO_VM',
} as const
export type ManagedIdentitySource = (typeof ManagedIdentitySource)[keyof typeof ManagedIdentitySource]

/** The environment variables a source is detected by and configured with. */
export const ENVIRONMENT_VARIABLES = [
  'IDENTITY_ENDPOINT',
  'IDENTITY_HEADER',
  'IDENTITY_SERVER_THUMBPRINT',
  'MSI_ENDPOINT',
  'MSI_SECRET',
  'IMDS_ENDPOINT',
  'AZUREPS_HOST_ENVIRONMENT',
  'AZURE_POD_IDENTITY_AUTHORITY_HOST',
  'ProgramFiles',
  'ProgramData',
] as const
export type EnvironmentVariable = (typeof ENVIRONMENT_VARIABLES)[number]

/** The variables as read (undefined: not set; "" counts as set, as MSAL Python tests presence). */
export type SourceEnvironment = { readonly [K in EnvironmentVariable]?: string | undefined }

/** Where Azure Arc's agent (himds) is installed, per platform: its presence means Arc (MSAL Python's rule). */
export const arcAgentPath = (platform: string, env: SourceEnvironment): string | undefined =>
  platform === 'linux'
    ? '/opt/azcmagent/bin/himds'
    : platform === 'win32' && env.ProgramFiles !== undefined && env.ProgramFiles !== ''
      ? `${env.ProgramFiles}\\AzureConnectedMachineAgent\\himds.exe`
      : undefined

const has = (env: SourceEnvironment, ...names: readonly EnvironmentVariable[]): boolean => names.every((name) => env[name] !== undefined)

/**
 * The detection table, in MSAL Python's order: the first row whose test holds names the source.
 * Presence is what counts (an empty value too); what the values say is checked when they are used.
 */
const DETECTION: ReadonlyArray<readonly [ManagedIdentitySource, (env: SourceEnvironment, arcAgentFound: boolean) => boolean]> = [
  [ManagedIdentitySource.SERVICE_FABRIC, (env) => has(env, 'IDENTITY_ENDPOINT', 'IDENTITY_HEADER', 'IDENTITY_SERVER_THUMBPRINT')],
  [ManagedIdentitySource.APP_SERVICE, (env) => has(env, 'IDENTITY_ENDPOINT', 'IDENTITY_HEADER')],
  [ManagedIdentitySource.MACHINE_LEARNING, (env) => has(env, 'MSI_ENDPOINT', 'MSI_SECRET')],
  [ManagedIdentitySource.AZURE_ARC, (env, arcAgentFound) => has(env, 'IDENTITY_ENDPOINT', 'IMDS_ENDPOINT') || arcAgentFound],
  [ManagedIdentitySource.CLOUD_SHELL, (env) => (env.AZUREPS_HOST_ENVIRONMENT ?? '').startsWith('cloud-shell')],
]

/** The source the environment names (pure: the Arc agent's presence is given). */
export const sourceOf = (env: SourceEnvironment, arcAgentFound: boolean): ManagedIdentitySource =>
  DETECTION.find(([, detects]) => detects(env, arcAgentFound))?.[0] ?? ManagedIdentitySource.DEFAULT_TO_VM

/** Whether the environment names Arc by its variables (then the agent's file need not be looked for). */
const arcByEnvironment = (env: SourceEnvironment): boolean => has(env, 'IDENTITY_ENDPOINT', 'IMDS_ENDPOINT')

export interface DetectedSource {
  /** The source the environment names (MSAL Python's detection order); IMDS when none does. */
  readonly source: ManagedIdentitySource
  /** The environment variables detection read, for building the request. */
  readonly env: SourceEnvironment
  /** Arc was found by its agent's executable, not by its variables (its endpoint is then the default). */
  readonly arcByAgentFile: boolean
}

/** Reads the environment, and looks for Arc's agent only when no earlier source matched. */
export function* detectSource(platform: string): Program<DetectedSource> {
  const env: { [K in EnvironmentVariable]?: string } = {}
  for (const name of ENVIRONMENT_VARIABLES) {
    const value = yield* readEnv(name)
    if (value !== undefined) env[name] = value
  }
  const before = sourceOf(env, false)
  if (before !== ManagedIdentitySource.CLOUD_SHELL && before !== ManagedIdentitySource.DEFAULT_TO_VM) return { source: before, env, arcByAgentFile: false }
  const agent = arcByEnvironment(env) ? undefined : arcAgentPath(platform, env)
  const agentFound = agent !== undefined && (yield* fileExists(agent))
  return { source: sourceOf(env, agentFound), env, arcByAgentFile: agentFound }
}
