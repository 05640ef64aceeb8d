import { readFileSync } from 'node:fs'
import { createPublicKey, X509Certificate } from 'node:crypto'
import { join } from 'node:path'
import { compactVerify } from 'jose'
import { MsalError } from '@msal-ts/core'
import { ConfidentialClientApplication, type ClientCredentialOption } from '@msal-ts/node'

/** The openssl-made certificates shared by the tests (see their README.md). */
const FIXTURES = join(import.meta.dirname, '..', '..', 'testing', 'test', 'fixtures', 'certificates')
const fixture = (name: string): string => readFileSync(join(FIXTURES, name), 'utf8')
const PASSPHRASE = 'correct horse'
const CLIENT = '11111111-2222-4333-8444-555555555555'
const TENANT = 'contoso.onmicrosoft.com'
const TOKEN_ENDPOINT = `https://login.microsoftonline.com/${TENANT}/oauth2/v2.0/token`
const SCOPE = 'https://graph.microsoft.com/.default'

const leaf = new X509Certificate(fixture('leaf.cert.pem'))
const issued = new X509Certificate(fixture('issued.cert.pem'))
const hex = (algorithm: 'sha1' | 'sha256', certificate: X509Certificate): string =>
  (algorithm === 'sha1' ? certificate.fingerprint : certificate.fingerprint256).replace(/:/g, '')
const b64url = (algorithm: 'sha1' | 'sha256', certificate: X509Certificate): string => Buffer.from(hex(algorithm, certificate), 'hex').toString('base64url')
const der = (certificate: X509Certificate): string => certificate.raw.toString('base64')

/** A token endpoint that records each request's form and answers with a token. */
const recordingEndpoint = () => {
  const forms: Array<Record<string, string>> = []
  const httpClient = async (url: string | URL | Request, init?: RequestInit): Promise<Response> => {
    const text = String(url)
    if (text.includes('/discovery/instance')) {
      return Response.json({ tenant_discovery_endpoint: `https://login.microsoftonline.com/${TENANT}/v2.0/.well-known/openid-configuration`, metadata: [] })
    }
    forms.push(Object.fromEntries(new URLSearchParams(String(init?.body))))
    return Response.json({ token_type: 'Bearer', expires_in: 3599, access_token: `at-${forms.length}` })
  }
  return { forms, httpClient }
}

const appWith = (clientCredential: ClientCredentialOption, extra: Record<string, unknown> = {}) => {
  const endpoint = recordingEndpoint()
  const app = new ConfidentialClientApplication({ clientId: CLIENT, authority: `https://login.microsoftonline.com/${TENANT}`, clientCredential, httpClient: endpoint.httpClient, ...extra })
  return { app, ...endpoint }
}

/** Verifies the assertion with the certificate's public key and returns its header and claims. */
const verified = async (assertion: string, certificate: X509Certificate) => {
  const { payload, protectedHeader } = await compactVerify(assertion, createPublicKey(certificate.publicKey.export({ type: 'spki', format: 'pem' })))
  return { header: protectedHeader, claims: JSON.parse(new TextDecoder().decode(payload)) as Record<string, unknown> }
}

const configurationError = (make: () => unknown): { field: string; message: string } => {
  try {
    make()
  } catch (error) {
    expect(error).toBeInstanceOf(MsalError)
    return error as { field: string; message: string }
  }
  throw new Error('expected a ConfigurationError')
}

describe('certificate credentials, signed for real and verified with the certificate', () => {
  it.each([
    ['PKCS#8', { privateKey: fixture('leaf.key.pkcs8.pem'), thumbprint: hex('sha1', leaf) }],
    ['PKCS#1', { privateKey: fixture('leaf.key.pkcs1.pem'), thumbprint: hex('sha1', leaf) }],
    ['encrypted PKCS#8', { privateKey: fixture('leaf.key.pkcs8.encrypted.pem'), passphrase: PASSPHRASE, thumbprint: hex('sha1', leaf) }],
    ['encrypted PKCS#1', { privateKey: fixture('leaf.key.pkcs1.encrypted.pem'), passphrase: PASSPHRASE, thumbprint: hex('sha1', leaf) }],
    ['a Buffer key, a colon-separated thumbprint', { privateKey: readFileSync(join(FIXTURES, 'leaf.key.pkcs8.pem')), thumbprint: leaf.fingerprint }],
  ])('%s key with a SHA-1 thumbprint: RS256 with x5t', async (_, credential) => {
    const { app, forms } = appWith(credential as ClientCredentialOption)
    await expect(app.acquireTokenForClient([SCOPE])).resolves.toMatchObject({ accessToken: 'at-1' })
    expect(forms[0]!['client_assertion_type']).toBe('urn:ietf:params:oauth:client-assertion-type:jwt-bearer')
    const { header, claims } = await verified(forms[0]!['client_assertion']!, leaf)
    expect(header).toEqual({ alg: 'RS256', typ: 'JWT', x5t: b64url('sha1', leaf) })
    expect(claims).toMatchObject({ aud: TOKEN_ENDPOINT, iss: CLIENT, sub: CLIENT })
    expect((claims['exp'] as number) - (claims['iat'] as number)).toBe(600)
    expect(Math.abs((claims['iat'] as number) - Date.now() / 1000)).toBeLessThan(60)
    expect(claims['jti']).toMatch(/^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/)
  })

  it('a SHA-256 thumbprint: PS256 with x5t#S256', async () => {
    const { app, forms } = appWith({ privateKey: fixture('leaf.key.pkcs8.pem'), thumbprintSha256: hex('sha256', leaf) })
    await app.acquireTokenForClient([SCOPE])
    const { header } = await verified(forms[0]!['client_assertion']!, leaf)
    expect(header).toEqual({ alg: 'PS256', typ: 'JWT', 'x5t#S256': b64url('sha256', leaf) })
  })

  it('publicCertificate: x5c (base64 DER, leaf first) for subject name / issuer auth, thumbprints computed when not given', async () => {
    const chain = `${fixture('ca.cert.pem')}\n${fixture('issued.cert.pem')}`
    const { app, forms } = appWith({ privateKey: fixture('issued.key.pkcs8.pem'), publicCertificate: chain })
    await app.acquireTokenForClient([SCOPE])
    const { header } = await verified(forms[0]!['client_assertion']!, issued)
    expect(header).toEqual({ alg: 'PS256', typ: 'JWT', 'x5t#S256': b64url('sha256', issued), x5c: [der(issued), der(new X509Certificate(fixture('ca.cert.pem')))] })
  })

  it('a PFX file with its passphrase: PS256; publicCertificate: true sends the PFX\'s chain', async () => {
    const plain = appWith({ privateKeyPfxPath: join(FIXTURES, 'leaf.pfx'), passphrase: PASSPHRASE })
    await plain.app.acquireTokenForClient([SCOPE])
    expect((await verified(plain.forms[0]!['client_assertion']!, leaf)).header).toEqual({ alg: 'PS256', typ: 'JWT', 'x5t#S256': b64url('sha256', leaf) })

    const legacy = appWith({ privateKeyPfxPath: join(FIXTURES, 'leaf.legacy.pfx'), passphrase: PASSPHRASE })
    await legacy.app.acquireTokenForClient([SCOPE])
    await verified(legacy.forms[0]!['client_assertion']!, leaf)

    const chained = appWith({ privateKeyPfxPath: join(FIXTURES, 'issued.chain.pfx'), passphrase: PASSPHRASE, publicCertificate: true })
    await chained.app.acquireTokenForClient([SCOPE])
    const { header } = await verified(chained.forms[0]!['client_assertion']!, issued)
    expect(header['x5c']).toEqual([der(issued), der(new X509Certificate(fixture('ca.cert.pem')))])
  })

  it('clientClaims merge into the assertion and override', async () => {
    const { app, forms } = appWith({ privateKey: fixture('leaf.key.pkcs8.pem'), thumbprint: hex('sha1', leaf) }, { clientClaims: { custom: 'value', sub: 'overridden' } })
    await app.acquireTokenForClient([SCOPE])
    expect((await verified(forms[0]!['client_assertion']!, leaf)).claims).toMatchObject({ custom: 'value', sub: 'overridden', iss: CLIENT })
  })

  it('one assertion serves requests within 540 s', async () => {
    const { app, forms } = appWith({ privateKey: fixture('leaf.key.pkcs8.pem'), thumbprint: hex('sha1', leaf) })
    await app.acquireTokenForClient([SCOPE])
    await app.acquireTokenForClient(['https://vault.azure.net/.default'])
    expect(forms).toHaveLength(2)
    expect(forms[1]!['client_assertion']).toBe(forms[0]!['client_assertion'])
  })
})

describe('assertion credentials', () => {
  it('a pre-signed assertion string is sent as it is', async () => {
    const assertion = 'eyJhbGciOiJSUzI1NiJ9.eyJpc3MiOiJ4In0.c2ln'
    const { app, forms } = appWith({ clientAssertion: assertion })
    await app.acquireTokenForClient([SCOPE])
    expect(forms[0]).toMatchObject({ client_assertion: assertion, client_assertion_type: 'urn:ietf:params:oauth:client-assertion-type:jwt-bearer' })
  })

  it.each([
    ['sync', (n: number) => `a.${n}.c`],
    ['async', async (n: number) => Promise.resolve(`a.${n}.c`)],
  ])('a %s callback is asked before each request, with the client id and token endpoint', async (_, make) => {
    const asked: unknown[] = []
    const { app, forms } = appWith({ clientAssertion: (context) => (asked.push(context), make(asked.length)) })
    await app.acquireTokenForClient([SCOPE])
    await app.acquireTokenForClient(['https://vault.azure.net/.default'])
    expect(forms.map((form) => form['client_assertion'])).toEqual(['a.1.c', 'a.2.c'])
    expect(asked[0]).toEqual({ clientId: CLIENT, tokenEndpoint: TOKEN_ENDPOINT })
  })

  it('a callback that throws or returns no string rejects with a ConfigurationError, sending nothing', async () => {
    for (const clientAssertion of [() => { throw new Error('vault down') }, async () => Promise.reject(new Error('vault down')), () => 42 as unknown as string]) {
      const { app, forms } = appWith({ clientAssertion })
      await expect(app.acquireTokenForClient([SCOPE])).rejects.toMatchObject({ error: 'invalid_configuration', field: 'clientCredential' })
      expect(forms).toHaveLength(0)
    }
  })
})

describe('bad credentials are refused when the application is made, naming the field', () => {
  const key = fixture('leaf.key.pkcs8.pem')
  it.each<[string, unknown, string, RegExp]>([
    ['an empty secret', '', 'clientCredential', /non-empty/],
    ['a number', 42, 'clientCredential', /expected a client secret/],
    ['no credential at all', {}, 'clientCredential', /expected a client secret/],
    ['two credentials', { clientSecret: 's', privateKey: key }, 'clientCredential', /not several/],
    ['an unknown field', { privateKey: key, thumbprint: hex('sha1', leaf), thumbPrint: 'x' }, 'clientCredential.thumbPrint', /unknown field/],
    ['a secret sent some other way', { clientSecret: 's', tokenEndpointAuthMethod: 'private_key_jwt' }, 'clientCredential.tokenEndpointAuthMethod', /client_secret_basic/],
    ['a certificate where the private key goes', { privateKey: fixture('leaf.cert.pem'), thumbprint: hex('sha1', leaf) }, 'clientCredential.privateKey', /certificate, not a private key/],
    ['a private key where the certificate goes', { privateKey: key, publicCertificate: key }, 'clientCredential.publicCertificate', /private key, not a certificate/],
    ['a certificate of another key', { privateKey: fixture('other.key.pkcs8.pem'), publicCertificate: fixture('leaf.cert.pem') }, 'clientCredential.publicCertificate', /matches the private key/],
    ['a thumbprint of another certificate', { privateKey: key, thumbprint: hex('sha1', issued), publicCertificate: fixture('leaf.cert.pem') }, 'clientCredential.thumbprint', /not publicCertificate's/],
    ['no thumbprint', { privateKey: key }, 'clientCredential.thumbprint', /thumbprint/],
    ['a thumbprint that is not hex', { privateKey: key, thumbprint: 'not-a-thumbprint' }, 'clientCredential.thumbprint', /40 hex digits/],
    ['a SHA-1 length SHA-256 thumbprint', { privateKey: key, thumbprintSha256: hex('sha1', leaf) }, 'clientCredential.thumbprintSha256', /64 hex digits/],
    ['an encrypted key without its passphrase', { privateKey: fixture('leaf.key.pkcs8.encrypted.pem'), thumbprint: hex('sha1', leaf) }, 'clientCredential.privateKey', /encrypted: give its passphrase/],
    ['an encrypted PKCS#1 key without its passphrase', { privateKey: fixture('leaf.key.pkcs1.encrypted.pem'), thumbprint: hex('sha1', leaf) }, 'clientCredential.privateKey', /encrypted: give its passphrase/],
    ['a wrong passphrase', { privateKey: fixture('leaf.key.pkcs8.encrypted.pem'), passphrase: 'wrong', thumbprint: hex('sha1', leaf) }, 'clientCredential.privateKey', /wrong passphrase/],
    ['garbage for a key', { privateKey: '-----BEGIN PRIVATE KEY-----\nAAAA\n-----END PRIVATE KEY-----', thumbprint: hex('sha1', leaf) }, 'clientCredential.privateKey', /not a PEM private key/],
    ['a PFX with a wrong passphrase', { privateKeyPfxPath: join(FIXTURES, 'leaf.pfx'), passphrase: 'wrong' }, 'clientCredential.privateKeyPfxPath', /wrong passphrase/],
    ['a PFX that is not there', { privateKeyPfxPath: join(FIXTURES, 'missing.pfx'), passphrase: PASSPHRASE }, 'clientCredential.privateKeyPfxPath', /ENOENT/],
    ['a PEM file given as a PFX', { privateKeyPfxPath: join(FIXTURES, 'leaf.cert.pem'), passphrase: PASSPHRASE }, 'clientCredential.privateKeyPfxPath', /not a PKCS#12 file/],
    ['a PFX with a certificate string', { privateKeyPfxPath: join(FIXTURES, 'leaf.pfx'), passphrase: PASSPHRASE, publicCertificate: 'x' }, 'clientCredential.publicCertificate', /expected true/],
    ['an assertion that is not a JWT', { clientAssertion: 'not-a-jwt' }, 'clientCredential.clientAssertion', /three dot-separated parts/],
    ['clientClaims with a secret', 'secret', 'clientClaims', /signs none/],
  ])('%s', (_, clientCredential, field, message) => {
    const extra = field === 'clientClaims' ? { clientClaims: { a: 1 } } : {}
    const error = configurationError(() => new ConfidentialClientApplication({ clientId: CLIENT, clientCredential: clientCredential as ClientCredentialOption, ...extra }))
    expect(error.field).toBe(field)
    expect(error.message).toMatch(message)
    // A key never shows in what is reported.
    expect(error.message).not.toContain('MII')
  })

  it('the application keeps no private key or passphrase where it could be serialized or logged', () => {
    const { app } = appWith({ privateKey: fixture('leaf.key.pkcs8.encrypted.pem'), passphrase: PASSPHRASE, thumbprint: hex('sha1', leaf) })
    const visible = JSON.stringify(app)
    expect(visible).not.toContain('PRIVATE KEY')
    expect(visible).not.toContain(PASSPHRASE)
  })
})
