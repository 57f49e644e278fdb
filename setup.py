"""The one build step pyproject.toml cannot say: the Stripe App template travels inside `helpers`.

`stripe-app/` is its own npm project at the top of the checkout, laid out as `stripe apps create`
lays it out, so notebooks link to it and `make test` lints and runs it there. An installed kit has
no checkout: the wheel carries the template's files as package data of `helpers`
(`helpers/stripe_app_template/`), where `helpers.stripe_app.KIT_APP` finds them. Everything under
`stripe-app/` goes but what npm installs.
"""

from pathlib import Path

from setuptools import setup
from setuptools.command.build_py import build_py

TEMPLATE = Path(__file__).resolve().parent / "stripe-app"
TARGET = ("helpers", "stripe_app_template")
LEFT_OUT = {"node_modules", "coverage", ".cache"}


def template_files() -> list[Path]:
    return sorted(
        path
        for path in TEMPLATE.rglob("*")
        if path.is_file() and not LEFT_OUT.intersection(path.relative_to(TEMPLATE).parts)
    )


class BuildPyWithAppTemplate(build_py):
    def run(self) -> None:
        super().run()
        if self.editable_mode:  # an editable install finds the template in the checkout
            return
        target = Path(self.build_lib, *TARGET)
        for path in template_files():
            destination = target / path.relative_to(TEMPLATE)
            self.mkpath(str(destination.parent))
            self.copy_file(str(path), str(destination))


setup(cmdclass={"build_py": BuildPyWithAppTemplate})
