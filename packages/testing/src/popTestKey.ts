import { createHash, createPrivateKey, createPublicKey, sign, type KeyObject } from 'node:crypto'
import type { AssertionOutcome, PopKeyOutcome, PopPublicJwk } from '@msal-ts/core'
import { bytesToBase64Url } from '@msal-ts/core/protocol'

/**
 * The test interpreter's proof-of-possession key: a fixed RSA 2048 key (a test key, public on
 * purpose), so a flow that signs a request signs the same bytes every run (RS256 is
 * deterministic) and replays. Give `createTestInterpreter` another (`popKey`) to tell apps apart.
 */
export const TEST_POP_KEY_PKCS8 = `
-----BEGIN PRIVATE KEY-----
MIIEvwIBADANBgkqhkiG9w0BAQEFAASCBKkwggSlAgEAAoIBAQDIbsfvNTNjVo5m
h3w3PNTvtKHqPo5XwztT2uAWBeBorKI4ynX3Gua26v0IoBtVf48GsmuFSOkj02Ds
qEJx6DFYZ+j3WXyhff3tOLjMq9ytOBX6xtiDbDegK+WKhhMrcLzieN9g/dB5vlNV
DpArQx9AVOibg6UcFl7bFxl02Y1YQ/hKqyFYpwshCvlGRzxlZf+EWtUWs90Y8Fj1
4pEqs6+4gaQfhIuP+5w2PGdLAK3lT8J9B9NQSx+lkF7dTv7K7OQdRNIv5KmUvTSS
F3yz+aag/vsQhSMwkeubk1Xzln2zRqUfs21mU72okrGr2V9JXXfdcYYPf7+Da0G1
in0SOnXZAgMBAAECggEAU2O33j+ZpjpUW7cByK+P/jz+YoltSnlJHS3Crpb6U0KD
6bHeW5U/KRpidSy7wpokJQqlbloz2Xpv6HZm0qJiqV/uDr8V+dCEDabcSBc25ICh
sGj7ms4y5Hpu8W+v2RJ6G5VjhqSDEKvNWuWIuN8fyPGqp00hrCpog6m8Jx/+TRqY
orydpM37fGOILaZS8VKJtrPynq3Flrj91QhpdRCsDmCmeWyqokJcF1SD0pNqtILx
p6dOpR1+K/srMcJWOlYSXa9BC8A8EiVzLUr4VakGCG9xs1dJu/lXK7MMZG2yglV/
WUTimRAX3sUwHGAc9P17Z9PZnHbUqGqCE36POYNzwwKBgQD96ObJGBoStPx4/O9m
q9jSpFHV6ILoIuckawZ2g8Y3fh36QO9Livg4mFHxUZY+e0ih8qkc0fgIR7xMmGqp
ivEbvARmxJMaSZCSkW0N+S8jaXGMhc5slyRRPrxtxf5bl9JHYH+wASg2yMgSLi0H
1N2CYSaUn+gEtK7urpuLUEGExwKBgQDKFS4Z9nxgrTll4PaGDzN5aRPQerOguYdt
iqo+s1twjC2RDdvqFtVQoE8bge53qIEYeEv/h50O7lB2Se3BOqEMIIwqluTlM89i
g2AZogi6+3NBKIosC9NNHHQiw7YL69M3BmGU+hMj2gfqDmZNe7JqVfN92h0uXg8Y
nVTaaDRQXwKBgQDijqcmte/F02IX3rEKrrmYMnCm6oGr+kC+mRS6ORhruYesHban
dEfJz/gF2GO0OrLzdh95jMzBLqkQu0spHsXGlnxi6nHLmep7LXHebwKlmVdtKJOp
By+rosvlMy6jsZM6hxtIA7BLOdpzhmo9u60uwdr38LrJQCN666f0pdbgTwKBgQCx
EDPPveAnGUCUmrOGrSUN+VrKLejcKBOYkIow3Bh/meOHGFybVJxdw8jsskEPCU7r
8OOuJtYfsgJAUvCGgWeA57fIzWQLzASnLbNzYj1CEHZhHjNK+qWPCCJeH5uQAHaV
3Pp9fUxt+mk61JkgxQSEFYF+wTEWYoXZrGkf4XQNAwKBgQDTWQKXxhG+ZHHAIYgr
qw5faaOFfSQSTSc9kLvT9r8q/V5rS93la3jfmt0HcCInSnPhA+MxEoYZ+iFX5499
oZVlo5qsVMvu48+N8g2caHo7vQIuZ5yCFEY+2IDtz3WBKlK3VfM5+d7yQ0qQOvwB
WFagXGWDT7y5x7wNzhhbLjJoMA==
-----END PRIVATE KEY-----
`.trim()

/** A PoP key answered synchronously from a PKCS#8 PEM: the PopKey and SignPop effects' answers. */
export interface TestPopKey {
  /** The key's RFC 7638 thumbprint (base64url SHA-256 of its e, kty, n): what its tokens' `cnf.kid` names. */
  readonly kid: string
  /** Its public JWK, as a signed request's `cnf.jwk` carries it. */
  readonly jwk: PopPublicJwk
  /** The PopKey effect's answer. */
  key(): PopKeyOutcome
  /** The SignPop effect's answer: RS256 over base64url(JSON header) "." base64url(JSON payload). */
  sign(kid: string, header: Readonly<Record<string, unknown>>, payload: Readonly<Record<string, unknown>>): AssertionOutcome
}

const b64uJson = (value: unknown): string => bytesToBase64Url(new TextEncoder().encode(JSON.stringify(value)))

/** A PoP key from a PKCS#8 PEM (default: TEST_POP_KEY_PKCS8). */
export const testPopKey = (pkcs8Pem: string = TEST_POP_KEY_PKCS8): TestPopKey => {
  const privateKey: KeyObject = createPrivateKey(pkcs8Pem)
  const { n, e } = createPublicKey(privateKey).export({ format: 'jwk' }) as { n: string; e: string }
  const jwk: PopPublicJwk = { alg: 'RS256', e, kty: 'RSA', n }
  // RFC 7638: the required members in lexicographic order, no whitespace.
  const kid = bytesToBase64Url(createHash('sha256').update(JSON.stringify({ e, kty: 'RSA', n })).digest())
  return {
    kid,
    jwk,
    key: () => ({ _tag: 'PopKey', kid, jwk }),
    sign: (asked, header, payload) => {
      if (asked !== kid) return { _tag: 'CredentialFailure', message: `no proof-of-possession key ${asked} here (the test key is ${kid})` }
      const input = `${b64uJson(header)}.${b64uJson(payload)}`
      return { _tag: 'Assertion', assertion: `${input}.${bytesToBase64Url(sign('sha256', Buffer.from(input), privateKey))}` }
    },
  }
}
