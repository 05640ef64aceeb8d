/**
 * The pages the loopback server shows the browser: the welcome page, the end of a sign-in
 * (success or error) and the answers to requests it ignores. Templates follow MSAL Python's
 * `welcome_template`, `success_template` and `error_template` (oauth2cli's authcode.py):
 * `$name` or `${name}` placeholders (`$$` is a dollar sign), unknown ones left as they are
 * (Template.safe_substitute); a template that starts with `<` is HTML and every value put into
 * it is escaped.
 */

/** A page as the server sends it. */
export interface Page {
  readonly status: number
  readonly contentType: string
  readonly body: string
}

/**
 * What a template may show: every field of the authorization response, as MSAL Python fills its
 * templates (`template.safe_substitute(**auth_response)`), with `error`, `error_description`
 * and `error_uri` empty when the response has none. The default templates show none of the
 * code, state or session (people share screenshots of sign-in pages); a template of yours may.
 */
export type PageFields = Readonly<Record<string, string>>

const HTML_ESCAPES: Readonly<Record<string, string>> = { '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' }

export const escapeHtml = (text: string): string => text.replace(/[&<>"']/g, (c) => HTML_ESCAPES[c]!)

const isHtml = (template: string): boolean => template.trimStart().startsWith('<')

const PLACEHOLDER = /\$(?:(\$)|([_a-zA-Z][_a-zA-Z0-9]*)|\{([_a-zA-Z][_a-zA-Z0-9]*)\})/g

/** Fills a template (Python's Template.safe_substitute), escaping the values when it is HTML. */
export const renderTemplate = (template: string, fields: PageFields, status = 200): Page => {
  const html = isHtml(template)
  const values = fields
  const body = template.replace(PLACEHOLDER, (whole, dollar: string | undefined, bare: string | undefined, braced: string | undefined) => {
    if (dollar !== undefined) return '$'
    const name = bare ?? braced!
    if (!Object.hasOwn(values, name)) return whole
    return html ? escapeHtml(values[name]!) : values[name]!
  })
  return { status, contentType: html ? 'text/html; charset=utf-8' : 'text/plain; charset=utf-8', body }
}

const SECURITY_NOTE = 'For your security, do not share this page, its address or a screenshot of it.'

const page = (title: string, paragraphs: readonly string[]): string =>
  `<!DOCTYPE html><html lang="en"><head><meta charset="utf-8"><title>${title}</title>` +
  '<style>body{font-family:system-ui,sans-serif;margin:3em auto;max-width:40em;padding:0 1em;line-height:1.5}</style>' +
  `</head><body><h1>${title}</h1>${paragraphs.map((p) => `<p>${p}</p>`).join('')}</body></html>`

export const DEFAULT_SUCCESS_TEMPLATE = page('Sign-in complete', [
  'You are signed in. You can close this tab and return to the application.',
  SECURITY_NOTE,
])

export const DEFAULT_ERROR_TEMPLATE = page('Sign-in failed', [
  'The sign-in did not complete: <strong>$error</strong>',
  '$error_description',
  'You can close this tab and return to the application.',
  SECURITY_NOTE,
])

/** Templates for the end of the sign-in; unset ones are ours. */
export interface PageTemplates {
  readonly successTemplate?: string | undefined
  readonly errorTemplate?: string | undefined
}

/**
 * An `error_uri` fit for a link: an absolute http(s) URL, else nothing. Whoever sends the
 * redirect chooses it, and a template may well write `<a href="$error_uri">`: escaping stops
 * markup, not a `javascript:` or `data:` URL.
 */
export const safeErrorUri = (uri: string | undefined): string => {
  if (uri === undefined) return ''
  try {
    const url = new URL(uri)
    return url.protocol === 'https:' || url.protocol === 'http:' ? url.href : ''
  } catch {
    return ''
  }
}

/** The page for the authorization response that ends the sign-in: the template filled with every field of it (error_uri only if it is an http(s) URL). */
export const finalPage = (templates: PageTemplates, response: Readonly<Record<string, string>>): Page => {
  const fields: PageFields = { error: '', error_description: '', ...response, error_uri: safeErrorUri(response['error_uri']) }
  return response['code'] !== undefined && response['code'] !== ''
    ? renderTemplate(templates.successTemplate ?? DEFAULT_SUCCESS_TEMPLATE, fields)
    : renderTemplate(templates.errorTemplate ?? DEFAULT_ERROR_TEMPLATE, fields)
}

/**
 * MSAL Python's welcome page (its `welcome_template`): shown at the loopback server's start
 * address, which the browser then opens instead of the authorization URL; `$auth_uri` is the
 * sign-in link and `$abort_uri` a link that ends the sign-in.
 */
export const welcomePage = (template: string, uris: { readonly auth_uri: string; readonly abort_uri: string }): Page => renderTemplate(template, uris)

/** A redirect to the sign-in page, for a browser that opens the start address without a welcome template. */
export const redirectTo = (location: string): Page & { readonly location: string } => ({
  status: 302,
  contentType: 'text/plain; charset=utf-8',
  body: 'Redirecting to the sign-in page.\n',
  location,
})

/** A short plain-text answer to a request the server does not act on. */
export const notice = (status: number, text: string): Page => ({ status, contentType: 'text/plain; charset=utf-8', body: `${text}\n` })
