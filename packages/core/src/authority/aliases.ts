/**
 * Hosts that are one identity cloud under several names, as Entra's instance discovery lists
 * them. A token cached under one name is valid under all of them (MSAL for Node files public-cloud
 * tokens under login.windows.net, MSAL Python under the authority's own host).
 */
export const CLOUD_ALIAS_GROUPS: ReadonlyArray<readonly string[]> = [
  ['login.microsoftonline.com', 'login.windows.net', 'login.microsoft.com', 'sts.windows.net'],
  ['login.partner.microsoftonline.cn', 'login.chinacloudapi.cn'],
  ['login.microsoftonline.de'],
  ['login.microsoftonline.us', 'login.usgovcloudapi.net'],
  ['login-us.microsoftonline.com'],
]

const GROUP_OF = new Map<string, readonly string[]>(CLOUD_ALIAS_GROUPS.flatMap((group) => group.map((host) => [host, group] as const)))

/** The host itself, then its aliases; just the host when it has none. */
export const environmentAliases = (host: string): readonly string[] => {
  const lower = host.toLowerCase()
  const group = GROUP_OF.get(lower)
  return group === undefined ? [lower] : [lower, ...group.filter((alias) => alias !== lower)]
}
