import type { Effect } from '../effects/effect.js'
import { answererOf } from '../effects/layers.js'
import { run, type Interpret } from '../effects/run.js'
import type { Program } from '../effects/program.js'
import { countCacheHit, recordServerAnswer } from '../http/telemetry.js'
import type { AppState, ClientContext, KeptAssertion } from './context.js'
import type { StateChange } from './stateChange.js'

type Mutable<T> = { -readonly [K in keyof T]: T[K] }

/**
 * The one place an application's state changes: applies a flow's committed change. Token cache
 * operations go through the cache (which journals them for a persistence's merge).
 */
export const applyStateChange = (ctx: ClientContext, change: StateChange): undefined => {
  const state = ctx.state as Mutable<AppState>
  switch (change._tag) {
    case 'CacheHit': {
      // Counted in place (see countCacheHit): a hit writes no new object into the state.
      const counted = countCacheHit(state.telemetry)
      if (counted !== state.telemetry) state.telemetry = counted
      return undefined
    }
    case 'ServerAnswered':
      state.telemetry = recordServerAnswer(state.telemetry, change.api, change.correlationId, change.error)
      return undefined
    case 'TenantIdLearned':
      ;(state.tenantIds as Map<string, string>).set(change.tenant, change.tenantId)
      return undefined
    case 'AssertionSigned':
      ;(state.assertions as Map<string, KeptAssertion>).set(change.tokenEndpoint, { assertion: change.assertion, mintedAtSec: change.mintedAtSec })
      return undefined
    case 'AssertionReuseRefused':
      ;(state.assertionReuseRefused as Set<string>).add(change.tokenEndpoint)
      return undefined
    case 'RegionDetected':
      state.detectedRegion = change.region
      return undefined
    case 'InstanceDiscoverySkipped':
      state.instanceDiscoverySkipped = true
      return undefined
    default:
      ctx.tokenCache.perform(change)
      return undefined
  }
}

/**
 * An interpreter that applies Commit effects to `ctx` and hands every other effect to `inner`.
 * The time and random bytes (every call asks for them, cache hits included) go straight to the
 * layer of `inner` that answers them (see answererOf): with many applications, the layers
 * between are cold.
 */
export const withAppState = (ctx: ClientContext, inner: Interpret): Interpret => {
  const now = answererOf(inner, 'Now')
  const randomBytes = answererOf(inner, 'RandomBytes')
  return (effect: Effect) => {
    switch (effect._tag) {
      case 'Commit':
        return applyStateChange(ctx, effect.change)
      case 'Now':
        return now(effect)
      case 'RandomBytes':
        return randomBytes(effect)
      default:
        return inner(effect)
    }
  }
}

/**
 * Runs one of core's flows for the application `ctx` describes: its commits change `ctx`, every
 * other effect goes to the runtime's interpreter. Synchronous when every effect was (a cache hit).
 */
export const runFlow = <A>(ctx: ClientContext, program: Program<A>, interpret: Interpret): A | Promise<A> =>
  run(program, withAppState(ctx, interpret))
