import type { Effect, EffectTag } from './effect.js'
import type { Interpret } from './run.js'

/**
 * What an interpreter built in layers says about one layer (see describeLayer). An application's
 * interpreter is a chain (its state, its credential, the runtime's additions, the web platform),
 * one set of closures per application: in a process with many applications they are cold, and a
 * cache hit's own effects (the time, a correlation id's random bytes) would go through all of them.
 */
export interface LayerDescription {
  /** The interpreter every effect this layer does not handle goes to, unchanged. Absent: the layer answers every effect itself. */
  readonly inner?: Interpret | undefined
  /** The effects this layer answers itself; the others go to `inner` as they are. */
  readonly handles?: readonly EffectTag[] | undefined
  /** Functions that answer an effect exactly as this layer would, called without going through it. */
  readonly answers?: { readonly [K in EffectTag]?: (effect: Extract<Effect, { _tag: K }>) => unknown } | undefined
}

const described = new WeakMap<Interpret, LayerDescription>()

/** `interpret`, described (see LayerDescription) so that `answererOf` can see through it. Returns `interpret`. */
export const describeLayer = (interpret: Interpret, description: LayerDescription): Interpret => {
  described.set(interpret, description)
  return interpret
}

/**
 * The function that answers `tag` in `interpret`: the first layer's own answerer for it, past
 * the layers that only pass it on. An interpreter that describes nothing (a test's, a recorder)
 * answers it itself, so every effect still reaches it.
 */
export const answererOf = <K extends EffectTag>(interpret: Interpret, tag: K): ((effect: Extract<Effect, { _tag: K }>) => unknown) => {
  let layer = interpret
  for (;;) {
    const description = described.get(layer)
    if (description === undefined) return layer
    const own = description.answers?.[tag] as ((effect: Extract<Effect, { _tag: K }>) => unknown) | undefined
    if (own !== undefined) return own
    if (description.inner === undefined || description.handles === undefined || description.handles.includes(tag)) return layer
    layer = description.inner
  }
}
