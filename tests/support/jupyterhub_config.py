"""JupyterHub config for the workshop test: one hub on 127.0.0.1 and one local server per learner.

`tests/support/hub.py` starts `jupyterhub -f` on this file, for tests/hub and the hub benches. It is
laid out as TLJH's own config:

1. the machine's plumbing, which TLJH sets itself and a test must set here: ports on 127.0.0.1,
   the proxy, the database, the spawner (KIT_HUB_* environment variables: the run's folder, the
   ports, the proxy binary). The learners' servers run from their own environment
   (KIT_HUB_USER_BIN), where the kit was installed by the recipe's own install block, as TLJH's
   user environment: that install enabled the kit's server extension and jupyter-server-proxy;
2. the recipe's config snippet from docs/workshop.md, loaded from jupyterhub_config.d/ in the run's
   folder as TLJH loads /opt/tljh/config/jupyterhub_config.d/: the learner edition, the landing
   page, the shared password (the admin password too);
3. what the test changes from the recipe: the room's password (the recipe's is a placeholder),
   the admin TLJH would name from its `--admin`, the board's port and the address of the hub's
   proxy (TLJH's listens on port 80), and a bench's extra spawner arguments and
   environment (KIT_HUB_SPAWNER_ARGS, KIT_HUB_SPAWNER_ENV, both JSON), e.g. a shorter culling timeout.

SimpleLocalProcessSpawner runs every server as the hub's own OS user. That is fine for a test.
It is not fine for a real room, because it keeps learners apart only by folder, not by OS user.
"""

import json
import os
from pathlib import Path

c = get_config()  # noqa: F821 (JupyterHub provides it)

run_dir = Path(os.environ["KIT_HUB_DIR"])
user_bin = Path(os.environ["KIT_HUB_USER_BIN"])

# --- 1. the machine
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
# TLJH starts the list of services itself (tljh/configurer.py, update_services: its idle culler),
# before it loads the snippets, which append to it.
c.JupyterHub.services = []

c.JupyterHub.spawner_class = "simple"
c.SimpleLocalProcessSpawner.home_dir_template = str(run_dir / "home" / "{username}")
c.Spawner.cmd = [str(user_bin / "jupyterhub-singleuser")]
c.Spawner.args = [
    "--allow-root",  # the test runs as root
    # overrides.json: no "news?" toast, and every cell in the page (windowingMode none)
    f"--LabServerApp.app_settings_dir={run_dir / 'lab-settings'}",
]
# The user environment first, as on TLJH: kernels and terminals run its python.
c.Spawner.environment = {"PATH": f"{user_bin}{os.pathsep}{os.environ['PATH']}"}
# TLJH's `limits.memory` (the recipe's `tljh-config set limits.memory 1280M`; tljh/configurer.py, update_limits).
# The local spawner does not enforce it; it tells the server, which tells the pre-flight.
c.Spawner.mem_limit = "1280M"
c.Spawner.start_timeout = 120  # three servers start at once on two cores
c.Spawner.http_timeout = 120

# --- 2. the recipe's snippet, as TLJH loads it (tljh/jupyterhub_config.py: load_subconfig of each file)
for snippet in sorted((run_dir / "jupyterhub_config.d").glob("*.py")):
    load_subconfig(str(snippet))  # noqa: F821 (JupyterHub provides it)

# --- 3. the test's own
c.SharedPasswordAuthenticator.user_password = os.environ["KIT_HUB_PASSWORD"]
c.SharedPasswordAuthenticator.admin_password = os.environ["KIT_HUB_ADMIN_PASSWORD"]
# The board on a free port, reaching the learners' servers through this hub's proxy (TLJH's is on port 80).
for service in c.JupyterHub.services:
    if service["name"] == "kit-board":
        service["url"] = f"http://127.0.0.1:{os.environ['KIT_HUB_BOARD_PORT']}"
        service["environment"]["KIT_BOARD_HUB_URL"] = f"http://127.0.0.1:{c.JupyterHub.port}"
c.Authenticator.admin_users = {os.environ["KIT_HUB_ADMIN"]}
c.Spawner.args.extend(json.loads(os.environ.get("KIT_HUB_SPAWNER_ARGS", "[]")))
c.Spawner.environment.update(json.loads(os.environ.get("KIT_HUB_SPAWNER_ENV", "{}")))
