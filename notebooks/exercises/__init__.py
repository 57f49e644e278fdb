"""Exercise checks: each looks at what the learner built and says what is right and what is not.

One module a notebook. A check never raises on a wrong answer: it returns `Feedback`,
which the notebook shows, naming the exact thing to fix.
"""
