import { randomBytes, type Program } from '../effects/program.js'
import { uuidFromBytes } from '../util/uuid.js'

/** A fresh correlation id (a v4 UUID), sent as client-request-id and reported in results and errors. */
export function* newCorrelationId(): Program<string> {
  return uuidFromBytes(yield* randomBytes(16))
}
