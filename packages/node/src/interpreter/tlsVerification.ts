/**
 * MSAL Python's `verify` (requests' TLS verification): true (the default trust store), false (no
 * verification), or a CA bundle, which, as in requests, replaces the default trust store.
 */
import { X509Certificate } from 'node:crypto'
import { readFileSync, statSync } from 'node:fs'
import { describeValue } from '@msal-ts/core'

/** How requests check the identity provider's certificate. */
export type TlsVerification =
  /** Node's trust store (plus NODE_EXTRA_CA_CERTS). */
  | { readonly _tag: 'Default' }
  /** No certificate check at all: anyone on the path can read and change the traffic. */
  | { readonly _tag: 'Off' }
  /** Only these certificate authorities (PEM), in place of the default store. */
  | { readonly _tag: 'CaBundle'; readonly ca: string; readonly count: number }

/** A CA bundle larger than this is not one (Mozilla's whole store is about 220 KB). */
export const MAX_CA_BUNDLE_BYTES = 4 * 1024 * 1024

const CERTIFICATE_BLOCK = /-----BEGIN CERTIFICATE-----[\s\S]*?-----END CERTIFICATE-----/g

export const VERIFY_FORMAT = 'true (the default), false (no verification), a CA bundle file\'s path, or the bundle\'s PEM text'

/** The certificates of a PEM bundle, each checked; a problem names the first that is not one. */
const certificatesOf = (pem: string, where: string): { readonly ca: string; readonly count: number } | { readonly problem: string } => {
  const blocks = pem.match(CERTIFICATE_BLOCK) ?? []
  if (blocks.length === 0) return { problem: `${where} holds no PEM certificate (-----BEGIN CERTIFICATE-----); give a CA bundle` }
  for (const [index, block] of blocks.entries()) {
    try {
      new X509Certificate(block)
    } catch {
      return { problem: `${where}: certificate ${index + 1} of ${blocks.length} is not a valid X.509 certificate` }
    }
  }
  return { ca: blocks.join('\n'), count: blocks.length }
}

/** Reads a CA bundle file, bounded; a problem says what is wrong with the path. */
const readBundle = (path: string): { readonly pem: string } | { readonly problem: string } => {
  let size: number
  try {
    const stat = statSync(path)
    if (!stat.isFile()) return { problem: `${JSON.stringify(path)} is not a file (a directory of certificates is not taken: concatenate them into one bundle)` }
    size = stat.size
  } catch (error) {
    return { problem: `cannot read the CA bundle ${JSON.stringify(path)} (${(error as NodeJS.ErrnoException).code ?? 'error'})` }
  }
  if (size > MAX_CA_BUNDLE_BYTES) return { problem: `the CA bundle ${JSON.stringify(path)} is ${size} bytes, more than a CA bundle's ${MAX_CA_BUNDLE_BYTES}` }
  try {
    return { pem: readFileSync(path, 'utf8') }
  } catch (error) {
    return { problem: `cannot read the CA bundle ${JSON.stringify(path)} (${(error as NodeJS.ErrnoException).code ?? 'error'})` }
  }
}

/**
 * The checked `verify` option: undefined or true is the default store; false turns verification
 * off; a string with a PEM certificate in it is the bundle itself, any other string a path to
 * one (read now, once). A problem never quotes PEM text.
 */
export const checkVerifyOption = (verify: unknown, httpClient: unknown): { readonly setting: TlsVerification } | { readonly problem: string } => {
  if (verify === undefined || verify === true) return { setting: { _tag: 'Default' } }
  if (verify !== false && typeof verify !== 'string') return { problem: `expected ${VERIFY_FORMAT}, got ${describeValue(verify)}` }
  if (httpClient !== undefined) {
    return { problem: 'give either httpClient or verify, not both: an injected httpClient decides itself how to check certificates (as MSAL Python\'s verify does not apply to your own http_client)' }
  }
  if (verify === false) return { setting: { _tag: 'Off' } }
  if (verify.trim() === '') return { problem: `expected ${VERIFY_FORMAT}, got an empty string` }
  const isPem = verify.includes('-----BEGIN ')
  const pem = isPem ? { pem: verify } : readBundle(verify)
  if ('problem' in pem) return pem
  const checked = certificatesOf(pem.pem, isPem ? 'the PEM text' : JSON.stringify(verify))
  return 'problem' in checked ? checked : { setting: { _tag: 'CaBundle', ...checked } }
}

/** The TLS options a connection gets for a setting (undefined: Node's defaults). */
export const tlsOptionsOf = (setting: TlsVerification): { readonly ca?: string; readonly rejectUnauthorized?: boolean } | undefined => {
  switch (setting._tag) {
    case 'Default':
      return undefined
    case 'Off':
      return { rejectUnauthorized: false }
    case 'CaBundle':
      return { ca: setting.ca, rejectUnauthorized: true }
  }
}

/** What is said, loudly, when verification is off. */
export const VERIFY_OFF_WARNING =
  'TLS certificate verification is off (verify: false): anyone between this process and the identity provider can read and change its requests, ' +
  'secrets and tokens included. Give verify the CA bundle of your TLS-inspecting proxy instead.'
