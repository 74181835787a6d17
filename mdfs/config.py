"""Load, merge and validate the TOML configuration, and hash it.

The default file defines every key and its type; a user file or `--set` may only change values
of keys that exist there, with a compatible type. That turns typos into errors instead of
silently ignored settings, which is what makes a run reproducible from its stats.json.
"""

from __future__ import annotations

import copy
import hashlib
import json
import tomllib
from pathlib import Path
from typing import Any

DEFAULT_CONFIG_PATH = Path(__file__).resolve().parent.parent / "configs" / "default.toml"

Config = dict[str, dict[str, Any]]


class ConfigError(ValueError):
    """A configuration problem, with a message that names the key."""


def _type_name(v: Any) -> str:
    return type(v).__name__


def _coerce(key: str, default: Any, value: Any) -> Any:
    """Check `value` against the default's type; allow int where a float is expected."""
    if isinstance(default, bool):
        if not isinstance(value, bool):
            raise ConfigError(f"{key}: expected bool, got {_type_name(value)} {value!r}")
        return value
    if isinstance(default, float):
        if isinstance(value, bool) or not isinstance(value, (int, float)):
            raise ConfigError(f"{key}: expected float, got {_type_name(value)} {value!r}")
        return float(value)
    if isinstance(default, int):
        if isinstance(value, bool) or not isinstance(value, int):
            raise ConfigError(f"{key}: expected int, got {_type_name(value)} {value!r}")
        return value
    if isinstance(default, str):
        if not isinstance(value, str):
            raise ConfigError(f"{key}: expected str, got {_type_name(value)} {value!r}")
        return value
    if isinstance(default, list):
        if not isinstance(value, list):
            raise ConfigError(f"{key}: expected list, got {_type_name(value)} {value!r}")
        if default:
            return [_coerce(f"{key}[{i}]", default[0], v) for i, v in enumerate(value)]
        return value
    raise ConfigError(f"{key}: unsupported type {_type_name(default)} in the default config")


def merge(base: Config, override: dict[str, Any], origin: str) -> Config:
    """Return `base` with `override` applied; unknown sections/keys raise ConfigError."""
    out = copy.deepcopy(base)
    for section, values in override.items():
        if section not in out:
            raise ConfigError(f"{origin}: unknown section [{section}]; known: {', '.join(sorted(out))}")
        if not isinstance(values, dict):
            raise ConfigError(f"{origin}: [{section}] must be a table")
        for key, value in values.items():
            if key not in out[section]:
                known = ", ".join(sorted(out[section]))
                raise ConfigError(f"{origin}: unknown key {section}.{key}; known in [{section}]: {known}")
            out[section][key] = _coerce(f"{section}.{key}", out[section][key], value)
    return out


def parse_set(expr: str) -> tuple[str, str, Any]:
    """Parse `section.key=value`; the value is read as TOML, or taken as a bare string."""
    if "=" not in expr:
        raise ConfigError(f"--set {expr!r}: expected section.key=value")
    lhs, raw = expr.split("=", 1)
    parts = lhs.strip().split(".")
    if len(parts) != 2 or not all(parts):
        raise ConfigError(f"--set {expr!r}: the key must be section.key")
    try:
        value = tomllib.loads(f"v = {raw.strip()}")["v"]
    except tomllib.TOMLDecodeError:
        value = raw.strip()
    return parts[0], parts[1], value


def load_config(path: str | Path | None = None, sets: list[str] | None = None) -> Config:
    """Defaults, then the user's TOML file, then each `--set`, validated at every step."""
    with open(DEFAULT_CONFIG_PATH, "rb") as f:
        cfg: Config = tomllib.load(f)
    if path:
        p = Path(path)
        if not p.is_file():
            raise ConfigError(f"config file not found: {p}")
        try:
            with open(p, "rb") as f:
                cfg = merge(cfg, tomllib.load(f), str(p))
        except tomllib.TOMLDecodeError as e:
            raise ConfigError(f"{p}: not valid TOML: {e}") from e
    for expr in sets or []:
        section, key, value = parse_set(expr)
        cfg = merge(cfg, {section: {key: value}}, f"--set {expr}")
    return cfg


def config_hash(cfg: Config) -> str:
    """A stable hash of the resolved config (key order does not matter)."""
    blob = json.dumps(cfg, sort_keys=True, ensure_ascii=False, separators=(",", ":"))
    return hashlib.sha256(blob.encode("utf-8")).hexdigest()[:16]
