package custodes.rules.consent_test

import data.custodes.rules.consent

_packs := {"ZZ": {"consent": [{
	"requirement": "CN-02",
	"effective_from": "2020-01-01T00:00:00Z",
	"when": {},
	"consent_kinds": ["separate"],
	"mandate_replaces_consent": true,
	"guardian_below_age": 14,
}]}}

_request := {
	"jurisdiction": "ZZ",
	"time": "2026-01-01T00:00:00Z",
	"use_case": "identity_verification",
	"subject": {"age": 30, "consent": {"kind": "separate", "id": "c-1"}},
}

_codes(overrides) := result if {
	result := {hit.reason.code | some hit in consent.deny} with input as {"request": _replaced(_request, overrides)}
		with data.custodes.packs.jurisdictions as _packs
}

test_consent_of_an_accepted_kind_suffices if {
	_codes({}) == set()
}

test_other_consent_is_missing_consent if {
	_codes({"subject": {"age": 30, "consent": {"kind": "explicit"}}}) == {"missing_consent"}
	_codes({"subject": null}) == {"missing_consent"}
}

test_a_legal_mandate_replaces_consent_when_the_entry_says_so if {
	_codes({"subject": {"age": 9, "consent": {"kind": null}}, "legal_mandate": "State Council decree"}) == set()
}

test_a_mandate_does_not_replace_consent_otherwise if {
	packs := json.patch(_packs, [{"op": "replace", "path": "/ZZ/consent/0/mandate_replaces_consent", "value": false}])
	codes := {hit.reason.code | some hit in consent.deny} with input as {"request": _replaced(
		_request,
		{"subject": {"consent": {"kind": null}}, "legal_mandate": "law"},
	)}
		with data.custodes.packs.jurisdictions as packs
	codes == {"missing_consent"}
}

test_a_child_needs_a_guardian if {
	_codes({"subject": {"age": 12, "consent": {"kind": "separate"}}}) == {"guardian_consent_missing"}
	_codes({"subject": {"age": 12, "consent": {"kind": "separate", "by_guardian": true}}}) == set()
	_codes({"subject": {"age": null, "consent": {"kind": "separate"}}}) == set()
}

_replaced(base, overrides) := object.union(object.remove(base, object.keys(overrides)), overrides)
