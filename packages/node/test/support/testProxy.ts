import { createServer, type IncomingMessage } from 'node:http'
import type { Socket } from 'node:net'
import { createProxy } from 'proxy'

export interface SeenRequest {
  readonly line: string
  readonly authorization: string | undefined
}

export interface TestProxy {
  readonly url: string
  readonly port: number
  readonly seen: SeenRequest[]
  close(): Promise<void>
}

/**
 * A real forward proxy (TooTallNate's `proxy`) on 127.0.0.1. It records every request line
 * (absolute-URI requests and CONNECTs) before it handles them. `hosts` plays the proxy's DNS:
 * it maps host:port names that do not exist to loopback ones, as a corporate proxy resolves
 * names the client cannot. `user`/`password` make it demand Basic authentication (407).
 */
export const startProxy = async (options: { hosts?: Record<string, string>; user?: string; password?: string } = {}): Promise<TestProxy> => {
  const server = createServer()
  const seen: SeenRequest[] = []
  const sockets = new Set<Socket>()
  server.on('connection', (socket: Socket) => {
    sockets.add(socket)
    socket.on('close', () => sockets.delete(socket))
  })
  const record = (req: IncomingMessage) => {
    seen.push({ line: `${req.method} ${req.url}`, authorization: req.headers['proxy-authorization'] })
    for (const [from, to] of Object.entries(options.hosts ?? {})) req.url = req.url?.replace(from, to)
  }
  // Registered before createProxy's own listeners, so they run first.
  server.on('request', record)
  server.on('connect', (req: IncomingMessage, socket: Socket) => {
    sockets.add(socket)
    record(req)
  })
  const proxy = createProxy(server)
  if (options.user !== undefined) {
    const expected = `Basic ${Buffer.from(`${options.user}:${options.password ?? ''}`).toString('base64')}`
    proxy.authenticate = (req) => req.headers['proxy-authorization'] === expected
  }
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject)
    server.listen(0, '127.0.0.1', () => resolve())
  })
  const address = server.address()
  if (address === null || typeof address === 'string') throw new Error('the test proxy is not listening')
  return {
    url: `http://127.0.0.1:${address.port}`,
    port: address.port,
    seen,
    close: async () => {
      for (const socket of sockets) socket.destroy()
      await new Promise<void>((resolve) => server.close(() => resolve()))
    },
  }
}

