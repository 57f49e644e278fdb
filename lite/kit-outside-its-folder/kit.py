"""What `import kit` finds in the browser edition when the notebook's own folder is out of reach.

In JupyterLite a notebook's kernel works in the notebook's folder in the browser's storage
(``/drive/notebooks``), where the real kit.py is, and imports it from there first. This module is
installed with the site's wheels, so it is found only when that folder is not: it raises the kit's
kind of error, what went wrong and what to do, instead of Python's "No module named 'kit'".
"""

import os

from helpers.errors import KitError

SERVE = (
    "python3 -m http.server 8000 --bind 127.0.0.1 --directory <the site's folder>, "
    "then http://127.0.0.1:8000/lab/index.html"
)

if not os.path.isdir("/drive"):
    # The browser lends the site's files to the kernel (JupyterLite's drive) only on a secure page.
    raise KitError(
        "This kernel cannot reach the notebooks' folder, so it cannot import kit.py: the browser shares the "
        "site's files with the kernel only on a secure page (HTTPS, or localhost), and this page is neither "
        "(plain HTTP from another machine's address, say).",
        f"Serve the site on your own machine and open it on localhost ({SERVE}), or publish it over HTTPS. "
        'The README\'s "No install" section says how.',
    )
raise KitError(
    f"kit.py is not in this notebook's folder ({os.getcwd()}).",
    "Open the notebook from the site's notebooks/ folder (File Browser), where kit.py is, "
    "and run its cells from the first.",
)
