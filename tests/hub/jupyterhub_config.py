"""JupyterHub config for the workshop test: one hub on 127.0.0.1 and one local server per learner.

`tests/hub/hub.py` starts `jupyterhub -f` on this file. The settings that change from run to run
come in through KIT_HUB_* environment variables: the run's folder, the ports, the proxy binary
and the shared password. The rest is what docs/workshop.md tells a facilitator to set up:

- the learners' servers run from their own environment, where the kit was installed by the
  recipe's `pip install` (KIT_HUB_USER_BIN), as TLJH's user environment; installing the kit there
  enabled its server extension (kernel culling) and jupyter-server-proxy, with nothing to configure;
- every learner gets their own copy of the learner edition (`make workshop`) in their home folder,
  made by the kit's server extension from KIT_LEARNER_EDITION when their server starts;
- every learner's sandbox keeps its data in their own home folder (`~/.kit-sandbox`, the kit's
  default outside a checkout), and their browser reaches it at /user/<name>/proxy/<port>/.

A bench may add spawner arguments and environment (KIT_HUB_SPAWNER_ARGS, KIT_HUB_SPAWNER_ENV,
both JSON), e.g. a shorter culling timeout.

SimpleLocalProcessSpawner runs every server as the hub's own OS user. That is fine for a test.
It is not fine for a real room, because it keeps learners apart only by folder, not by OS user.
"""

import json
import os
from pathlib import Path

c = get_config()  # noqa: F821 (JupyterHub provides it)

run_dir = Path(os.environ["KIT_HUB_DIR"])
user_bin = Path(os.environ["KIT_HUB_USER_BIN"])

c.JupyterHub.ip = "127.0.0.1"
c.JupyterHub.port = int(os.environ["KIT_HUB_PORT"])
c.JupyterHub.hub_ip = "127.0.0.1"
c.JupyterHub.hub_port = int(os.environ["KIT_HUB_INTERNAL_PORT"])
c.ConfigurableHTTPProxy.api_url = f"http://127.0.0.1:{os.environ['KIT_HUB_PROXY_API_PORT']}"
c.ConfigurableHTTPProxy.command = [os.environ["KIT_HUB_CHP"]]
c.ConfigurableHTTPProxy.pid_file = str(run_dir / "chp.pid")
c.JupyterHub.pid_file = str(run_dir / "jupyterhub.pid")
c.JupyterHub.db_url = f"sqlite:///{run_dir / 'jupyterhub.sqlite'}"
c.JupyterHub.cookie_secret_file = str(run_dir / "jupyterhub_cookie_secret")

# One password for the room; any user name may log in (allow_all has been required since JupyterHub 5).
c.JupyterHub.authenticator_class = "shared-password"
c.SharedPasswordAuthenticator.user_password = os.environ["KIT_HUB_PASSWORD"]
c.Authenticator.allow_all = True

c.JupyterHub.spawner_class = "simple"
c.SimpleLocalProcessSpawner.home_dir_template = str(run_dir / "home" / "{username}")
c.Spawner.cmd = [str(user_bin / "jupyterhub-singleuser")]
c.Spawner.args = [
    "--allow-root",  # the test runs as root
    # overrides.json: no "news?" toast, and every cell in the page (windowingMode none)
    f"--LabServerApp.app_settings_dir={run_dir / 'lab-settings'}",
    *json.loads(os.environ.get("KIT_HUB_SPAWNER_ARGS", "[]")),
]
c.Spawner.default_url = "/lab/tree/pkce-kit/notebooks/00-index.ipynb"
c.Spawner.environment = {
    "KIT_LEARNER_EDITION": os.environ["KIT_HUB_EDITION"],
    # The user environment first, as on TLJH: kernels and terminals run its python.
    "PATH": f"{user_bin}{os.pathsep}{os.environ['PATH']}",
    **json.loads(os.environ.get("KIT_HUB_SPAWNER_ENV", "{}")),
}
c.Spawner.start_timeout = 120  # three servers start at once on two cores
c.Spawner.http_timeout = 120
