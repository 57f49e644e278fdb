"""Run Django OAuth Toolkit on 127.0.0.1 for the tests; print one JSON line once it answers.

``python -m tests.dot_provider.server DATABASE`` migrates a fresh SQLite database, makes what a
provider's administrator would have made before a learner arrives (a user who signs in, a
confidential client that may introspect tokens, and an initial access token for RFC 7591),
and serves DOT on a port the OS picks. The line it prints holds the issuer and those three.
"""

from __future__ import annotations

import json
import logging
import os
import sys

from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import rsa

USER = {"username": "ada", "password": "any password"}


def _rsa_key() -> str:
    # DOT signs OpenID Connect ID tokens with it; a fresh one each run, never stored.
    key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    return key.private_bytes(
        serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption()
    ).decode()


def main(database: str) -> None:
    os.environ["KIT_DOT_DB"] = database
    os.environ["KIT_DOT_RSA_KEY"] = _rsa_key()
    os.environ["DJANGO_SETTINGS_MODULE"] = "tests.dot_provider.settings"
    import django

    django.setup()
    from datetime import timedelta

    from django.contrib.auth import get_user_model
    from django.core.management import call_command
    from django.core.wsgi import get_wsgi_application
    from django.utils import timezone
    from oauth2_provider.generators import generate_client_secret
    from oauth2_provider.models import get_access_token_model, get_application_model
    from werkzeug.serving import make_server

    call_command("migrate", verbosity=0)
    user = get_user_model().objects.create_user(**USER)
    Application = get_application_model()
    secret = generate_client_secret()
    introspector = Application.objects.create(
        name="resource server",
        client_type=Application.CLIENT_CONFIDENTIAL,
        authorization_grant_type=Application.GRANT_CLIENT_CREDENTIALS,
        client_secret=secret,
    )
    initial_access_token = generate_client_secret()
    get_access_token_model().objects.create(
        user=user,
        application=introspector,
        token=initial_access_token,
        scope="read",
        expires=timezone.now() + timedelta(hours=1),
    )

    logging.getLogger("werkzeug").setLevel(logging.ERROR)
    server = make_server("127.0.0.1", 0, get_wsgi_application(), threaded=True)
    issuer = f"http://127.0.0.1:{server.server_port}/o"
    line = {
        "issuer": issuer,
        "user": USER,
        "introspection": {"client_id": introspector.client_id, "client_secret": secret},
        "initial_access_token": initial_access_token,
    }
    print(json.dumps(line), flush=True)
    server.serve_forever()


if __name__ == "__main__":
    main(sys.argv[1])
