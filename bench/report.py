"""Plain helpers for the report: Markdown tables, and what the machine was doing."""
import os
import platform
import sqlite3
import subprocess
import sys
import time
from datetime import datetime, timezone


def table(headers: list[str], rows: list[list]) -> str:
    lines = ["| " + " | ".join(headers) + " |", "|" + "|".join("---" for _ in headers) + "|"]
    lines += ["| " + " | ".join(str(cell) for cell in row) + " |" for row in rows]
    return "\n".join(lines)


def load_average() -> str:
    return " / ".join(f"{n:.2f}" for n in os.getloadavg()) + " (1/5/15 min)"


def cpu_busy(interval: float = 1.0) -> float:
    """The share of all cores' time that was busy over the next `interval` seconds (from /proc/stat)."""
    def read() -> tuple[int, int]:
        with open("/proc/stat", encoding="ascii") as stat:
            ticks = [int(n) for n in stat.readline().split()[1:]]
        return ticks[3] + ticks[4], sum(ticks)  # idle + iowait, all

    idle, total = read()
    time.sleep(interval)
    idle_after, total_after = read()
    return 1 - (idle_after - idle) / max(total_after - total, 1)


def busiest_processes(count: int = 4) -> str:
    """The programs using the most CPU over one second, by name only (command lines may hold secrets)."""
    try:
        out = subprocess.run(["top", "-b", "-n", "2", "-d", "1", "-w", "120"], capture_output=True, text=True,
                             timeout=20).stdout
    except (OSError, subprocess.SubprocessError):  # no procps on this machine
        return "unknown"
    frame = out.split("\ntop - ")[-1].splitlines()
    header = next((i for i, line in enumerate(frame) if line.split()[:1] == ["PID"]), None)
    if header is None:
        return "unknown"
    busy = []
    for line in frame[header + 1:]:
        fields = line.split()
        if len(fields) >= 12 and fields[0] != str(os.getpid()) and float(fields[8]) >= 5:
            busy.append(f"{fields[11]} {float(fields[8]):.0f} %")
    return ", ".join(busy[:count]) or "none above 5 % of a core"


def seconds(value: float | None) -> str:
    if value is None:
        return "–"
    return f"{value * 1000:.0f} ms" if value < 1 else f"{value:.2f} s"


def kib(size: int) -> str:
    return f"{size / 1024:.1f} KiB"


def machine() -> list[list[str]]:
    try:
        commit = subprocess.run(["git", "describe", "--always", "--dirty"], capture_output=True, text=True,
                                timeout=10).stdout.strip() or "unknown"
    except (OSError, subprocess.SubprocessError):
        commit = "unknown"
    cpu = next((line.split(":", 1)[1].strip() for line in open("/proc/cpuinfo", encoding="utf-8")
                if line.startswith("model name")), platform.machine())
    return [
        ["When", datetime.now(timezone.utc).strftime("%Y-%m-%d %H:%M UTC")],
        ["Commit", commit],
        ["CPU", f"{os.cpu_count()} × {cpu}"],
        ["Python", sys.version.split()[0]],
        ["SQLite", sqlite3.sqlite_version],
    ]
