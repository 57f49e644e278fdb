"""The Dashboard stand-in's limits that the kernel's side needs too, named once, with nothing to import.

The notebooks' kit tells the example app how long its link stays good without loading Flask.
"""

# How long the Dashboard accepts the answer to a state it made (createOAuthState). The sandbox's
# own figure: Stripe documents none. Ten minutes, as RFC 6749 §4.1.2 recommends for a code.
STATE_LIFETIME = 600
