"""MSAL Python's side of the managed identity and Cloud Shell cache interoperability tests
(packages/node/test/interop/managedIdentity.python.interop.test.ts).

Debian's MSAL Python is 1.21: it has no ManagedIdentityClient (that came in 1.29), so the
managed identity steps drive its TokenCache exactly as MSAL Python 1.34's ManagedIdentityClient
does: the same lookup query, the same add() event. Cloud Shell's user tokens are 1.21's own
code: PublicClientApplication.acquire_token_interactive(prompt="none") inside Cloud Shell
(AZUREPS_HOST_ENVIRONMENT, set by the test) and acquire_token_silent.

Job (JSON on stdin):
  {
    "state": the cache text to deserialize first, or null,
    "client_id", "authority", "openid_configuration": for the PublicClientApplication (its
      constructor's tenant discovery is served from here),
    "cloud_shell_url": where http://localhost:50342 is really served (the emulation's loopback URL),
    "steps": [
      {"op": "find_managed_identity_token", "client_id": null | "...", "resource": "..."},
      {"op": "add_managed_identity_token", "client_id": null | "...", "resource": "...", "response": {...}},
      {"op": "cloud_shell_sign_in", "scopes": [...]},
      {"op": "get_accounts"},
      {"op": "acquire_token_silent", "scopes": [...]}
    ]
  }
Report (JSON on stdout): {"msal_version", "results": [...], "sent": [[method, url], ...], "state"}
"""
import json
import sys
from urllib.parse import urlsplit

import msal
import requests
from requests.structures import CaseInsensitiveDict

# MSAL Python 1.34's ManagedIdentityClient files tokens here (1.35 on: "localhost"; 1.34: the
# machine's FQDN, which msal-ts does not use; see the README).
MI_ENVIRONMENT = "localhost"
MI_REALM = "managed_identity"
CLOUD_SHELL_ORIGIN = "http://localhost:50342"


class NoNetworkError(Exception):
    pass


def json_response(url, document, status=200):
    response = requests.Response()
    response.status_code = status
    response.headers = CaseInsensitiveDict({"content-type": "application/json; charset=utf-8"})
    response._content = json.dumps(document).encode("utf-8")
    response.url = url
    return response


class CloudShellHttpClient:
    """Tenant discovery from the job, Cloud Shell's endpoint at the emulation; nothing else."""

    def __init__(self, openid_configuration, cloud_shell_url):
        self._configuration = openid_configuration
        self._cloud_shell_url = cloud_shell_url
        self.sent = []

    def get(self, url, params=None, headers=None, **kwargs):
        self.sent.append(["GET", url])
        if urlsplit(url).path.endswith("/.well-known/openid-configuration"):
            return json_response(url, self._configuration)
        raise NoNetworkError("no network in this test: GET " + url)

    def post(self, url, params=None, data=None, headers=None, **kwargs):
        self.sent.append(["POST", url])
        if url.startswith(CLOUD_SHELL_ORIGIN + "/"):
            return requests.post(self._cloud_shell_url + url[len(CLOUD_SHELL_ORIGIN):], params=params, data=data, headers=headers, timeout=10)
        raise NoNetworkError("no network in this test: POST " + url)

    def close(self):
        pass


def find_managed_identity_token(cache, client_id, resource):
    """MSAL Python 1.34's ManagedIdentityClient cache lookup, query for query."""
    return cache.find(
        msal.TokenCache.CredentialType.ACCESS_TOKEN,
        target=[resource],
        query={"client_id": client_id, "environment": MI_ENVIRONMENT, "realm": MI_REALM, "home_account_id": None},
    )


def add_managed_identity_token(cache, client_id, resource, response):
    """MSAL Python 1.34's ManagedIdentityClient filing a token, event for event."""
    cache.add({
        "client_id": client_id,
        "scope": [resource],
        "token_endpoint": "https://{}/{}".format(MI_ENVIRONMENT, MI_REALM),
        "response": response,
        "params": {},
        "data": {},
    })


def summary(result):
    if result is None:
        return None
    if "error" in result:
        return {k: result.get(k) for k in ("error", "error_description")}
    return {k: result.get(k) for k in ("access_token", "token_type", "expires_in", "token_source", "id_token_claims", "client_info")}


def main():
    job = json.load(sys.stdin)
    cache = msal.SerializableTokenCache()
    if job.get("state") is not None:
        cache.deserialize(job["state"])
    http = CloudShellHttpClient(job.get("openid_configuration"), job.get("cloud_shell_url"))
    app = None
    results = []
    for step in job["steps"]:
        op = step["op"]
        if op == "find_managed_identity_token":
            result = find_managed_identity_token(cache, step["client_id"], step["resource"])
        elif op == "add_managed_identity_token":
            add_managed_identity_token(cache, step["client_id"], step["resource"], step["response"])
            result = None
        else:
            if app is None:
                app = msal.PublicClientApplication(job["client_id"], authority=job["authority"], http_client=http, token_cache=cache)
            if op == "cloud_shell_sign_in":
                result = summary(app.acquire_token_interactive(step["scopes"], prompt="none"))
            elif op == "get_accounts":
                result = app.get_accounts()
            elif op == "acquire_token_silent":
                accounts = app.get_accounts()
                try:
                    result = summary(app.acquire_token_silent(step["scopes"], account=accounts[0] if accounts else None))
                except NoNetworkError as error:
                    result = {"error": "network_attempted", "error_description": str(error)}
            else:
                raise ValueError("unknown op " + op)
        results.append({"op": op, "result": result})
    print(json.dumps({"msal_version": msal.__version__, "results": results, "sent": http.sent, "state": cache.serialize()}))


if __name__ == "__main__":
    main()
