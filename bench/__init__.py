"""The kit's benchmarks: `make bench` (bench/all.py) and `make bench-room` (bench/room.py).

Each runs as a module from the top of the checkout, `.venv/bin/python -m bench.notebooks`, so it
imports the kit, `tools` and what it shares with the tests (`tests.support`) as packages, with no
change to sys.path.
"""
