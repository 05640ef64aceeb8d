"""MSAL Python against msal-ts's FakeIdentityProvider (@msal-ts/testing).

MSAL Python accepts only https authorities, but the fake identity provider's loopback server
speaks http. Give an MSAL Python application this `http_client`: it keeps the real authority
(https://login.microsoftonline.com/...) and sends each request to the loopback server instead,
with X-Forwarded-Host/-Proto naming the origin it was for, as a TLS-terminating proxy would.
The provider then answers as that origin (discovery endpoints, token issuers).

    import msal
    from fake_idp_http_client import LoopbackHttpClient
    http = LoopbackHttpClient("http://127.0.0.1:53121")   # await idp.listen()
    app = msal.PublicClientApplication(client_id, authority=authority, http_client=http)

The authorization code flow needs a browser; `authorization_response` stands in for one:

    flow = app.initiate_auth_code_flow(["User.Read"], redirect_uri="http://localhost:8400")
    result = app.acquire_token_by_auth_code_flow(flow, http.authorization_response(flow["auth_uri"]))
"""
from urllib.parse import parse_qsl, urlsplit, urlunsplit

import requests


class LoopbackHttpClient:
    """MSAL Python's http_client protocol (get/post returning requests' responses), tunnelled."""

    def __init__(self, base_url):
        self._base = urlsplit(base_url)
        self._session = requests.Session()
        self._session.trust_env = False  # never send loopback traffic through an HTTP(S)_PROXY
        self.sent = []  # [method, url as MSAL asked for it], in order

    def _tunnel(self, method, url, headers):
        asked = urlsplit(url)
        target = urlunsplit((self._base.scheme, self._base.netloc, asked.path, asked.query, asked.fragment))
        tunnelled = {k: v for k, v in (headers or {}).items() if v is not None}
        tunnelled.update({"X-Forwarded-Host": asked.netloc, "X-Forwarded-Proto": asked.scheme})
        self.sent.append([method, url])
        return target, tunnelled

    def get(self, url, params=None, headers=None, **kwargs):
        target, headers = self._tunnel("GET", url, headers)
        return self._session.get(target, params=params, headers=headers, timeout=10)

    def post(self, url, params=None, data=None, headers=None, **kwargs):
        target, headers = self._tunnel("POST", url, headers)
        return self._session.post(target, params=params, data=data, headers=headers, timeout=10)

    def authorization_response(self, auth_uri):
        """What a browser would bring back to the redirect URI after visiting `auth_uri`.

        Visits the authorization URL through the tunnel without following the redirect (its
        target is the app's own redirect URI, where nothing listens), and returns the
        authorization response from the 302's Location, query or fragment: the dict that
        `acquire_token_by_auth_code_flow` takes. Raises for anything but a redirect (an error
        page, or a form_post page).
        """
        target, headers = self._tunnel("GET", auth_uri, {})
        response = self._session.get(target, headers=headers, timeout=10, allow_redirects=False)
        if response.status_code != 302:
            raise RuntimeError("the authorization endpoint answered %s, not a redirect: %s"
                               % (response.status_code, response.text[:500]))
        location = urlsplit(response.headers["Location"])
        return dict(parse_qsl(location.query or location.fragment))

    def close(self):
        self._session.close()
