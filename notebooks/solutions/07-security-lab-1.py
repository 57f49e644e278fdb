# The Dashboard's state check: only a state it made, compared whole and exactly, and spent once.
def accept_state(returned_state, issued):
    if not isinstance(returned_state, str) or returned_state not in issued:
        return False
    issued.remove(returned_state)  # one attempt, one state: a replayed redirect finds it gone
    return True
