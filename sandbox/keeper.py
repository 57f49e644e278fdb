"""Hold a sleeping sandbox's port until the next connection, then start the sandbox again on it.

    python -I -S keeper.py FD COMMAND...

sandbox/idle.py runs this in the sandbox's own process (exec: same pid, same open socket) once
the sandbox has been idle. It is a plain script that imports only the standard library, so the
process shrinks to a bare interpreter. When a connection comes to the listening socket FD, it
waits there in the backlog while this program replaces itself with COMMAND (the sandbox, told
to serve on FD), which accepts and answers it.
"""

import os
import select
import sys


def main(argv: list[str]) -> None:
    listening_fd, command = int(argv[1]), argv[2:]
    select.select([listening_fd], [], [])  # readable: a connection is waiting to be accepted
    os.execv(command[0], command)


if __name__ == "__main__":
    main(sys.argv)
