/**
 * Runs the web scenario (scenario.ts) on real runtimes: bundles it once with esbuild, then hands
 * the bundle to Node, Deno, Bun, Cloudflare's workerd and headless Chromium, each launched once
 * and bounded in time, and reads back its JSON report. The runtimes come from npm packages
 * (deno, bun, workerd: their per-platform packages ship the binaries) and Debian (chromium).
 */
import { spawn } from 'node:child_process'
import { readFileSync, writeFileSync } from 'node:fs'
import { createServer, type Server } from 'node:http'
import type { AddressInfo, Socket } from 'node:net'
import { createRequire } from 'node:module'
import { join } from 'node:path'
import { gzipSync } from 'node:zlib'
import { build, type Plugin } from 'esbuild'
import type { runScenario as RunScenario, ScenarioConfig, ScenarioReport } from './scenario.js'

const ROOT = join(import.meta.dirname, '..', '..', '..', '..')
const require = createRequire(import.meta.url)

/** Bounds every runtime's run: a hang fails the test instead of holding CI. */
export const RUN_TIMEOUT_MS = 20_000

// ---- the bundle ----

/** @msal-ts/* from the packages' sources, as the other tests take them (no build needed). */
const workspaceSources: Plugin = {
  name: 'workspace-sources',
  setup(b) {
    b.onResolve({ filter: /^@msal-ts\/(core|browser)$/ }, (args) => ({ path: join(ROOT, 'packages', args.path.slice('@msal-ts/'.length), 'src', 'index.ts') }))
  },
}

export interface Bundle {
  readonly file: string
  /** Minified size in bytes. */
  readonly bytes: number
  /** Size after gzip -9, in bytes. */
  readonly gzipBytes: number
  /** Every input file, for checking what went in. */
  readonly inputs: readonly string[]
}

/**
 * The scenario as one minified ES module for the browser platform: what a worker or a page would
 * ship. esbuild's browser platform takes jose's browser build and fp-ts's ES modules.
 */
export const bundleScenario = async (dir: string): Promise<Bundle> => {
  const file = join(dir, 'scenario.mjs')
  const result = await build({
    entryPoints: [join(import.meta.dirname, 'scenario.ts')],
    outfile: file,
    bundle: true,
    format: 'esm',
    platform: 'browser',
    target: 'es2022',
    minify: true,
    metafile: true,
    plugins: [workspaceSources],
    logLevel: 'silent',
  })
  const code = readFileSync(file)
  return { file, bytes: code.length, gzipBytes: gzipSync(code, { level: 9 }).length, inputs: Object.keys(result.metafile.inputs) }
}

// ---- the runtimes' binaries ----

/** Each runtime's binary inside its per-platform npm package, by `${process.platform} ${process.arch}`. */
const PLATFORM_BINARIES: Record<'deno' | 'bun' | 'workerd', Readonly<Record<string, string>>> = {
  deno: {
    'linux x64': '@deno/linux-x64-glibc/deno',
    'linux arm64': '@deno/linux-arm64-glibc/deno',
    'darwin x64': '@deno/darwin-x64/deno',
    'darwin arm64': '@deno/darwin-arm64/deno',
  },
  bun: {
    'linux x64': '@oven/bun-linux-x64/bin/bun',
    'linux arm64': '@oven/bun-linux-aarch64/bin/bun',
    'darwin x64': '@oven/bun-darwin-x64/bin/bun',
    'darwin arm64': '@oven/bun-darwin-aarch64/bin/bun',
  },
  workerd: {
    'linux x64': '@cloudflare/workerd-linux-64/bin/workerd',
    'linux arm64': '@cloudflare/workerd-linux-arm64/bin/workerd',
    'darwin x64': '@cloudflare/workerd-darwin-64/bin/workerd',
    'darwin arm64': '@cloudflare/workerd-darwin-arm64/bin/workerd',
  },
}

/**
 * The path of a runtime's binary: the wrapper package (a devDependency) depends on one package
 * per platform, and npm or pnpm installs the one for this machine beside it.
 */
export const runtimeBinary = (runtime: keyof typeof PLATFORM_BINARIES): string => {
  const platform = `${process.platform} ${process.arch}`
  const entry = PLATFORM_BINARIES[runtime][platform]
  if (entry === undefined) throw new Error(`no ${runtime} binary is known for ${platform}`)
  return createRequire(require.resolve(`${runtime}/package.json`)).resolve(entry)
}

/** Debian's chromium (./dev test installs it when missing). */
export const CHROMIUM = '/usr/bin/chromium'

// ---- running a script runtime (Node, Deno, Bun) ----

export interface RuntimeRun {
  readonly report: ScenarioReport
  /** From launch to report, in milliseconds. */
  readonly wallMs: number
}

const lastJsonLine = (output: string, what: string): ScenarioReport => {
  const line = output.trim().split('\n').filter((text) => text.startsWith('{')).pop()
  if (line === undefined) throw new Error(`${what} printed no report:\n${output.slice(-2000)}`)
  return JSON.parse(line) as ScenarioReport
}

/**
 * The plain-script entry for Node, Deno and Bun: the config inlined, the report printed. No
 * default export, so Bun runs it as a script instead of serving it.
 */
export const writeScriptEntry = (dir: string, name: string, config: ScenarioConfig): string => {
  const file = join(dir, `${name}.mjs`)
  writeFileSync(file, `import { runScenario } from './scenario.mjs'\nconsole.log(JSON.stringify(await runScenario(${JSON.stringify(config)})))\n`)
  return file
}

/** Runs a command to completion (bounded by RUN_TIMEOUT_MS), with no stdin, and parses its report. */
export const runScript = (command: string, args: readonly string[], options: { readonly cwd: string; readonly env?: Readonly<Record<string, string>> }): Promise<RuntimeRun> =>
  new Promise((resolve, reject) => {
    const started = performance.now()
    const child = spawn(command, args, { cwd: options.cwd, env: { PATH: process.env['PATH'] ?? '', HOME: options.cwd, ...options.env }, stdio: ['ignore', 'pipe', 'pipe'] })
    let stdout = ''
    let stderr = ''
    child.stdout.setEncoding('utf8').on('data', (chunk: string) => (stdout += chunk))
    child.stderr.setEncoding('utf8').on('data', (chunk: string) => (stderr += chunk))
    const timer = setTimeout(() => child.kill('SIGKILL'), RUN_TIMEOUT_MS)
    child.on('error', (error) => {
      clearTimeout(timer)
      reject(error)
    })
    child.on('close', (code, signal) => {
      clearTimeout(timer)
      const wallMs = performance.now() - started
      try {
        if (code !== 0) throw new Error(`${command} exited with ${code ?? signal}:\n${stderr.slice(-2000)}\n${stdout.slice(-2000)}`)
        resolve({ report: lastJsonLine(stdout, command), wallMs })
      } catch (error) {
        reject(error)
      }
    })
  })

// ---- workerd ----

/** A module worker around the scenario: POST the config, get the report. Separate from the script entry. */
const WORKER_ENTRY = `import { runScenario } from './scenario.mjs'
export default {
  async fetch(request) {
    return Response.json(await runScenario(await request.json()))
  },
}
`

/**
 * workerd's configuration: the scenario as an ES module worker on 127.0.0.1 (port 0: workerd
 * reports the one it took on the control descriptor), whose fetch() may reach loopback and
 * nothing else (workerd's default "internet" service allows only public addresses).
 */
const workerdConfig = (): string => `using Workerd = import "/workerd/workerd.capnp";

const config :Workerd.Config = (
  services = [
    (name = "scenario", worker = .scenarioWorker),
    (name = "loopback", network = (allow = ["127.0.0.1/32"])),
  ],
  sockets = [(name = "http", address = "127.0.0.1:0", http = (), service = "scenario")],
);

const scenarioWorker :Workerd.Worker = (
  modules = [
    (name = "worker.mjs", esModule = embed "worker.mjs"),
    (name = "scenario.mjs", esModule = embed "scenario.mjs"),
  ],
  compatibilityDate = "2025-09-01",
  globalOutbound = "loopback",
);
`

/** Runs the scenario in workerd: starts it, waits for its port, POSTs the config, stops it. */
export const runInWorkerd = async (dir: string, config: ScenarioConfig): Promise<RuntimeRun> => {
  writeFileSync(join(dir, 'worker.mjs'), WORKER_ENTRY)
  writeFileSync(join(dir, 'workerd.capnp'), workerdConfig())
  const started = performance.now()
  const child = spawn(runtimeBinary('workerd'), ['serve', join(dir, 'workerd.capnp'), '--control-fd=3'], {
    cwd: dir,
    env: { PATH: process.env['PATH'] ?? '', HOME: dir },
    stdio: ['ignore', 'pipe', 'pipe', 'pipe'],
  })
  let output = ''
  child.stdout!.setEncoding('utf8').on('data', (chunk: string) => (output += chunk))
  child.stderr!.setEncoding('utf8').on('data', (chunk: string) => (output += chunk))
  try {
    const port = await new Promise<number>((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error(`workerd did not listen within ${RUN_TIMEOUT_MS} ms:\n${output}`)), RUN_TIMEOUT_MS)
      let control = ''
      ;(child.stdio[3] as Socket).setEncoding('utf8').on('data', (chunk: string) => {
        control += chunk
        for (const line of control.split('\n')) {
          const message = line.startsWith('{') ? (JSON.parse(line) as { event?: string; socket?: string; port?: number }) : undefined
          if (message?.event === 'listen' && message.socket === 'http' && message.port !== undefined) {
            clearTimeout(timer)
            resolve(message.port)
          }
        }
      })
      child.on('exit', (code) => {
        clearTimeout(timer)
        reject(new Error(`workerd exited with ${code}:\n${output}`))
      })
    })
    const response = await fetch(`http://127.0.0.1:${port}/`, { method: 'POST', body: JSON.stringify(config), signal: AbortSignal.timeout(RUN_TIMEOUT_MS) })
    if (response.status !== 200) throw new Error(`workerd answered ${response.status}: ${await response.text()}\n${output}`)
    return { report: (await response.json()) as ScenarioReport, wallMs: performance.now() - started }
  } finally {
    child.kill('SIGTERM')
  }
}

// ---- Chromium ----

/** Serves `dir` on 127.0.0.1: the page and the scenario module. */
const startStaticServer = async (dir: string): Promise<Server> => {
  const pages: Readonly<Record<string, { readonly type: string; readonly body: () => string }>> = {
    '/': { type: 'text/html; charset=utf-8', body: () => '<!DOCTYPE html><html><head><title>msal-ts web scenario</title></head><body></body></html>' },
    '/scenario.mjs': { type: 'text/javascript; charset=utf-8', body: () => readFileSync(join(dir, 'scenario.mjs'), 'utf8') },
  }
  const server = createServer((request, response) => {
    const page = pages[new URL(request.url ?? '/', 'http://localhost').pathname]
    response.writeHead(page === undefined ? 404 : 200, { 'content-type': page?.type ?? 'text/plain' })
    response.end(page === undefined ? 'not found' : page.body())
  })
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', () => resolve()))
  return server
}

/**
 * A proxy that refuses everything and writes down what was asked: Chromium sends every request
 * to a non-loopback host through it (loopback bypasses a proxy), so nothing leaves the machine.
 * (Not page.route: with any route installed, Playwright answers CORS preflights itself, and the
 * identity provider's own preflight answers would go untested.)
 */
const startRefusingProxy = async (): Promise<{ readonly server: Server; readonly refused: string[] }> => {
  const refused: string[] = []
  const server = createServer((request, response) => {
    refused.push(request.url ?? '')
    response.writeHead(403).end()
  })
  server.on('connect', (request, socket: Socket) => {
    refused.push(request.url ?? '')
    socket.end('HTTP/1.1 403 Forbidden\r\n\r\n')
  })
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', () => resolve()))
  return { server, refused }
}

const portOf = (server: Server): number => (server.address() as AddressInfo).port
const closeServer = (server: Server): Promise<void> =>
  new Promise((resolve) => {
    server.close(() => resolve())
    server.closeAllConnections()
  })

export interface ChromiumRun extends RuntimeRun {
  /** The page's origin: http://localhost:<port>, another origin than the identity provider's. */
  readonly pageOrigin: string
  /** Non-loopback requests Chromium attempted (all refused by the proxy). */
  readonly refusedRequests: readonly string[]
  readonly browserVersion: string
}

/** Runs the scenario in a page of headless Chromium (driven by playwright-core), served from loopback. */
export const runInChromium = async (dir: string, config: ScenarioConfig): Promise<ChromiumRun> => {
  const { chromium } = await import('playwright-core')
  const site = await startStaticServer(dir)
  const proxy = await startRefusingProxy()
  const started = performance.now()
  const browser = await chromium.launch({
    executablePath: CHROMIUM,
    headless: true,
    timeout: RUN_TIMEOUT_MS,
    proxy: { server: `http://127.0.0.1:${portOf(proxy.server)}`, bypass: '127.0.0.1,localhost' },
  })
  try {
    const page = await browser.newPage()
    page.setDefaultTimeout(RUN_TIMEOUT_MS)
    // localhost, while the identity provider is on 127.0.0.1: every call is cross-origin (CORS).
    const pageOrigin = `http://localhost:${portOf(site)}`
    await page.goto(`${pageOrigin}/`)
    const report = await page.evaluate(async (scenarioConfig) => {
      const { runScenario } = (await import('/scenario.mjs' as string)) as { runScenario: typeof RunScenario }
      return runScenario(scenarioConfig)
    }, config)
    return { report, wallMs: performance.now() - started, pageOrigin, refusedRequests: [...proxy.refused], browserVersion: browser.version() }
  } finally {
    await browser.close()
    await closeServer(site)
    await closeServer(proxy.server)
  }
}
