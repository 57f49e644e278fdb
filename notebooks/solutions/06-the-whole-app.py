# The page's effect, fixed: skip errors and used codes, mark the code used before the exchange
# (a code works once, even when the exchange fails), save in the user's scope with its expiry.
def my_handle_context(context, used_codes, user_id, exchange, save):
    if context.error or not (context.code and context.verifier):
        return None
    if context.code in used_codes:
        return None
    used_codes.add(context.code)
    token = exchange(context.code, context.verifier)
    save({"type": "user", "user": user_id}, token, expires_at=token.usable_until)
    return token
