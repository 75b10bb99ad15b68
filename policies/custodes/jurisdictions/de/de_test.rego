package custodes.jurisdictions.de_test

import data.custodes.decision

_live := {
	"time": "2026-11-27T10:00:00Z", "jurisdiction": "DE", "use_case": "live_identification",
	"purpose": "victim_or_missing_person_search", "requester": {"org": "police", "type": "law_enforcement"},
	"site": {"type": "public_space", "camera_id": "cam-1"},
}

test_de_has_no_law_enabling_real_time_remote_identification if {
	d := decision with input as {"request": _live}
	not d.allow
	"EU-08" in {r.requirement | some r in d.reasons}
}

test_de_verification_with_explicit_consent_is_allowed if {
	request := object.union(_live, {
		"use_case": "identity_verification", "purpose": "identity_verification",
		"requester": {"org": "bank", "type": "private"}, "subject": {"consent": {"kind": "explicit"}},
	})
	d := decision with input as {"request": request}
	d.allow
	d.reasons[0].requirement == "EU-13"
}
