"""Scaffolding a jurisdiction pack: ``custodes policy new-jurisdiction CODE``.

Contract of :func:`new_jurisdiction` (``policies/README.md`` walks an author through
what to do with the result):

- It creates, and never overwrites:
  ``custodes/packs/jurisdictions/<CODE>/data.json`` (a starter pack: identity
  verification by private parties with explicit consent, citing ``<CODE>-01``; a member
  of the EU also gets the safe default that no national law enables real-time remote
  identification, EU-08), ``custodes/jurisdictions/<slug>/<slug>_test.rego`` (Rego tests
  of the pack) and three scenario files under ``scenarios/<CODE>/``. With
  ``logic=True`` it also creates ``custodes/rules/local/<slug>/<slug>.rego`` and its test:
  a package for rules whose logic the templates cannot express (its ``permit`` and
  ``deny`` join ``custodes.rules`` without further edits).
- It declares the pack's citation (``<CODE>-01: TODO ...``) in the METADATA of the rule
  templates the starter pack uses, so reasons carry it (those files are returned too).
- It returns every path it created or changed; the result passes ``opa fmt``,
  ``opa check --strict`` and ``opa test`` as it stands.
- It raises :class:`ScaffoldError` (a ``ValueError``) for a malformed code, an unknown
  bloc, a pack that already exists or a policy directory without ``.manifest``; nothing
  is written then.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from pathlib import Path

__all__ = ["JURISDICTION_CODE", "TEMPLATE_RULES", "ScaffoldError", "TemplateRule", "new_jurisdiction", "slug_of"]

JURISDICTION_CODE = re.compile(r"^[A-Z]{2}(-[A-Z0-9]{1,3}(-[a-z][a-z0-9_]*)?)?$")
"""ISO 3166-1 alpha-2, then an ISO 3166-2 subdivision, then a lower-case locality slug."""

_LEVELS = {1: "country", 2: "state", 3: "locality"}
_PACKS = Path("custodes/packs/jurisdictions")


class ScaffoldError(ValueError):
    """The scaffold cannot create the pack; the message says why."""


@dataclass(frozen=True)
class TemplateRule:
    """A rule of a template: the pack key whose entries it cites, and where its METADATA is.

    ``when_key``: the rule cites an entry only when the entry has this key (e.g. a
    guardian age); ``cites``: the entry field holding the requirement it cites.
    """

    key: str
    file: str
    code: str
    when_key: str | None = None
    cites: str = "requirement"


TEMPLATE_RULES: tuple[TemplateRule, ...] = (
    TemplateRule("enabled", "custodes/rules/enabled/enabled.rego", "use_enabled"),
    TemplateRule("bans", "custodes/rules/prohibitions/prohibitions.rego", "prohibited_use"),
    TemplateRule("purposes", "custodes/rules/purposes/purposes.rego", "purpose_not_permitted", "purposes"),
    TemplateRule("purposes", "custodes/rules/purposes/purposes.rego", "offence_not_permitted", "offences"),
    TemplateRule("consent", "custodes/rules/consent/consent.rego", "missing_consent"),
    TemplateRule("consent", "custodes/rules/consent/consent.rego", "guardian_consent_missing", "guardian_below_age"),
    TemplateRule("sim_mandate", "custodes/rules/sim/sim.rego", "requester_not_telecom_operator"),
    TemplateRule("sim_mandate", "custodes/rules/sim/sim.rego", "missing_legal_mandate"),
    TemplateRule("sim_mandate", "custodes/rules/sim/sim.rego", "purpose_not_permitted"),
    TemplateRule("sim_mandate", "custodes/rules/sim/sim.rego", "site_not_permitted", "site_types"),
    TemplateRule("sim_mandate", "custodes/rules/sim/sim.rego", "mandate_not_in_force"),
    TemplateRule("records", "custodes/rules/records/records.rego", "missing_deployment_record"),
    TemplateRule("records", "custodes/rules/records/records.rego", "stale_deployment_record", "max_age"),
    TemplateRule("cases", "custodes/rules/cases/cases.rego", "missing_case"),
    TemplateRule("alternatives", "custodes/rules/safeguards/safeguards.rego", "no_alternative_offered"),
    TemplateRule("liveness", "custodes/rules/presentation_attack/presentation_attack.rego", "liveness_required"),
    TemplateRule("signage", "custodes/rules/safeguards/safeguards.rego", "signage_missing"),
    TemplateRule("watchlists", "custodes/rules/watchlists/watchlists.rego", "watchlist_not_approved"),
    TemplateRule("authorisations", "custodes/rules/authorisations/authorisations.rego", "authorisation_missing"),
    TemplateRule("authorisations", "custodes/rules/authorisations/authorisations.rego",
                 "authorisation_kind_not_accepted"),
    TemplateRule("authorisations", "custodes/rules/authorisations/authorisations.rego", "authorisation_refused"),
    TemplateRule("authorisations", "custodes/rules/authorisations/authorisations.rego", "authorisation_not_granted"),
    TemplateRule("authorisations", "custodes/rules/authorisations/authorisations.rego", "outside_authorised_scope",
                 cites="scope.requirement"),
)
"""Which rule METADATA must declare the requirement a pack entry cites (tests check every pack)."""

# A member of a bloc inherits the bloc's rules; these are the safe defaults its own layer
# starts with. EU: no national law enables real-time remote identification (Art 5(5)).
_BLOC_DEFAULTS: dict[str, dict[str, list[dict]]] = {
    "EU": {
        "bans": [{
            "requirement": "EU-08",
            "effective_from": "2025-02-02T00:00:00Z",
            "when": {
                "use_cases": ["live_identification"],
                "site_types": ["public_space", "transport", "retail", "education"],
                "requester_types": ["law_enforcement"],
            },
            "why": "no national law enables real-time remote biometric identification under AI Act Art 5(5) (check)",
        }],
    },
}

_ONE_TO_ONE_DEFAULTS_KEY = "1:1"


def slug_of(code: str) -> str:
    """``US-OR-portland`` → ``us_or_portland``: the Rego package segment of a jurisdiction."""
    return code.lower().replace("-", "_")


def new_jurisdiction(code: str, policies_dir: Path, *, name: str | None = None, bloc: str | None = None,
                     logic: bool = False, effective_from: date | None = None) -> list[Path]:
    """Create a starter pack for ``code`` under ``policies_dir``; see the module contract."""
    policies_dir = Path(policies_dir)
    plan = _Plan.make(code, policies_dir, name=name, bloc=bloc, logic=logic,
                      effective_from=effective_from or datetime.now(UTC).date())
    return plan.write()


@dataclass(frozen=True)
class _Plan:
    code: str
    slug: str
    name: str
    level: str
    bloc: str | None
    platform_defaults: dict
    logic: bool
    since: date
    root: Path

    @classmethod
    def make(cls, code: str, root: Path, *, name: str | None, bloc: str | None, logic: bool,
             effective_from: date) -> _Plan:
        if not JURISDICTION_CODE.fullmatch(code):
            raise ScaffoldError(
                f"{code!r} is not a jurisdiction code: ISO 3166-1 alpha-2 (BR), then an ISO 3166-2 subdivision "
                "(BR-SP), then a lower-case locality slug (BR-SP-sao_paulo)")
        if not (root / ".manifest").is_file():
            raise ScaffoldError(f"{root} is not a policy bundle directory (no .manifest)")
        if (root / _PACKS / code).exists():
            raise ScaffoldError(f"a pack for {code} already exists at {root / _PACKS / code}")
        if bloc is not None:
            bloc_file = root / _PACKS / bloc / "data.json"
            if not bloc_file.is_file():
                raise ScaffoldError(f"bloc {bloc!r} has no pack at {bloc_file}")
            bloc_pack = json.loads(bloc_file.read_text())
            if bloc_pack.get("level") != "bloc":
                raise ScaffoldError(f"{bloc!r} is a {bloc_pack.get('level')}, not a bloc")
            if code.count("-"):
                raise ScaffoldError("only a country (a two-letter code) is a member of a bloc")
        platform = json.loads((root / "custodes/packs/data.json").read_text())["platform"]["defaults"]
        slug = slug_of(code)
        targets = [root / _PACKS / code, root / "custodes/jurisdictions" / slug, root / "scenarios" / code]
        if logic:
            targets.append(root / "custodes/rules/local" / slug)

        for target in targets:
            if target.exists():
                raise ScaffoldError(f"{target} already exists; remove it or pick another code")
        return cls(code=code, slug=slug, name=name or code, level=_LEVELS[code.count("-") + 1], bloc=bloc,
                   platform_defaults=platform[_ONE_TO_ONE_DEFAULTS_KEY], logic=logic,
                   since=effective_from, root=root)

    @property
    def requirement(self) -> str:
        return f"{self.code}-01"

    @property
    def effective_from(self) -> str:
        return f"{self.since.isoformat()}T00:00:00Z"

    @property
    def event_time(self) -> str:
        return f"{(self.since + timedelta(days=1)).isoformat()}T10:00:00Z"

    def write(self) -> list[Path]:
        written: list[Path] = []
        written.append(self._write(self.root / _PACKS / self.code / "data.json", _json(self.pack())))
        for rule in ("use_enabled", "missing_consent"):
            changed = self._declare_citation(rule)
            if changed is not None and changed not in written:
                written.append(changed)
        # The local rules' test sits with the jurisdiction's tests: a test package under
        # custodes.rules.local would be gathered by custodes.rules like a rules package.
        tests = self.rego_test() + (self.local_test() if self.logic else "")
        written.append(self._write(self.root / "custodes/jurisdictions" / self.slug / f"{self.slug}_test.rego", tests))
        for name, scenario in self.scenarios().items():
            written.append(self._write(self.root / "scenarios" / self.code / f"{name}.json", _json(scenario)))
        if self.logic:
            local = self.root / "custodes/rules/local" / self.slug
            written.append(self._write(local / f"{self.slug}.rego", self.local_rules()))
        return written

    @staticmethod
    def _write(path: Path, text: str) -> Path:
        path.parent.mkdir(parents=True, exist_ok=True)
        with path.open("x") as handle:
            handle.write(text)
        return path

    # ------------------------------------------------------------------ the pack
    def pack(self) -> dict:
        pack: dict = {
            "name": self.name,
            "level": self.level,
            "note": ("Scaffolded by `custodes policy new-jurisdiction`: replace the starter entries with the "
                     f"jurisdiction's law, add its rows to REQUIREMENTS.md ({self.requirement}, ...) and cite them "
                     "(policies/README.md)."),
        }
        if self.bloc:
            pack["blocs"] = [self.bloc]
        pack["enabled"] = [{
            "requirement": self.requirement,
            "effective_from": self.effective_from,
            "when": {"use_cases": ["identity_verification"], "requester_types": ["private"],
                     "purposes": ["identity_verification"]},
        }]
        pack["consent"] = [{
            "requirement": self.requirement,
            "effective_from": self.effective_from,
            "when": {"use_cases": ["identity_verification"]},
            "consent_kinds": ["explicit"],
            "mandate_replaces_consent": True,
        }]
        for key, entries in _BLOC_DEFAULTS.get(self.bloc or "", {}).items():
            pack.setdefault(key, []).extend(entries)
        pack["obligations"] = []
        return pack

    def _declare_citation(self, code: str) -> Path | None:
        rule = next(r for r in TEMPLATE_RULES if r.code == code)
        path = self.root / rule.file
        text = path.read_text()
        line = f"#     {self.requirement}: TODO cite the law of {self.name} (check)\n"
        if line.split(":")[0] + ":" in text:
            return None
        anchor = f"#   code: {code}\n#   citations:\n"
        start = text.find(anchor)
        if start < 0:
            raise ScaffoldError(f"{path} has no METADATA citations for rule {code}")
        end = start + len(anchor)
        while text.startswith("#     ", end):
            end = text.index("\n", end) + 1
        path.write_text(text[:end] + line + text[end:])
        return path

    # ------------------------------------------------------------------ scenarios
    def request(self, **overrides: object) -> dict:
        request = {
            "id": f"scn-{self.code}-identity-verification",
            "time": self.event_time,
            "jurisdiction": self.code,
            "use_case": "identity_verification",
            "purpose": "identity_verification",
            "requester": {"org": "example-bank", "type": "private"},
            "site": {"type": "private_premises", "camera_id": None, "signage": None},
            "subject": {"age": None, "consent": {"kind": "explicit", "id": "consent-1"}},
            "authorisation_id": None,
            "case": None,
            "source": None,
            "legal_mandate": None,
            "alternative_offered": False,
            "exigent": False,
            "deployment": None,
        }
        request.update(overrides)
        return request

    def layers(self) -> list[str]:
        """The layers a request in this jurisdiction gets, outermost first (as custodes.rules.context)."""
        parts = self.code.split("-")
        prefixes = ["-".join(parts[:n]) for n in range(1, len(parts))]
        existing = [p for p in prefixes if (self.root / _PACKS / p / "data.json").is_file()]
        blocs = [self.bloc] if self.bloc else []
        if existing and existing[0] == parts[0]:
            blocs = json.loads((self.root / _PACKS / parts[0] / "data.json").read_text()).get("blocs", [])
        return [*blocs, *existing, self.code]

    def scenarios(self) -> dict[str, dict]:
        layers = self.layers()
        one_to_one = {**self.platform_defaults, "purpose_lock": "identity_verification"}
        allowed = self.request()
        no_consent = self.request(id=f"scn-{self.code}-no-consent",
                                  subject={"age": None, "consent": {"kind": None, "id": None}})
        emotion = self.request(id=f"scn-{self.code}-emotion", use_case="emotion_recognition", purpose="marketing",
                               site={"type": "retail", "camera_id": "cam-1", "signage": True})
        return {
            "identity_verification_with_explicit_consent_allowed": _scenario(
                f"{self.name}: identity verification with the subject's explicit consent ({self.requirement}).",
                allowed, True, {self.requirement, *self._outer_citations("enabled", allowed)}, {"use_enabled"},
                one_to_one, layers),
            "identity_verification_without_consent_denied": _scenario(
                f"{self.name}: no consent and no legal mandate.",
                no_consent, False, {self.requirement, *self._outer_citations("consent", no_consent)},
                {"missing_consent"}, {}, layers),
            "emotion_recognition_for_marketing_denied": _scenario(
                f"{self.name}: nothing enables emotion recognition for marketing (fail closed).",
                emotion, False, {"CUSTODES-01", *self._outer_citations("bans", emotion)},
                {"no_permitting_rule", *(["prohibited_use"] if self._outer_citations("bans", emotion) else [])},
                {}, layers),
        }

    def _outer_citations(self, key: str, request: dict) -> set[str]:
        """Requirements the outer layers' entries under ``key`` cite for ``request`` (list conditions only)."""
        outer = [json.loads((self.root / _PACKS / layer / "data.json").read_text()) for layer in self.layers()[:-1]]
        return {
            entry["requirement"] for pack in outer for entry in pack.get(key, [])
            if entry["effective_from"] <= request["time"] and _meets(entry.get("when", {}), request)
            and not any(_meets(exception, request) for exception in entry.get("except", []))
        }

    # ------------------------------------------------------------------ Rego
    def rego_test(self) -> str:
        return f'''package custodes.jurisdictions.{self.slug}_test

import data.custodes.decision

# Starter tests of the {self.code} pack; keep one test per rule of the jurisdiction's law.
_request := {{
	"time": "{self.event_time}",
	"jurisdiction": "{self.code}",
	"use_case": "identity_verification",
	"purpose": "identity_verification",
	"requester": {{"org": "example-bank", "type": "private"}},
	"subject": {{"consent": {{"kind": "explicit", "id": "consent-1"}}}},
}}

test_{self.slug}_identity_verification_with_explicit_consent_is_allowed if {{
	d := decision with input as {{"request": _request}}
	d.allow
	"{self.requirement}" in {{r.requirement | some r in d.reasons}}
	d.jurisdictions[count(d.jurisdictions) - 1] == "{self.code}"
}}

test_{self.slug}_identity_verification_without_consent_is_denied if {{
	d := decision with input as {{"request": object.remove(_request, {{"subject"}})}}
	not d.allow
	"{self.requirement}" in {{r.requirement | some r in d.reasons}}
}}

test_{self.slug}_applies_from_its_effective_date if {{
	d := decision with input as {{"request": object.union(_request, {{"time": "{self.effective_from[:10]}T00:00:00Z"}})}}
	d.allow
	before := decision with input as {{"request": object.union(_request, {{"time": "{(self.since - timedelta(days=1)).isoformat()}T23:59:59Z"}})}}
	not "{self.requirement}" in {{r.requirement | some r in before.reasons}}
}}
'''

    def local_rules(self) -> str:
        return f'''# METADATA
# title: {self.name} rules the templates cannot express
# description: |
#   Rules of {self.code} whose logic differs from every rule template. Their permit and
#   deny join custodes.rules; each rule's annotations carry its requirement ID and legal
#   reference. Replace the example with the jurisdiction's rule(s).
package custodes.rules.local.{self.slug}

import data.custodes.lib.result
import data.custodes.rules.context

# METADATA
# title: Example - biometric categorisation is not permitted
# description: Replace with the rule of the row this package implements.
# custom:
#   code: {self.slug}_example_prohibition
#   requirement: {self.requirement}
#   legal_ref: TODO cite the law of {self.name} (check)
deny contains hit if {{
	context.request.use_case == "biometric_categorisation"
	some layer in context.layers
	layer.code == "{self.code}"
	hit := result.hit(layer.rank, result.reason(rego.metadata.chain(), sprintf(
		"%s: biometric categorisation is not permitted",
		[layer.code],
	)))
}}
'''

    def local_test(self) -> str:
        return f'''
test_{self.slug}_local_rule_denies_with_its_citation if {{
	request := {{
		"time": "{self.event_time}", "jurisdiction": "{self.code}", "use_case": "biometric_categorisation",
		"purpose": "marketing", "requester": {{"org": "shop", "type": "private"}},
	}}
	d := decision with input as {{"request": request}}
	not d.allow
	some r in d.reasons
	r.code == "{self.slug}_example_prohibition"
	r.requirement == "{self.requirement}"
}}
'''


_REQUEST_FIELDS = {
    "use_cases": ("use_case",), "requester_types": ("requester", "type"), "site_types": ("site", "type"),
    "purposes": ("purpose",), "sources": ("source",), "devices": ("site", "device"),
    "consent_kinds": ("subject", "consent", "kind"),
}


def _meets(when: dict, request: dict) -> bool:
    for condition, accepted in when.items():
        if condition not in _REQUEST_FIELDS:
            return False
        value: object = request
        for part in _REQUEST_FIELDS[condition]:
            value = value.get(part) if isinstance(value, dict) else None
        if value not in accepted:
            return False
    return True


def _scenario(description: str, request: dict, allow: bool, requirements: set[str], codes: set[str],
              obligations: dict, layers: list[str]) -> dict:
    return {
        "description": description,
        "input": {"request": request},
        "data": {"authorisations": {}, "watchlists": {}},
        "expect": {"allow": allow, "requirements": sorted(requirements), "codes": sorted(codes),
                   "obligations": obligations, "jurisdictions": layers},
    }


def _json(document: dict) -> str:
    return json.dumps(document, indent=2, ensure_ascii=False) + "\n"
