import { performThen, type Program } from '../effects/program.js'
import { uuidFromBytes } from '../util/uuid.js'

/** A fresh correlation id (a v4 UUID), sent as client-request-id and reported in results and errors. */
export const newCorrelationId = (): Program<string> => performThen<'RandomBytes', string>({ _tag: 'RandomBytes', length: 16 }, uuidFromBytes)
