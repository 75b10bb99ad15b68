package custodes.jurisdictions.gb_test

import data.custodes.decision

_live := {
	"time": "2026-11-27T10:00:00Z", "jurisdiction": "GB", "use_case": "live_identification",
	"purpose": "serious_crime_suspect", "requester": {"org": "met", "type": "law_enforcement"},
	"site": {"type": "transport", "camera_id": "van-1"}, "watchlist_id": "wl-1",
	"deployment": {
		"authorising_officer": "supt-1", "location_rationale": "intelligence", "dpia_id": "dpia-1",
		"policy_document_id": "apd-1",
	},
}

_registry := {"watchlists": {"wl-1": {"entries": [{
	"subject_ref": "s-1", "category": "wanted_by_courts", "legal_basis": "warrant",
	"image_source": "custody_record", "approved_by": "insp-1",
}]}}}

test_gb_authorised_live_facial_recognition_is_allowed_with_bias_duties if {
	d := decision with input as {"request": _live} with data.custodes.registry as _registry
	d.allow
	d.reasons[0].requirement == "GB-01"
	d.obligations.bias_evaluation_required == true
	d.obligations.delete_non_matches == "immediate"
	d.obligations.max_fpir == 0.001
}

test_gb_live_facial_recognition_without_a_policy_document_is_denied if {
	request := json.patch(_live, [{"op": "remove", "path": "/deployment/policy_document_id"}])
	d := decision with input as {"request": request} with data.custodes.registry as _registry
	not d.allow
	{r.requirement | some r in d.reasons} == {"GB-05"}
}
