package custodes.packs_test

import data.custodes.lib.conditions
import data.custodes.packs

# The requirement IDs of REQUIREMENTS.md and the platform IDs of policies/README.md.
_known_ids := {
	"EU-01", "EU-02", "EU-03", "EU-04", "EU-05", "EU-06", "EU-07", "EU-08", "EU-09", "EU-10",
	"EU-11", "EU-12", "EU-13", "EU-14", "EU-15", "EU-16", "EU-17", "EU-18", "EU-19", "EU-20",
	"GB-01", "GB-02", "GB-03", "GB-04", "GB-05",
	"US-IL-01", "US-IL-02", "US-IL-03", "US-TX-01", "US-WA-01", "US-WA-02", "US-WA-03",
	"US-OR-portland-01", "US-CA-san_francisco-01",
	"CN-01", "CN-02", "CN-03", "CN-04", "CN-05", "CN-06", "KE-01", "NG-01",
	"CUSTODES-01", "CUSTODES-02", "CUSTODES-03", "CUSTODES-04", "CUSTODES-05", "CUSTODES-06",
}

_templates := {
	"enabled", "bans", "purposes", "consent", "sim_mandate", "records", "cases", "alternatives", "signage",
	"liveness", "watchlists", "authorisations", "obligations",
}

_entries contains [code, key, entry] if {
	some code, pack in packs.jurisdictions
	some key in _templates
	some entry in object.get(pack, key, [])
}

_of(key) := [item[2] | some item in _entries; item[1] == key]

_ids_of_new_jurisdictions contains id if {
	some [code, _, entry] in _entries
	id := entry.requirement
	startswith(id, sprintf("%s-", [code]))
}

test_every_entry_cites_a_known_requirement if {
	every item in _entries {
		entry := item[2]
		_cited(entry.requirement)
		_cited(object.get(entry, ["scope", "requirement"], entry.requirement))
	}
}

_cited(id) if id in _known_ids

# A jurisdiction added after REQUIREMENTS.md was written cites its own rows (CODE-NN),
# which the scaffold declares in the rule METADATA it uses.
_cited(id) if id in _ids_of_new_jurisdictions

test_every_entry_has_an_effective_date if {
	every item in _entries {
		entry := item[2]
		time.parse_rfc3339_ns(entry.effective_from)
		not _ends_before_it_starts(entry)
	}
}

_ends_before_it_starts(entry) if {
	time.parse_rfc3339_ns(entry.effective_until) <= time.parse_rfc3339_ns(entry.effective_from)
}

test_every_when_uses_known_conditions_and_values if {
	every item in _entries {
		entry := item[2]
		every condition, accepted in object.get(entry, "when", {}) {
			condition in conditions.names
			_known_values(condition, accepted)
		}
		every exception in object.get(entry, "except", []) {
			every condition, _ in exception {
				condition in conditions.names
			}
		}
	}
}

_vocabulary_of := {
	"use_cases": object.keys(packs.vocabulary.use_cases),
	"requester_types": packs.vocabulary.requester_types,
	"site_types": packs.vocabulary.site_types,
	"purposes": packs.vocabulary.purposes,
	"sources": packs.vocabulary.sources,
	"devices": packs.vocabulary.devices,
	"consent_kinds": packs.vocabulary.consent_kinds,
}

_known_values(condition, accepted) if {
	is_array(accepted)
	every value in accepted {
		value in _vocabulary_of[condition]
	}
}

_known_values(condition, accepted) if {
	condition in {"legal_mandate", "exigent"}
	is_boolean(accepted)
}

test_every_obligation_has_a_combining_rule if {
	every item in _entries {
		_combinable(item[1], item[2])
	}
	every _, defaults in packs.platform.defaults {
		every name, _ in defaults {
			packs.vocabulary.obligations[name]
		}
	}
}

_combinable(key, _) if key != "obligations"

_combinable("obligations", entry) if {
	every name, _ in object.get(entry, "set", {}) {
		packs.vocabulary.obligations[name]
	}
}

test_every_1_to_1_error_rate_is_a_calibrated_operating_point if {
	every entry in _of("obligations") {
		_calibrated(object.get(entry, ["set", "max_fmr"], 0.01))
	}
	every _, defaults in packs.platform.defaults {
		_calibrated(object.get(defaults, "max_fmr", 0.01))
	}
}

_calibrated(rate) if rate in packs.platform.calibrated_fmr

test_every_pack_names_its_level_and_existing_blocs if {
	every code, pack in packs.jurisdictions {
		regex.match(`^[A-Z]{2}(-[A-Z0-9]{1,3}(-[a-z][a-z0-9_]*)?)?$`, code)
		pack.level in {"bloc", "country", "state", "locality"}
		every bloc in object.get(pack, "blocs", []) {
			packs.jurisdictions[bloc].level == "bloc"
		}
	}
}

test_every_authorisation_entry_names_accepted_kinds if {
	every entry in _of("authorisations") {
		every kind in entry.kinds {
			kind in packs.vocabulary.authorisation_kinds
		}
	}
}

test_the_packs_cover_the_issue_jurisdictions if {
	codes := {
		"EU", "DE", "FR", "GB", "US-IL", "US-TX", "US-WA", "US-OR-portland", "US-CA-san_francisco",
		"CN", "KE", "NG",
	}
	every code in codes {
		packs.jurisdictions[code]
	}
}
