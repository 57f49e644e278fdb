# "No token yet" is a normal state (show the Authorize button); every other failure is a real problem.
from helpers import SecretStoreError, find_token


def my_token_or_none(client, scope):
    try:
        return find_token(client, scope)
    except SecretStoreError as error:
        if error.kind == "not_found":
            return None
        raise  # permission, authentication, Stripe down: let the caller see it
