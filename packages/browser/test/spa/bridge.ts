/** The bridge page's script: the redirect URI page a real SPA serves with @msal-ts/browser/redirect. */
import { handleRedirectBridge } from '@msal-ts/browser/redirect'

handleRedirectBridge()
