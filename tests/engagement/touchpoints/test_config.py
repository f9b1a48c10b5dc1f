"""The address printed on posters comes from PUBLIC_BASE_URL, and production will not start without it."""
import pathlib
import subprocess
import sys

import pytest

from app import create_app
from config import DEV_PUBLIC_BASE_URL, ConfigError

ROOT = pathlib.Path(__file__).resolve().parents[3]
SECRET = "x" * 48


@pytest.fixture
def production(monkeypatch, tmp_path):
    monkeypatch.setenv("BYPULS_ENV", "production")
    monkeypatch.setenv("SECRET_KEY", SECRET)
    monkeypatch.setenv("DATABASE_URL", f"sqlite:///{tmp_path}/prod.sqlite3")
    monkeypatch.delenv("PUBLIC_BASE_URL", raising=False)
    return monkeypatch


def test_production_refuses_to_start_without_the_public_address_printed_on_posters(production):
    with pytest.raises(ConfigError, match="PUBLIC_BASE_URL") as refusal:
        create_app()
    assert "https://bypuls.vordingborg.dk" in str(refusal.value) and "not set" in str(refusal.value)


@pytest.mark.parametrize("value", ["bypuls.vordingborg.dk", "ftp://bypuls.dk", "https://", "https://bypuls.dk/?x=1"])
def test_production_refuses_a_public_address_that_is_not_a_web_address(production, value):
    production.setenv("PUBLIC_BASE_URL", value)
    with pytest.raises(ConfigError, match="PUBLIC_BASE_URL"):
        create_app()


def test_production_with_a_public_address_starts_and_uses_it_without_a_trailing_slash(production):
    production.setenv("PUBLIC_BASE_URL", "https://bypuls.vordingborg.dk/")
    assert create_app().config["PUBLIC_BASE_URL"] == "https://bypuls.vordingborg.dk"


def test_development_prints_the_local_address_by_default(monkeypatch):
    monkeypatch.delenv("BYPULS_ENV", raising=False)
    monkeypatch.delenv("PUBLIC_BASE_URL", raising=False)
    assert create_app({"SQLALCHEMY_DATABASE_URI": "sqlite://"}).config["PUBLIC_BASE_URL"] == DEV_PUBLIC_BASE_URL
    assert DEV_PUBLIC_BASE_URL == "http://127.0.0.1:5000"


def test_the_refusal_names_both_missing_settings_on_the_command_line():
    env = {"BYPULS_ENV": "production", "PATH": "/usr/bin:/bin"}
    result = subprocess.run([sys.executable, "-m", "flask", "--app", "app", "routes"], cwd=ROOT, env=env,
                            capture_output=True, text=True, timeout=60)
    assert result.returncode != 0
    assert "SECRET_KEY" in result.stderr and "PUBLIC_BASE_URL" in result.stderr
