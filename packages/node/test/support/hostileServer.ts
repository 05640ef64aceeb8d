/**
 * A hostile HTTP server on loopback: a reverse proxy in front of the fake identity provider's
 * loopback server that answers the requests a rule picks the way an attacker (or a broken
 * gateway) would, and passes every other request through. Applications reach it with
 * `loopbackFetch(server.url)`, so every authority's host is served over real sockets, through
 * the Node interpreter's own fetch and body reader.
 */
import { createServer, request as httpRequest, type IncomingMessage, type Server, type ServerResponse } from 'node:http'
import type { AddressInfo, Socket } from 'node:net'
import { gzipSync } from 'node:zlib'

/** What a hostile answer does. */
export type Hostility =
  /** 200 announcing 1 GiB of JSON (content-length), streamed as long as the client reads. */
  | 'huge'
  /** 200 with a chunked body that never ends. */
  | 'endless'
  /** 200, gzip: 1 MiB on the wire that inflates to 1 GiB of JSON white space. */
  | 'gzipBomb'
  /** 200 and its headers at once, then one byte every 100 ms, forever. */
  | 'slowBody'
  /** Never answers. */
  | 'silent'
  /** Headers and 10 of the 1,000 announced bytes, then a reset connection. */
  | 'resetMidBody'
  /** The connection is reset before any answer. */
  | 'resetAtOnce'
  /** 200 with a token response whose access token holds bytes that are not UTF-8. */
  | 'invalidUtf8'
  /** 302 to another origin (a server on another port, which counts the requests it gets), with a token response as body. */
  | 'crossOriginRedirect'
  /** 200 with 5,000 headers. */
  | 'manyHeaders'
  /** 400 with an OAuth2 error whose description is 900 KB and echoes the request's form. */
  | 'echoingError'

export interface SeenRequest {
  readonly method: string
  readonly path: string
  /** The host the client asked for (loopbackFetch sends it as X-Forwarded-Host). */
  readonly host: string
  readonly form: Readonly<Record<string, string>>
  /** The hostility it was answered with, if any. */
  readonly hostility?: Hostility | undefined
}

export type RequestMatcher = (request: SeenRequest) => boolean

export interface HostileServer {
  readonly url: string
  /** Every request, in order. */
  readonly requests: readonly SeenRequest[]
  /** Requests the other origin of `crossOriginRedirect` received (a client that follows redirects would send them). */
  readonly redirectTargetRequests: number
  /** Answers requests `match` picks with `hostility` (replacing any earlier rule); others pass through. */
  answer(match: RequestMatcher, hostility: Hostility): void
  /** Every request passes through. */
  clear(): void
  close(): Promise<void>
}

const GIB = 1024 ** 3
const MIB = 1024 ** 2

/** 1,024 gzip members of 1 MiB of spaces each: about 1 MiB on the wire, 1 GiB inflated (a stream may hold several members). */
let bomb: Buffer | undefined
const gzipBomb = (): Buffer => {
  if (bomb === undefined) {
    const member = gzipSync(Buffer.alloc(MIB, 0x20), { level: 9 })
    bomb = Buffer.concat(Array.from({ length: 1024 }, () => member))
  }
  return bomb
}

/** Writes `chunk` as fast as the client reads, until it goes away or `limit` bytes are out. */
const pump = (res: ServerResponse, chunk: Buffer, limit = Number.POSITIVE_INFINITY): void => {
  let sent = 0
  const write = (): void => {
    while (sent < limit && !res.destroyed) {
      sent += chunk.length
      if (!res.write(chunk)) return void res.once('drain', write)
    }
    if (!res.destroyed) res.end()
  }
  write()
}

const formOf = (headers: IncomingMessage['headers'], body: string): Record<string, string> =>
  (headers['content-type'] ?? '').toLowerCase().startsWith('application/x-www-form-urlencoded') ? Object.fromEntries(new URLSearchParams(body)) : {}

const listen = (server: Server): Promise<string> =>
  new Promise((resolve, reject) => {
    server.once('error', reject)
    server.listen(0, '127.0.0.1', () => resolve(`http://127.0.0.1:${(server.address() as AddressInfo).port}`))
  })

/** Starts a hostile server in front of `upstream` (the fake identity provider's loopback URL). */
export const startHostileServer = async (upstream: string): Promise<HostileServer> => {
  // Built now, not while a request waits: on a loaded machine that would eat into the client's timeout.
  gzipBomb()
  const requests: SeenRequest[] = []
  const sockets = new Set<Socket>()
  const timers = new Set<NodeJS.Timeout>()
  let rule: { match: RequestMatcher; hostility: Hostility } | undefined
  let redirectTargetRequests = 0

  const elsewhere = createServer((req, res) => {
    redirectTargetRequests += 1
    req.resume()
    res.end('{"stolen":true}')
  })
  const elsewhereUrl = await listen(elsewhere)

  const hostile = (hostility: Hostility, req: IncomingMessage, res: ServerResponse, form: Record<string, string>): void => {
    const json = { 'content-type': 'application/json; charset=utf-8' }
    switch (hostility) {
      case 'huge':
        res.writeHead(200, { ...json, 'content-length': String(GIB) })
        return pump(res, Buffer.alloc(64 * 1024, 0x20), GIB)
      case 'endless':
        res.writeHead(200, json)
        return pump(res, Buffer.alloc(64 * 1024, 0x20))
      case 'gzipBomb': {
        const body = gzipBomb()
        res.writeHead(200, { ...json, 'content-encoding': 'gzip', 'content-length': String(body.length) })
        return void res.end(body)
      }
      case 'slowBody': {
        res.writeHead(200, json)
        res.write('{')
        const timer = setInterval(() => res.write(' '), 100)
        timers.add(timer)
        res.once('close', () => {
          clearInterval(timer)
          timers.delete(timer)
        })
        return
      }
      case 'silent':
        return
      case 'resetMidBody':
        res.writeHead(200, { ...json, 'content-length': '1000' })
        res.write('{"access_t')
        return void setTimeout(() => req.socket.destroy(), 20)
      case 'resetAtOnce':
        return void req.socket.destroy()
      case 'invalidUtf8':
        res.writeHead(200, json)
        return void res.end(Buffer.concat([Buffer.from('{"token_type":"Bearer","expires_in":3599,"access_token":"at-'), Buffer.from([0xff, 0xfe, 0xc3]), Buffer.from('"}')]))
      case 'crossOriginRedirect':
        res.writeHead(302, { ...json, location: `${elsewhereUrl}/steal` })
        return void res.end('{"token_type":"Bearer","expires_in":3599,"access_token":"from-a-redirect"}')
      case 'manyHeaders': {
        const headers: Record<string, string> = { ...json }
        for (let i = 0; i < 5000; i += 1) headers[`x-hostile-${i}`] = 'v'
        res.writeHead(200, headers)
        return void res.end('{"token_type":"Bearer","expires_in":3599,"access_token":"under-many-headers"}')
      }
      case 'echoingError': {
        const echoed = Object.entries(form).map(([name, value]) => `${name}: ${value}`).join('; ')
        const description = `AADSTS7000215: Invalid request. You sent: ${echoed}. ${'padding '.repeat(110_000)}`
        res.writeHead(400, json)
        return void res.end(JSON.stringify({ error: 'invalid_request', error_description: description, error_codes: [7000215] }))
      }
    }
  }

  const passThrough = (req: IncomingMessage, res: ServerResponse, body: Buffer): void => {
    const target = new URL(req.url ?? '/', upstream)
    const forward = httpRequest(target, { method: req.method, headers: { ...req.headers, host: target.host } }, (answer) => {
      res.writeHead(answer.statusCode ?? 502, answer.headers)
      answer.pipe(res)
    })
    forward.once('error', () => res.destroy())
    forward.end(body)
  }

  const server = createServer((req, res) => {
    const chunks: Buffer[] = []
    req.on('data', (chunk: Buffer) => chunks.push(chunk))
    req.on('end', () => {
      const body = Buffer.concat(chunks)
      const path = new URL(req.url ?? '/', 'http://x').pathname
      const seen: SeenRequest = {
        method: req.method ?? 'GET',
        path,
        host: String(req.headers['x-forwarded-host'] ?? req.headers.host ?? ''),
        form: formOf(req.headers, body.toString('utf8')),
      }
      const hostility = rule !== undefined && rule.match(seen) ? rule.hostility : undefined
      requests.push({ ...seen, hostility })
      if (hostility !== undefined) hostile(hostility, req, res, seen.form)
      else passThrough(req, res, body)
    })
  })
  server.on('connection', (socket) => {
    sockets.add(socket)
    socket.once('close', () => sockets.delete(socket))
  })
  const url = await listen(server)

  return {
    url,
    requests,
    get redirectTargetRequests() {
      return redirectTargetRequests
    },
    answer: (match, hostility) => {
      rule = { match, hostility }
    },
    clear: () => {
      rule = undefined
    },
    close: async () => {
      for (const timer of timers) clearInterval(timer)
      for (const socket of sockets) socket.destroy()
      elsewhere.closeAllConnections()
      await Promise.all([new Promise((resolve) => server.close(resolve)), new Promise((resolve) => elsewhere.close(resolve))])
    },
  }
}
