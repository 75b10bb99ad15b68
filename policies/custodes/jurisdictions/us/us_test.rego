package custodes.jurisdictions.us_test

import data.custodes.decision

test_us_federal_layer_enables_nothing_on_its_own if {
	request := {
		"time": "2026-11-27T10:00:00Z", "jurisdiction": "US", "use_case": "identity_verification",
		"purpose": "identity_verification", "requester": {"org": "bank", "type": "private"},
	}
	d := decision with input as {"request": request}
	not d.allow
	{r.code | some r in d.reasons} == {"no_permitting_rule"}
	d.jurisdictions == ["US"]
}

test_us_state_layers_are_known_and_enable_nothing_on_their_own if {
	every code in ["US-OR", "US-CA"] {
		request := {
			"time": "2026-11-27T10:00:00Z", "jurisdiction": code, "use_case": "identity_verification",
			"purpose": "identity_verification", "requester": {"org": "bank", "type": "private"},
		}
		d := decision with input as {"request": request}
		d.jurisdictions == ["US", code]
		{r.code | some r in d.reasons} == {"no_permitting_rule"}
	}
}
