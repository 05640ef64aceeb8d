/**
 * The `claims` request parameter, as the provider honours it: only the client capabilities
 * (`xms_cc`) that MSAL sends for `clientCapabilities`, which Entra copies into access tokens.
 * Throws on text that is not JSON, which the grants answer with AADSTS90014.
 */
export const capabilitiesOf = (claims: string | undefined): string[] | undefined => {
  if (claims === undefined) return undefined
  const parsed = JSON.parse(claims) as { access_token?: { xms_cc?: { values?: unknown } } }
  const values = parsed.access_token?.xms_cc?.values
  return Array.isArray(values) ? values.map(String) : undefined
}
