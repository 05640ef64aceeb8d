import type { RegisteredApp } from './types.js'

const LOOPBACK_HOSTS = new Set(['localhost', '127.0.0.1'])

const parse = (uri: string): URL | undefined => {
  try {
    return new URL(uri)
  } catch {
    return undefined
  }
}

/** An http redirect URI on localhost or 127.0.0.1: a native app's local listener. */
const loopback = (uri: string): URL | undefined => {
  const url = parse(uri)
  return url !== undefined && url.protocol === 'http:' && LOOPBACK_HOSTS.has(url.hostname) ? url : undefined
}

/**
 * Whether a redirect URI an authorization request names is one the app registered. The match is
 * exact, except for loopback URIs (`http://localhost…`, `http://127.0.0.1…`): Entra ignores their
 * port, so a native app may listen on any free port (RFC 8252 §7.3). Host and path must match.
 */
export const isRegisteredRedirectUri = (app: RegisteredApp, asked: string): boolean =>
  (app.redirectUris ?? []).some((registered) => {
    if (registered === asked) return true
    const mine = loopback(registered)
    const theirs = loopback(asked)
    return (
      mine !== undefined &&
      theirs !== undefined &&
      mine.hostname === theirs.hostname &&
      mine.pathname === theirs.pathname &&
      mine.search === theirs.search &&
      theirs.hash === ''
    )
  })
