/**
 * @msal-ts/testing: test msal-ts flows, and the apps that use them, without a network, a clock
 * or luck. Replay and record transcripts, virtual time, seeded randomness, fault injection, and
 * a fake Microsoft identity provider.
 */
export { fixedClock, DEFAULT_START_MS, type FixedClock } from './clock.js'
export { holdSleeps, type HeldSleep, type HeldSleeps } from './heldSleeps.js'
export { seededRandom, type RandomSource } from './random.js'
export {
  TRANSCRIPT_FORMAT,
  REDACTED,
  MACHINE_HEADERS,
  redactEffect,
  parseTranscript,
  type Transcript,
  type TranscriptStep,
} from './transcript.js'
export { diffJson } from './diff.js'
export { replay, ReplayMismatchError, type ReplayInterpreter, type ReplayOptions } from './replay.js'
export { record, type Recorder } from './record.js'
export { createTestInterpreter, type TestInterpreter, type TestInterpreterOptions, type HttpHandler, type LogEntry } from './testInterpreter.js'
export { testPopKey, TEST_POP_KEY_PKCS8, type TestPopKey } from './popTestKey.js'
export {
  scriptedBrowser,
  authResponseFrom,
  landingOf,
  type ScriptedBrowser,
  type ScriptedBrowserOptions,
  type ScriptedPopup,
  type ShownIn,
} from './scriptedBrowser.js'
export { faults, type Fault } from './faults.js'
export { FakeIdentityProvider, type FakeIdentityProviderOptions, type FetchFunction } from './fakeIdp/FakeIdentityProvider.js'
export { loopbackFetch } from './fakeIdp/loopbackFetch.js'
export type { RecordedRequest, RegisteredApp, IdpRequest, IdpAnswer } from './fakeIdp/types.js'
export type { AuthorizeDecision, AuthorizeRule } from './fakeIdp/authorize.js'
export type { AuthorizeRequest, Prompt } from './fakeIdp/authorizationRequest.js'
export type { AuthorizationOutcome, ErrorPage, ResponseMode } from './fakeIdp/authorizationResponses.js'
export { deliverAuthorizationResponse, type BrowserVisit } from './fakeIdp/browser.js'
export { SESSION_COOKIE } from './fakeIdp/sessionCookies.js'
export type { OpenerPolicy } from './fakeIdp/pageHeaders.js'
export type { EndSessionRequest } from './fakeIdp/endSession.js'
export type { RedirectPlatform } from './fakeIdp/redirectUris.js'
export { SPA_REFRESH_TOKEN_LIFETIME_MS } from './fakeIdp/spaRefreshTokens.js'
export { DEVICE_LOGIN_URI, type PendingDeviceCode } from './fakeIdp/deviceCodes.js'
export { tenantIdOf } from './fakeIdp/ids.js'
export { DEFAULT_USER_TENANT, type UserRegistration, type RegisteredUser } from './fakeIdp/users.js'
export type { FederatedDomainRegistration, WsTrustProtocol, SamlVersion } from './fakeIdp/federation.js'
export { GRAPH_RESOURCE_ID } from './fakeIdp/scopes.js'
export type { ClientAuthentication, ClientAuthenticationMethod, AssertionKeySource } from './fakeIdp/clientAuthentications.js'
export { JWT_BEARER_ASSERTION_TYPE } from './fakeIdp/presentedCredentials.js'
export { certificateThumbprints } from './fakeIdp/certificates.js'
export { JWT_BEARER_GRANT_TYPE } from './fakeIdp/oboGrant.js'
export { USER_FIC_GRANT_TYPE, TOKEN_EXCHANGE_AUDIENCE } from './fakeIdp/userFicGrant.js'
export {
  msalNodeNetworkClient,
  type MsalNodeNetworkClient,
  type MsalNodeNetworkClientOptions,
  type RecordedExchange,
} from './msalNodeNetworkClient.js'

// ---- Managed identity: one emulation per source, and Cloud Shell ----
export {
  ManagedIdentityEmulation,
  generatedIdentity,
  jwtShapedToken,
  type EmulatedIdentity,
  type EmulatedRequest,
  type IssuedToken,
  type ManagedIdentityEmulationOptions,
} from './managedIdentity/emulation.js'
export { ImdsEmulation } from './managedIdentity/imds.js'
export { AppServiceEmulation, formatExpiresOn, type AppServiceEmulationOptions, type ExpiresOnFormat } from './managedIdentity/appService.js'
export { MachineLearningEmulation, type MachineLearningEmulationOptions } from './managedIdentity/machineLearning.js'
export { ServiceFabricEmulation, type ServiceFabricEmulationOptions, type RevocationSeen } from './managedIdentity/serviceFabric.js'
export { AzureArcEmulation, ARC_LINUX_TOKEN_FOLDER, ARC_LINUX_AGENT, type AzureArcEmulationOptions, type ArcPlatform } from './managedIdentity/azureArc.js'
export { CloudShellEmulation, type CloudShellEmulationOptions, type CloudShellUser } from './managedIdentity/cloudShell.js'
export { managedIdentityFaults } from './managedIdentity/faults.js'

// ---- Key-bound tokens: a resource that checks proof-of-possession requests, SSH certificates ----
export {
  PopResourceServer,
  type PopResourceServerOptions,
  type PopResourceRequest,
  type PopVerdict,
  type PopResourceCall,
} from './popResourceServer.js'
export { parseSshCertificate, SSH_CERT_TYPE, type SshCertificate } from './fakeIdp/sshCertificates.js'
