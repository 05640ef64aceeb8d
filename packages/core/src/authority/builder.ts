/** The public cloud's host. */
export const AZURE_PUBLIC = 'login.microsoftonline.com'
/** Azure operated by 21Vianet (China). */
export const AZURE_CHINA = 'login.chinacloudapi.cn'
/** Azure US Government. */
export const AZURE_US_GOVERNMENT = 'login.microsoftonline.us'

/**
 * MSAL Python's AuthorityBuilder: saves string concatenation.
 * `new AuthorityBuilder(AZURE_PUBLIC, 'contoso.onmicrosoft.com')` is
 * https://login.microsoftonline.com/contoso.onmicrosoft.com wherever an authority is expected.
 */
export class AuthorityBuilder {
  private readonly instance: string
  private readonly tenant: string

  constructor(instance: string, tenant: string) {
    this.instance = instance.replace(/^https:\/\//i, '').replace(/\/+$/, '')
    this.tenant = tenant.replace(/^\/+|\/+$/g, '')
  }

  toString(): string {
    return `https://${this.instance}/${this.tenant}`
  }
}
