"""Destructive actions (delete a draft or a post, remove a member, end a
meeting, take a reading off a syllabus) ask first, the same way everywhere:
their form carries a required "Yes, …" checkbox (templates/_confirm.html). It
works alike with and without JavaScript, keeps the action in its place on the
page at one request, and the server refuses a post without the tick, so no
stale or hand-made request skips the question."""

NOT_CONFIRMED = "Nothing was done: tick the box to confirm first."


def confirmed(request) -> bool:
    return request.POST.get("confirm") == "yes"
