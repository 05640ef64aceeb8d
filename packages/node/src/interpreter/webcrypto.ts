import type { webcrypto } from 'node:crypto'

/** The WebCrypto to use: the runtime's, else @peculiar/webcrypto (loaded only when needed). */
export const resolveWebCrypto = async (runtime: { readonly crypto?: unknown } = globalThis): Promise<webcrypto.Crypto> => {
  const candidate = runtime.crypto as Partial<webcrypto.Crypto> | undefined
  if (candidate?.subtle !== undefined && typeof candidate.getRandomValues === 'function') return candidate as webcrypto.Crypto
  const { Crypto: PeculiarCrypto } = await import('@peculiar/webcrypto')
  return new PeculiarCrypto() as unknown as webcrypto.Crypto
}
