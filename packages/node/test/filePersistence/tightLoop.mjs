// Writes tokens as fast as it can until it is killed; says "wrote" once the first is stored.
import { addAndPersist, FilePersistence, SerializableTokenCache } from './built.mjs'

const [file, round] = process.argv.slice(2)
const persistence = new FilePersistence(file)
const cache = new SerializableTokenCache({ persistence })

for (let i = 0; ; i += 1) {
  await addAndPersist(persistence, cache, `loop${round}-${i}`)
  if (i === 0) process.stdout.write('wrote\n')
}
