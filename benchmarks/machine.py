"""The one line that says where a benchmark ran, printed first by every benchmark that measures time.

System, cores, memory and load first (figures from a loaded machine read differently), then
the Python and the versions of the tools being measured, which the caller names.
"""

from __future__ import annotations

import os
import platform
import subprocess

CHROMIUM = "/usr/bin/chromium"


def describe(*tools: str) -> str:
    """`Linux 6.1.0 x86_64, 2 cores, 24 GiB, load average 0.5 0.4 0.3, Python 3.11.7` then each of `tools`."""
    memory = os.sysconf("SC_PAGE_SIZE") * os.sysconf("SC_PHYS_PAGES") / 2**30
    load = "load average {:.1f} {:.1f} {:.1f}".format(*os.getloadavg())
    return ", ".join(
        [
            f"{platform.system()} {platform.release()} {platform.machine()}",
            f"{os.cpu_count()} cores",
            f"{memory:.0f} GiB",
            load,
            f"Python {platform.python_version()}",
            *tools,
        ]
    )


def mkdocs_versions() -> list[str]:
    """MkDocs and Material for MkDocs, for the benchmarks that build sites."""
    import material
    import mkdocs

    return [f"MkDocs {mkdocs.__version__}", f"Material {getattr(material, '__version__', '?')}"]


def chromium_version(chromium: str = CHROMIUM) -> str:
    """What `chromium --version` says (`Chromium 120.0.6099.224 ...`), for the benchmarks run in a browser."""
    return subprocess.run([chromium, "--version"], capture_output=True, text=True, check=False).stdout.strip()
