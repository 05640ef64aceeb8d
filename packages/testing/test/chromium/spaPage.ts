/**
 * A tiny single-page app for browser tests of the fake identity provider, served from loopback
 * on its own port (reached as http://localhost:<port>, another site than the provider's
 * 127.0.0.1). Every page carries the same script, `window.app`: authorization URLs with PKCE
 * (the flow kept in sessionStorage under its state), a full-page redirect, a popup, a hidden
 * `prompt=none` iframe, and the code redeemed with the page's own fetch (cross-origin, CORS-simple).
 */
import type { Server } from 'node:http'
import { listen, portOf } from './chromium.js'

export interface SpaConfig {
  /** e.g. http://127.0.0.1:<port>/contoso.onmicrosoft.com */
  readonly authority: string
  readonly clientId: string
  readonly scope: string
}

/** What `window.app` offers the test (page.evaluate). */
export interface SpaApp {
  /** Sends the browser to the authorization endpoint. */
  signIn(extra?: Record<string, string>): Promise<void>
  /** Opens a popup at once (before any await) and sends it to the authorization endpoint. */
  popup(extra?: Record<string, string>): Promise<void>
  /** Whether the popup's window handle reads as closed (COOP severs it). */
  popupClosed(): boolean
  /** A hidden iframe with prompt=none: the authorization response it lands on, or `{ timedOut: true }`. */
  silent(extra?: Record<string, string>, timeoutMs?: number): Promise<Record<string, string> | { timedOut: true }>
  /** Loads a URL in a visible iframe (id `frame`) and waits for its load event. */
  frame(url: string): Promise<void>
  /** The authorization response in this page's URL (query or fragment). */
  response(): Record<string, string>
  /** Redeems a code with the stored flow, from this page: the status and JSON body. */
  redeem(params: Record<string, string>): Promise<{ status: number; body: Record<string, unknown> }>
  /** Fetches the OpenID configuration with these request headers: the status, or 'failed' when CORS refused it. */
  discovery(headers?: Record<string, string>): Promise<number | 'failed'>
  /** Whether this page has an opener (a popup whose link COOP did not sever). */
  hasOpener(): boolean
  authorizeUrl(extra?: Record<string, string>): Promise<string>
}

const script = (config: SpaConfig): string => `
const config = ${JSON.stringify(config)}
const b64url = (bytes) => btoa(String.fromCharCode(...bytes)).replace(/\\+/g, '-').replace(/\\//g, '_').replace(/=+$/, '')
const random = (n) => b64url(crypto.getRandomValues(new Uint8Array(n)))
const responseOf = (url) => Object.fromEntries(new URLSearchParams(url.hash.length > 1 ? url.hash.slice(1) : url.search))
const authorizeUrl = async (extra = {}) => {
  const verifier = random(32)
  const challenge = b64url(new Uint8Array(await crypto.subtle.digest('SHA-256', new TextEncoder().encode(verifier))))
  const state = random(16)
  const redirectUri = extra.redirect_uri ?? location.origin + '/callback'
  sessionStorage.setItem('flow.' + state, JSON.stringify({ verifier, redirectUri }))
  const url = new URL(config.authority + '/oauth2/v2.0/authorize')
  const params = { client_id: config.clientId, response_type: 'code', redirect_uri: redirectUri, scope: config.scope, state, code_challenge: challenge, code_challenge_method: 'S256', ...extra }
  for (const [name, value] of Object.entries(params)) url.searchParams.set(name, value)
  return url.toString()
}
window.app = {
  authorizeUrl,
  signIn: async (extra) => location.assign(await authorizeUrl(extra)),
  popup: async (extra) => {
    window.popupWindow = window.open('about:blank', 'signin', 'popup,width=480,height=640')
    window.popupWindow.location.href = await authorizeUrl(extra)
  },
  popupClosed: () => window.popupWindow.closed,
  silent: (extra = {}, timeoutMs = 5000) => new Promise((resolve) => {
    const frame = document.createElement('iframe')
    frame.style.display = 'none'
    const done = (result) => { clearTimeout(timer); frame.remove(); resolve(result) }
    const timer = setTimeout(() => done({ timedOut: true }), timeoutMs)
    frame.addEventListener('load', () => {
      let href
      try { href = frame.contentWindow.location.href } catch { return } // still on the identity provider's origin
      if (href.startsWith(location.origin + '/callback')) done(responseOf(new URL(href)))
    })
    authorizeUrl({ prompt: 'none', ...extra }).then((url) => { frame.src = url; document.body.append(frame) })
  }),
  frame: (url) => new Promise((resolve) => {
    const frame = document.createElement('iframe')
    frame.id = 'frame'
    frame.addEventListener('load', () => resolve(), { once: true })
    frame.src = url
    document.body.append(frame)
  }),
  response: () => responseOf(location),
  redeem: async (params) => {
    const flow = JSON.parse(sessionStorage.getItem('flow.' + params.state))
    const form = { client_id: config.clientId, grant_type: 'authorization_code', code: params.code, redirect_uri: flow.redirectUri, code_verifier: flow.verifier, scope: config.scope }
    const response = await fetch(config.authority + '/oauth2/v2.0/token', { method: 'POST', body: new URLSearchParams(form) })
    return { status: response.status, body: await response.json() }
  },
  discovery: (headers = {}) => fetch(config.authority + '/v2.0/.well-known/openid-configuration', { headers }).then((response) => response.status, () => 'failed'),
  hasOpener: () => window.opener !== null,
}
`

/** Serves the app's pages (/, /callback, /web-callback, /signed-out: all the same page) on 127.0.0.1. */
export const startSpa = async (config: SpaConfig): Promise<{ readonly server: Server; readonly origin: string }> => {
  const html = `<!DOCTYPE html><html lang="en"><head><meta charset="utf-8"><title>SPA</title></head><body><h1>SPA</h1><script type="module">${script(config)}</script></body></html>`
  const server = await listen((request, response) => {
    const known = ['/', '/callback', '/web-callback', '/signed-out'].includes(new URL(request.url ?? '/', 'http://localhost').pathname)
    response.writeHead(known ? 200 : 404, { 'content-type': 'text/html; charset=utf-8', 'cache-control': 'no-store' })
    response.end(known ? html : 'not found')
  })
  return { server, origin: `http://localhost:${portOf(server)}` }
}

declare global {
  interface Window {
    /** The test app's script (see SpaApp). */
    app: SpaApp
  }
}
