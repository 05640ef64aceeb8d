"""MSAL Python's side of the token cache interoperability tests (packages/node/test/interop).

Reads a JSON job on stdin, runs its steps with one msal.ConfidentialClientApplication over one
msal.SerializableTokenCache, and prints a JSON report on stdout. The Jest tests give this
script the cache that msal-ts (or MSAL for Node) wrote, and read back the cache it writes.

Job:
  {
    "authority", "client_id", "client_secret",
    "state": the cache text to deserialize first, or null for an empty cache,
    "network": {"mode": "loopback", "base_url": "http://127.0.0.1:PORT"}
             | {"mode": "none", "openid_configuration": {...}},
    "steps": [
      {"op": "get_accounts"},
      {"op": "acquire_token_silent", "scopes": [...], "account": "first" | null, "data"?: {...}},
      {"op": "acquire_token_for_client", "scopes": [...]},
      {"op": "acquire_token_by_refresh_token", "refresh_token": "...", "scopes": [...], "data"?: {...}}
    ]
  A step's "data" is MSAL Python's data keyword as it is (an SSH certificate's token_type, key_id
  and req_cnf).
  }

Network modes:
  loopback: requests to https://login.microsoftonline.com go to the fake identity provider's
    loopback server, with X-Forwarded-Host/-Proto naming the origin they were for (as
    packages/testing/test/python/msal_python_peer.py does; MSAL Python accepts only https).
  none: nothing leaves the process. MSAL Python 1.21 builds its Authority eagerly, and that
    always fetches the tenant's OpenID configuration (authority.py, "We always do a tenant
    discovery"), so that one document is served from the job; any other request is recorded
    and raises. Token lookups that reach for the network therefore fail loudly.

Report: {"msal_version", "results": [one per step], "sent": [[method, url], ...],
         "state": the cache's serialize() text, "has_state_changed"}
"""
import json
import os
import sys
from urllib.parse import urlsplit

import msal
import requests
from requests.structures import CaseInsensitiveDict

# The tunnelling http_client ships with @msal-ts/testing (packages/testing/python).
sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), '..', '..', '..', '..', 'testing', 'python'))
from fake_idp_http_client import LoopbackHttpClient  # noqa: E402



class NoNetworkError(Exception):
    pass


class NoNetworkHttpClient:
    """Records every request; answers only tenant discovery (from the job); raises on the rest."""

    def __init__(self, openid_configuration):
        self._document = json.dumps(openid_configuration).encode("utf-8")
        self.sent = []

    def get(self, url, params=None, headers=None, **kwargs):
        self.sent.append(["GET", url])
        if urlsplit(url).path.endswith("/.well-known/openid-configuration"):
            response = requests.Response()
            response.status_code = 200
            response.headers = CaseInsensitiveDict({"content-type": "application/json; charset=utf-8"})
            response._content = self._document
            response.url = url
            return response
        raise NoNetworkError("no network in this test: GET " + url)

    def post(self, url, params=None, data=None, headers=None, **kwargs):
        self.sent.append(["POST", url])
        raise NoNetworkError("no network in this test: POST " + url)

    def close(self):
        pass


def summary(result):
    """The parts of a token result the tests check (never the whole response)."""
    if result is None:
        return None
    if "error" in result:
        return {k: result.get(k) for k in ("error", "error_description", "error_codes", "suberror")}
    return {
        "access_token": result.get("access_token"),
        "token_type": result.get("token_type"),
        "scope": result.get("scope"),
        "expires_in": result.get("expires_in"),
        "has_refresh_token": "refresh_token" in result,
        "id_token_claims": result.get("id_token_claims"),
    }


def run_step(app, step):
    op = step["op"]
    if op == "get_accounts":
        return app.get_accounts()
    if op == "acquire_token_silent":
        account = None
        if step.get("account") == "first":
            accounts = app.get_accounts()
            if not accounts:
                return {"error": "no_account", "error_description": "get_accounts() returned nothing"}
            account = accounts[0]
        try:
            if "data" in step:
                return summary(app.acquire_token_silent(step["scopes"], account=account, data=step["data"]))
            return summary(app.acquire_token_silent(step["scopes"], account=account))
        except NoNetworkError as error:
            return {"error": "network_attempted", "error_description": str(error)}
    if op == "acquire_token_for_client":
        return summary(app.acquire_token_for_client(step["scopes"]))
    if op == "acquire_token_by_refresh_token":
        if "data" in step:
            return summary(app.acquire_token_by_refresh_token(step["refresh_token"], scopes=step["scopes"], data=step["data"]))
        return summary(app.acquire_token_by_refresh_token(step["refresh_token"], scopes=step["scopes"]))
    raise ValueError("unknown op " + op)


def main():
    job = json.load(sys.stdin)
    network = job["network"]
    if network["mode"] == "loopback":
        http = LoopbackHttpClient(network["base_url"])
    else:
        http = NoNetworkHttpClient(network["openid_configuration"])
    cache = msal.SerializableTokenCache()
    if job.get("state") is not None:
        cache.deserialize(job["state"])
    app = msal.ConfidentialClientApplication(
        job["client_id"], client_credential=job["client_secret"], authority=job["authority"],
        http_client=http, token_cache=cache)
    results = []
    for step in job["steps"]:
        sent_before = len(http.sent)
        result = run_step(app, step)
        results.append({"op": step["op"], "result": result, "sent": http.sent[sent_before:]})
    has_state_changed = cache.has_state_changed
    print(json.dumps({
        "msal_version": msal.__version__,
        "results": results,
        "sent": http.sent,
        "has_state_changed": has_state_changed,
        "state": cache.serialize(),
    }))


if __name__ == "__main__":
    main()
