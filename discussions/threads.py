"""How threads are shown: who sees what, and replies as a tree nested a few
levels deep, deeper replies shown flat with whom they answer."""

from collections import defaultdict
from dataclasses import dataclass, field

from groups.access import can
from groups.models import Membership

from .models import Annotation, Reaction, Reply

MAX_DEPTH = 4

VISIBLE = "visible"
DELETED = "deleted"  # a placeholder, kept while replies hang on it
HIDDEN = "hidden"  # hidden by a moderator: the author and moderators still see it, marked
BLANKED = "blanked"  # hidden, as everyone else sees it


def state_of(post: Annotation | Reply, user, moderator: bool) -> str:
    if post.deleted:
        return DELETED
    if post.hidden:
        return HIDDEN if moderator or post.author_id == user.pk else BLANKED
    return VISIBLE


def set_states(posts, user, moderator: bool) -> None:
    for post in posts:
        post.state = state_of(post, user, moderator)


@dataclass
class Tally:
    """One kind of reaction on one post, as its button shows it."""

    kind: str
    label: str
    icon: str
    names: list[str] = field(default_factory=list)
    mine: bool = False

    @property
    def count(self) -> int:
        return len(self.names)


def set_reactions(annotation: Annotation, replies: list[Reply], user) -> None:
    """Give the thread's post and each reply its reactions, kind by kind, with
    who reacted, from one query for the whole thread."""
    posts = {None: annotation, **{reply.pk: reply for reply in replies}}
    for post in posts.values():
        post.tallies = [Tally(kind, kind.label, Reaction.ICONS[kind]) for kind in Reaction.Kind]
        post.reacted = False  # whether anyone has: then the page says who
    kinds = {kind: n for n, kind in enumerate(Reaction.Kind)}
    for reaction in annotation.reactions.select_related("user"):
        post = posts[reaction.reply_id]
        tally = post.tallies[kinds[reaction.kind]]
        tally.names.append(str(reaction.user))
        tally.mine = tally.mine or reaction.user_id == user.pk
        post.reacted = True


@dataclass
class ReplyNode:
    reply: Reply
    children: list["ReplyNode"] = field(default_factory=list)
    replying_to: str = ""


def reply_tree(replies: list[Reply]) -> list[ReplyNode]:
    """Replies in reading order, nested MAX_DEPTH levels. A deleted reply stays
    as a placeholder only while a reply below it is still there."""
    children: dict[int | None, list[Reply]] = defaultdict(list)
    for reply in replies:
        children[reply.parent_id].append(reply)
    # Which replies to keep, worked out bottom-up without recursion: any depth is stored.
    keep: dict[int, bool] = {}
    order, stack = [], list(children[None])
    while stack:
        reply = stack.pop()
        order.append(reply)
        stack.extend(children[reply.pk])
    for reply in reversed(order):
        keep[reply.pk] = not reply.deleted or any(keep[c.pk] for c in children[reply.pk])

    def flat_below(top: Reply) -> list[ReplyNode]:
        nodes, stack = [], [(c, top) for c in reversed(children[top.pk])]
        while stack:
            reply, parent = stack.pop()
            if keep[reply.pk]:
                nodes.append(ReplyNode(reply, replying_to=str(parent.author)))
                stack.extend((c, reply) for c in reversed(children[reply.pk]))
        return nodes

    def nest(parent_id: int | None, depth: int) -> list[ReplyNode]:
        nodes = []
        for reply in children[parent_id]:
            if not keep[reply.pk]:
                continue
            if depth < MAX_DEPTH:
                nodes.append(ReplyNode(reply, nest(reply.pk, depth + 1)))
            else:
                nodes.append(ReplyNode(reply))
                nodes.extend(flat_below(reply))
        return nodes

    return nest(None, 1)


def walk(tree: list[ReplyNode]):
    """The nodes of a reply tree in reading order, each with its depth (1 for a
    reply to the thread itself)."""
    stack = [(node, 1) for node in reversed(tree)]
    while stack:
        node, depth = stack.pop()
        yield node, depth
        stack.extend((child, depth + 1) for child in reversed(node.children))


def with_trees(assignment, threads, replies, user) -> list[tuple[Annotation, list[ReplyNode]]]:
    """Each of `threads` (of a group's reading) with the tree of its `replies`,
    display states set on all of them, as the thread pages show them."""
    group = assignment.group
    set_states([*threads, *replies], user, can(group, Membership.Role.FACILITATOR))
    by_thread: dict[int, list[Reply]] = defaultdict(list)
    for reply in replies:
        by_thread[reply.annotation_id].append(reply)
    trees = []
    for thread in threads:
        thread.group, thread.reading = group, assignment.reading
        for reply in by_thread[thread.pk]:
            reply.annotation = thread
        trees.append((thread, reply_tree(by_thread[thread.pk])))
    return trees


def reading_threads(assignment, user):
    """The passages of a group's reading and, passage by passage, the threads
    the viewer may see (display states set) each with its reply tree (empty
    while they must answer first), as the thread pages show them."""
    group, reading = assignment.group, assignment.reading
    passages = list(reading.passages.all())
    visible = Annotation.objects.filter(group=group, reading=reading).visible_to(user)
    threads = list(visible.select_related("author").order_by("created", "id"))
    open_to_user = visible.replies_open_to(user).values("pk")
    replies = list(Reply.objects.filter(annotation__in=open_to_user).select_related("author"))
    on_passage: dict[int, list[tuple[Annotation, list[ReplyNode]]]] = defaultdict(list)
    for thread, tree in with_trees(assignment, threads, replies, user):
        on_passage[thread.passage_id].append((thread, tree))
    return passages, on_passage
