"""The learners' kernel without debugpy (workshop/kernel.py, workshop/kernel_spec.py)."""

from __future__ import annotations

from jupyter_client.kernelspec import KernelSpecManager
from jupyter_client.manager import KernelManager
from traitlets.config import Config

from workshop.kernel_spec import KERNEL_CLASS, LeanKernelSpec, apply_lean_kernel

OWN = ["python", "-m", "ipykernel_launcher", "-f", "{connection_file}"]


def test_the_own_python_kernel_is_started_lean_and_others_as_they_are():
    lean = LeanKernelSpec(argv=OWN, display_name="Python 3", language="python", metadata={"debugger": True})
    assert lean.argv == [*OWN, f"--IPKernelApp.kernel_class={KERNEL_CLASS}"] and lean.metadata["debugger"] is False
    other = ["/opt/other-env/bin/python", "-m", "ipykernel_launcher", "-f", "{connection_file}"]
    assert LeanKernelSpec(argv=other, display_name="x", language="python").argv == other
    ir = ["R", "--slave", "-e", "IRkernel::main()", "--args", "{connection_file}"]
    assert LeanKernelSpec(argv=ir, display_name="R", language="R").argv == ir


def test_the_extension_leaves_a_configured_kernel_spec_class_alone():
    manager = KernelSpecManager()
    assert apply_lean_kernel(manager, Config()) and manager.kernel_spec_class is LeanKernelSpec
    config = Config({"KernelSpecManager": {"kernel_spec_class": "jupyter_client.kernelspec.KernelSpec"}})
    configured = KernelSpecManager(config=config)
    assert not apply_lean_kernel(configured, config) and configured.kernel_spec_class is not LeanKernelSpec


def test_a_lean_kernel_runs_without_debugpy_offers_no_debugger_and_froze_its_start():
    manager = KernelManager(
        kernel_name="python3", kernel_spec_manager=KernelSpecManager(kernel_spec_class=LeanKernelSpec)
    )
    manager.start_kernel()
    client = manager.client()
    try:
        client.start_channels()
        client.wait_for_ready(timeout=60)
        features = client.kernel_info(reply=True, timeout=30)["content"].get("supported_features", [])
        outputs: list[str] = []
        code = (
            "import gc, sys, ipywidgets; "
            "print(sys.modules.get('debugpy'), type(get_ipython().kernel).__name__, gc.get_freeze_count() > 10_000)"
        )
        reply = client.execute_interactive(
            code, timeout=60, output_hook=lambda m: outputs.append(m["content"].get("text", ""))
        )
        assert reply["content"]["status"] == "ok"
        assert "".join(outputs).split() == ["None", "LeanKernel", "True"] and "debugger" not in features
    finally:
        client.stop_channels()
        manager.shutdown_kernel(now=True)
