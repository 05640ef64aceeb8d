/**
 * The clientCredential forms every runtime shares (core's pure part): which form, which fields,
 * and the messages, which name the field and never repeat a value. Node's and the web runtimes'
 * own tests run the same rules through their application classes.
 */
import * as E from '#fp-ts/Either'
import { parseCredentialForm, type CredentialReader } from '@msal-ts/core'
import { extractCertificates, hexThumbprintToBase64Url } from '@msal-ts/core/protocol'

/** A reader that accepts any PEM text and records what it was given. */
const recordingReader = (refused?: CredentialReader<string>['refused']) => {
  const read: unknown[] = []
  const reader: CredentialReader<string> = {
    readPrivateKey: (pem, passphrase) => (read.push([pem, passphrase]), String(pem).includes('BAD') ? { problem: 'not a key' } : { ok: `key(${String(pem)})` }),
    refused,
  }
  return { reader, read }
}

const CERT = '-----BEGIN CERTIFICATE-----\nMIIB\nAAAA\n-----END CERTIFICATE-----\n-----BEGIN CERTIFICATE-----\nMIIC\n-----END CERTIFICATE-----'
const SHA1_HEX = 'a1'.repeat(20)

describe('parseCredentialForm', () => {
  it.each([
    ['a secret string', 's3cret', { _tag: 'Described', credential: { _tag: 'ClientSecret', secret: 's3cret', method: 'client_secret_post' } }],
    ['a secret sent in a Basic header', { clientSecret: 's', tokenEndpointAuthMethod: 'client_secret_basic' }, { _tag: 'Described', credential: { _tag: 'ClientSecret', secret: 's', method: 'client_secret_basic' } }],
    ['an assertion', { clientAssertion: ' a.b.c ' }, { _tag: 'Described', credential: { _tag: 'ClientAssertion', assertion: 'a.b.c' } }],
    [
      'a certificate: thumbprints in base64url, certificates as base64 DER in the order given',
      { privateKey: 'PEM', thumbprint: SHA1_HEX, publicCertificate: CERT },
      { _tag: 'Certificate', key: 'key(PEM)', sha1Thumbprint: hexThumbprintToBase64Url(SHA1_HEX, 20), sha256Thumbprint: undefined, certificates: ['MIIBAAAA', 'MIIC'] },
    ],
    ['a PFX file', { privateKeyPfxPath: 'app.pfx', passphrase: 'p', publicCertificate: true }, { _tag: 'PfxFile', path: 'app.pfx', passphrase: 'p', sendCertificateChain: true }],
  ])('%s', (_, option, form) => {
    expect(parseCredentialForm(option, recordingReader().reader)).toEqual(E.right(form))
  })

  it('hands an assertion callback over as it is, for the interpreter to hold', () => {
    const callback = () => 'a.b.c'
    expect(parseCredentialForm({ clientAssertion: callback }, recordingReader().reader)).toEqual(
      E.right({ _tag: 'Described', credential: { _tag: 'ClientAssertionCallback' }, assertionCallback: callback }),
    )
  })

  it('reads the key only for a certificate, with its passphrase, before the thumbprints are looked at', () => {
    const { reader, read } = recordingReader()
    parseCredentialForm('s', reader)
    expect(read).toEqual([])
    expect(parseCredentialForm({ privateKey: 'BAD', passphrase: 'p', thumbprint: 'not hex' }, reader)).toEqual(E.left(expect.objectContaining({ field: 'clientCredential.privateKey', message: 'clientCredential.privateKey: not a key' })))
    expect(read).toEqual([['BAD', 'p']])
  })

  it.each<[string, unknown, string, string]>([
    ['nothing', undefined, 'clientCredential', 'got nothing'],
    ['a number, never shown', 123456, 'clientCredential', 'got a number'],
    ['an array', ['s3cret'], 'clientCredential', 'got an array'],
    ['an unknown field', { clientSecret: 's', scope: 'x' }, 'clientCredential.scope', 'unknown field'],
    ['two forms', { clientSecret: 's', clientAssertion: 'a.b.c' }, 'clientCredential', 'give one of clientSecret, clientAssertion, not several'],
    ['a SHA-256 thumbprint of the wrong length', { privateKey: 'PEM', thumbprintSha256: SHA1_HEX }, 'clientCredential.thumbprintSha256', '64 hex digits'],
    ['a key where the certificate goes', { privateKey: 'PEM', thumbprint: SHA1_HEX, publicCertificate: '-----BEGIN PRIVATE KEY-----' }, 'clientCredential.publicCertificate', 'private key, not a certificate'],
  ])('refuses %s, naming the field', (_, option, field, text) => {
    const outcome = parseCredentialForm(option, recordingReader().reader)
    expect(E.isLeft(outcome) && outcome.left).toMatchObject({ kind: 'ConfigurationError', field, message: expect.stringContaining(text) })
    expect(JSON.stringify(outcome)).not.toMatch(/123456|s3cret/)
  })

  it('refuses the fields a runtime cannot use with its reason, and leaves them out of the forms it lists', () => {
    const { reader, read } = recordingReader({ passphrase: 'decrypt it first', privateKeyPfxPath: 'convert it first' })
    expect(parseCredentialForm({ privateKeyPfxPath: 'app.pfx' }, reader)).toEqual(E.left(expect.objectContaining({ field: 'clientCredential.privateKeyPfxPath', message: 'clientCredential.privateKeyPfxPath: convert it first' })))
    expect(parseCredentialForm({ privateKey: 'PEM', passphrase: 'p' }, reader)).toEqual(E.left(expect.objectContaining({ field: 'clientCredential.passphrase', message: 'clientCredential.passphrase: decrypt it first' })))
    expect(read).toEqual([])
    const listed = parseCredentialForm({}, reader)
    expect(E.isLeft(listed) && listed.left.message).toBe('clientCredential: expected a client secret string, { clientSecret }, { privateKey, thumbprint | thumbprintSha256 } or { clientAssertion }')
  })
})

describe('thumbprints and certificates', () => {
  it('turns a hex thumbprint (colons and spaces tolerated) into base64url of its bytes', () => {
    const hex = '76:F8:76:11:1D:46:C2:DC:2E:9A:5F:FD:0F:3D:C2:34:4B:CF:EE:36'
    expect(hexThumbprintToBase64Url(hex, 20)).toBe(Buffer.from(hex.replace(/:/g, ''), 'hex').toString('base64url'))
    expect(hexThumbprintToBase64Url(hex.replace(/:/g, ' '), 20)).toBe('dvh2ER1Gwtwuml_9Dz3CNEvP7jY')
    expect(hexThumbprintToBase64Url(hex, 32)).toBeUndefined()
    expect(hexThumbprintToBase64Url('zz'.repeat(20), 20)).toBeUndefined()
  })

  it('extracts PEM certificates in order, as plain base64', () => {
    expect(extractCertificates(CERT)).toEqual(['MIIBAAAA', 'MIIC'])
    expect(extractCertificates('-----BEGIN PRIVATE KEY-----')).toBeUndefined()
  })
})
