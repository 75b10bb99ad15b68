package custodes.lib.result_test

import data.custodes.lib.result

_chain := [{"path": ["data", "x", "deny"], "annotations": {"custom": {
	"code": "some_code",
	"requirement": "EU-17",
	"legal_ref": "GDPR Art 9",
	"citations": {"KE-01": "Kenya SIM regulations", "NG-01": "NCC regulations"},
}}}]

test_reason_takes_code_requirement_and_legal_ref_from_metadata if {
	result.reason(_chain, "why") == {
		"code": "some_code",
		"requirement": "EU-17",
		"legal_ref": "GDPR Art 9",
		"message": "why",
	}
}

test_cite_takes_legal_ref_of_the_entry_requirement if {
	r := result.cite(_chain, "NG-01", "why")
	r.requirement == "NG-01"
	r.legal_ref == "NCC regulations"
	r.code == "some_code"
}

test_cite_of_an_undeclared_requirement_still_gives_a_reason if {
	r := result.cite(_chain, "XX-01", "why")
	r.requirement == "XX-01"
	contains(r.legal_ref, "not declared")
}

test_hit_carries_rank_and_reason if {
	result.hit(2, {"code": "c"}) == {"rank": 2, "reason": {"code": "c"}}
}
