"""A federated user signs in with MSAL Python's acquire_token_by_username_password against the
fake identity provider's loopback server: user realm discovery, MEX, WS-Trust at the fake AD FS,
then the SAML bearer grant at the fake Entra.

Reads a JSON job on stdin ({"base_url", "authority", "client_id", "scopes", "username", "password"})
and prints a JSON report on stdout. Fails (exit 1) when python3-msal is missing.
"""
import json
import os
import sys

import msal

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), '..', '..', 'python'))
from fake_idp_http_client import LoopbackHttpClient  # noqa: E402


def main():
    job = json.load(sys.stdin)
    http = LoopbackHttpClient(job["base_url"])
    app = msal.PublicClientApplication(job["client_id"], authority=job["authority"], http_client=http)
    try:
        result = app.acquire_token_by_username_password(job["username"], job["password"], scopes=job["scopes"])
    except RuntimeError as error:  # MSAL Python raises on a WS-Trust fault
        result = {"exception": str(error)}
    print(json.dumps({
        "msal_version": msal.__version__,
        "result": {k: result[k] for k in ("access_token", "error", "error_description", "id_token_claims", "exception", "scope") if k in result},
        "accounts": app.get_accounts(),
        "sent": http.sent,
    }))


if __name__ == "__main__":
    main()
