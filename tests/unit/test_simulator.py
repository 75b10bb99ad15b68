"""The simulator: same seed, same bytes; the mix and the bad-input rate it promises; the CLI's options."""

from __future__ import annotations

import json
import time
from collections import Counter
from collections.abc import Iterator
from datetime import datetime, timedelta
from pathlib import Path

import pytest
from PIL import Image
from typer.testing import CliRunner

from custodes.cli.app import app
from custodes.events import CAMERA_FACE, SIM_REGISTRATION, Rejection
from custodes.events.ingest import read
from custodes.settings import Settings, get_settings
from custodes.simulator import (
    AUTHORISATION_STATES,
    BAD_INPUTS,
    DEFAULT_EPOCH,
    Delivery,
    FaceSet,
    FileSink,
    Message,
    Options,
    Simulation,
    Summary,
    authorisation_pool,
    send_stream,
    simulate,
)
from custodes.simulator.badinput import EXPECTED_REJECTION
from custodes.simulator.faces import PEOPLE

MIX_EVENTS = 1500


@pytest.fixture(scope="module")
def sim_settings(tmp_path_factory: pytest.TempPathFactory, settings: Settings) -> Settings:
    return settings.model_copy(update={"state_dir": tmp_path_factory.mktemp("sim-state")})


@pytest.fixture(scope="module")
def mix(sim_settings: Settings, images: Path) -> list[Message]:
    return list(Simulation(sim_settings, Options(seed=2026, bad_rate=0.1)).events(MIX_EVENTS))


def _wire(messages: list[Message]) -> list[tuple]:
    return [(m.topic, m.key, m.headers, m.value) for m in messages]


def test_the_same_seed_gives_the_same_bytes(sim_settings: Settings, images: Path) -> None:
    options = Options(seed=42, bad_rate=0.3)
    first = list(Simulation(sim_settings, options).events(40))
    again = Simulation(sim_settings, options)
    assert _wire(first) == _wire(list(again.events(40)))
    assert _wire(again.registry_messages()) == _wire(Simulation(sim_settings, options).registry_messages())
    assert _wire([again.event(17)]) == _wire([first[17]])


def test_another_seed_gives_another_stream(sim_settings: Settings, images: Path) -> None:
    a = list(Simulation(sim_settings, Options(seed=1)).events(20))
    b = list(Simulation(sim_settings, Options(seed=2)).events(20))
    assert not set(m.value for m in a) & set(m.value for m in b)
    assert len({m.event_id for m in a + b}) == 40


def test_the_rate_sets_event_times_but_not_the_events(sim_settings: Settings, images: Path) -> None:
    slow = list(Simulation(sim_settings, Options(seed=5, rate=2)).events(10))
    fast = list(Simulation(sim_settings, Options(seed=5, rate=50)).events(10))
    assert [(m.event_id, m.scenario, m.bad_input) for m in slow] == [(m.event_id, m.scenario, m.bad_input)
                                                                     for m in fast]
    for m in fast:
        if m.bad_input is None and m.scenario != "sim_before_mandate":
            occurred = datetime.fromisoformat(json.loads(m.value)["occurred_at"])
            assert occurred == DEFAULT_EPOCH + timedelta(seconds=m.index / 50)


def test_the_scenario_mix_follows_the_weights(mix: list[Message]) -> None:
    counts = Counter(m.scenario for m in mix)
    scenarios = Options().mix()
    assert {s.kind for s in scenarios} == {"sim_registration", "camera_face"}
    total = sum(s.weight for s in scenarios)
    for scenario in scenarios:
        share = scenario.weight / total
        tolerance = 4 * (share * (1 - share) / MIX_EVENTS) ** 0.5
        assert abs(counts[scenario.name] / MIX_EVENTS - share) <= tolerance, scenario.name


def test_the_mix_covers_jurisdictions_requesters_and_consent(mix: list[Message]) -> None:
    assert {"KE", "NG", "CN", "DE", "FR", "BR", "ZA"} <= {m.jurisdiction for m in mix}
    assert {"telecom_operator", "private", "employer"} <= {m.requester_type for m in mix}
    assert {True, False} == {m.consent for m in mix}
    assert {"telecom_outlet", "hotel_room"} <= {m.site_type for m in mix}
    assert {"allow:match", "allow:no_match", "allow"} <= {m.expected for m in mix}
    assert {"GB", "US-WA", "US-OR-portland", "US-CA-san_francisco"} <= {m.jurisdiction for m in mix}


def test_bad_input_comes_at_the_chosen_rate_in_every_kind(mix: list[Message]) -> None:
    bad = [m for m in mix if m.bad_input]
    assert abs(len(bad) / MIX_EVENTS - 0.1) <= 4 * (0.1 * 0.9 / MIX_EVENTS) ** 0.5
    assert set(Counter(m.bad_input for m in bad)) == set(BAD_INPUTS)


def test_no_bad_input_at_rate_zero(sim_settings: Settings, images: Path) -> None:
    assert not [m for m in Simulation(sim_settings, Options(seed=3, bad_rate=0.0)).events(200) if m.bad_input]


def test_good_events_satisfy_the_contract_and_bad_ones_get_the_expected_rejection(mix: list[Message]) -> None:
    assert {m.kind for m in mix[:400] if m.bad_input} == {"sim_registration", "camera_face"}
    for m in mix[:400]:
        result = read(CAMERA_FACE if m.kind == "camera_face" else SIM_REGISTRATION, m.value)
        if m.bad_input is None:
            assert not isinstance(result, Rejection), (m.scenario, result)
            assert result.event_id == m.event_id
        else:
            assert isinstance(result, Rejection), m.bad_input
            assert result.code == EXPECTED_REJECTION[m.bad_input], (m.bad_input, result.detail)
            assert m.expected == f"reject:{result.code}"


_STATE_OF = {"granted": "granted", "expired": "granted", "pending_urgent": "pending", "refused": "refused"}


def test_camera_events_join_the_mix_unless_turned_off(sim_settings: Settings, images: Path) -> None:
    assert {m.kind for m in Simulation(sim_settings, Options(seed=8, cameras=False)).events(150)} == {
        "sim_registration"}
    camera = [m for m in Simulation(sim_settings, Options(seed=8, bad_rate=0.0)).events(300)
              if m.kind == "camera_face"]
    assert camera and all(m.topic == sim_settings.kafka.topics.camera_faces for m in camera)
    assert {m.authorisation for m in camera} == {*AUTHORISATION_STATES, None}
    elsewhere = Simulation(sim_settings, Options(seed=8, camera_topic="it.cameras")).events(300)
    assert {m.topic for m in elsewhere if m.kind == "camera_face"} == {"it.cameras"}


def test_camera_events_refer_to_authorisations_in_the_state_they_claim(sim_settings: Settings, images: Path) -> None:
    simulation = Simulation(sim_settings, Options(seed=8, bad_rate=0.0))
    registry = {a.id: a for a in simulation.authorisations()}
    watchlists = {w.id: w for w in simulation.watchlists()}
    for m in (m for m in simulation.events(300) if m.kind == "camera_face"):
        event = read(CAMERA_FACE, m.value)
        assert not isinstance(event, Rejection), event
        if m.authorisation is None:
            assert event.authorisation_ref is None
            continue
        authorisation = registry[event.authorisation_ref]
        assert authorisation.state == _STATE_OF[m.authorisation]
        assert event.camera.id in authorisation.camera_ids
        assert [e.subject_ref for e in watchlists[event.watchlist_id].entries] == authorisation.targets
        if m.expected == "allow" and event.case is not None:
            assert event.case.offence.category == authorisation.offence.category
        if m.authorisation == "granted":
            assert authorisation.valid_from <= event.occurred_at < authorisation.valid_until
        elif m.authorisation == "expired":
            assert authorisation.valid_until < event.occurred_at


def test_camera_events_name_a_complete_deployment_unless_it_is_missing_on_purpose(sim_settings: Settings,
                                                                                   images: Path) -> None:
    simulation = Simulation(sim_settings, Options(seed=8, bad_rate=0.0))
    deployments = {d.id: d for d in simulation.deployments()}
    assert all(None not in d.model_dump().values() for d in deployments.values())
    camera = [read(CAMERA_FACE, m.value) for m in simulation.events(300) if m.kind == "camera_face"]
    named = {e.deployment_id for e in camera}
    assert None in named and named - {None} <= set(deployments)


def test_registry_records_go_first_to_their_topics(sim_settings: Settings, images: Path) -> None:
    topics = sim_settings.kafka.topics
    simulation = Simulation(sim_settings, Options(seed=8))
    messages = simulation.registry_messages()
    assert [m.kind for m in messages] == sorted((m.kind for m in messages), key=["deployment", "watchlist",
                                                                                "authorisation"].index)
    assert {m.kind: m.topic for m in messages} == {"deployment": topics.registry_deployments,
                                                   "watchlist": topics.registry_watchlists,
                                                   "authorisation": topics.registry_authorisations}
    assert len(messages) == len(simulation.deployments()) + 2 * len(simulation.authorisations())
    assert all(m.is_registry and m.key.decode() == json.loads(m.value)["id"] for m in messages)


def test_pairs_are_genuine_or_impostor_from_the_real_photos(sim_settings: Settings, images: Path) -> None:
    faces = FaceSet(images, 320, sim_settings.state_dir / "faces")
    person = {name: who for who, names in PEOPLE.items() for name in names}
    assert faces.genuine_pairs and all(person[a.name] == person[b.name] and a != b for a, b in faces.genuine_pairs)
    assert faces.impostor_pairs and all(person[a.name] != person[b.name] for a, b in faces.impostor_pairs)
    for path in {p for pair in faces.genuine_pairs for p in pair}:
        with Image.open(path) as image:
            assert max(image.size) <= 320


def test_authorisations_mean_what_their_state_says_at_the_epoch() -> None:
    pool = authorisation_pool(9, DEFAULT_EPOCH)
    assert list(pool) == list(AUTHORISATION_STATES)
    assert pool == authorisation_pool(9, DEFAULT_EPOCH)
    day_before = DEFAULT_EPOCH - timedelta(hours=24)
    assert all(a.state == "granted" and a.valid_from <= DEFAULT_EPOCH < a.valid_until for a in pool["granted"])
    assert all(a.state == "granted" and a.valid_until < DEFAULT_EPOCH for a in pool["expired"])
    assert all(a.state == "pending" and day_before < a.urgent_start_at <= DEFAULT_EPOCH for a in pool["pending_urgent"])
    assert all(a.state == "refused" for a in pool["refused"])
    assert all(pool.values())


def test_the_summary_counts_what_was_sent(sim_settings: Settings, tmp_path: Path, images: Path) -> None:
    options = Options(seed=12, bad_rate=0.2)
    report = simulate(sim_settings, options, FileSink(tmp_path / "s.jsonl"), count=60)
    summary = Summary.of(report.deliveries)
    messages = [*Simulation(sim_settings, options).registry_messages(), *Simulation(sim_settings, options).events(60)]
    assert (summary.events, summary.registry) == (60, len(messages) - 60)
    assert summary.bytes == sum(len(m.value) for m in messages)
    assert summary.by_expected == Counter(m.expected for m in messages[-60:])
    assert sum(summary.by_bad_input.values()) == sum(1 for m in messages if m.bad_input)
    assert sum(summary.by_authorisation.values()) == summary.by_kind["camera_face"]
    assert all(d.message.value == b"" and d.size for d in report.deliveries)


class _ListSink:
    def __init__(self) -> None:
        self.sent: list[tuple[float, Message]] = []

    def send(self, message: Message) -> None:
        self.sent.append((time.monotonic(), message))

    def close(self) -> list[Delivery]:
        return [Delivery.of(m) for _, m in self.sent]


def _messages(n: int) -> list[Message]:
    return [Message(index=i, topic="t", key=f"k{i}".encode(), value=b"{}", headers=(), kind="sim_registration",
                    scenario="s", jurisdiction="KE", requester_type="telecom_operator", site_type="telecom_outlet",
                    consent=False, expected="allow:match") for i in range(n)]


def test_send_stream_paces_sends_and_stops_at_count() -> None:
    sink = _ListSink()
    report = send_stream(sink, iter(_messages(100)), rate=50, count=20, preamble=_messages(2))
    assert len(report.deliveries) == 22
    start = sink.sent[2][0]
    assert sink.sent[-1][0] - start >= 19 / 50 - 0.01
    assert report.digest == send_stream(_ListSink(), iter(_messages(100)), rate=1000, count=20,
                                        preamble=_messages(2)).digest


def test_send_stream_stops_at_the_duration() -> None:
    report = send_stream(_ListSink(), iter(_messages(1000)), rate=40, duration_s=0.5)
    assert len(report.deliveries) == 20
    assert 0.45 <= report.elapsed_s < 1.5


@pytest.fixture()
def cli(sim_settings: Settings, monkeypatch: pytest.MonkeyPatch) -> Iterator[CliRunner]:
    monkeypatch.setenv("CUSTODES_STATE_DIR", str(sim_settings.state_dir))
    get_settings.cache_clear()
    yield CliRunner()
    get_settings.cache_clear()


def _lines(path: Path) -> list[dict]:
    return [json.loads(line) for line in path.read_text().splitlines()]


def test_cli_count_seed_and_registry(cli: CliRunner, tmp_path: Path, images: Path) -> None:
    runs = []
    for name in ("a", "b"):
        out = tmp_path / f"{name}.jsonl"
        result = cli.invoke(app, ["simulate", "--count", "12", "--rate", "500", "--seed", "77", "--out", str(out)])
        assert result.exit_code == 0, result.output
        runs.append(out.read_bytes())
    assert runs[0] == runs[1]
    lines = _lines(tmp_path / "a.jsonl")
    assert len([line for line in lines if line["topic"].startswith("custodes.events.")]) == 12
    registry = [line for line in lines if line["topic"].startswith("custodes.registry.")]
    simulation = Simulation(get_settings(), Options(seed=77))
    assert len(registry) == len(simulation.registry_messages())
    assert len([line for line in registry if "authorisations" in line["topic"]]) == sum(
        len(p) for p in authorisation_pool(77, DEFAULT_EPOCH).values())
    assert "stream sha256" in result.output and "--seed 77 --count 12" in result.output
    other = tmp_path / "c.jsonl"
    cli.invoke(app, ["simulate", "-n", "12", "-r", "500", "-s", "78", "--no-registry", "-o", str(other)])
    assert len(_lines(other)) == 12
    assert not {line["value"] for line in _lines(other)} & {line["value"] for line in lines}


def test_cli_duration_and_rate(cli: CliRunner, tmp_path: Path, images: Path) -> None:
    out = tmp_path / "d.jsonl"
    started = time.monotonic()
    result = cli.invoke(app, ["simulate", "--duration", "1", "--rate", "15", "--no-registry", "-o", str(out)])
    assert result.exit_code == 0, result.output
    assert len(_lines(out)) == 15
    assert 0.9 <= time.monotonic() - started < 5


def test_cli_bad_rate_and_kinds(cli: CliRunner, tmp_path: Path, images: Path) -> None:
    out = tmp_path / "bad.jsonl"
    result = cli.invoke(app, ["simulate", "-n", "30", "-r", "500", "--bad-rate", "1", "--bad-kinds",
                              "invalid_json,prohibited_field", "--no-registry", "-o", str(out)])
    assert result.exit_code == 0, result.output
    labels = Counter(line["headers"]["x-custodes-simulated"].split("+")[1] for line in _lines(out))
    assert set(labels) == {"invalid_json", "prohibited_field"} and sum(labels.values()) == 30
    refused = cli.invoke(app, ["simulate", "-n", "1", "--bad-kinds", "sneaky", "-o", str(out)])
    assert refused.exit_code == 2 and "bad_kinds" in refused.output


def test_cli_writes_the_registry_document(cli: CliRunner, tmp_path: Path, images: Path) -> None:
    doc = tmp_path / "registry.json"
    result = cli.invoke(app, ["simulate", "-n", "1", "-r", "100", "-s", "4", "--no-registry",
                              "-o", str(tmp_path / "x.jsonl"), "--registry-out", str(doc)])
    assert result.exit_code == 0, result.output
    document = json.loads(doc.read_text())
    authorisations = document["authorisations"]
    assert len(authorisations) == sum(len(p) for p in authorisation_pool(4, DEFAULT_EPOCH).values())
    assert {a["state"] for a in authorisations.values()} == {"granted", "pending", "refused"}
    assert set(document["watchlists"]) == {f"wl-{a}" for a in authorisations}
    assert {d["dpia_id"] is not None for d in document["deployments"].values()} == {True}
