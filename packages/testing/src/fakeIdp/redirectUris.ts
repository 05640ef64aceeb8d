import type { RegisteredApp } from './types.js'

/**
 * The app registration platform a redirect URI is registered under, as far as Entra's rules
 * differ: a single-page application's (`spaRedirectUris`), or any other (`redirectUris`: web,
 * mobile and desktop).
 */
export type RedirectPlatform = 'spa' | 'web'

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
 * Whether a URI the request names is a registered one. The match is exact, except for loopback
 * URIs (`http://localhost…`, `http://127.0.0.1…`): Entra ignores their port, so a native app may
 * listen on any free port (RFC 8252 §7.3). Host and path must match.
 */
const matches = (registered: string, asked: string): boolean => {
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
}

/** The platform under which the app registered a redirect URI the request names, or `undefined` when it did not. */
export const redirectPlatformOf = (app: RegisteredApp, asked: string): RedirectPlatform | undefined => {
  if ((app.spaRedirectUris ?? []).some((registered) => matches(registered, asked))) return 'spa'
  if ((app.redirectUris ?? []).some((registered) => matches(registered, asked))) return 'web'
  return undefined
}

/** Whether a redirect URI an authorization request names is one the app registered, under any platform. */
export const isRegisteredRedirectUri = (app: RegisteredApp, asked: string): boolean => redirectPlatformOf(app, asked) !== undefined

/** Where the response goes when the request names no redirect URI: the app's first registered one (web before SPA). */
export const defaultRedirectUri = (app: RegisteredApp): string | undefined => app.redirectUris?.[0] ?? app.spaRedirectUris?.[0]

/** The URIs an app registered under both platforms, which Entra does not allow (each URI belongs to one platform). */
export const urisOnBothPlatforms = (app: RegisteredApp): string[] => (app.spaRedirectUris ?? []).filter((uri) => (app.redirectUris ?? []).includes(uri))
