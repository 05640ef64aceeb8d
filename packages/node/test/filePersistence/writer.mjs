// Adds `count` access tokens (api://w<worker>-<i>/.default), persisting each one on its own.
// Starts on the first line of stdin, so that all writers start together.
import { addAndPersist, FilePersistence, SerializableTokenCache } from './built.mjs'

const [file, worker, count] = process.argv.slice(2)
const persistence = new FilePersistence(file)
const cache = new SerializableTokenCache({ persistence })

process.stdout.write('ready\n')
await new Promise((resolve) => process.stdin.once('data', resolve))
for (let i = 0; i < Number(count); i += 1) await addAndPersist(persistence, cache, `w${worker}-${i}`)
process.stdout.write('done\n')
process.exit(0)
