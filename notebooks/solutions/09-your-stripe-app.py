# Only what the app fetches from its iframe: the token endpoint (exchange and refresh) and the revocation endpoint.
my_connect_src = {"the code exchange", "the refresh", "log out's revocation"}
