# True: a strict (S256-only) provider refuses the request at the authorization endpoint.
my_answers = {
    "S256 challenge": False,
    "plain challenge": True,
    "challenge without a method": True,
    "no challenge at all": True,
    "method S256 but no challenge": True,
}
