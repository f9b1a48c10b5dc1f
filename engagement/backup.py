"""`flask --app app backup PATH`: a consistent copy of the live SQLite database.

The copy is made with SQLite's online backup API in one step, which reads one
snapshot of the database: in WAL mode the app goes on writing meanwhile, and
the copy holds each response either whole or not at all. It is written to a
temporary file next to PATH and renamed into place only once it is complete
and has passed `PRAGMA integrity_check`, so a file at PATH is always a whole
backup. PostgreSQL is backed up with pg_dump; the command says how.
"""
import os
import shlex
import sqlite3
import tempfile
from contextlib import closing

import click
from sqlalchemy.engine import URL

from engagement.competitions.models import Competition, Idea
from extensions import db
from surveys.models import Response, Survey


class BackupError(click.ClickException):
    """The backup was not made; nothing was left at PATH."""


@click.command("backup")
@click.argument("path", type=click.Path(dir_okay=False, writable=True))
@click.option("--overwrite", is_flag=True, help="Replace PATH if it exists already.")
def backup(path, overwrite):
    """Copy the live SQLite database to PATH, safely while Bypuls is running."""
    url = db.engine.url
    if url.get_backend_name() == "postgresql":
        raise BackupError(pg_dump_advice(url, path))
    if url.get_backend_name() != "sqlite" or url.database in (None, "", ":memory:"):
        raise BackupError(f"This command backs up SQLite database files only, not {url.get_backend_name()}.")
    check_target(url.database, path, overwrite)
    partial = copy_to_temporary_file(path)
    try:
        summary = check_copy(partial)
        if os.path.exists(path) and not overwrite:
            raise BackupError(f"{path} appeared while the backup ran; it was left alone.")
        os.replace(partial, path)
    except BaseException:
        os.unlink(partial)
        raise
    sync(os.path.dirname(os.path.abspath(path)))  # the rename, too, survives a power cut
    click.echo(f"Backed up {url.database} to {path}: {human_size(os.path.getsize(path))}, integrity ok.")
    click.echo(summary)


def pg_dump_advice(url: URL, path: str) -> str:
    """The pg_dump and pg_restore command lines for this DATABASE_URL, without its password."""
    host = url.host or url.query.get("host")
    parts = ["pg_dump", "--format=custom"]
    parts += [f"--host={host}"] if host else []
    parts += [f"--port={url.port}"] if url.port else []
    parts += [f"--username={url.username}"] if url.username else []
    parts += [f"--dbname={url.database}", f"--file={path}"]
    connection = parts[2:-1]  # the same server, user and database for the restore
    dump = shlex.join(parts)
    restore = shlex.join(["pg_restore", "--clean", "--if-exists", "--no-owner", *connection, path])
    return ("Bypuls runs on PostgreSQL here: this command copies SQLite databases only. "
            f"Back up PostgreSQL with pg_dump instead:\n\n  {dump}\n\n"
            "It asks for the password, or takes it from PGPASSWORD or ~/.pgpass. "
            f"Restore such a file with:\n\n  {restore}")


def check_target(database: str, path: str, overwrite: bool) -> None:
    """:raise BackupError: if there is no live database (connecting would make an empty one), if PATH is
    the live database itself, if it exists and `overwrite` is not given, or if its folder is missing."""
    if not os.path.isfile(database):
        raise BackupError(f"There is no database at {database}: check DATABASE_URL.")
    if os.path.exists(path) and os.path.samefile(database, path):
        raise BackupError(f"{path} is the live database itself: give the backup another name.")
    if os.path.exists(path) and not overwrite:
        raise BackupError(f"{path} exists already. Give another name, or add --overwrite to replace it.")
    if not os.path.isdir(os.path.dirname(os.path.abspath(path))):
        raise BackupError(f"The folder for {path} does not exist.")


def copy_to_temporary_file(path: str) -> str:
    """Copy the live database into a new temporary file beside PATH; returns its name.

    One backup step (pages=-1) copies every page inside one read transaction, so
    the copy is one snapshot. In steps of a few pages, every commit by the app
    would restart the copy, and a busy app would keep it from ever finishing.
    """
    folder, name = os.path.split(os.path.abspath(path))
    handle, partial = tempfile.mkstemp(dir=folder, prefix=f".{name}.", suffix=".partial")
    os.close(handle)  # mkstemp made it readable by its owner only, as a copy of people's answers should be
    try:
        # The source comes from the app's engine, with its busy_timeout and WAL settings.
        with closing(db.engine.raw_connection()) as source, closing(sqlite3.connect(partial)) as target:
            source.driver_connection.backup(target, pages=-1)
            # A self-contained file: the copy would otherwise be in WAL mode and want sidecar files.
            target.execute("PRAGMA journal_mode=DELETE")
        sync(partial)
    except BaseException:
        os.unlink(partial)
        raise
    return partial


def check_copy(partial: str) -> str:
    """What the copy holds, in one line.

    :raise BackupError: if `PRAGMA integrity_check` finds a problem in the copy.
    """
    with closing(sqlite3.connect(partial)) as copy:
        problems = [row[0] for row in copy.execute("PRAGMA integrity_check")]
        if problems != ["ok"]:
            raise BackupError("The copy failed its integrity check; nothing was written:\n"
                              + "\n".join(problems[:20]))
        surveys, responses = count_rows(copy, Survey.__tablename__), count_rows(copy, Response.__tablename__)
        completed = count_rows(copy, Response.__tablename__, "completed_at IS NOT NULL")
        competitions, ideas = count_rows(copy, Competition.__tablename__), count_rows(copy, Idea.__tablename__)
    return (f"Surveys: {surveys}. Responses: {responses}, of which {completed} completed. "
            f"Idea competitions: {competitions}. Ideas: {ideas}.")


def count_rows(copy: sqlite3.Connection, table: str, condition: str = "1 = 1") -> int:
    """0 for a table the copy does not have: a database not yet upgraded is worth backing up all the same."""
    if not copy.execute("SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = ?", (table,)).fetchone():
        return 0
    return copy.execute(f"SELECT count(*) FROM {table} WHERE {condition}").fetchone()[0]


def sync(path: str) -> None:
    """Flush a file or a folder to disk, as the database's synchronous=FULL does for every commit."""
    handle = os.open(path, os.O_RDONLY)
    try:
        os.fsync(handle)
    finally:
        os.close(handle)


def human_size(size: int) -> str:
    power = min(3, max(0, (size.bit_length() - 1) // 10))
    return f"{size} bytes" if power == 0 else f"{size / 1024 ** power:.1f} {('KB', 'MB', 'GB')[power - 1]}"
