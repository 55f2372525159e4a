"""Comments: plain text, "#123" mentions stored as links, searchable, in the history."""

from __future__ import annotations

import pytest

from anomaly_desk.errors import BadInputError, WorkspaceError
from anomaly_desk.model import FilterSpec, Status, TriageChange
from anomaly_desk.store import Workspace
from anomaly_desk.triage.mentions import references
from tests.triage.helpers import seed


@pytest.mark.parametrize(
    ("text", "ids"),
    [
        ("see #12 and #13.", (12, 13)),
        ("(#7), #7 again, #9,#10", (7, 9, 10)),
        ("&#123; issue#5 ##5 #8a #", ()),
        ("#1\n#2", (1, 2)),
    ],
)
def test_references_are_words_starting_with_a_hash(text: str, ids: tuple[int, ...]) -> None:
    assert references(text) == ids


def test_mentions_of_existing_anomalies_become_links(ws: Workspace) -> None:
    a, b, c = seed(ws, n=3)
    comment = ws.add_comment(a, f"like #{b} and #{c}, not #{a} itself nor #99999", "ann")
    assert comment.links == (b, c)
    assert ws.comments(a) == [comment]
    assert ws.mentions(b) == [comment] and ws.mentions(a) == []
    assert comment.body.startswith("like") and comment.author == "ann"


def test_comments_are_searchable_and_in_the_history(ws: Workspace) -> None:
    a, b = seed(ws, n=2)
    ws.triage([a, b], TriageChange(status=Status.TRIAGED, comment="resolver flapping"), "ann")
    found = ws.anomalies(FilterSpec(text="flapping"))[0]
    assert sorted(r.id for r in found) == [a, b]
    kinds = [(r.object_type, r.action) for r in ws.history(a)]
    assert kinds == [("anomaly", "update"), ("comment", "create")]
    assert len(ws.comments(b)) == 1


def test_bad_comments_are_refused(ws: Workspace) -> None:
    (a,) = seed(ws, n=1)
    with pytest.raises(BadInputError, match="must not be empty"):
        ws.add_comment(a, "   ", "ann")
    with pytest.raises(WorkspaceError, match="no anomaly with id 404"):
        ws.add_comment(404, "hello", "ann")
    with pytest.raises(WorkspaceError, match="no anomaly with id 404"):
        ws.comments(404)
    assert ws.audit_head() is None
