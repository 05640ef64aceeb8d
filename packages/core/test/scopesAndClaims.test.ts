import * as E from '#fp-ts/Either'
import { mergeClaimsAndCapabilities, scopesToTarget, targetToScopes, validateScopes } from '@msal-ts/core/protocol'

describe('validateScopes', () => {
  it.each([
    [['https://graph.microsoft.com/.default'], ['https://graph.microsoft.com/.default']],
    [['User.Read', 'user.read', 'Mail.Read'], ['User.Read', 'Mail.Read']],
  ])('accepts %j as %j', (input, expected) => {
    expect(validateScopes(input)).toEqual(E.right(expected))
  })

  it.each([
    [[], 'scopes: expected at least one scope, got an empty array'],
    ['User.Read', 'scopes: expected an array of scope strings, got "User.Read"'],
    [undefined, 'scopes: expected an array of scope strings, got nothing'],
    [[''], 'scopes: each scope must be a non-empty string without spaces, got ""'],
    [['a b'], 'scopes: each scope must be a non-empty string without spaces, got "a b"'],
    [[42], 'scopes: each scope must be a non-empty string without spaces, got 42'],
  ])('refuses %j', (input, message) => {
    const result = validateScopes(input)
    expect(E.isLeft(result) && result.left).toMatchObject({ kind: 'UsageError', error: 'invalid_argument', argument: 'scopes', message })
  })
})

describe('cache targets', () => {
  it('sorts scopes in code-point order, as MSAL Python does', () => {
    expect(scopesToTarget(['b', 'A', 'a', 'User.Read', 'openid'])).toBe('A User.Read a b openid')
  })
  it('splits a target tolerating repeated spaces', () => {
    expect(targetToScopes(' a  b ')).toEqual(['a', 'b'])
  })
  it('takes one scope as it is, both ways, and an empty target as no scopes', () => {
    expect(scopesToTarget(['User.Read'])).toBe('User.Read')
    expect(targetToScopes('User.Read')).toEqual(['User.Read'])
    expect(targetToScopes('')).toEqual([])
    expect(targetToScopes(' ')).toEqual([])
    // Each call's list is its own: a caller may change it.
    const first = targetToScopes('a')
    first.push('b')
    expect(targetToScopes('a')).toEqual(['a'])
  })
})

describe('mergeClaimsAndCapabilities', () => {
  it.each([
    ['nothing', [], undefined, undefined],
    ['an empty challenge', [], '', undefined],
    ['a challenge alone, passed through as given', [], '{"access_token":{"nbf":{"essential":true}}}', '{"access_token":{"nbf":{"essential":true}}}'],
    ['capabilities alone', ['CP1'], undefined, '{"access_token":{"xms_cc":{"values":["CP1"]}}}'],
    [
      'both, merged under access_token',
      ['CP1', 'CP2'],
      '{"id_token":{"auth_time":{"essential":true}},"access_token":{"nbf":{"essential":true}}}',
      '{"id_token":{"auth_time":{"essential":true}},"access_token":{"nbf":{"essential":true},"xms_cc":{"values":["CP1","CP2"]}}}',
    ],
  ])('%s', (_, capabilities, challenge, expected) => {
    expect(mergeClaimsAndCapabilities(capabilities, challenge)).toEqual(E.right(expected))
  })

  it.each(['not json', '[1,2]', '"text"', 'null'])('refuses a challenge that is not a JSON object: %s', (challenge) => {
    const result = mergeClaimsAndCapabilities(['CP1'], challenge)
    expect(E.isLeft(result) && result.left).toMatchObject({ kind: 'UsageError', argument: 'claimsChallenge' })
  })
})
