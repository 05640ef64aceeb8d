/** Microsoft Entra hosts whose endpoints MSAL knows without asking (instance discovery is skipped). */
export const KNOWN_MICROSOFT_HOSTS: ReadonlySet<string> = new Set([
  'login.microsoftonline.com',
  'login.windows.net',
  'login.microsoft.com',
  'sts.windows.net',
  'login.chinacloudapi.cn',
  'login.partner.microsoftonline.cn',
  'login-us.microsoftonline.com',
  'login.microsoftonline.us',
  'login.usgovcloudapi.net',
])

export const isKnownMicrosoftHost = (host: string): boolean => KNOWN_MICROSOFT_HOSTS.has(host.toLowerCase())

const LOOPBACK_HOSTNAMES: ReadonlySet<string> = new Set(['127.0.0.1', '[::1]', 'localhost'])

/** Loopback hosts may be reached over plain http, so a local identity provider works in development and tests. */
export const isLoopbackHostname = (hostname: string): boolean => LOOPBACK_HOSTNAMES.has(hostname.toLowerCase())
