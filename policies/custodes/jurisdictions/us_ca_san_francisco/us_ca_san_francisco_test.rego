package custodes.jurisdictions.us_ca_san_francisco_test

import data.custodes.decision

test_us_ca_san_francisco_city_departments_may_use_no_face_recognition if {
	every requester in ["law_enforcement", "public_authority", "city_bureau"] {
		request := {
			"time": "2026-11-27T10:00:00Z", "jurisdiction": "US-CA-san_francisco", "use_case": "post_identification",
			"purpose": "serious_crime_suspect", "requester": {"org": "sf", "type": requester},
		}
		d := decision with input as {"request": request}
		not d.allow
		"US-CA-san_francisco-01" in {r.requirement | some r in d.reasons}
	}
}
