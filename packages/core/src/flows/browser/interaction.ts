import { perform, type Program } from '../../effects/program.js'
import { flowKey, interactionKey, type BrowserEnv } from './env.js'

/** The interaction flag: which tab started which sign-in, when. msal-browser's has no owner and no age. */
export interface InteractionFlag {
  /** What kind of interaction holds the flag: a redirect or popup sign-in, or a logout. */
  readonly type: 'redirect' | 'popup' | 'logout'
  /** The state of the flow under way. */
  readonly state: string
  /** The id of the tab that started it (random, kept in that tab's session Web Storage). */
  readonly tabId: string
  /** Epoch milliseconds. */
  readonly startedAt: number
}

/** Ends this tab's interaction: its flag and, when given, its flow. */
export function* releaseInteraction(env: BrowserEnv, state?: string): Program<undefined> {
  yield* perform<'StorageRemove'>({ _tag: 'StorageRemove', area: 'session', key: interactionKey(env) })
  if (state !== undefined) yield* perform<'StorageRemove'>({ _tag: 'StorageRemove', area: 'session', key: flowKey(env, state) })
  return undefined
}
