import threading

import pytest

from advocacy import create_app


def test_defaults_then_instance_file_then_environment(tmp_path, monkeypatch):
    instance = tmp_path / "instance"
    instance.mkdir()
    (instance / "config.py").write_text('PROGRAM_NAME = "From file"\nMIN_GROUP_SIZE = 7\n')
    monkeypatch.setenv("ADVOCACY_MIN_GROUP_SIZE", "9")
    app = create_app(instance_path=str(instance))
    assert app.config["PROGRAM_NAME"] == "From file"  # file beats default
    assert app.config["MIN_GROUP_SIZE"] == 9  # environment beats file
    assert app.config["INVITATION_TTL_DAYS"] == 7  # default kept


def test_secret_key_is_generated_once_and_kept(tmp_path, monkeypatch):
    monkeypatch.delenv("ADVOCACY_SECRET_KEY", raising=False)
    instance = tmp_path / "instance"
    first = create_app(instance_path=str(instance)).config["SECRET_KEY"]
    second = create_app(instance_path=str(instance)).config["SECRET_KEY"]
    other = create_app(instance_path=str(tmp_path / "elsewhere")).config["SECRET_KEY"]
    assert len(first) >= 32
    assert first == second  # sessions survive a restart
    assert first != other  # no fixed secret shared between installations
    assert (instance / "secret_key").stat().st_mode & 0o077 == 0


def test_minimum_group_size_below_three_is_refused(tmp_path):
    with pytest.raises(ValueError, match="at least 3"):
        create_app({"MIN_GROUP_SIZE": 2, "SECRET_KEY": "x"}, instance_path=str(tmp_path))


def test_create_app_starts_no_background_thread(tmp_path):
    before = threading.active_count()
    create_app({"SECRET_KEY": "x"}, instance_path=str(tmp_path))
    assert threading.active_count() == before


def test_default_database_is_sqlite_in_instance_folder(tmp_path):
    app = create_app({"SECRET_KEY": "x"}, instance_path=str(tmp_path))
    assert app.config["DATABASE_URL"] == f"sqlite:///{tmp_path / 'relais.sqlite3'}"
