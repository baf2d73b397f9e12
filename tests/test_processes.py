"""The suite's own check that no process it started outlives it (see conftest.py)."""

from __future__ import annotations

import os
import subprocess
import sys
import time

from conftest import PROCESS_MARK, marked_processes, stop_group


def test_a_process_the_suite_starts_is_found_until_its_group_is_stopped():
    mark = os.environ[PROCESS_MARK]
    # a child that starts a grandchild of its own, as a server or a process pool does
    code = "import subprocess, time; subprocess.Popen(['sleep', '60']); time.sleep(60)"
    process = subprocess.Popen([sys.executable, "-c", code], start_new_session=True)
    try:
        for _ in range(100):
            found = marked_processes(mark)
            if process.pid in found and any("sleep 60" in c for c in found.values()):
                break
            time.sleep(0.05)
        assert process.pid in found
        assert any(c.startswith("sleep 60") for c in found.values())  # the grandchild too
    finally:
        stop_group(process)
    # the group's processes end on the signal; under load the grandchild can take a moment to
    # leave /proc, so look again for a few seconds before calling it left behind
    for _ in range(100):
        left = marked_processes(mark)
        if process.pid not in left and not any(c.startswith("sleep 60") for c in left.values()):
            break
        time.sleep(0.05)
    assert process.pid not in left
    assert not any(c.startswith("sleep 60") for c in left.values())
