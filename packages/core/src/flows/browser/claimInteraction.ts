import * as E from '../../util/either.js'
import { now, perform, type Program } from '../../effects/program.js'
import type { InteractionInProgressError } from '../../errors.js'
import { interactionInProgressError } from '../../wireErrors.js'
import { flowKey, interactionKey, type BrowserEnv } from './env.js'
import type { InteractionFlag } from './interaction.js'

// Taking the interaction flag (a sign-in or logout starting); interaction.ts has the flag and its release.

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

