import { readFileSync } from 'node:fs'
import forge from 'node-forge'
import type { Parsed } from './privateKey.js'

export interface PfxContents {
  /** The private key as PKCS#8 PEM (unencrypted, in memory only). */
  readonly privateKeyPem: string
  /** Every certificate in the file, base64 DER. */
  readonly certificates: readonly string[]
}

const bagsOf = (p12: forge.pkcs12.Pkcs12Pfx, type: string): forge.pkcs12.Bag[] => p12.getBags({ bagType: type })[type] ?? []

/**
 * Reads a PKCS#12 (.pfx/.p12) file: its private key and certificates. node:crypto reads no
 * PKCS#12, so node-forge does (legacy 3DES/RC2 files and OpenSSL 3's AES ones alike).
 */
export const readPfx = (path: string, passphrase: string | undefined): Parsed<PfxContents> => {
  let bytes: Buffer
  try {
    bytes = readFileSync(path)
  } catch (error) {
    return { problem: `cannot read ${path}: ${(error as NodeJS.ErrnoException).code ?? String(error)}` }
  }
  let p12: forge.pkcs12.Pkcs12Pfx
  try {
    const asn1 = forge.asn1.fromDer(forge.util.createBuffer(bytes.toString('binary')))
    p12 = forge.pkcs12.pkcs12FromAsn1(asn1, false, passphrase ?? '')
  } catch (error) {
    const message = error instanceof Error ? error.message : String(error)
    return {
      problem: /mac could not be verified|invalid password/i.test(message)
        ? `the passphrase does not open ${path} (wrong passphrase?)`
        : `${path} is not a PKCS#12 file this library can read (${message})`,
    }
  }
  const keyBag = [...bagsOf(p12, forge.pki.oids.pkcs8ShroudedKeyBag!), ...bagsOf(p12, forge.pki.oids.keyBag!)].find((bag) => bag.key !== undefined)
  if (keyBag?.key === undefined) return { problem: `${path} holds no private key (or one this library cannot decrypt)` }
  const certificates = bagsOf(p12, forge.pki.oids.certBag!)
    .filter((bag) => bag.cert !== undefined)
    .map((bag) => forge.util.encode64(forge.asn1.toDer(forge.pki.certificateToAsn1(bag.cert!)).getBytes()))
  if (certificates.length === 0) return { problem: `${path} holds no certificate` }
  const pkcs8 = forge.pki.wrapRsaPrivateKey(forge.pki.privateKeyToAsn1(keyBag.key as forge.pki.rsa.PrivateKey))
  return { ok: { privateKeyPem: forge.pki.privateKeyInfoToPem(pkcs8), certificates } }
}
