/**
 * The pages the loopback server shows the browser: the end of a sign-in (success or error) and
 * the answers to requests it ignores. Templates follow MSAL Python's `success_template` and
 * `error_template`: `$name` or `${name}` placeholders (`$$` is a dollar sign), unknown ones left
 * as they are; a template that starts with `<` is HTML and every value put into it is escaped.
 */

/** A page as the server sends it. */
export interface Page {
  readonly status: number
  readonly contentType: string
  readonly body: string
}

/**
 * What a template may show: the authorization response's error fields (empty on success). The
 * code, state and session never reach a page: people share screenshots of sign-in pages.
 */
export interface PageFields {
  readonly error: string
  readonly error_description: string
  /** Only an absolute http(s) URL; anything else (a `javascript:` URL) is left out. */
  readonly error_uri: string
}

const HTML_ESCAPES: Readonly<Record<string, string>> = { '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' }

export const escapeHtml = (text: string): string => text.replace(/[&<>"']/g, (c) => HTML_ESCAPES[c]!)

const isHtml = (template: string): boolean => template.trimStart().startsWith('<')

const PLACEHOLDER = /\$(?:(\$)|([_a-zA-Z][_a-zA-Z0-9]*)|\{([_a-zA-Z][_a-zA-Z0-9]*)\})/g

/** Fills a template (Python's Template.safe_substitute), escaping the values when it is HTML. */
export const renderTemplate = (template: string, fields: PageFields, status = 200): Page => {
  const html = isHtml(template)
  const values = fields as unknown as Readonly<Record<string, string>>
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

/** The page for the authorization response that ends the sign-in. */
export const finalPage = (templates: PageTemplates, response: Readonly<Record<string, string>>): Page => {
  const fields: PageFields = {
    error: response['error'] ?? '',
    error_description: response['error_description'] ?? '',
    error_uri: safeErrorUri(response['error_uri']),
  }
  return response['code'] !== undefined && response['code'] !== ''
    ? renderTemplate(templates.successTemplate ?? DEFAULT_SUCCESS_TEMPLATE, fields)
    : renderTemplate(templates.errorTemplate ?? DEFAULT_ERROR_TEMPLATE, fields)
}

/** A short plain-text answer to a request the server does not act on. */
export const notice = (status: number, text: string): Page => ({ status, contentType: 'text/plain; charset=utf-8', body: `${text}\n` })
