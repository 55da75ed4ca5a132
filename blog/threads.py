"""Assemble comments into threads in Python, in one linear pass."""

class ThreadNode:
    """A comment (an ORM object or a row with id and parent_id) and its replies."""

    __slots__ = ("comment", "children")

    def __init__(self, comment):
        self.comment = comment
        self.children: list[ThreadNode] = []


def build_threads(comments: list) -> list[ThreadNode]:
    """Top-level nodes in the order given, each with its replies nested under it.

    A reply whose parent is not in the list (held, spam or trashed, so not shown to this reader)
    is left out with its own replies: WordPress shows a comment only when every ancestor is shown.
    """
    nodes = {comment.id: ThreadNode(comment) for comment in comments}
    roots: list[ThreadNode] = []
    for comment in comments:
        if not comment.parent_id:
            roots.append(nodes[comment.id])
        elif (parent := nodes.get(comment.parent_id)) is not None:
            parent.children.append(nodes[comment.id])
    return roots
