# METADATA
# title: Enabled uses
# description: |
#   The only permit template. A layer enables a use with an `enabled` entry (when:
#   use cases, requester types, purposes, sites, devices); a request is allowed when at
#   least one layer enables it and no layer's rule denies it (strictest wins). What each
#   jurisdiction enables is data; the conditions the law attaches are the deny templates.
package custodes.rules.enabled

import data.custodes.lib.result
import data.custodes.rules.context

# METADATA
# title: A layer enables this use
# description: |
#   An `enabled` entry in force at the event time covers the request: the hits for the
#   request's active `enabled` entries and its summary (context.summary_of). A function of
#   just what it reads, so OPA works it out once for requests alike.
# custom:
#   code: use_enabled
#   citations:
#     EU-01: EU AI Act Art 5(1)(h) (exceptions for law enforcement)
#     EU-11: EU AI Act Art 5(1)(f) (medical or safety reasons)
#     EU-13: EU AI Act Annex III 1(a) (1:1 verification is not high-risk); GDPR Art 9(2)
#     EU-17: GDPR Art 9(2)(a),(g) (UK GDPR Art 9 in GB)
#     EU-19: Law Enforcement Directive (EU) 2016/680 Art 10; CJEU C-205/21
#     GB-01: Bridges v South Wales Police [2020] EWCA Civ 1058; College of Policing APP on LFR
#     US-IL-02: 740 ILCS 14/15(b) (BIPA)
#     US-TX-01: Tex. Bus. & Com. Code §503.001
#     US-WA-01: RCW 43.386.020
#     US-WA-03: RCW 43.386.080
#     US-OR-portland-01: Portland City Code ch. 34.10 (exception for the user's own device)
#     CN-01: MIIT notice on real-name registration of telephone users (2019)
#     CN-02: CAC/MPS Measures on the security management of face recognition applications (2025); PIPL Art 28-29
#     CN-04: CAC/MPS face recognition Measures Art 13; PIPL Art 26 (public security)
#     KE-01: Kenya SIM-card registration regulations 2015 (check current text); Data Protection Act 2019
#     NG-01: NCC SIM-registration regulations and NIN-SIM policy (check current texts); NDPA 2023
use_enabled(items, summary) := {hit |
	some item in items
	hit := result.hit(item.layer.rank, result.cite(rego.metadata.chain(), item.entry.requirement, sprintf(
		"%s: %s is enabled",
		[item.layer.code, summary],
	)))
}

# METADATA
# title: permits
# description: The hits of the rules that permit a request, from its facts (custodes.rules.context.facts_of).
permits(facts) := use_enabled(object.get(facts.active, "enabled", set()), facts.summary)

# METADATA
# title: permit
# description: The hits of `permits` for input.request.
permit := permits(context.facts)
