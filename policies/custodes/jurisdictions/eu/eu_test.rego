package custodes.jurisdictions.eu_test

import data.custodes.decision

_member := {
	"time": "2026-11-27T10:00:00Z", "jurisdiction": "FR", "use_case": "biometric_categorisation",
	"purpose": "marketing", "requester": {"org": "shop", "type": "private"}, "site": {"type": "retail"},
}

test_eu_prohibitions_apply_in_every_member_state if {
	every code in ["DE", "FR"] {
		d := decision with input as {"request": object.union(_member, {"jurisdiction": code})}
		not d.allow
		"EU-12" in {r.requirement | some r in d.reasons}
		d.jurisdictions == ["EU", code]
	}
}

test_eu_prohibitions_start_on_2_february_2025 if {
	d := decision with input as {"request": object.union(_member, {"time": "2025-02-01T23:59:59Z"})}
	not "EU-12" in {r.requirement | some r in d.reasons}
}

test_eu_the_bloc_alone_is_no_jurisdiction_of_an_event if {
	live := {
		"jurisdiction": "EU", "use_case": "live_identification", "purpose": "victim_or_missing_person_search",
		"requester": {"org": "police", "type": "law_enforcement"}, "site": {"type": "transport"},
	}
	d := decision with input as {"request": object.union(_member, live)}
	d.jurisdictions == []
	not d.allow
	"unknown_jurisdiction" in {r.code | some r in d.reasons}
}
