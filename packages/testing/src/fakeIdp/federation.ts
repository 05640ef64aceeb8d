/**
 * Federated domains: a domain whose users sign in at their organisation's own AD FS rather than
 * at Entra. The fake plays both: user realm discovery says 'Federated' and names the AD FS; the
 * AD FS serves its MEX document and WS-Trust endpoints and issues SAML assertions; Entra's token
 * endpoint trades those assertions (SAML bearer grants) for tokens. Which assertions this AD FS
 * issued is remembered, so a forged or altered one is refused (no XML signatures needed).
 */

export type WsTrustProtocol = '1.3' | '2005'
export type SamlVersion = '1.1' | '2.0'

export interface FederatedDomainRegistration {
  /** e.g. 'contoso.com'. Register its users with `registerUser` (their password is checked at the AD FS). */
  readonly domain: string
  /** The AD FS host; default `fs.{domain}`. Domains may share one. */
  readonly adfsHost?: string | undefined
  /** The WS-Trust versions the AD FS serves; default both, as AD FS does. */
  readonly protocols?: readonly WsTrustProtocol[] | undefined
  /** The assertions it issues; AD FS's default for WS-Trust to Entra is SAML 1.1. */
  readonly samlVersion?: SamlVersion | undefined
}

/** One AD FS farm, which may serve several federated domains. */
export interface AdfsServer {
  readonly host: string
  readonly protocols: readonly WsTrustProtocol[]
  readonly samlVersion: SamlVersion
  /** Its identifier, the `Issuer` of its assertions (AD FS's default, with http). */
  readonly issuer: string
  readonly domains: ReadonlySet<string>
}

/** What the AD FS remembers of an assertion it issued. */
export interface IssuedAssertion {
  readonly id: string
  /** The assertion exactly as issued. */
  readonly xml: string
  readonly issuer: string
  readonly samlVersion: SamlVersion
  readonly username: string
  readonly notOnOrAfterMs: number
}

/** How long AD FS assertions are valid (AD FS's default token lifetime, 60 minutes). */
export const ASSERTION_LIFETIME_MS = 60 * 60 * 1000

/** Where the WS-Trust relying party trust of Entra (Microsoft 365) points: its identifier. */
export const MICROSOFT_ONLINE_URN = 'urn:federation:MicrosoftOnline'

export const adfsIssuer = (host: string): string => `http://${host}/adfs/services/trust`

export const wsTrustPath = (protocol: WsTrustProtocol): string => `/adfs/services/trust/${protocol === '1.3' ? '13' : '2005'}/usernamemixed`

export const MEX_PATH = '/adfs/services/trust/mex'

const sameSet = (a: readonly string[], b: readonly string[]): boolean => a.length === b.length && a.every((item) => b.includes(item))

/** The federated domains and their AD FS farms, and the assertions those issued. */
export class FederatedDomains {
  private readonly servers = new Map<string, AdfsServer & { readonly domains: Set<string> }>()
  private readonly byDomain = new Map<string, string>()
  private readonly assertions = new Map<string, IssuedAssertion>()

  register(registration: FederatedDomainRegistration): AdfsServer {
    const domain = registration.domain.toLowerCase()
    const host = (registration.adfsHost ?? `fs.${domain}`).toLowerCase()
    const protocols = registration.protocols ?? ['1.3', '2005']
    const samlVersion = registration.samlVersion ?? '1.1'
    if (protocols.length === 0) throw new Error(`FakeIdentityProvider: the AD FS of ${domain} must serve WS-Trust 1.3 or 2005`)
    const known = this.servers.get(host)
    if (known !== undefined && (!sameSet(known.protocols, protocols) || known.samlVersion !== samlVersion)) {
      throw new Error(`FakeIdentityProvider: the AD FS ${host} is already registered with other settings`)
    }
    const server = known ?? { host, protocols: [...protocols], samlVersion, issuer: adfsIssuer(host), domains: new Set<string>() }
    server.domains.add(domain)
    this.servers.set(host, server)
    this.byDomain.set(domain, host)
    return server
  }

  /** The AD FS a domain is federated with, if it is. */
  serverOfDomain(domain: string): AdfsServer | undefined {
    const host = this.byDomain.get(domain.toLowerCase())
    return host === undefined ? undefined : this.servers.get(host)
  }

  serverAt(host: string): AdfsServer | undefined {
    return this.servers.get(host.toLowerCase())
  }

  serverIssuing(issuer: string): AdfsServer | undefined {
    return [...this.servers.values()].find((server) => server.issuer === issuer)
  }

  remember(assertion: IssuedAssertion): void {
    this.assertions.set(assertion.id, assertion)
  }

  issued(id: string): IssuedAssertion | undefined {
    return this.assertions.get(id)
  }
}
