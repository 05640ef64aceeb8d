import * as E from '../../util/either.js'
import { now, perform, type Program } from '../../effects/program.js'
import { interactionInProgressError, type InteractionInProgressError } from '../../errors.js'
import { flowKey, interactionKey, type BrowserEnv } from './env.js'

/** The interaction flag: which tab started which sign-in, when. msal-browser's has no owner and no age. */
export interface InteractionFlag {
  /** What kind of interaction holds the flag: a redirect or popup sign-in, or a logout. */
  readonly type: 'redirect' | 'popup' | 'logout'
  /** The state of the flow under way. */
  readonly state: string
  /** The id of the tab that started it (random, kept in that tab's sessionStorage). */
  readonly tabId: string
  /** Epoch milliseconds. */
  readonly startedAt: number
}

const parseFlag = (text: string | null): InteractionFlag | undefined => {
  try {
    const flag = text === null ? undefined : (JSON.parse(text) as Partial<InteractionFlag>)
    return flag !== undefined && typeof flag.state === 'string' && typeof flag.startedAt === 'number' && typeof flag.type === 'string'
      ? (flag as InteractionFlag)
      : undefined
  } catch {
    return undefined
  }
}

/**
 * Whether a flag still blocks a new interaction: it is younger than the timeout and its flow
 * still exists (a popup's flow lives in the page that waits for it, so a popup's flag counts as
 * long as it is young). A flag whose tab came back without a response was already cleared at page load.
 */
export const isLive = (flag: InteractionFlag, nowMs: number, flowExists: boolean, timeoutMs: number): boolean =>
  flowExists && nowMs - flag.startedAt >= 0 && nowMs - flag.startedAt < timeoutMs

/**
 * Takes the interaction flag for a new sign-in, unless a live one blocks it (then an
 * InteractionInProgressError naming it and its age). A stale flag is overwritten.
 */
export function* claimInteraction(env: BrowserEnv, type: InteractionFlag['type'], state: string): Program<E.Either<InteractionInProgressError, undefined>> {
  const nowMs = yield* now()
  const flag = parseFlag(yield* perform<'StorageGet'>({ _tag: 'StorageGet', area: 'session', key: interactionKey(env) }))
  if (flag !== undefined) {
    const flowExists = (yield* perform<'StorageGet'>({ _tag: 'StorageGet', area: 'session', key: flowKey(env, flag.state) })) !== null
    const popup = flag.type === 'popup'
    if (isLive(flag, nowMs, popup || flowExists, popup ? env.popupTimeoutMs : env.interactionTimeoutMs)) return E.left(interactionInProgressError(flag.type, nowMs - flag.startedAt))
  }
  const claimed: InteractionFlag = { type, state, tabId: env.tabId, startedAt: nowMs }
  yield* perform<'StorageSet'>({ _tag: 'StorageSet', area: 'session', key: interactionKey(env), value: JSON.stringify(claimed) })
  return E.right(undefined)
}

/** Ends this tab's interaction: its flag and, when given, its flow. */
export function* releaseInteraction(env: BrowserEnv, state?: string): Program<undefined> {
  yield* perform<'StorageRemove'>({ _tag: 'StorageRemove', area: 'session', key: interactionKey(env) })
  if (state !== undefined) yield* perform<'StorageRemove'>({ _tag: 'StorageRemove', area: 'session', key: flowKey(env, state) })
  return undefined
}
