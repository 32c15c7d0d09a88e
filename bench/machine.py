"""What machine a benchmark ran on: every figure in bench/RESULTS.md is printed beside this.

from bench.machine import describe_machine
machine = describe_machine()
print(machine.summary())     # one line: cores, RAM, CPU model, OS, Python, key packages
machine.to_dict()            # the same as JSON-ready data
"""

from __future__ import annotations

import os
import platform
from dataclasses import asdict, dataclass, field
from importlib import metadata
from pathlib import Path

#: Distributions whose versions change what the benchmarks measure.
PACKAGES = (
    "scrapy",
    "twisted",
    "prefect",
    "whoosh-reloaded",
    "beautifulsoup4",
    "lxml",
    "sqlalchemy",
    "pypdf",
)


@dataclass(frozen=True)
class Machine:
    """The hardware and software a benchmark ran on."""

    cpu_model: str
    cores: int  # logical CPUs this process may use
    ram_gb: float
    os: str
    python: str
    packages: dict[str, str] = field(default_factory=dict)  # name -> version ("-" if missing)

    def to_dict(self) -> dict[str, object]:
        return asdict(self)

    def summary(self) -> str:
        versions = ", ".join(f"{name} {version}" for name, version in self.packages.items())
        return (
            f"{self.cores} cores ({self.cpu_model}), {self.ram_gb:.1f} GB RAM, {self.os}, "
            f"Python {self.python}; {versions}"
        )


def describe_machine() -> Machine:
    """Cores, RAM, CPU model, OS, the Python version and the versions of the key packages."""
    return Machine(
        cpu_model=read_cpu_model(),
        cores=count_usable_cores(),
        ram_gb=read_total_ram() / 1024**3,
        os=platform.platform(terse=True),
        python=f"{platform.python_implementation()} {platform.python_version()}",
        packages={name: package_version(name) for name in PACKAGES},
    )


def count_usable_cores() -> int:
    if hasattr(os, "sched_getaffinity"):
        return len(os.sched_getaffinity(0))
    return os.cpu_count() or 1


def read_cpu_model() -> str:
    cpuinfo = Path("/proc/cpuinfo")
    if cpuinfo.exists():
        for line in cpuinfo.read_text(errors="replace").splitlines():
            if line.lower().startswith(("model name", "hardware", "cpu model")):
                return line.split(":", 1)[1].strip()
    return platform.processor() or platform.machine() or "unknown CPU"


def read_total_ram() -> int:
    """Total RAM in bytes (0 when the platform does not say)."""
    meminfo = Path("/proc/meminfo")
    if meminfo.exists():
        for line in meminfo.read_text().splitlines():
            if line.startswith("MemTotal:"):
                return int(line.split()[1]) * 1024
    try:
        return os.sysconf("SC_PAGE_SIZE") * os.sysconf("SC_PHYS_PAGES")
    except (ValueError, OSError, AttributeError):
        return 0


def package_version(name: str) -> str:
    try:
        return metadata.version(name)
    except metadata.PackageNotFoundError:
        return "-"
