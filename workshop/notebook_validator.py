"""The learner's server checks notebooks with jsonschema, not fastjsonschema: 10 MiB less per learner.

Jupyter's server checks every notebook it opens or saves against nbformat's schema. nbformat picks
the checker from the environment variable NBFORMAT_VALIDATOR, and without it takes fastjsonschema,
which compiles the schema into Python code the first time a notebook is opened: about 10.7 MiB
that the server then keeps for its whole life (a learner's single-user server, measured with
jupyterhub-singleuser: 144 MiB after logging in, 156 MiB once 00-index was open; 146 with
jsonschema). jsonschema is already in the server's memory (jupyter_events uses it), and it checks
the kit's largest notebook in 9 ms instead of 0.5 ms: nothing a learner can notice, on a save every
two minutes. The verdict on a notebook is the same either way.

The kit's server extension (`workshop.extension`) calls `apply_notebook_validator` when the server
loads it, before the server opens any notebook; a server whose environment names a validator keeps
it. The server's kernels and terminals inherit the setting, as they do its other variables.
"""

from __future__ import annotations

import os
from collections.abc import MutableMapping

VARIABLE = "NBFORMAT_VALIDATOR"
VALIDATOR = "jsonschema"


def apply_notebook_validator(environ: MutableMapping[str, str] = os.environ) -> str:
    """Have nbformat check notebooks with jsonschema unless the environment chose; the one in effect."""
    return environ.setdefault(VARIABLE, VALIDATOR)
