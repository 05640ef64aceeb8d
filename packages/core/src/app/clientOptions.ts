/** The option rules of MSAL Python's application classes (their cache is a TokenCache), and the names they refuse. */
import { TokenCache } from '../cache/tokenCache.js'
import { anInstanceOf, anObject, aBoolean, either, is, nonEmptyString } from '../util/check.js'
import { APP_RULES, type ClientApplicationOptions, type ConfidentialOptions, type OptionRule, type OptionRules } from './options.js'

const optional = (check: OptionRule['check']): OptionRule => ({ check })

export const CLIENT_APPLICATION_RULES: OptionRules<ClientApplicationOptions> = {
  ...APP_RULES,
  tokenCache: optional(anInstanceOf(TokenCache, 'a TokenCache or SerializableTokenCache')),
}

export const CONFIDENTIAL_RULES: OptionRules<ConfidentialOptions> = {
  // The runtime parses it (keys, files, callbacks) and names what is wrong with it.
  clientCredential: { check: is('a client secret (a non-empty string) or a credential', (u) => u !== undefined), required: true },
  clientClaims: optional(anObject('an object of claims')),
  azureRegion: optional(either('a region name, true (detect) or false (never)', aBoolean, nonEmptyString)),
  reuseClientAssertion: optional(aBoolean),
}

/**
 * Names users bring from MSAL Python, MSAL for Node or msal-browser that msal-ts does not take,
 * with what to do instead. Anything else unknown is refused too, naming the option.
 */
export const UNSUPPORTED_OPTIONS: Readonly<Record<string, string>> = {
  verify:
    "MSAL Python's `verify` is taken on Node (@msal-ts/node) only: a web runtime checks certificates against the platform's trust store, which msal-ts cannot change or turn off there; " +
    "add your CA to the platform (the browser's or the operating system's store, or Deno's --cert / DENO_CERT), or pass an `httpClient` that trusts it",
  proxies:
    "MSAL Python's `proxies` is taken on Node (@msal-ts/node) only: a web runtime reaches the network as the platform decides (the browser's or the runtime's proxy settings, " +
    'e.g. HTTPS_PROXY for Deno and Bun); configure the proxy there, or pass an `httpClient` that uses it',
  allowBroker: 'brokers (WAM) are not supported: msal-ts signs users in through the browser',
  enableBrokerOnWindows: 'brokers (WAM) are not supported: msal-ts signs users in through the browser',
  enableBrokerOnMac: 'brokers are not supported: msal-ts signs users in through the browser',
  enableBrokerOnLinux: 'brokers are not supported: msal-ts signs users in through the browser',
  enableBrokerOnWsl: 'brokers are not supported: msal-ts signs users in through the browser',
  authScheme: 'proof-of-possession is asked for per call, not per application: pass a PopAuthScheme as the authScheme option of acquireTokenSilent and the other acquiring methods',
  auth: "msal-ts takes MSAL Python's flat options ({ clientId, authority, clientCredential, ... }), not MSAL for Node's { auth: { ... } }",
  system: "msal-ts takes flat options: logger, logLevel, httpClient, timeout and proxy go at the top level, not in MSAL for Node's { system: { ... } }",
  cache: "msal-ts takes flat options: pass `tokenCache` (a SerializableTokenCache with a persistence), not MSAL for Node's { cache: { ... } }",
  clientSecret: 'pass the secret as `clientCredential`',
  tenantId: 'name the tenant in the authority URL, e.g. https://login.microsoftonline.com/<tenant id>',
}

