# METADATA
# title: Matching requests against pack entries
# description: |
#   Pure functions shared by the rule templates: whether a pack entry is in force at the
#   event's time, and whether a request meets an entry's `when` conditions.
#
#   A `when` object maps a condition to the values it accepts; every condition must
#   hold and an absent condition accepts anything. List conditions: use_cases,
#   requester_types, site_types, purposes, sources, devices, consent_kinds (an empty
#   list accepts nothing; a request without the field meets none). Boolean conditions:
#   legal_mandate, exigent. An unknown condition never holds (packs_test rejects it).
package custodes.lib.conditions

# METADATA
# title: in_force
# description: The entry is in force at ns (effective_from <= ns < effective_until, the latter optional).
in_force(entry, ns) if {
	ns >= time.parse_rfc3339_ns(entry.effective_from)
	not _ended(entry, ns)
}

_ended(entry, ns) if ns >= time.parse_rfc3339_ns(entry.effective_until)

# METADATA
# title: met
# description: Every condition of `when` holds for the request.
met(when, request) if {
	every condition, accepted in when {
		_holds(condition, accepted, request)
	}
}

_holds(condition, accepted, request) if {
	is_array(accepted)
	_field(condition, request) in accepted
}

_holds("legal_mandate", accepted, request) if {
	accepted == true
	has_mandate(request)
}

_holds("legal_mandate", accepted, request) if {
	accepted == false
	not has_mandate(request)
}

_holds("exigent", accepted, request) if object.get(request, "exigent", false) == accepted

_field("use_cases", request) := request.use_case

_field("requester_types", request) := request.requester.type

_field("site_types", request) := request.site.type

_field("purposes", request) := request.purpose

_field("sources", request) := request.source

_field("devices", request) := request.site.device

_field("consent_kinds", request) := request.subject.consent.kind

# METADATA
# title: fields
# description: |
#   The request's values of the list conditions, by condition name; an empty set where
#   the request has none (no JSON value is a set, so no accepted list holds it).
fields(request) := {
	"use_cases": object.get(request, "use_case", set()),
	"requester_types": object.get(request, ["requester", "type"], set()),
	"site_types": object.get(request, ["site", "type"], set()),
	"purposes": object.get(request, "purpose", set()),
	"sources": object.get(request, "source", set()),
	"devices": object.get(request, ["site", "device"], set()),
	"consent_kinds": object.get(request, ["subject", "consent", "kind"], set()),
}

# METADATA
# title: field_conditions
# description: The list conditions (those `fields` gives a value for).
field_conditions := {"use_cases", "requester_types", "site_types", "purposes", "sources", "devices", "consent_kinds"}

# METADATA
# title: simple
# description: |
#   `when` is an object of list conditions only, each a list: it holds exactly when every
#   field is in its list (holds needs no more).
simple(when) if {
	is_object(when)
	every condition, accepted in when {
		condition in field_conditions
		is_array(accepted)
	}
}

# METADATA
# title: holds
# description: |
#   `met` for a request given as its fields (fields), has_mandate and exigent value
#   (object.get(request, "exigent", false)): the same conditions, read off those, so the
#   result can be shared by requests that agree on them.
holds(when, fields, mandate, exigent) if {
	every condition, accepted in when {
		_holds_for(condition, accepted, fields, mandate, exigent)
	}
}

_holds_for(condition, accepted, fields, _, _) if {
	is_array(accepted)
	fields[condition] in accepted
}

_holds_for("legal_mandate", true, _, true, _)

_holds_for("legal_mandate", false, _, false, _)

_holds_for("exigent", accepted, _, _, exigent) if exigent == accepted

# METADATA
# title: has_mandate
# description: The request names a legal mandate (a non-blank reference).
has_mandate(request) if {
	is_string(request.legal_mandate)
	trim_space(request.legal_mandate) != ""
}

# METADATA
# title: names
# description: The condition names a `when` object may use.
names := {
	"use_cases", "requester_types", "site_types", "purposes", "sources", "devices", "consent_kinds",
	"legal_mandate", "exigent",
}

# METADATA
# title: date_ns
# scope: document
# description: An RFC 3339 timestamp or a calendar date (YYYY-MM-DD, read as UTC midnight) in ns.
date_ns(value) := time.parse_rfc3339_ns(value)

date_ns(value) := time.parse_ns("2006-01-02", value)
