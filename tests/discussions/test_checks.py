"""A database from before the apps were split is refused with one line saying
what to do, not half-migrated into a traceback."""

import os
import sqlite3
import subprocess
import sys
from pathlib import Path

PROJECT = Path(__file__).resolve().parents[2]


def migrate(database: Path) -> subprocess.CompletedProcess:
    env = {**os.environ, "DATABASE_URL": f"sqlite:///{database}"}
    return subprocess.run(
        [sys.executable, "manage.py", "migrate", "--no-input", "-v", "0"],
        cwd=PROJECT,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )


def test_an_old_layout_database_gets_one_clear_line(tmp_path):
    old = tmp_path / "db.sqlite3"
    with sqlite3.connect(old) as connection:
        connection.execute("CREATE TABLE discussions_group (id integer PRIMARY KEY)")
    result = migrate(old)
    assert result.returncode != 0
    assert "Traceback" not in result.stderr
    [line] = [line for line in result.stderr.splitlines() if "discussions.E001" in line]
    assert "rm db.sqlite3" in line and "make run" in line
    with sqlite3.connect(old) as connection:
        tables = {row[0] for row in connection.execute("SELECT name FROM sqlite_master")}
    assert "groups_group" not in tables  # nothing was half-applied


def test_a_new_database_migrates(tmp_path):
    result = migrate(tmp_path / "db.sqlite3")
    assert result.returncode == 0, result.stderr
