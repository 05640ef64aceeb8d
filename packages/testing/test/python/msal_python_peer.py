"""Signs a user in with MSAL Python against the fake identity provider's loopback server.

Reads a JSON job on stdin and prints a JSON report on stdout; the Jest test checks the report
and the requests the provider recorded.

MSAL Python accepts only https authorities, so the app keeps its real authority
(https://login.microsoftonline.com/...) and gets an http_client that sends each request to the
loopback server instead, with X-Forwarded-Host/-Proto naming the origin it was for. The
provider then answers as that origin would (discovery endpoints, token issuers), the way a
TLS-terminating proxy in front of it would make it.

Job: {"base_url", "authority", "client_id", "scopes", "flow": "refresh_token" | "username_password",
      "refresh_token"?, "username"?, "password"?, "sibling_client_id"?}
With sibling_client_id, a second app sharing the token cache then asks acquire_token_silent:
an app in the same family (FOCI) can redeem the first app's family refresh token.
"""
import json
import sys
from urllib.parse import urlsplit, urlunsplit

import msal
import requests


class LoopbackHttpClient:
    """MSAL Python's http_client protocol (get/post returning requests' responses), tunnelled."""

    def __init__(self, base_url):
        self._base = urlsplit(base_url)
        self._session = requests.Session()
        self._session.trust_env = False  # never send loopback traffic through an HTTP(S)_PROXY
        self.sent = []  # (method, url as MSAL asked for it), in order

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


def summary(result):
    """The parts of an MSAL result the test checks (never the whole token response)."""
    if result is None:
        return None
    if "error" in result:
        return {k: result.get(k) for k in ("error", "error_description", "error_codes", "suberror", "classification")}
    return {
        "access_token": result.get("access_token"),
        "token_type": result.get("token_type"),
        "scope": result.get("scope"),
        "expires_in": result.get("expires_in"),
        "has_refresh_token": "refresh_token" in result,
        "id_token_claims": result.get("id_token_claims"),
    }


def main():
    job = json.load(sys.stdin)
    http = LoopbackHttpClient(job["base_url"])
    cache = msal.SerializableTokenCache()
    app = msal.PublicClientApplication(
        job["client_id"], authority=job["authority"], http_client=http, token_cache=cache)
    scopes = job["scopes"]
    if job["flow"] == "refresh_token":
        first = app.acquire_token_by_refresh_token(job["refresh_token"], scopes=scopes)
    else:
        first = app.acquire_token_by_username_password(job["username"], job["password"], scopes=scopes)
    sent_before_silent = len(http.sent)
    accounts = app.get_accounts()
    silent = app.acquire_token_silent(scopes, account=accounts[0]) if accounts else None
    sent_before_sibling = len(http.sent)
    sibling = None
    if job.get("sibling_client_id"):
        sibling_app = msal.PublicClientApplication(
            job["sibling_client_id"], authority=job["authority"], http_client=http, token_cache=cache)
        sibling_accounts = sibling_app.get_accounts()
        sibling = summary(sibling_app.acquire_token_silent(scopes, account=sibling_accounts[0])) if sibling_accounts else None
    print(json.dumps({
        "msal_version": msal.__version__,
        "first": summary(first),
        "accounts": accounts,
        "silent": summary(silent),
        "sent": http.sent,
        "sent_during_silent": http.sent[sent_before_silent:sent_before_sibling],
        "sibling": sibling,
        "sent_by_sibling": http.sent[sent_before_sibling:],
        "cache": json.loads(cache.serialize()),
    }))


if __name__ == "__main__":
    main()
