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
"""
from urllib.parse import urlsplit, urlunsplit

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

    def close(self):
        self._session.close()
