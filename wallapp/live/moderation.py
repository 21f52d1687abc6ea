"""The installation's moderation file: the operator's decisions about posts, kept across restarts.

Written whole and atomically at each decision (a crash never leaves half a file); read at start. A file
that cannot be read or is not valid stops the start with one line naming it and the problem: a wall in
approval mode must never come up showing posts nobody approved because its decisions were lost.
"""

from __future__ import annotations

import json
import logging
from collections.abc import Callable
from pathlib import Path

from pydantic import ValidationError

from wallapp.core.config.jsondoc import problems_from_validation
from wallapp.core.config.settings import Settings
from wallapp.core.data.moderation import Moderation
from wallapp.core.durable import sweep, write_atomically
from wallapp.errors import ConfigError

log = logging.getLogger("wallapp.control")


class Decisions:
    """The decisions in force and their file: each change is written as it is made."""

    def __init__(self, path: Path | None, current: Moderation) -> None:
        """``path`` None: kept in memory only."""
        self.path, self.current = path, current

    @classmethod
    def load(cls, path: Path) -> Decisions:
        return cls(path, load(path))

    def change(self, decide: Callable[[Moderation], Moderation]) -> Moderation:
        """The decisions after ``decide``, in force and on disk (one line when they cannot be written:
        they hold until the wall restarts)."""
        self.current = decide(self.current)
        if self.path is None:
            return self.current
        try:
            save(self.path, self.current)
        except OSError as exc:
            log.error(
                "%s: cannot write the moderation file (%s): kept until the wall restarts", self.path, exc
            )
        return self.current


def moderation_path(settings: Settings) -> Path:
    return settings.state_dir / "moderation.json"


def load(path: Path) -> Moderation:
    """The decisions in ``path`` (none yet: nothing decided); ``ConfigError`` naming what is wrong."""
    sweep(path.parent, path.name)  # what a killed run was writing
    try:
        text = path.read_text(encoding="utf-8")
    except FileNotFoundError:
        return Moderation()
    except OSError as exc:
        raise ConfigError(f"{path}: cannot read the moderation file ({exc.strerror or exc})") from None
    try:
        return Moderation.model_validate(json.loads(text))
    except json.JSONDecodeError as exc:
        raise ConfigError(f"{path}: not JSON ({exc.msg} at line {exc.lineno})") from None
    except ValidationError as exc:
        problems = "; ".join(str(p) for p in problems_from_validation(exc))
        raise ConfigError(f"{path}: {problems}") from None


def save(path: Path, moderation: Moderation) -> None:
    """Write the decisions, whole and on disk (``write_atomically``; ``OSError`` when they cannot be: the
    caller says so)."""
    text = json.dumps(moderation.model_dump(mode="json"), indent=2, ensure_ascii=False)
    write_atomically(path, (text + "\n").encode())
