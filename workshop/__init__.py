"""The kit for a room: what a facilitator runs and what the learners' Jupyter servers do for them.

- `workshop.extension`: the Jupyter server extension the kit installs and enables
  (kernel culling, the learner's own copy of the learner edition, the board's endpoints);
- `workshop.settings`: the kit's Jupyter server settings, and why;
- `workshop.edition`: the learner edition, copied into a learner's home;
- `workshop.preflight`: the facilitator's check of a hub, run as a test learner.

Learners never import it: the notebooks use `helpers` and `sandbox`.
"""
