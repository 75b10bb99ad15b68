package custodes.jurisdictions.us_or_portland_test

import data.custodes.decision

_shop := {
	"time": "2026-11-27T10:00:00Z", "jurisdiction": "US-OR-portland", "use_case": "live_identification",
	"purpose": "safety", "requester": {"org": "store", "type": "private"}, "site": {"type": "retail", "camera_id": "c-1"},
}

test_us_or_portland_private_use_in_public_accommodation_is_banned_since_2021 if {
	d := decision with input as {"request": _shop}
	"US-OR-portland-01" in {r.requirement | some r in d.reasons}
	d.jurisdictions == ["US", "US-OR", "US-OR-portland"]
	before := decision with input as {"request": object.union(_shop, {"time": "2020-12-31T23:59:59Z"})}
	not "US-OR-portland-01" in {r.requirement | some r in before.reasons}
}

test_us_or_portland_verification_on_the_users_own_device_is_allowed if {
	request := object.union(_shop, {
		"use_case": "identity_verification", "purpose": "identity_verification",
		"site": {"type": "retail", "device": "user_owned"},
	})
	d := decision with input as {"request": request}
	d.allow
	d.reasons[0].requirement == "US-OR-portland-01"
}
