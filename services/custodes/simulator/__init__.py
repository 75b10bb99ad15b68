"""custodes.simulator — realistic, reproducible mixed traffic for the whole stack (``custodes simulate``)."""

from custodes.simulator.authorisations import (
    AUTHORISATION_STATES,
    authorisation_pool,
    push_to_opa,
    registry_document,
)
from custodes.simulator.badinput import BAD_INPUTS, corrupt
from custodes.simulator.faces import FaceSet
from custodes.simulator.produce import Delivery, FileSink, KafkaSink, Report, Sink, send_stream, simulate
from custodes.simulator.scenarios import JURISDICTIONS, SCENARIOS, Scenario
from custodes.simulator.stream import DEFAULT_EPOCH, Message, Options, Simulation, event_message
from custodes.simulator.summary import Summary

__all__ = [
    "AUTHORISATION_STATES",
    "BAD_INPUTS",
    "DEFAULT_EPOCH",
    "JURISDICTIONS",
    "SCENARIOS",
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
    "event_message",
    "push_to_opa",
    "registry_document",
    "send_stream",
    "simulate",
]
