"""Model-card files: what a submitter may say about a model, and one-line errors for what it may not."""

import json

import pytest

from leaderboard.modelcards import cards_for, parameters_text, read_cards


def write(tmp_path, text, name="models.toml"):
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    return path


def test_toml_and_json_cards_read_alike(tmp_path):
    toml = write(tmp_path, '[[model]]\nid = "a/b"\nweights = "open"\nparameters = 2.7e8\nrelease_date = 2025-08-14\n')
    same = write(tmp_path, json.dumps({"model": [{"id": "a/b", "weights": "open", "parameters": 270000000,
                                                  "release_date": "2025-08-14"}]}), "models.json")
    (one,), (two,) = read_cards(toml), read_cards(same)
    assert (one.weights, one.parameters, one.release_date) == (two.weights, two.parameters, two.release_date) \
        == ("open", "270M", "2025-08-14")


def test_baselines_get_a_built_in_card_a_file_overrides_and_others_get_none(tmp_path):
    path = write(tmp_path, '[[model]]\nid = "baseline/exact"\nprovider = "me"\n')
    cards = cards_for(["baseline/exact", "baseline/random", "x/y"], read_cards(path))
    assert cards["baseline/exact"].provider == "me" and cards["baseline/random"].source == "built-in"
    assert cards["x/y"] is None


@pytest.mark.parametrize("text, message", [
    ('[[model]]\nid = "a"\nsize = 3\n', "unknown field 'size'"),
    ('[[model]]\nid = "a"\nweights = "half"\n', "weights must be 'open' or 'closed'"),
    ('[[model]]\nid = "a"\nrelease_date = "last year"\n', "release_date must be YYYY-MM-DD"),
    ('[[model]]\nprovider = "p"\n', "has no id"),
    ('card_version = 9\n', "card_version 9 is not supported"),
    ('[models]\n', "unknown top-level field 'models'"),
    ('[[model]\n', "not valid TOML"),
])
def test_bad_cards_name_what_is_wrong(tmp_path, text, message):
    with pytest.raises(ValueError, match=message):
        read_cards(write(tmp_path, text))


def test_a_missing_card_file_says_so(tmp_path):
    with pytest.raises(FileNotFoundError, match="no model card file"):
        read_cards(tmp_path / "nope.toml")


@pytest.mark.parametrize("value, text", [(8e9, "8B"), (1.5e12, "1.5T"), (270e6, "270M"), (950, "950"),
                                         ("unknown", "unknown")])
def test_parameters_read_as_people_write_them(value, text):
    assert parameters_text(value) == text


def test_the_build_command_rejects_a_bad_card_before_analysing(tmp_path, capsys):
    from nppc.cli import main

    bad = write(tmp_path, '[[model]]\nid = "a"\nweights = "half"\n')
    assert main(["leaderboard", "build", "--store", str(tmp_path / "none.sqlite"), "--model-cards", str(bad),
                 "--out", str(tmp_path / "site")]) == 2
    error = capsys.readouterr().err
    assert "weights must be 'open' or 'closed'" in error and error.count("\n") == 1
