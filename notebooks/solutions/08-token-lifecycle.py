# A later session's first move: a token it can use now, or None when the user must authorize again.
from helpers import OAuthError, SecretNotFoundError, delete_secret, find_token, refresh, save_token


def get_access_token(client, scope, *, provider, http, now):
    try:
        token = find_token(client, scope)
    except SecretNotFoundError:
        return None  # never authorized, logged out, or the secret expired: show Authorize
    # Other errors (a permission, a wrong scope) are not caught: authorizing again would not fix them.
    if not token.is_expired(now):
        return token.access_token  # still good: no request to the provider
    try:
        new = refresh(provider, token, http=http, now=now)
    except OAuthError as error:
        if error.error != "invalid_grant":
            raise  # the provider is down or the app is misconfigured: the refresh token may still be good
        delete_secret(client, scope, "oauth_token")  # the grant is over: a dead secret would fail every session
        return None
    # The old refresh token is spent from here on: save the new one before anything else can fail.
    save_token(client, scope, new, expires_at=new.usable_until)
    return new.access_token
