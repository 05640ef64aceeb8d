/**
 * What the page needs to know, set by the site's /config.js before the app's script runs (the
 * ports are chosen when the example starts). A real SPA builds these values into its bundle or
 * reads them from its own configuration.
 */
export interface SpaConfig {
  /** The app registration's Application (client) ID. */
  readonly clientId: string
  /** The tenant's authority: here the fake identity provider's, http://127.0.0.1:<port>/<tenant>. */
  readonly authority: string
  /** The protected API's origin, http://127.0.0.1:<port>. */
  readonly apiUrl: string
  /** The scope the API requires ("api://<api>/<permission>"). */
  readonly apiScope: string
}

declare global {
  interface Window {
    spaConfig?: SpaConfig
  }
}

/** The configuration /config.js set, or an error saying it is missing. */
export const spaConfig = (): SpaConfig => {
  const config = window.spaConfig
  if (config === undefined) throw new Error('window.spaConfig is missing: /config.js sets it before app.js runs')
  return config
}
