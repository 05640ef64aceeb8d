/**
 * Hosts that are one identity cloud under several names, as Entra's instance discovery lists
 * them. A token cached under one name is valid under all of them. `network` is the name to call;
 * `cache` the one MSAL for Node files tokens under (MSAL Python files them under the host it
 * called).
 */
export interface CloudAliasGroup {
  /** The host requests go to (instance discovery metadata's preferred_network). */
  readonly network: string
  /** The host MSAL for Node files tokens under, the cache entities' environment (preferred_cache). */
  readonly cache: string
  /** Every host name of the cloud, `network` included; a token cached under one is valid under all. */
  readonly aliases: readonly string[]
}

export const CLOUD_ALIAS_GROUPS: readonly CloudAliasGroup[] = [
  {
    network: 'login.microsoftonline.com',
    cache: 'login.windows.net',
    aliases: ['login.microsoftonline.com', 'login.windows.net', 'login.microsoft.com', 'sts.windows.net'],
  },
  { network: 'login.partner.microsoftonline.cn', cache: 'login.partner.microsoftonline.cn', aliases: ['login.partner.microsoftonline.cn', 'login.chinacloudapi.cn'] },
  { network: 'login.microsoftonline.de', cache: 'login.microsoftonline.de', aliases: ['login.microsoftonline.de'] },
  { network: 'login.microsoftonline.us', cache: 'login.microsoftonline.us', aliases: ['login.microsoftonline.us', 'login.usgovcloudapi.net'] },
  { network: 'login-us.microsoftonline.com', cache: 'login-us.microsoftonline.com', aliases: ['login-us.microsoftonline.com'] },
]

const GROUP_OF = new Map<string, CloudAliasGroup>(CLOUD_ALIAS_GROUPS.flatMap((group) => group.aliases.map((host) => [host, group] as const)))

/** The host itself, then its aliases; just the host when it has none. */
export const environmentAliases = (host: string): readonly string[] => {
  const lower = host.toLowerCase()
  const group = GROUP_OF.get(lower)
  return group === undefined ? [lower] : [lower, ...group.aliases.filter((alias) => alias !== lower)]
}

/** The cloud's name to call (for a host outside the known clouds, the host itself). */
export const preferredNetwork = (host: string): string => GROUP_OF.get(host.toLowerCase())?.network ?? host.toLowerCase()

/** The name MSAL for Node files the cloud's tokens under. */
export const preferredCache = (host: string): string => GROUP_OF.get(host.toLowerCase())?.cache ?? host.toLowerCase()
