"""What the simulated customers write: deterministic per seed, in the demo's words."""

from __future__ import annotations

from collections import Counter

from agentdesk.demo import corpus
from agentdesk.demo.scenarios import SCENARIOS
from agentdesk.demo.traffic_text import Answer, CustomerVoice, Survey


def openings(seed: int, n: int) -> list[tuple[str, str, str, str, str | None]]:
    voice = CustomerVoice(seed)
    return [
        (o.channel, o.customer.email, o.subject, o.text, o.priority)
        for o in (voice.opening() for _ in range(n))
    ]


def test_the_same_seed_writes_the_same_stream_and_another_seed_another() -> None:
    assert openings(7, 30) == openings(7, 30)
    assert openings(7, 30) != openings(8, 30)


def test_openings_tell_a_scenario_story_dressed_for_their_channel() -> None:
    voice = CustomerVoice(7)
    found = [voice.opening() for _ in range(200)]
    channels = Counter(o.channel for o in found)
    assert set(channels) == {"email", "chat", "form"} and channels["email"] > channels["form"]
    keys = {s.key for s in SCENARIOS}
    for opening in found:
        assert opening.story.scenario in keys
        assert "{" not in opening.subject + opening.text  # every slot filled
        if opening.channel == "chat":  # a chat line, no letter around it
            assert not opening.text.startswith(tuple(g for g in corpus.CUSTOMER_GREETINGS if g))
        assert (opening.priority is not None) == (opening.channel == "form")


def test_a_reaction_depends_only_on_the_seed_and_the_message() -> None:
    story = CustomerVoice(7).opening().story
    ids = [f"MSG{n}" for n in range(300)]
    one, other = CustomerVoice(7), CustomerVoice(7)
    other.opening()  # another point in the stream of new conversations: no matter
    first = [one.react(m, False, story) for m in ids]
    assert first == [other.react(m, False, story) for m in reversed(ids)][::-1]
    answered = sum(1 for r in first if r)
    assert 0.3 * len(ids) < answered < 0.5 * len(ids)  # ANSWER_SHARE = 0.4
    assert all(isinstance(r, Answer) for reactions in first for r in reactions)


def test_solved_tickets_get_surveys_with_scores_in_range() -> None:
    voice = CustomerVoice(7)
    surveys = [
        r for m in range(400) for r in voice.react(f"S{m}", True, None) if isinstance(r, Survey)
    ]
    assert 0.35 * 400 < len(surveys) < 0.55 * 400  # SURVEY_SHARE = 0.45
    for survey in surveys:
        assert survey.score in (range(1, 6) if survey.kind == "csat" else range(11))
    assert {s.kind for s in surveys} == {"csat", "nps"}


def test_arrivals_average_the_asked_rate() -> None:
    voice = CustomerVoice(7)
    gaps = [voice.gap(6.0) for _ in range(2000)]
    assert 9.0 < sum(gaps) / len(gaps) < 11.0  # 6 a minute: one every 10 s on average
