import type { Effect, Interpret } from '@msal-ts/core'
import { diffJson } from './diff.js'
import { decodeResult, MACHINE_HEADERS, parseTranscript, redactEffect, type Transcript } from './transcript.js'

export interface ReplayOptions {
  /** Request headers not compared (they describe the machine). Default: x-client-os, x-client-ver. */
  readonly ignoreHeaders?: readonly string[]
}

/** Thrown when a program asks for something its transcript does not say; the message is the diff. */
export class ReplayMismatchError extends Error {
  constructor(
    message: string,
    readonly step: number,
  ) {
    super(message)
    this.name = 'ReplayMismatchError'
  }
}

export interface ReplayInterpreter {
  /** Hand this to `run` (or an application's `interpreter` option). */
  readonly interpret: Interpret
  /** Steps not yet replayed. */
  readonly remaining: number
  /** Throws unless every step of the transcript was replayed. */
  assertComplete(): void
}

/** What is compared: the redacted effect without the ignored headers. */
const comparable = (effect: Effect, ignored: ReadonlySet<string>): Effect => {
  const redacted = redactEffect(effect)
  if (redacted._tag !== 'Http') return redacted
  const headers = Object.fromEntries(
    Object.entries(redacted.request.headers).filter(([name]) => !ignored.has(name.toLowerCase())),
  )
  return { _tag: 'Http', request: { ...redacted.request, headers } }
}

/**
 * An interpreter that answers each effect from a transcript, in order, and fails with a readable
 * diff as soon as the program asks for anything else. Form fields are compared as a set of
 * name/value pairs (order-free); secrets are compared redacted; Log effects are not replayed.
 */
export const replay = (transcriptOrJson: Transcript | unknown, options: ReplayOptions = {}): ReplayInterpreter => {
  const transcript = parseTranscript(transcriptOrJson)
  const ignored = new Set((options.ignoreHeaders ?? MACHINE_HEADERS).map((name) => name.toLowerCase()))
  let position = 0
  const interpret: Interpret = (effect) => {
    if (effect._tag === 'Log') return undefined
    const stepNumber = position + 1
    const step = transcript.steps[position]
    if (step === undefined) {
      throw new ReplayMismatchError(
        `replay "${transcript.name}": the program asked for a ${effect._tag} effect at step ${stepNumber}, ` +
          `but the transcript ends after ${transcript.steps.length} steps`,
        stepNumber,
      )
    }
    const differences = diffJson(comparable(step.effect, ignored), comparable(effect, ignored))
    if (differences.length > 0) {
      throw new ReplayMismatchError(
        `replay "${transcript.name}": step ${stepNumber} of ${transcript.steps.length} differs from the transcript\n` +
          differences.map((line) => `  ${line}`).join('\n'),
        stepNumber,
      )
    }
    position++
    return decodeResult(step.result, step.effect._tag)
  }
  return {
    interpret,
    get remaining() {
      return transcript.steps.length - position
    },
    assertComplete() {
      if (position < transcript.steps.length) {
        const next = transcript.steps[position]!.effect._tag
        throw new ReplayMismatchError(
          `replay "${transcript.name}": the program finished after ${position} of ${transcript.steps.length} steps; ` +
            `step ${position + 1} (${next}) was never asked for`,
          position + 1,
        )
      }
    },
  }
}
