/**
 * The private_key_jwt daemons the client-authentication tests register at oidc-provider, each
 * with its certificate credential (packages/testing/test/fixtures/certificates).
 */
import { generateKeyPairSync } from 'node:crypto'
import { fixtureCredential, type CertificateCredential } from './certificateCredentials.js'
import type { KeyDaemon } from './oidcProviderHarness.js'

export interface DaemonWithKey {
  readonly daemon: KeyDaemon
  readonly credential: CertificateCredential
}

export interface DaemonCredentials {
  /**
   * RS256, MSAL's header with a SHA-1 thumbprint; the `leaf` certificate. Its JWKS lists a
   * retired key first, and the key's kid is its x5t (as Entra names certificate keys).
   */
  readonly rs256: DaemonWithKey
  /** PS256, MSAL's header with a SHA-256 thumbprint; the `issued` certificate (CA-issued, chain in issued.chain.pfx). One key, no kid. */
  readonly ps256: DaemonWithKey
  /** PS256 with the `leaf` key (leaf.pfx). One key, no kid. */
  readonly leafPs256: DaemonWithKey
  /** The root CA that issued `issued` (its certificate ends the x5c chain). */
  readonly ca: CertificateCredential
  /** A key and certificate no daemon registered (`other`). */
  readonly unregistered: CertificateCredential
  readonly keyDaemons: readonly KeyDaemon[]
}

/** An RSA public key the RS256 daemon registered once and no longer signs with. */
const retiredKey = (): Record<string, unknown> => ({
  ...generateKeyPairSync('rsa', { modulusLength: 2048 }).publicKey.export({ format: 'jwk' }),
  kid: 'retired-2024',
  use: 'sig',
})

export const daemonCredentials = (): DaemonCredentials => {
  const leaf = fixtureCredential('leaf')
  const issued = fixtureCredential('issued')
  const rs256: DaemonWithKey = {
    credential: leaf,
    daemon: { clientId: 'msal-ts-daemon-rs256', signingAlg: 'RS256', jwks: { keys: [retiredKey(), { ...leaf.publicJwk, kid: leaf.x5t }] } },
  }
  const ps256: DaemonWithKey = {
    credential: issued,
    daemon: { clientId: 'msal-ts-daemon-ps256', signingAlg: 'PS256', jwks: { keys: [issued.publicJwk] } },
  }
  const leafPs256: DaemonWithKey = {
    credential: leaf,
    daemon: { clientId: 'msal-ts-daemon-leaf-ps256', signingAlg: 'PS256', jwks: { keys: [leaf.publicJwk] } },
  }
  return { rs256, ps256, leafPs256, ca: fixtureCredential('ca'), unregistered: fixtureCredential('other'), keyDaemons: [rs256.daemon, ps256.daemon, leafPs256.daemon] }
}
