# The Secret Store call that saves the token (what save_token sends):
my_name = "oauth_token"  # the name a later session looks for
my_scope = {"type": "user", "user": kit.context.user_context.id}  # the current user's scope
my_payload = token.to_json()  # the whole token, as a JSON string
my_expires_at = token.usable_until  # absolute Unix seconds: when the saved token is worth nothing
