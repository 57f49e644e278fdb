"""helpers.mode: the Dashboard's two modes, and a clear error for anything else."""

from __future__ import annotations

import pytest

from helpers.errors import ManifestError, ModeError
from helpers.manifest import redirect_url
from helpers.mode import require_mode


@pytest.mark.parametrize("mode", ["test", "live"])
def test_the_two_modes_pass(mode):
    assert require_mode(mode) == mode


@pytest.mark.parametrize("mode", ["sandbox", "TEST", "", None, 1])
def test_anything_else_is_a_mode_error_not_a_manifest_error(mode):
    with pytest.raises(ModeError, match="mode must be 'test' or 'live'") as caught:
        require_mode(mode)
    assert not isinstance(caught.value, ManifestError)


def test_redirect_url_with_a_bad_mode_says_so():
    with pytest.raises(ModeError, match="not 'sandbox'"):
        redirect_url("com.example.app", "sandbox")
