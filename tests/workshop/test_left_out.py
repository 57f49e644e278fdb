"""workshop/left_out.py: imports left out (as if not installed) and imports deferred to first use.

Each test runs in a fresh Python (tests/processes.py), so what it imports is its own. `requests` stands in
for a deferred package: installed wherever the kit is (JupyterLab's server needs it), pure Python.
"""

from __future__ import annotations

import json

from tests.processes import in_a_fresh_process

DEFER_REQUESTS = "from workshop.left_out import defer; defer('requests'); import sys, json; "


def loaded(code: str) -> dict[str, object]:
    return json.loads(in_a_fresh_process(DEFER_REQUESTS + code))


def test_import_gives_the_stand_in_and_runs_none_of_the_package():
    out = loaded(
        "import requests; print(json.dumps({'api': 'requests.api' in sys.modules, 'file': requests.__file__}))"
    )
    assert out["api"] is False and out["file"].endswith("requests/__init__.py")


def test_the_first_name_read_imports_the_package_and_answers():
    out = loaded(
        "import requests; get = requests.get; real = sys.modules['requests']; "
        "print(json.dumps({'api': 'requests.api' in sys.modules, 'same': get is real.get, "
        "'replaced': real is not requests, 'session': requests.Session.__module__}))"
    )
    assert out == {"api": True, "same": True, "replaced": True, "session": "requests.sessions"}


def test_importing_a_submodule_imports_the_package_first():
    out = loaded(
        "import requests.adapters; "
        "print(json.dumps([sys.modules['requests'].__version__ != '', 'requests.api' in sys.modules]))"
    )
    assert out == [True, True]


def test_what_every_module_is_asked_for_does_not_load_it():
    # The import system reads __spec__ on each `import requests`, and inspect.getmodule reads every module's __file__.
    out = loaded(
        "import importlib.util, inspect; import requests; import requests as again; "
        "importlib.util.find_spec('requests'); inspect.getmodule(inspect.getmodule); "
        "print(json.dumps('requests.api' in sys.modules))"
    )
    assert out is False


def test_a_package_not_installed_still_fails_to_import_and_one_imported_before_stays():
    code = (
        "from workshop.left_out import defer; import json, sys, email; before = sys.modules['email']; "
        "defer('no_such_package_here', 'email')\n"
        "try:\n    import no_such_package_here; missing = False\nexcept ImportError:\n    missing = True\n"
        "print(json.dumps([missing, sys.modules['email'] is before]))"
    )
    assert json.loads(in_a_fresh_process(code)) == [True, True]


def test_left_out_fails_as_not_installed():
    code = (
        "from workshop.left_out import leave_out; leave_out('cryptography'); import json\n"
        "try:\n    import cryptography; print(json.dumps(False))\nexcept ImportError:\n    print(json.dumps(True))"
    )
    assert json.loads(in_a_fresh_process(code)) is True
