/**
 * How objects that hold secrets print. Applications hold a credential, caches hold tokens,
 * persistences hold keys and clients: `console.log(app)`, `util.inspect(cache)` and
 * `JSON.stringify(persistence)` must show what the object is, never what it keeps. Each such
 * class defines `toJSON()` (a summary without secrets) and the inspect hooks below, which print
 * that summary.
 */

/** The method Node's util.inspect and console.log call for a custom rendering (Bun's too). */
export const NODE_INSPECT: unique symbol = Symbol.for('nodejs.util.inspect.custom')
/** Deno's console's equivalent. */
export const DENO_INSPECT: unique symbol = Symbol.for('Deno.customInspect')

/** util.inspect's own function, handed to the hook as its third argument. */
type Inspect = (value: unknown, options?: unknown) => string

/** "ConfidentialClientApplication { clientId: '…', authority: '…' }", formatted by the runtime's inspect when it hands one over. */
export const printed = (name: string, summary: object, options?: unknown, inspect?: unknown): string =>
  `${name} ${typeof inspect === 'function' ? (inspect as Inspect)(summary, options) : JSON.stringify(summary)}`

/**
 * Makes fields of `object` non-enumerable: left out of Object.keys, spreads, structured logging
 * and devtools' default view. For internals that hold secrets (a credential, an assertion memo).
 */
export const conceal = (object: object, names: readonly string[]): void => {
  for (const name of names) {
    const descriptor = Object.getOwnPropertyDescriptor(object, name)
    if (descriptor !== undefined) Object.defineProperty(object, name, { ...descriptor, enumerable: false })
  }
}
