/**
 * A redis-server of a test's own, on a free port of 127.0.0.1 (no persistence to disk), that a
 * test can stop for good, stall (SIGSTOP) and resume (SIGCONT), or kill (SIGKILL) and start
 * again on the same port. Without redis-server every test that starts one fails: `./dev test`
 * installs it.
 */
import { spawn, type ChildProcess } from 'node:child_process'
import { existsSync } from 'node:fs'
import { connect, createServer, type AddressInfo } from 'node:net'
import { tmpdir } from 'node:os'
import { delimiter, join } from 'node:path'

export interface RedisServer {
  readonly port: number
  readonly pid: number
  /** Stops it (SIGTERM, then SIGKILL after 5 s); nothing if it already ended. */
  stop(): Promise<void>
  /** Kills it at once (SIGKILL), as a crash would; waits until it is gone. */
  kill(): Promise<void>
  /** Stops it in its tracks (SIGSTOP): connections stay open, nothing is answered. */
  pause(): void
  /** Lets a paused server go on (SIGCONT). */
  resume(): void
}

const findRedisServer = (): string | undefined => {
  if (existsSync('/usr/bin/redis-server')) return '/usr/bin/redis-server'
  return (process.env.PATH ?? '')
    .split(delimiter)
    .filter((dir) => dir !== '')
    .map((dir) => join(dir, 'redis-server'))
    .find((path) => existsSync(path))
}

export const freePort = (): Promise<number> =>
  new Promise((resolve, reject) => {
    const server = createServer()
    server.once('error', reject)
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address() as AddressInfo
      server.close(() => resolve(port))
    })
  })

const sleep = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms))

/** Whether something on the port answers PING with +PONG. */
const answersPing = (port: number): Promise<boolean> =>
  new Promise((resolve) => {
    const socket = connect({ host: '127.0.0.1', port })
    const done = (ok: boolean) => {
      socket.destroy()
      resolve(ok)
    }
    socket.setTimeout(1000, () => done(false))
    socket.once('error', () => done(false))
    socket.once('connect', () => socket.write('PING\r\n'))
    socket.once('data', (data) => done(data.toString().startsWith('+PONG')))
  })

/** Starts redis-server on `port` (default: a free one) and waits until it answers. */
export const startRedis = async (port?: number): Promise<RedisServer> => {
  const binary = findRedisServer()
  if (binary === undefined) {
    throw new Error('redis-server is not installed (not in /usr/bin nor on PATH): run ./dev test, which installs it')
  }
  const chosen = port ?? (await freePort())
  const child: ChildProcess = spawn(binary, ['--port', String(chosen), '--bind', '127.0.0.1', '--save', '', '--appendonly', 'no', '--dir', tmpdir()], {
    stdio: ['ignore', 'pipe', 'pipe'],
  })
  let output = ''
  child.stdout?.on('data', (chunk: Buffer) => (output += chunk.toString()))
  child.stderr?.on('data', (chunk: Buffer) => (output += chunk.toString()))
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()))
  const ended = (): boolean => child.exitCode !== null || child.signalCode !== null
  const stop = async (): Promise<void> => {
    if (ended()) return
    child.kill('SIGCONT')
    child.kill('SIGTERM')
    let timer: NodeJS.Timeout | undefined
    const killed = await Promise.race([exited.then(() => true), new Promise<boolean>((resolve) => (timer = setTimeout(() => resolve(false), 5000)))])
    clearTimeout(timer)
    if (!killed) {
      child.kill('SIGKILL')
      await exited
    }
  }
  const deadline = Date.now() + 10_000
  while (!(await answersPing(chosen))) {
    if (ended() || Date.now() > deadline) {
      await stop()
      throw new Error(`redis-server did not start on port ${chosen}:\n${output}`)
    }
    await sleep(25)
  }
  return {
    port: chosen,
    pid: child.pid!,
    stop,
    kill: async () => {
      if (ended()) return
      child.kill('SIGKILL')
      await exited
    },
    pause: () => void child.kill('SIGSTOP'),
    resume: () => void child.kill('SIGCONT'),
  }
}
