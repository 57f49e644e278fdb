# The provider's S256 check (RFC 7636 4.6): BASE64URL(SHA256(ASCII(verifier))), no padding, equals the challenge.
import base64
import hashlib
import hmac


def provider_accepts(verifier, challenge):
    if not verifier or not challenge:
        return False
    digest = hashlib.sha256(verifier.encode("ascii")).digest()
    computed = base64.urlsafe_b64encode(digest).decode("ascii").rstrip("=")
    return hmac.compare_digest(computed, challenge)  # constant time: no hint from how long a refusal takes
