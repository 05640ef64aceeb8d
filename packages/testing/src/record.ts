import type { Effect, Interpret } from '@msal-ts/core'
import { encodeResult, redactEffect, redactResult, TRANSCRIPT_FORMAT, type Transcript, type TranscriptStep } from './transcript.js'

export interface Recorder {
  /** The recording interpreter: hand it to the program; it performs each effect with the real one and writes it down. */
  readonly interpret: Interpret
  /** The transcript so far, secrets redacted, ready for JSON.stringify. */
  transcript(name: string): Transcript
}

const isPromiseLike = (value: unknown): value is PromiseLike<unknown> =>
  typeof value === 'object' && value !== null && typeof (value as { then?: unknown }).then === 'function'

/**
 * Wraps a real interpreter and writes down every effect (secrets redacted) with its result.
 * Log effects pass through unrecorded, so a changed log line never breaks a fixture.
 */
export const record = (inner: Interpret): Recorder => {
  const steps: TranscriptStep[] = []
  const interpret: Interpret = (effect: Effect) => {
    if (effect._tag === 'Log') return inner(effect)
    const index = steps.length
    steps.push({ effect: redactEffect(effect), result: null })
    const save = (result: unknown): unknown => {
      steps[index] = { effect: steps[index]!.effect, result: encodeResult(redactResult(effect, result)) }
      return result
    }
    const answer = inner(effect)
    return isPromiseLike(answer) ? Promise.resolve(answer).then(save) : save(answer)
  }
  return {
    interpret,
    transcript: (name) => ({ format: TRANSCRIPT_FORMAT, name, steps: [...steps] }),
  }
}
