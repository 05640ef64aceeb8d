"""Signs a user in with MSAL Python against the fake identity provider's loopback server.

Reads a JSON job on stdin and prints a JSON report on stdout; the Jest test checks the report
and the requests the provider recorded.

MSAL Python accepts only https authorities, so the app keeps its real authority
(https://login.microsoftonline.com/...) and gets an http_client that sends each request to the
loopback server instead, with X-Forwarded-Host/-Proto naming the origin it was for. The
provider then answers as that origin would (discovery endpoints, token issuers), the way a
TLS-terminating proxy in front of it would make it.

Job: {"base_url", "authority", "client_id", "scopes",
      "flow": "refresh_token" | "username_password" | "auth_code" | "device_code",
      "refresh_token"?, "username"?, "password"?, "sibling_client_id"?,
      "redirect_uri"?, "login_hint"?, "max_age"?}
The auth_code flow visits the authorization URL itself (see LoopbackHttpClient.authorization_response).
The device_code flow writes "USER_CODE <code>" on stderr, for the test to approve, then polls.
With sibling_client_id, a second app sharing the token cache then asks acquire_token_silent:
an app in the same family (FOCI) can redeem the first app's family refresh token.
"""
import json
import os
import sys

import msal

# The tunnelling http_client ships with @msal-ts/testing (packages/testing/python).
sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), '..', '..', 'python'))
from fake_idp_http_client import LoopbackHttpClient  # noqa: E402



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
    details = {}
    if job["flow"] == "refresh_token":
        first = app.acquire_token_by_refresh_token(job["refresh_token"], scopes=scopes)
    elif job["flow"] == "auth_code":
        auth_flow = app.initiate_auth_code_flow(
            scopes, redirect_uri=job["redirect_uri"], login_hint=job.get("login_hint"), max_age=job.get("max_age"))
        auth_response = http.authorization_response(auth_flow["auth_uri"])
        details = {"auth_uri": auth_flow["auth_uri"], "auth_response": auth_response, "nonce": auth_flow["nonce"]}
        first = app.acquire_token_by_auth_code_flow(auth_flow, auth_response)
    elif job["flow"] == "device_code":
        device_flow = app.initiate_device_flow(scopes=scopes)
        details = {"device_flow": {k: v for k, v in device_flow.items() if k != "device_code"}}
        sys.stderr.write("USER_CODE %s\n" % device_flow.get("user_code"))
        sys.stderr.flush()
        first = app.acquire_token_by_device_flow(device_flow)
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
        **details,
    }))


if __name__ == "__main__":
    main()
