// Stores tokens one operation at a time until killed (or until `count`), printing "stored NAME"
// once each one's store has completed: the tokens the test may expect to find in the file.
import { addAndPersist, FilePersistence, SerializableTokenCache } from './built.mjs'

const [file, worker, count] = process.argv.slice(2)
const persistence = new FilePersistence(file, { lockTimeoutMs: 10_000 })
const cache = new SerializableTokenCache({ persistence })

for (let i = 0; i < Number(count); i += 1) {
  const name = `w${worker}-${i}`
  await addAndPersist(persistence, cache, name)
  process.stdout.write(`stored ${name}\n`)
}
process.exit(0)
