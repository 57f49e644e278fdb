"""Plain code the tests and the benches share: no fixtures, no tests.

A bench imports from here, never from a test module or a conftest (`python -m bench.browser` from
the top of the checkout). Fixtures stay in the conftest files, where pytest finds them.

- `lab`: a JupyterLab server and a learner's Run All in it (tests/browser, bench/browser.py);
- `hub`: a JupyterHub for a room, and a learner in it with a browser (tests/hub, the hub benches);
- `walk`: learners walking the notebooks on that hub without a browser, and their memory
  (tests/hub/test_board.py, bench/room.py, bench/learner_memory.py).
"""
