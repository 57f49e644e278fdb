"""Django settings of the test provider: Django OAuth Toolkit as a project would set it up.

DOT's own layout (its URLs mounted under /o/, the tutorial's choice) with what notebook 10 needs
switched on: OpenID Connect (its discovery document under /o/), RFC 9207's ``iss`` in
authorization responses, and RFC 7591 registration for signed-in users only, so a client must
hold an initial access token (a bearer token of a user) to register. PKCE is DOT's default
(required). Everything else is DOT's default. The database is a SQLite file the server is given.
"""

from __future__ import annotations

import os
from pathlib import Path

HERE = Path(__file__).resolve().parent

# Test-only: this server lives for one test session on 127.0.0.1.
SECRET_KEY = "kit-tests-only-not-a-secret"
DEBUG = False
ALLOWED_HOSTS = ["127.0.0.1"]
INSTALLED_APPS = [
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.staticfiles",
    "oauth2_provider",
]
MIDDLEWARE = [
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    # A bearer token signs its user in, which DOT's registration endpoint asks for.
    "oauth2_provider.middleware.OAuth2TokenMiddleware",
]
AUTHENTICATION_BACKENDS = ["oauth2_provider.backends.OAuth2Backend", "django.contrib.auth.backends.ModelBackend"]
ROOT_URLCONF = "tests.dot_provider.urls"
TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [HERE / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {"context_processors": ["django.template.context_processors.request"]},
    }
]
DATABASES = {"default": {"ENGINE": "django.db.backends.sqlite3", "NAME": os.environ.get("KIT_DOT_DB", ":memory:")}}
DEFAULT_AUTO_FIELD = "django.db.models.AutoField"
USE_TZ = True
STATIC_URL = "/static/"
LOGIN_URL = "/accounts/login/"
OAUTH2_PROVIDER = {
    "OIDC_ENABLED": True,
    "OIDC_RSA_PRIVATE_KEY": os.environ.get("KIT_DOT_RSA_KEY", ""),
    "SCOPES": {"openid": "Your identity", "read": "Read your data", "introspection": "Introspect tokens"},
    "COMPLIANT_BCP_RFC9700_AUTHZ_RESPONSE_ISS": True,
    "DCR_ENABLED": True,
}
# A failure inside DOT goes to stderr, which the tests show when the server does not start.
LOGGING = {
    "version": 1,
    "handlers": {"stderr": {"class": "logging.StreamHandler"}},
    "loggers": {"django.request": {"handlers": ["stderr"], "level": "ERROR"}},
}
