# After the naive effect ran twice with the same oauthContext:
my_answers = {
    "token requests sent": 2,
    "the second exchange succeeds": False,
    "the first token still works": False,
    "the app is connected": False,
}
