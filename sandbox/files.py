"""The files a sandbox keeps in its data folder, named once for the server and the launcher.

Its own module, with nothing to import: the kernel's launcher needs these names without
loading Flask, and the server needs them without loading the launcher's client side.
"""

ANNOUNCE_FILE = "sandbox.json"  # where a running sandbox announces itself: pid and port
LOG_FILE = "sandbox.log"  # its access log and any error it logs
STDERR_FILE = "sandbox.stderr"  # what the process itself prints, e.g. a failure to start
DATABASE_FILE = "sandbox.sqlite3"
