# "No token yet" is a normal state (show the Authorize button); every other failure is a real problem.
from helpers import SecretNotFoundError, find_token


def my_token_or_none(client, scope):
    try:
        return find_token(client, scope)
    except SecretNotFoundError:
        return None  # permission, authentication, Stripe down: not caught, so the caller sees them
