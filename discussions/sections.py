"""What the apps built on discussions add to a reading page (facilitation: the
running meeting and the published agenda; notifications: the follow buttons and
the inbox count). They register from their AppConfig.ready(), so discussions
imports none of them.

- ABOVE_READING: functions of (request, assignment, passages) giving the HTML
  shown above the discussion tools; `passages` is the page's outline of the
  reading (id, anchor, kind, position, text).
- LIVE: functions of (request, assignment) giving `<template data-live="…">`
  pieces that every live update with changes carries (the poll's request has
  the page's query string). They must not depend on who asks: the poll's
  answer is shared by the members asking from the same version.
- LIVE_STAMPS: news for the viewer alone, as pairs of functions: of (user id),
  giving a query expression whose value the reading poll's ETag carries beside
  the version, so that such news makes the poll answer, still from its one
  query; and of (that value), giving the piece the update carries about it
  (notifications: the viewer's unread count, and the header's count).
- READING_TOOLS: functions of (request, assignment) giving the viewer's
  controls above the reading; THREAD_TOOLS: of (request, annotation), on a
  thread's page.
- PRINT_FIRST: functions of (request, assignment, passages) giving the HTML that opens
  the print edition, before the text (facilitation: the published agenda)."""

ABOVE_READING = []
LIVE = []
LIVE_STAMPS = []
READING_TOOLS = []
THREAD_TOOLS = []
PRINT_FIRST = []
