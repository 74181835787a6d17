import pytest

from mdfs.config import ConfigError, config_hash, load_config, parse_set


def test_defaults_load_and_hash_is_stable():
    a, b = load_config(), load_config()
    assert a == b and config_hash(a) == config_hash(b)
    assert a["collect"]["keep_langs"] == ["zh"]


def test_set_overrides_and_changes_hash():
    base = load_config()
    c = load_config(sets=["collect.min_lang_score=0.7", "collect.keep_langs=['zh', 'en']", "spark.master=local[1]"])
    assert c["collect"]["min_lang_score"] == 0.7
    assert c["collect"]["keep_langs"] == ["zh", "en"]
    assert c["spark"]["master"] == "local[1]"  # bare string accepted
    assert config_hash(c) != config_hash(base)


def test_int_accepted_for_float():
    assert load_config(sets=["collect.min_lang_score=1"])["collect"]["min_lang_score"] == 1.0


@pytest.mark.parametrize(
    "expr, msg",
    [
        ("collect.nope=1", "unknown key collect.nope"),
        ("nosuch.key=1", "unknown section"),
        ("collect.max_record_bytes='big'", "expected int"),
        ("collect.max_record_bytes=1.5", "expected int"),
        ("collect.keep_langs=[1]", "expected str"),
        ("collect.min_lang_score=true", "expected float"),
        ("novalue", "section.key=value"),
    ],
)
def test_bad_overrides_are_clear_errors(expr, msg):
    with pytest.raises(ConfigError, match=msg):
        load_config(sets=[expr])


def test_user_file_merged_and_validated(tmp_path):
    good = tmp_path / "good.toml"
    good.write_text("[collect]\nmin_chars = 50\n")
    assert load_config(good)["collect"]["min_chars"] == 50
    bad = tmp_path / "bad.toml"
    bad.write_text("[collect]\nmin_charz = 50\n")
    with pytest.raises(ConfigError, match="min_charz"):
        load_config(bad)
    with pytest.raises(ConfigError, match="not found"):
        load_config(tmp_path / "missing.toml")


def test_parse_set_reads_toml_values():
    assert parse_set("a.b=3") == ("a", "b", 3)
    assert parse_set("a.b=\"x=y\"") == ("a", "b", "x=y")
