// The built packages, loaded as an application loads them (the test command builds first).
import { existsSync } from 'node:fs'
import { fileURLToPath } from 'node:url'

const nodeIndex = new URL('../../dist/index.js', import.meta.url)
const filePersistence = new URL('../../dist/cache/filePersistence.js', import.meta.url)
const coreIndex = new URL('../../../core/dist/index.js', import.meta.url)

for (const file of [nodeIndex, filePersistence, coreIndex]) {
  if (!existsSync(file)) {
    process.stderr.write(`${fileURLToPath(file)} is missing: build first (npm run build; ./dev test does)\n`)
    process.exit(3)
  }
}

export const { SerializableTokenCache, ConfidentialClientApplication } = await import(nodeIndex.href)
export const { FilePersistence } = await import(filePersistence.href)
export const { MsalException } = await import(coreIndex.href)

export const CONTEXT = { clientId: 'daemon', environment: 'login.microsoftonline.com', realm: 't1' }

/** An app token response for its own scope, as the token endpoint sends it. */
export const tokenEvent = (name) => ({
  clientId: CONTEXT.clientId,
  scope: [`api://${name}/.default`],
  environment: CONTEXT.environment,
  realm: CONTEXT.realm,
  response: { access_token: `${name}-secret`, expires_in: 3600 },
})

/** One operation as an application runs it: load, change, store. */
export const addAndPersist = async (persistence, cache, name) => {
  await persistence.beforeCacheAccess(cache, CONTEXT)
  cache.add(tokenEvent(name))
  await persistence.afterCacheAccess(cache, CONTEXT)
}
