"""Why the Dashboard refuses a redirect to its ``apps-oauth`` page: one spelling for every side.

The sandbox's Dashboard stand-in answers with these codes, and the kit's own Dashboard part
(``helpers.authorization_response``, played in the kernel for your own provider) raises them, so a
learner reads one name for one refusal wherever it happens. A ``str`` Enum: each member equals
its code, in JSON, in a page's ``data-reason``, and in a comparison with a plain string.
"""

from __future__ import annotations

from enum import Enum


class DashboardRefusal(str, Enum):  # enum.StrEnum from Python 3.11; the kit runs on 3.10 too
    """The state check of RFC 6749 10.12, as the Dashboard does it before it hands the app ``oauthContext``."""

    STATE_MISSING = "state_missing"
    UNKNOWN_STATE = "unknown_state"
    USED_STATE = "used_state"
    EXPIRED_STATE = "expired_state"
    OTHER_APP = "other_app"
    OTHER_MODE = "other_mode"
    NO_RESULT = "no_result"

    def __str__(self) -> str:
        return self.value
