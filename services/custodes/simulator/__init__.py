"""custodes.simulator — realistic, reproducible mixed traffic for the whole stack (``custodes simulate``)."""

from custodes.simulator.authorisations import AUTHORISATION_STATES, authorisation_pool
from custodes.simulator.badinput import BAD_INPUTS, corrupt
from custodes.simulator.faces import FaceSet
from custodes.simulator.produce import Delivery, FileSink, KafkaSink, Report, Sink, send_stream, simulate
from custodes.simulator.registry import deployment_pool, push_to_opa, registry_document, watchlist_pool
from custodes.simulator.scenarios import CAMERA_SCENARIOS, JURISDICTIONS, SCENARIOS, CameraScenario, Scenario
from custodes.simulator.stream import DEFAULT_EPOCH, REGISTRY_KINDS, Message, Options, Simulation, event_message
from custodes.simulator.summary import Summary

__all__ = [
    "AUTHORISATION_STATES",
    "BAD_INPUTS",
    "CAMERA_SCENARIOS",
    "DEFAULT_EPOCH",
    "JURISDICTIONS",
    "REGISTRY_KINDS",
    "SCENARIOS",
    "CameraScenario",
    "Delivery",
    "FaceSet",
    "FileSink",
    "KafkaSink",
    "Message",
    "Options",
    "Report",
    "Scenario",
    "Simulation",
    "Sink",
    "Summary",
    "authorisation_pool",
    "corrupt",
    "deployment_pool",
    "event_message",
    "push_to_opa",
    "registry_document",
    "send_stream",
    "simulate",
    "watchlist_pool",
]
