# After the same code was sent twice:
my_answers = {
    "the replay gets a token": False,
    "the first access token still works": False,
    "the first refresh token still works": False,
    "a token from another authorization still works": True,
}
