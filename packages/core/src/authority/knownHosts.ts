import { CLOUD_ALIAS_GROUPS } from './aliases.js'

/**
 * Microsoft Entra hosts whose endpoints MSAL knows without asking (instance discovery is
 * skipped): every name of the known clouds but the retired German cloud's.
 */
export const KNOWN_MICROSOFT_HOSTS: ReadonlySet<string> = new Set(CLOUD_ALIAS_GROUPS.flatMap((group) => (group.network === 'login.microsoftonline.de' ? [] : group.aliases)))

export const isKnownMicrosoftHost = (host: string): boolean => KNOWN_MICROSOFT_HOSTS.has(host.toLowerCase())

const LOOPBACK_HOSTNAMES: ReadonlySet<string> = new Set(['127.0.0.1', '[::1]', 'localhost'])

/** Loopback hosts may be reached over plain http, so a local identity provider works in development and tests. */
export const isLoopbackHostname = (hostname: string): boolean => LOOPBACK_HOSTNAMES.has(hostname.toLowerCase())
