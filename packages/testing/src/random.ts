/**
 * Seeded, repeatable randomness (SplitMix32) for tests and replays. Never use it for real secrets.
 */
export type RandomSource = (length: number) => Uint8Array

export const seededRandom = (seed = 1): RandomSource => {
  let state = seed >>> 0
  const next32 = (): number => {
    state = (state + 0x9e3779b9) >>> 0
    let z = state
    z = Math.imul(z ^ (z >>> 16), 0x85ebca6b) >>> 0
    z = Math.imul(z ^ (z >>> 13), 0xc2b2ae35) >>> 0
    return (z ^ (z >>> 16)) >>> 0
  }
  return (length) => {
    const bytes = new Uint8Array(length)
    for (let i = 0; i < length; i += 4) {
      const word = next32()
      for (let j = 0; j < 4 && i + j < length; j++) bytes[i + j] = (word >>> (8 * j)) & 0xff
    }
    return bytes
  }
}
