"""Assemble comments into threads in Python, in one linear pass."""

class ThreadNode:
    """A comment (an ORM object or a row with id and parent_id) and its replies."""

    __slots__ = ("comment", "children")

    def __init__(self, comment):
        self.comment = comment
        self.children: list[ThreadNode] = []


def build_threads(comments: list) -> list[ThreadNode]:
    """Top-level nodes in the order given, each with its replies nested under it.

    A reply whose parent is not in the list (not approved, or on another page) is shown at the
    top level rather than lost.
    """
    nodes = {comment.id: ThreadNode(comment) for comment in comments}
    roots: list[ThreadNode] = []
    for comment in comments:
        parent = nodes.get(comment.parent_id) if comment.parent_id else None
        (parent.children if parent else roots).append(nodes[comment.id])
    return roots
