import { perform, type Program } from '../../effects/program.js'
import { authResponseIn } from './authResponse.js'
import { RESPONSE_STASH_KEY, type BrowserEnv } from './env.js'
import { releaseInteraction } from './interaction.js'

/**
 * handleRedirectPromise's first look, which needs no sign-in code: whether the page holds a
 * redirect's response (in its URL, or in the bridge page's stash) for completeRedirect to redeem.
 * When it holds none, this tab's interaction flag is cleared, as completeRedirect clears it (the
 * user came back without signing in), and a page load has nothing more to do.
 */
export function* redirectPending(env: BrowserEnv): Program<boolean> {
  if (authResponseIn(yield* perform<'CurrentUrl'>({ _tag: 'CurrentUrl' })) !== undefined) return true
  if ((yield* perform<'StorageGet'>({ _tag: 'StorageGet', area: 'session', key: RESPONSE_STASH_KEY })) !== null) return true
  yield* releaseInteraction(env)
  return false
}
