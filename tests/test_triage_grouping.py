"""The triage box names flags that need the same thing together, once (issue 18: a student reads one
instruction per timeframe, not the same sentence three times)."""

from spasm_lib.facts import load_facts
from spasm_lib.triage import triage


def test_cauda_equina_signs_share_one_timeframe_line():
    t = triage(load_facts(), ["saddle-anaesthesia", "bladder-dysfunction", "both-legs"])
    # red_flags.csv by hand: the three cauda equina signs all say "Emergency department now..."
    assert len(t.actions) == 1
    names, when = t.actions[0]
    assert names == "Altered feeling in the saddle area; New bladder change; Pain, numbness or pins and needles in both legs"
    assert when.startswith("Emergency department now")
