package custodes.jurisdictions.cn_test

import data.custodes.decision

_sim := {
	"time": "2026-11-27T10:00:00Z", "jurisdiction": "CN", "use_case": "sim_registration_verification",
	"purpose": "sim_registration", "requester": {"org": "china-mobile", "type": "telecom_operator"},
	"site": {"type": "telecom_outlet"}, "legal_mandate": "MIIT notice 2019",
	"liveness": {"method": "passive", "result": "bona_fide"},
}

test_cn_sim_verification_at_an_outlet_requires_liveness if {
	d := decision with input as {"request": _sim}
	d.allow
	d.reasons[0].requirement == "CN-01"
	d.obligations.liveness_required == true
	d.obligations.purpose_lock == "sim_registration_verification"
}

test_cn_sim_verification_without_a_bona_fide_liveness_check_is_denied if {
	every liveness in [null, {"method": "active", "result": "attack_detected"}, {"method": "passive"}] {
		d := decision with input as {"request": object.union(object.remove(_sim, ["liveness"]), {"liveness": liveness})}
		not d.allow
		[[r.code, r.requirement] | some r in d.reasons] == [["liveness_required", "CN-01"]]
	}
	missing := decision with input as {"request": object.remove(_sim, ["liveness"])}
	[r.code | some r in missing.reasons] == ["liveness_required"]
}

test_cn_liveness_is_not_asked_before_the_mandate_nor_of_other_uses if {
	before := decision with input as {"request": object.union(_sim, {"time": "2019-11-30T00:00:00Z", "liveness": null})}
	{r.code | some r in before.reasons} == {"no_permitting_rule", "mandate_not_in_force"}
	identity := decision with input as {"request": object.union(_sim, {
		"use_case": "identity_verification", "purpose": "identity_verification", "liveness": null,
		"requester": {"org": "bank", "type": "private"}, "site": {"type": "private_premises"},
		"subject": {"age": 40, "consent": {"kind": "separate"}}, "alternative_offered": true,
		"deployment": {"pia_id": "pia-1"}, "legal_mandate": null,
	})}
	identity.allow
}

test_cn_consent_based_verification_needs_separate_consent_assessment_and_alternative if {
	request := object.union(_sim, {
		"use_case": "identity_verification", "purpose": "access_control", "legal_mandate": null,
		"requester": {"org": "office", "type": "private"}, "site": {"type": "workplace"},
	})
	d := decision with input as {"request": request}
	not d.allow
	{r.code | some r in d.reasons} == {"missing_consent", "missing_deployment_record", "no_alternative_offered"}
}

test_cn_private_spaces_are_banned_from_the_measures_onwards if {
	request := object.union(_sim, {"site": {"type": "changing_room"}})
	before := decision with input as {"request": object.union(request, {"time": "2025-05-31T23:00:00Z"})}
	not "CN-04" in {r.requirement | some r in before.reasons}
	after := decision with input as {"request": request}
	"CN-04" in {r.requirement | some r in after.reasons}
}
