"""The optional judge, through the real LiteLLM client with ``mock_response`` (no network call can run here)."""

import pytest

from npeval import judge
from npeval.data import load_board

pytest.importorskip("litellm")


def test_the_judge_reads_each_wrong_answers_reply_text(store_path, tmp_path, monkeypatch):
    prompts = []

    class Offline:
        @staticmethod
        def completion(model, messages, **settings):
            prompts.append(messages[0]["content"])
            raise ConnectionError("offline")

    monkeypatch.setattr(judge, "_litellm", lambda: Offline)
    judged = judge.judge_wrong_answers(load_board([store_path]), "x/judge", tmp_path / "j.sqlite", limit=2)
    assert set(judged["category"]) == {judge.JUDGE_ERROR} and len(prompts) == 2
    assert all("### Model reasoning\n(none)" not in prompt and "### Model answer\n(none)" not in prompt
               for prompt in prompts)


def test_judge_stores_one_category_per_wrong_answer_and_resumes(store_path, tmp_path):
    board = load_board([store_path])
    side = tmp_path / "judgements.sqlite"
    reply = '{"category": "arithmetic_slip", "rationale": "claims 4 + 4 = 9"}'
    first = judge.judge_wrong_answers(board, "openai/judge-test", side, limit=3, mock_response=reply)
    assert len(first) == 3 and set(first["category"]) == {"arithmetic_slip"}
    second = judge.judge_wrong_answers(board, "openai/judge-test", side, limit=2, mock_response="no json here")
    assert len(second) == 5 and sorted(second["category"]) == ["arithmetic_slip"] * 3 + ["unparsed"] * 2
    shares = judge.judgement_shares(board, second)
    assert shares.groupby(["model", "level"])["share"].sum().round(6).eq(1).all()


def test_parse_judgement_rejects_unknown_categories():
    assert judge.parse_judgement('x {"category": "gave_up", "rationale": "stops"}') == ("gave_up", "stops")
    assert judge.parse_judgement('{"category": "laziness"}') == (judge.UNPARSED, "")
    assert "premature_commitment" in judge.judge_prompt("PROBLEM", {"code": "bound"})
