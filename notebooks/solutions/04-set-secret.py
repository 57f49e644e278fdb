# The two choices of the Secret Store call that saves the token (the name and the payload are given):
my_scope = {"type": "user", "user": kit.context.user_context.id}  # the current user's scope
my_expires_at = token.usable_until  # absolute Unix seconds: when the saved token is worth nothing
