/**
 * The token cache itself, msal-ts against @azure/msal-node, on a web app's cache of 100,000
 * access tokens (100 APIs for each of 1,000 users, each response with its refresh token, ID
 * token and account, every token with its own times):
 *
 *   1. Filing 100,000 responses one at a time (TokenCache.add, and SerializableTokenCache.add,
 *      which also journals each change for merges), beside a floor: the same entries built and put
 *      in plain Maps under MSAL's keys, with none of a cache's rules (FloorCache).
 *   2. serialize() and deserialize() of the whole cache, both libraries on the same text, and the
 *      floors of any load of that text (JSON.parse alone; with a look at every entry; with one
 *      record per entry in a Map), so a deserialize figure can be read against what no load avoids.
 *      Loads are timed alone and with the young-generation collections that keep what they made
 *      (timeLoads): a bare JSON.parse leaves that cost to whatever runs next, a real load does not.
 *   3. The journal under the README's save pattern (`if (cache.hasStateChanged) save(...)`, no
 *      persistence): how the heap grows over 100,000 filed responses of a 10-token cache.
 *   4. The heap each library keeps for the cache, each measured alone in a fresh process (the
 *      text read, loaded, dropped, collected): msal-ts's and msal-node's, msal-node's also without
 *      the copy of the text it keeps for later merges (its `cacheSnapshot`), and where msal-ts's
 *      bytes go, per token, from a heap snapshot.
 *
 * Times are medians of RUNS runs (CPU time of the process; see hits.mjs for why). The run fails if
 * the journal is not bounded (item 3). Run after a build:  npm run build && npm run bench:cache
 */
import { execFileSync } from 'node:child_process'
import { mkdtempSync, readFileSync, rmSync, unlinkSync, writeFileSync } from 'node:fs'
import os from 'node:os'
import { join } from 'node:path'
import { fileURLToPath } from 'node:url'
import v8 from 'node:v8'
import { accessTokenKey, accountKey, appMetadataKey, idTokenKey, refreshTokenKey } from '@msal-ts/core/protocol'

const ACCOUNTS = 1_000
const SCOPES_PER_ACCOUNT = 100
const TOKENS = ACCOUNTS * SCOPES_PER_ACCOUNT
const RUNS = 5
const HOST = 'login.microsoftonline.com'
const CLIENT = '7c0d1a9e-3f2b-4c5d-8e6f-1a2b3c4d5e6f'
const UTID = '11111111-1111-4111-8111-111111111111'
const NOW = Math.floor(Date.now() / 1000)
/** The heap may grow by at most this much over 90,000 more filed responses of a small cache (an unbounded journal: ~70 MiB). */
const JOURNAL_GROWTH_LIMIT_MIB = 4

class BenchFailure extends Error {}
const check = (condition, message) => {
  if (!condition) throw new BenchFailure(message)
}
const median = (values) => [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)]
const cpuMs = () => {
  const { user, system } = process.cpuUsage()
  return (user + system) / 1000
}
const gc = () => {
  globalThis.gc?.()
  globalThis.gc?.()
}
const heapMiB = () => (gc(), process.memoryUsage().heapUsed / 2 ** 20)
const fmt = (value, digits = 1) => value.toLocaleString('en-US', { minimumFractionDigits: digits, maximumFractionDigits: digits })

const b64 = (text) => Buffer.from(text).toString('base64url')
const uid = (a) => `00000000-0000-4000-8000-${String(a).padStart(12, '0')}`
const scopeOf = (t) => `api://resource-${t}/read`
/** The i-th response a web app files: account i mod 1,000, API i div 1,000 (so consecutive responses are other users'). */
const responseAt = (i) => {
  const a = i % ACCOUNTS
  const t = Math.floor(i / ACCOUNTS) % SCOPES_PER_ACCOUNT
  const at = NOW - ((i * 7919) % 3000)
  const idToken = `${b64('{"alg":"none"}')}.${b64(JSON.stringify({ oid: uid(a), sub: `sub-${a}`, tid: UTID, preferred_username: `user${a}@contoso.com`, name: `User ${a}`, aud: CLIENT, iss: `https://${HOST}/${UTID}/v2.0`, iat: at, exp: at + 3600 }))}.`
  const response = { token_type: 'Bearer', access_token: `at-${a}-${t}-${i}`, expires_in: 3599, ext_expires_in: 7199, scope: scopeOf(t), client_info: b64(JSON.stringify({ uid: uid(a), utid: UTID })), refresh_token: `rt-${a}-${i}`, id_token: idToken }
  return { event: { clientId: CLIENT, scope: [scopeOf(t)], environment: HOST, realm: 'contoso.onmicrosoft.com', grantType: 'authorization_code', response }, at }
}
/**
 * The shape the previous bench (and issue 16's 2.6 s) filed: account by account, each account's
 * 100 responses with one ID token and one refresh token, all at one time.
 */
const ID_TOKENS = new Map()
const accountMajorAt = (i) => {
  const a = Math.floor(i / SCOPES_PER_ACCOUNT)
  const t = i % SCOPES_PER_ACCOUNT
  if (!ID_TOKENS.has(a)) ID_TOKENS.set(a, `${b64('{"alg":"none","typ":"JWT"}')}.${b64(JSON.stringify({ oid: uid(a), sub: `sub-${a}`, tid: UTID, preferred_username: `user${a}@contoso.com`, name: `User ${a}`, aud: CLIENT, iss: `https://${HOST}/${UTID}/v2.0`, iat: NOW, exp: NOW + 3600 }))}.`)
  const response = { token_type: 'Bearer', access_token: `at-${a}-${t}`, expires_in: 3599, ext_expires_in: 3599, scope: scopeOf(t), client_info: b64(JSON.stringify({ uid: uid(a), utid: UTID })), refresh_token: `rt-${a}`, id_token: ID_TOKENS.get(a) }
  return { event: { clientId: CLIENT, scope: [scopeOf(t)], environment: HOST, realm: 'contoso.onmicrosoft.com', grantType: 'authorization_code', response }, at: NOW }
}

/** Responses come in batches made ahead, so a fill times filing, not making responses (and keeps no 100,000 of them alive). */
const BATCH = 1_000

/**
 * A floor for filing, not a cache: each response's five entries built and put in plain Maps under
 * MSAL's keys (core's key builders), the ID token and client_info decoded (the last 256
 * remembered by text, as ours are), the account's previous refresh token deleted. No validation,
 * no indexes, no canonical keys, no shared strings, no rules: what filing costs before a cache's
 * own work.
 */
class FloorCache {
  sections = { at: new Map(), rt: new Map(), idt: new Map(), account: new Map(), app: new Map() }
  decoded = new Map()
  lastRefreshToken = new Map()
  decode(text) {
    let value = this.decoded.get(text)
    if (value === undefined) {
      if (this.decoded.size >= 256) this.decoded.clear()
      this.decoded.set(text, (value = JSON.parse(Buffer.from(text.includes('.') ? text.split('.')[1] : text, 'base64url').toString())))
    }
    return value
  }
  add({ clientId, environment, scope, response: r }, at) {
    const claims = this.decode(r.id_token)
    const info = this.decode(r.client_info)
    const home = `${info.uid}.${info.utid}`
    const realm = claims.tid
    const target = scope.join(' ')
    const token = { credential_type: 'AccessToken', secret: r.access_token, home_account_id: home, environment, client_id: clientId, target, realm, token_type: r.token_type, cached_at: String(at), expires_on: String(at + r.expires_in), extended_expires_on: String(at + r.ext_expires_in) }
    this.sections.at.set(accessTokenKey(token), token)
    const refreshToken = { credential_type: 'RefreshToken', secret: r.refresh_token, home_account_id: home, environment, client_id: clientId, target, last_modification_time: String(at) }
    const rtKey = refreshTokenKey(refreshToken)
    const previous = this.lastRefreshToken.get(home)
    if (previous !== undefined && previous !== rtKey) this.sections.rt.delete(previous)
    this.sections.rt.set(rtKey, refreshToken)
    this.lastRefreshToken.set(home, rtKey)
    const idToken = { credential_type: 'IdToken', secret: r.id_token, home_account_id: home, environment, realm, client_id: clientId }
    this.sections.idt.set(idTokenKey(idToken), idToken)
    const account = { home_account_id: home, environment, realm, local_account_id: claims.oid, username: claims.preferred_username, authority_type: 'MSSTS', name: claims.name, client_info: r.client_info }
    this.sections.account.set(accountKey(account), account)
    const app = { client_id: clientId, environment }
    this.sections.app.set(appMetadataKey(app), app)
  }
}

/** CPU ms to file all TOKENS responses (`shape(i)`, by default the interleaved one) into `cache`. */
const fill = (cache, shape = responseAt) => {
  let ms = 0
  for (let from = 0; from < TOKENS; from += BATCH) {
    const batch = Array.from({ length: BATCH }, (_, k) => shape(from + k))
    const start = cpuMs()
    for (const { event, at } of batch) cache.add(event, at)
    ms += cpuMs() - start
  }
  return ms
}

const nodeApp = (msalNode) =>
  new msalNode.ConfidentialClientApplication({
    auth: { clientId: CLIENT, clientSecret: 's', authority: `https://${HOST}/organizations` },
    system: { networkClient: { sendGetRequestAsync: async () => { throw new BenchFailure('msal-node made a request') }, sendPostRequestAsync: async () => { throw new BenchFailure('msal-node made a request') } } },
  })

/** Medians of RUNS runs of `run` (CPU ms), with a collection between runs. */
const timeRuns = (run) => {
  run()
  const times = []
  for (let r = 0; r < RUNS; r++) {
    gc()
    const start = cpuMs()
    run()
    times.push(cpuMs() - start)
  }
  return median(times)
}

/**
 * A load's time two ways: alone, and with the young-generation collections that move what it
 * keeps to the old generation (two minor GCs, timed, its result alive). A load timed alone leaves
 * part of that one-time cost to whatever allocates next: a bare JSON.parse leaves nearly all of it,
 * a load that allocates after parsing pays it inside its own time.
 */
const timeLoads = (load) => {
  load()
  const alone = []
  const kept = []
  const held = []
  for (let r = 0; r < RUNS; r++) {
    gc()
    const start = cpuMs()
    held.push(load())
    const end = cpuMs()
    globalThis.gc({ type: 'minor' })
    globalThis.gc({ type: 'minor' })
    kept.push(cpuMs() - start)
    alone.push(end - start)
    held.length = 0
  }
  return { alone: median(alone), kept: median(kept) }
}

// ---- 4. Heap, in a fresh process per library ----

/** The heap a library keeps for the cache in `file`: loaded in this (fresh) process, the text dropped, collected. */
async function heapChild(library, file) {
  const ts = library === 'msal-ts' ? await import('@msal-ts/node') : undefined
  const msalNode = library === 'msal-node' ? await import('@azure/msal-node') : undefined
  const holder = ts !== undefined ? new ts.SerializableTokenCache() : nodeApp(msalNode)
  const before = heapMiB()
  let text = readFileSync(file, 'utf8')
  if (ts !== undefined) holder.deserialize(text)
  else holder.getTokenCache().deserialize(text)
  text = undefined
  const kept = heapMiB() - before
  // msal-node keeps the text it loaded (its cacheSnapshot, for merges); without it:
  const snapshot = msalNode !== undefined ? holder.getTokenCache().cacheSnapshot : undefined
  const snapshotMiB = typeof snapshot === 'string' ? (snapshot.length + 16) / 2 ** 20 : 0
  const out = { kept, withoutText: kept - snapshotMiB }
  if (ts !== undefined) out.breakdown = breakdown()
  void holder
  return out
}

/** Where this process's heap goes, from a snapshot: bytes per cached token by kind of object. */
function breakdown() {
  const dir = mkdtempSync(join(os.tmpdir(), 'msal-ts-heap-'))
  try {
    const file = v8.writeHeapSnapshot(join(dir, 'cache.heapsnapshot'))
    const snapshot = JSON.parse(readFileSync(file, 'utf8'))
    unlinkSync(file)
    const { node_fields: fields, node_types: [types] } = snapshot.snapshot.meta
    const [iType, iName, iSize] = ['type', 'name', 'self_size'].map((name) => fields.indexOf(name))
    const kinds = new Map()
    for (let i = 0; i < snapshot.nodes.length; i += fields.length) {
      const type = types[snapshot.nodes[i + iType]]
      const name = snapshot.strings[snapshot.nodes[i + iName]]
      const kind =
        type === 'string' || type === 'concatenated string' || type === 'sliced string'
          ? 'strings (keys, secrets, times; repeated values shared)'
          : type === 'object' && name === 'IndexedAccessToken'
            ? 'token records (IndexedAccessToken)'
            : type === 'object' && name === 'Object'
              ? 'entries (the unified-cache JSON objects)'
              : type === 'array'
                ? 'map and index tables'
                : 'everything else (code, other objects)'
      kinds.set(kind, (kinds.get(kind) ?? 0) + snapshot.nodes[i + iSize])
    }
    return Object.fromEntries([...kinds].sort((a, b) => b[1] - a[1]).map(([kind, bytes]) => [kind, bytes / TOKENS]))
  } finally {
    rmSync(dir, { recursive: true, force: true })
  }
}

function heapInFreshProcess(library, file) {
  const out = execFileSync(process.execPath, ['--expose-gc', fileURLToPath(import.meta.url), '--heap', library, file], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'inherit'], maxBuffer: 1 << 24 })
  return JSON.parse(out)
}

// ---- The run ----

async function main() {
  if (process.argv[2] === '--heap') {
    process.stdout.write(JSON.stringify(await heapChild(process.argv[3], process.argv[4])))
    return
  }
  check(globalThis.gc !== undefined, 'run with --expose-gc (npm run bench does)')
  const { TokenCache, SerializableTokenCache } = await import('@msal-ts/node')
  const msalNode = await import('@azure/msal-node')
  const cpus = os.cpus()
  console.log(`Token cache, msal-ts vs @azure/msal-node ${msalNode.version}: ${TOKENS.toLocaleString('en-US')} access tokens (${SCOPES_PER_ACCOUNT} APIs × ${ACCOUNTS.toLocaleString('en-US')} users, with refresh tokens, ID tokens and accounts)`)
  console.log(`Node ${process.version}, ${cpus.length} CPUs (${cpus[0]?.model ?? 'unknown'}), load average ${os.loadavg().map((l) => fmt(l)).join(' ')}; CPU ms, medians of ${RUNS} runs\n`)

  // 1. add
  const fills = (Cache, shape) => median(Array.from({ length: 3 }, () => (gc(), fill(new Cache(), shape))))
  console.log('| filing 100,000 responses one at a time (CPU, median of 3 fills) | TokenCache.add | SerializableTokenCache.add (journaled) | floor: the same entries in plain Maps, no rules |')
  console.log('|---|---:|---:|---:|')
  for (const [name, shape] of [['users interleaved, each response with its own ID token, refresh token and time', responseAt], ['account by account, one ID token per account (the earlier bench\'s shape)', accountMajorAt]]) {
    const plain = fills(TokenCache, shape)
    const journaled = fills(SerializableTokenCache, shape)
    const floor = fills(FloorCache, shape)
    const each = (ms) => `${fmt(ms / 1000, 2)} s (${fmt((ms * 1000) / TOKENS, 1)} µs each)`
    console.log(`| ${name} | ${each(plain)} | ${each(journaled)} | ${each(floor)} |`)
  }
  console.log('')

  // 2. serialize / deserialize
  const cache = new SerializableTokenCache()
  fill(cache)
  check(cache.accessTokenCount === TOKENS, `msal-ts holds ${cache.accessTokenCount} access tokens, expected ${TOKENS}`)
  const text = cache.serialize()
  const theirs = nodeApp(msalNode)
  theirs.getTokenCache().deserialize(text)
  check(Object.values(theirs.getTokenCache().getKVStore()).filter((value) => value?.credentialType === 'AccessToken').length === TOKENS, 'msal-node does not hold every access token')
  const serializeOurs = timeRuns(() => cache.serialize())
  const serializeTheirs = timeRuns(() => theirs.getTokenCache().serialize())
  const loadOurs = timeLoads(() => {
    const loaded = new SerializableTokenCache()
    loaded.deserialize(text)
    return loaded
  })
  const loadTheirs = timeLoads(() => {
    const loaded = nodeApp(msalNode)
    loaded.getTokenCache().deserialize(text)
    return loaded
  })
  console.log(`| ${fmt(text.length / 2 ** 20)} MiB of cache text | msal-ts | msal-node | msal-ts ÷ msal-node |`)
  console.log('|---|---:|---:|---:|')
  console.log(`| serialize | ${fmt(serializeOurs, 0)} ms | ${fmt(serializeTheirs, 0)} ms | ${fmt(serializeOurs / serializeTheirs, 2)} |`)
  console.log(`| deserialize | ${fmt(loadOurs.alone, 0)} ms | ${fmt(loadTheirs.alone, 0)} ms | ${fmt(loadOurs.alone / loadTheirs.alone, 2)} |`)
  console.log(`| deserialize, with the collections that keep what it made | ${fmt(loadOurs.kept, 0)} ms | ${fmt(loadTheirs.kept, 0)} ms | ${fmt(loadOurs.kept / loadTheirs.kept, 2)} |`)
  // What any load of this text costs before its own rules, timed as the loads are (timeLoads).
  const floors = [
    ['JSON.parse alone', () => JSON.parse(text)],
    ['JSON.parse, then a look at every entry (nothing made)', () => {
      const json = JSON.parse(text)
      let count = 0
      for (const name in json) for (const key in json[name]) if (json[name][key] !== null) count++
      return [json, count]
    }],
    ['JSON.parse, then one small record per entry, in one Map (no checks, no index)', () => {
      const json = JSON.parse(text)
      const map = new Map()
      for (const name in json) for (const key in json[name]) map.set(key, { key, entity: json[name][key] })
      return map
    }],
  ]
  console.log(`\n| the floor of any load of this text (same process, same runs) | ms | ÷ msal-node's deserialize | with the collections that keep what it made: ms | ÷ msal-node's, so timed |`)
  console.log('|---|---:|---:|---:|---:|')
  for (const [name, run] of floors) {
    const { alone, kept } = timeLoads(run)
    console.log(`| ${name} | ${fmt(alone, 0)} | ${fmt(alone / loadTheirs.alone, 2)} | ${fmt(kept, 0)} | ${fmt(kept / loadTheirs.kept, 2)} |`)
  }
  console.log('')

  // 3. the journal under the README's save pattern: a web app's 2 users × 5 APIs, each response a
  // new token, saved after each (so the cache stays small: what grows is the journal, if anything).
  const saved = new SerializableTokenCache()
  let saves = 0
  const fileAndSave = (from, to) => {
    for (let base = from; base < to; base += BATCH) {
      const batch = Array.from({ length: BATCH }, (_, k) => {
        const n = base + k
        const { event, at } = responseAt((n % 2) + ACCOUNTS * (Math.floor(n / 2) % 5))
        return { event: Object.assign({}, event, { response: Object.assign({}, event.response, { access_token: `at-${n}`, refresh_token: `rt-${n}` }) }), at }
      })
      for (const { event, at } of batch) {
        saved.add(event, at)
        if (saved.hasStateChanged) {
          saved.serialize()
          saves++
        }
      }
    }
  }
  fileAndSave(0, 10_000)
  const at10k = heapMiB()
  fileAndSave(10_000, TOKENS)
  const at100k = heapMiB()
  const growth = at100k - at10k
  console.log(
    `Journal, the README's save pattern with nothing persisting the cache (${saves.toLocaleString('en-US')} responses filed and saved, ${saved.accessTokenCount} tokens kept): ` +
      `the heap grew ${fmt(growth)} MiB from 10,000 to 100,000 (it grew by about 70 MiB when the journal kept every change); ${saved.pendingChangeCount.toLocaleString('en-US')} changes pending (a count).`,
  )
  check(growth <= JOURNAL_GROWTH_LIMIT_MIB, `the journal is not bounded: the heap grew ${fmt(growth)} MiB over 90,000 filed responses`)

  // 4. heap per library, alone
  const file = writeTemp(text)
  const ours = heapInFreshProcess('msal-ts', file)
  const node = heapInFreshProcess('msal-node', file)
  console.log('\n| heap kept for the cache, each library alone | MiB | bytes per token |')
  console.log('|---|---:|---:|')
  console.log(`| msal-ts | ${fmt(ours.kept)} | ${fmt((ours.kept * 2 ** 20) / TOKENS, 0)} |`)
  console.log(`| msal-node | ${fmt(node.kept)} | ${fmt((node.kept * 2 ** 20) / TOKENS, 0)} |`)
  console.log(`| msal-node without the copy of the text it keeps | ${fmt(node.withoutText)} | ${fmt((node.withoutText * 2 ** 20) / TOKENS, 0)} |`)
  console.log(`msal-ts ÷ msal-node: ${fmt(ours.kept / node.kept, 2)}; against msal-node without its text copy: ${fmt(ours.kept / node.withoutText, 2)}`)
  console.log('\nWhere msal-ts\'s heap goes, per token (a heap snapshot of that process: everything in it, divided by 100,000):')
  for (const [kind, bytes] of Object.entries(ours.breakdown)) console.log(`  ${fmt(bytes, 0).padStart(5)} B  ${kind}`)
  rmSync(file, { force: true })
}

const temps = []
function writeTemp(text) {
  const dir = mkdtempSync(join(os.tmpdir(), 'msal-ts-cache-'))
  const file = join(dir, 'cache.json')
  writeFileSync(file, text)
  temps.push(dir)
  return file
}

try {
  await main()
} catch (error) {
  console.error(`bench failed: ${error instanceof BenchFailure ? error.message : (error?.stack ?? error)}`)
  process.exitCode = 1
} finally {
  for (const dir of temps) rmSync(dir, { recursive: true, force: true })
}
