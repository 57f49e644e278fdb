# S256 (RFC 7636 section 4.2): BASE64URL(SHA256(ASCII(verifier))), without '=' padding.
import base64
import hashlib

digest = hashlib.sha256(verifier.encode("ascii")).digest()
my_challenge = base64.urlsafe_b64encode(digest).decode("ascii").rstrip("=")
