"""JupyterHub config for the workshop test: one hub on 127.0.0.1 and one local server per learner.

`tests/hub/hub.py` starts `jupyterhub -f` on this file. The settings that change from run to run
come in through KIT_HUB_* environment variables: the run's folder, the ports, the proxy binary
and the shared password. The rest is what docs/workshop.md tells a facilitator to set up:

- every learner gets their own copy of the kit's notebooks in their home folder (pre_spawn_hook);
- every learner's sandbox keeps its data in their own home folder (`KIT_SANDBOX_DIR=~/.kit-sandbox`,
  expanded by the kernel against that learner's HOME);
- jupyter-server-proxy is enabled in the environment, so each learner's browser reaches their own
  sandbox at /user/<name>/proxy/<port>/;
- every learner's server reads the kit's Jupyter settings (kernel culling) from jupyter-config/,
  added to JUPYTER_CONFIG_PATH in the spawner's environment. (Not `--config=` in the spawner's
  args: that replaces the config files a server would read instead of adding one.)

A bench may add spawner arguments and environment (KIT_HUB_SPAWNER_ARGS, KIT_HUB_SPAWNER_ENV,
both JSON), e.g. a shorter culling timeout.

SimpleLocalProcessSpawner runs every server as the hub's own OS user. That is fine for a test.
It is not fine for a real room, because it keeps learners apart only by folder, not by OS user.
"""

import json
import os
import shutil
from pathlib import Path

c = get_config()  # noqa: F821 (JupyterHub provides it)

run_dir = Path(os.environ["KIT_HUB_DIR"])
venv_bin = Path(os.environ["KIT_HUB_VENV_BIN"])
notebooks = Path(os.environ["KIT_HUB_NOTEBOOKS"])

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
c.Spawner.cmd = [str(venv_bin / "jupyterhub-singleuser")]
c.Spawner.args = [
    "--allow-root",  # the test runs as root
    # overrides.json: no "news?" toast, and every cell in the page (windowingMode none)
    f"--LabServerApp.app_settings_dir={run_dir / 'lab-settings'}",
    *json.loads(os.environ.get("KIT_HUB_SPAWNER_ARGS", "[]")),
]
c.Spawner.default_url = "/lab"
c.Spawner.environment = {
    "KIT_SANDBOX_DIR": "~/.kit-sandbox",
    "JUPYTER_CONFIG_PATH": os.environ["KIT_HUB_JUPYTER_CONFIG"],
    **json.loads(os.environ.get("KIT_HUB_SPAWNER_ENV", "{}")),
}
c.Spawner.start_timeout = 120  # three servers start at once on two cores
c.Spawner.http_timeout = 120


def copy_notebooks(spawner):
    """Give the learner their own copy of the notebooks, once: a restart keeps their edits."""
    target = Path(spawner.home_dir) / "notebooks"
    if not target.exists():
        shutil.copytree(notebooks, target, ignore=shutil.ignore_patterns(".ipynb_checkpoints", "__pycache__"))


c.Spawner.pre_spawn_hook = copy_notebooks
