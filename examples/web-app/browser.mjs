/**
 * Just enough of a browser to click through the example with no browser: it keeps cookies
 * (per host, as browsers do: not per port), follows redirects, and submits the identity
 * provider's response_mode=form_post page. Every request it makes is kept in `visits`.
 */
export class ScriptedBrowser {
  /** host → (cookie name → value) */
  #cookies = new Map()
  /** Every request made, oldest first: `{ method, url, status, location?, submitsFormTo? }`. */
  visits = []

  /** GETs `url` and follows redirects (and form_post pages) to the end; answers the last response and its body. */
  async open(url, { accept = 'text/html' } = {}) {
    let request = { method: 'GET', url: new URL(url), body: undefined }
    for (let hop = 0; hop < 20; hop++) {
      const response = await this.#send(request, accept)
      const body = await response.text()
      const location = response.headers.get('location')
      if (response.status >= 300 && response.status < 400 && location !== null) {
        request = { method: 'GET', url: new URL(location, request.url), body: undefined }
        continue
      }
      const form = formPostOf(body)
      if (response.status === 200 && form !== undefined) {
        this.visits.at(-1).submitsFormTo = new URL(form.action, request.url).toString()
        request = { method: 'POST', url: new URL(form.action, request.url), body: new URLSearchParams(form.fields) }
        continue
      }
      return { status: response.status, url: request.url.toString(), contentType: response.headers.get('content-type') ?? '', body }
    }
    throw new Error(`too many redirects from ${url}`)
  }

  async #send({ method, url, body }, accept) {
    const jar = this.#cookies.get(url.hostname) ?? new Map()
    const headers = { accept }
    if (jar.size > 0) headers.cookie = [...jar].map(([name, value]) => `${name}=${value}`).join('; ')
    if (body !== undefined) headers['content-type'] = 'application/x-www-form-urlencoded'
    const response = await fetch(url, { method, headers, body, redirect: 'manual' })
    for (const line of response.headers.getSetCookie()) {
      const [pair, ...attributes] = line.split(';')
      const [name, value = ''] = pair.trim().split('=')
      const expired = attributes.some((attribute) => /^\s*max-age\s*=\s*0\s*$/i.test(attribute))
      if (expired) jar.delete(name)
      else jar.set(name, value)
    }
    this.#cookies.set(url.hostname, jar)
    this.visits.push({ method, url: url.toString(), status: response.status, ...(response.headers.has('location') ? { location: response.headers.get('location') } : {}) })
    return response
  }
}

/** The hidden form of an auto-submitting response_mode=form_post page, if the page is one. */
const formPostOf = (html) => {
  const form = /<form[^>]*method="POST"[^>]*action="([^"]*)"[^>]*>([\s\S]*?)<\/form>/i.exec(html)
  if (form === null || !/document\.forms\[0\]\.submit\(\)/.test(html)) return undefined
  const fields = {}
  for (const [, name, value] of form[2].matchAll(/<input type="hidden" name="([^"]*)" value="([^"]*)"/g)) fields[decodeEntities(name)] = decodeEntities(value)
  return { action: decodeEntities(form[1]), fields }
}

const decodeEntities = (text) =>
  text.replace(/&(amp|lt|gt|quot|#39);/g, (_, entity) => ({ amp: '&', lt: '<', gt: '>', quot: '"', '#39': "'" })[entity])
