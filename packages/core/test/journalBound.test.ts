/**
 * The merge journal of a SerializableTokenCache is bounded: with nothing persisting the cache (the
 * README's `if (cache.hasStateChanged) save(cache.serialize())`), it used to keep every change
 * forever (about 790 B each: 75 MiB for 100,000 filed responses). Past JOURNAL_LIMIT operations
 * it folds them into the set of entries they touched, and merges still keep both sides' tokens.
 */
import { setFlagsFromString } from 'node:v8'
import { runInNewContext } from 'node:vm'
import { SerializableTokenCache, type TokenCacheEvent } from '@msal-ts/core'
import { bytesToBase64Url, utf8Encode } from '@msal-ts/core/protocol'
import { JOURNAL_LIMIT } from '../src/cache/serializableTokenCache.js'

const NOW = 1_767_225_600
const ENV = 'login.microsoftonline.com'
const UTID = '22222222-2222-4222-8222-222222222222'
const b64 = (value: unknown): string => bytesToBase64Url(utf8Encode(JSON.stringify(value)))
const uid = (a: number): string => `00000000-0000-4000-8000-${String(a).padStart(12, '0')}`
const ID_TOKENS = [0, 1].map((a) => `${b64({ alg: 'none' })}.${b64({ oid: uid(a), sub: `sub-${a}`, tid: UTID, preferred_username: `user${a}@contoso.com`, name: `User ${a}` })}.`)
const CLIENT_INFOS = [0, 1].map((a) => b64({ uid: uid(a), utid: UTID }))

/** The n-th response a web app files: 2 users × 5 APIs in turn, each time a new access token (and refresh token). */
const response = (n: number): TokenCacheEvent => {
  const a = n % 2
  const api = Math.floor(n / 2) % 5
  return {
    clientId: 'web-app',
    scope: [`api://api-${api}/read`],
    environment: ENV,
    realm: 'contoso.onmicrosoft.com',
    grantType: 'authorization_code',
    response: {
      token_type: 'Bearer',
      access_token: `at-${n}`,
      expires_in: 3599,
      scope: `api://api-${api}/read`,
      refresh_token: `rt-${n}`,
      id_token: ID_TOKENS[a],
      client_info: CLIENT_INFOS[a],
    },
  }
}

/** The garbage collector, for heap figures that mean something (jest runs without --expose-gc). */
const collectGarbage = (): (() => void) => {
  setFlagsFromString('--expose-gc')
  return runInNewContext('gc') as () => void
}

const heapAfterGc = (gc: () => void): number => {
  gc()
  gc()
  return process.memoryUsage().heapUsed
}

describe('SerializableTokenCache: the merge journal is bounded', () => {
  it("keeps memory bounded over 100,000 responses filed under the README's save pattern", () => {
    const gc = collectGarbage()
    const cache = new SerializableTokenCache({ clock: () => NOW })
    let saved = ''
    let saves = 0
    const save = (text: string): void => {
      saved = text
      saves++
    }
    const file = (from: number, to: number): void => {
      for (let n = from; n < to; n++) {
        cache.add(response(n), NOW)
        if (cache.hasStateChanged) save(cache.serialize())
      }
    }
    file(0, 10_000)
    const after10k = heapAfterGc(gc)
    file(10_000, 100_000)
    const after100k = heapAfterGc(gc)

    expect(saves).toBe(100_000)
    // 90,000 more changes: unbounded, the journal alone would hold ~70 MiB more.
    expect((after100k - after10k) / 2 ** 20).toBeLessThan(4)
    // The cache holds the latest of each: 10 access tokens, one refresh token per user.
    const json = JSON.parse(saved) as Record<string, Record<string, { secret: string }>>
    expect(Object.values(json['AccessToken']!).map((at) => at.secret).sort()).toEqual(
      Array.from({ length: 10 }, (_, k) => `at-${99_990 + k}`).sort(),
    )
    expect(Object.values(json['RefreshToken']!).map((rt) => rt.secret).sort()).toEqual(['rt-99998', 'rt-99999'])
    // Nothing was persisted: every change still counts as pending (a count, not a list).
    expect(cache.pendingChangeCount).toBeGreaterThanOrEqual(100_000)
  })

  it('merges after folding: what this side filed and removed wins for its entries, the other side keeps the rest', () => {
    const base = new SerializableTokenCache({ clock: () => NOW })
    base.add(response(0), NOW)
    base.add(response(1), NOW)
    const mine = new SerializableTokenCache({ clock: () => NOW })
    const theirs = new SerializableTokenCache({ clock: () => NOW })
    mine.deserialize(base.serialize())
    theirs.deserialize(base.serialize())

    // More than the journal keeps: the first operations are folded.
    for (let n = 2; n < JOURNAL_LIMIT + 200; n++) mine.add(response(n), NOW)
    mine.perform({ _tag: 'RemoveAccount', clientId: 'web-app', account: { homeAccountId: `${uid(1)}.${UTID}`, environment: ENV } })
    const theirResponse = response(0).response as Record<string, unknown>
    theirs.add({ ...response(0), scope: ['api://theirs/read'], response: { ...theirResponse, scope: 'api://theirs/read', access_token: 'theirs' } }, NOW)
    const pending = mine.pendingChangeCount
    expect(pending).toBe(JOURNAL_LIMIT + 198 + 1)

    mine.mergeFrom(theirs.serialize())
    const secrets = mine.find('AccessToken').map((at) => at.secret).sort()
    // User 0's latest five tokens (mine), their new one; user 1 removed here, so gone after the merge too.
    const last = JOURNAL_LIMIT + 199
    const mineForUser0 = Array.from({ length: 10 }, (_, k) => last - k).filter((n) => n % 2 === 0).map((n) => `at-${n}`)
    expect(secrets).toEqual([...mineForUser0, 'theirs'].sort())
    expect(mine.find('Account').map((account) => account.home_account_id)).toEqual([`${uid(0)}.${UTID}`])
    expect(mine.pendingChangeCount).toBe(pending)
    expect(mine.hasStateChanged).toBe(true)

    mine.markPersisted()
    expect(mine.pendingChangeCount).toBe(0)
    // Once persisted, a merge takes the stored state as it is: nothing of this side's is filed again.
    const other = new SerializableTokenCache({ clock: () => NOW })
    other.deserialize(mine.serialize())
    other.perform({ _tag: 'RemoveAccount', clientId: 'web-app', account: { homeAccountId: `${uid(0)}.${UTID}`, environment: ENV } })
    mine.mergeFrom(other.serialize())
    expect(mine.find('AccessToken')).toEqual([])
    expect(mine.find('Account')).toEqual([])
  })

  it('keeps folded changes until all of them are stored (a write that stored only some)', () => {
    const cache = new SerializableTokenCache({ clock: () => NOW })
    for (let n = 0; n < JOURNAL_LIMIT + 10; n++) cache.add(response(n), NOW)
    const stored = cache.serialize()
    const total = cache.pendingChangeCount
    cache.markPersisted(5)
    expect(cache.pendingChangeCount).toBe(total - 5)
    // The other side emptied the cache meanwhile: the folded entries are filed again.
    cache.mergeFrom('')
    expect(cache.find('AccessToken').length).toBe(10)
    expect(cache.serialize()).toBe(stored)
    cache.markPersisted()
    expect(cache.pendingChangeCount).toBe(0)
  })
})
