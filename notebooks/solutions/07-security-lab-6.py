# Hide the value of each secret parameter (keep its last 4 characters, as the kit does); keep all the rest.
import re

SECRET = re.compile(r"([?&](?:code|code_verifier|refresh_token|access_token)=)([^&#]*)")


def scrub(url):
    return SECRET.sub(lambda match: match[1] + "…" + match[2][-4:], url)
