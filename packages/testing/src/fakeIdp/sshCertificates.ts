import { createHash } from 'node:crypto'
import { base64UrlToBytes } from '@msal-ts/core/protocol'

/**
 * The SSH certificates the fake identity provider issues for `token_type=ssh-cert` (Entra's SSH
 * sign-in for Azure VMs, `https://pas.windows.net/CheckMyAccess/Linux/.default`): an OpenSSH user
 * certificate (PROTOCOL.certkeys, "ssh-rsa-cert-v01@openssh.com") for the public key the request
 * sent as `req_cnf`, its key id the request's `key_id`, in the base64 form the response's
 * `access_token` carries ("AAAA...", which MSAL Python's broker path checks). The CA signature is
 * a stand-in (a SHA-256 of the signed part): nothing here verifies it as sshd would.
 */

export const SSH_CERT_TYPE = 'ssh-rsa-cert-v01@openssh.com'
const SSH_USER_CERT = 1

/** What an issued certificate says, as parseSshCertificate reads it back. */
export interface SshCertificate {
  /** "ssh-rsa-cert-v01@openssh.com". */
  readonly type: string
  /** The certified public key's RSA exponent and modulus, base64url without leading zero bytes (as in a JWK). */
  readonly e: string
  /** The RSA modulus, base64url without leading zero bytes. */
  readonly n: string
  /** The provider's serial number for it, counting up. */
  readonly serial: bigint
  /** The certificate's key id: the request's `key_id`. */
  readonly keyId: string
  /** Who it lets in: the user's name, or the app's client id. */
  readonly principals: readonly string[]
  /** When it becomes valid, epoch seconds. */
  readonly validAfter: number
  /** When it stops being valid, epoch seconds (the access token lifetime later). */
  readonly validBefore: number
}

const u32 = (value: number): Buffer => {
  const bytes = Buffer.alloc(4)
  bytes.writeUInt32BE(value)
  return bytes
}
const u64 = (value: bigint): Buffer => {
  const bytes = Buffer.alloc(8)
  bytes.writeBigUInt64BE(value)
  return bytes
}
const sshString = (value: Buffer | string): Buffer => {
  const bytes = typeof value === 'string' ? Buffer.from(value, 'utf8') : value
  return Buffer.concat([u32(bytes.length), bytes])
}
/** RFC 4251 §5 mpint: big-endian, a leading zero byte when the top bit is set. */
const mpint = (unsigned: Uint8Array): Buffer => {
  let start = 0
  while (start < unsigned.length - 1 && unsigned[start] === 0) start++
  const trimmed = Buffer.from(unsigned.subarray(start))
  return sshString((trimmed[0]! & 0x80) !== 0 ? Buffer.concat([Buffer.of(0), trimmed]) : trimmed)
}

export interface SshCertificateRequest {
  /** The public key's JWK members (base64url). */
  readonly e: string
  /** The RSA modulus, base64url without leading zero bytes. */
  readonly n: string
  readonly keyId: string
  readonly principals: readonly string[]
  readonly serial: bigint
  /** Epoch seconds. */
  readonly validAfter: number
  readonly validBefore: number
  /** 32 random bytes. */
  readonly nonce: Uint8Array
}

/** The certificate as a response's access_token carries it: base64 of the wire form. */
export const sshCertificate = (request: SshCertificateRequest): string => {
  const e = base64UrlToBytes(request.e)
  const n = base64UrlToBytes(request.n)
  if (e === undefined || n === undefined) throw new Error('req_cnf: the key is not base64url')
  const signed = Buffer.concat([
    sshString(SSH_CERT_TYPE),
    sshString(Buffer.from(request.nonce)),
    mpint(e),
    mpint(n),
    u64(request.serial),
    u32(SSH_USER_CERT),
    sshString(request.keyId),
    sshString(Buffer.concat(request.principals.map((principal) => sshString(principal)))),
    u64(BigInt(request.validAfter)),
    u64(BigInt(request.validBefore)),
    sshString(''), // critical options
    sshString(Buffer.concat([sshString('permit-pty'), sshString('')])), // extensions
    sshString(''), // reserved
    sshString(Buffer.concat([sshString('ssh-rsa'), mpint(Uint8Array.of(1, 0, 1)), mpint(createHash('sha256').update('fake-idp-ssh-ca').digest())])),
  ])
  const signature = sshString(Buffer.concat([sshString('rsa-sha2-256'), sshString(createHash('sha256').update(signed).digest())]))
  return Buffer.concat([signed, signature]).toString('base64')
}

/** Reads a certificate the fake issued (for tests: which key and key id it certifies). Throws on anything else. */
export const parseSshCertificate = (base64: string): SshCertificate => {
  const bytes = Buffer.from(base64, 'base64')
  let at = 0
  const take = (length: number): Buffer => {
    if (at + length > bytes.length) throw new Error('not an SSH certificate: cut short')
    const part = bytes.subarray(at, at + length)
    at += length
    return part
  }
  const string = (): Buffer => take(take(4).readUInt32BE())
  const unsigned = (value: Buffer): string => Buffer.from(value[0] === 0 ? value.subarray(1) : value).toString('base64url')
  const type = string().toString('utf8')
  if (type !== SSH_CERT_TYPE) throw new Error(`not an SSH certificate of type ${SSH_CERT_TYPE}: ${type}`)
  string() // nonce
  const e = unsigned(string())
  const n = unsigned(string())
  const serial = take(8).readBigUInt64BE()
  take(4) // certificate type
  const keyId = string().toString('utf8')
  const packed = string()
  const principals: string[] = []
  for (let p = 0; p < packed.length; ) {
    const length = packed.readUInt32BE(p)
    principals.push(packed.subarray(p + 4, p + 4 + length).toString('utf8'))
    p += 4 + length
  }
  const validAfter = Number(take(8).readBigUInt64BE())
  const validBefore = Number(take(8).readBigUInt64BE())
  return { type, e, n, serial, keyId, principals, validAfter, validBefore }
}
