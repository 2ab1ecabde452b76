"""What the apps built on discussions add to a reading page (facilitation: the
running meeting and the published agenda; notifications: the follow buttons and
the inbox count). They register from their AppConfig.ready(), so discussions
imports none of them.

- ABOVE_READING: functions of (request, assignment, passages) giving the HTML
  shown above the discussion tools; `passages` is the page's outline of the
  reading (id, anchor, kind, position, text).
- LIVE: functions of (request, assignment) giving `<template data-live="…">`
  pieces that every live update with changes carries (the poll's request has
  the page's query string).
- LIVE_FOR_VIEWER: functions of (request) giving such pieces about the viewer.
- LIVE_STAMPS: functions of (user id) giving a query expression whose value
  the reading poll's ETag carries beside the version (notifications: the
  viewer's unread count), so news for the viewer alone makes the poll answer,
  still from its one query.
- READING_TOOLS: functions of (request, assignment) giving the viewer's
  controls above the reading; THREAD_TOOLS: of (request, annotation), on a
  thread's page.
- PRINT_FIRST: functions of (request, assignment, passages) giving the HTML that opens
  the print edition, before the text (facilitation: the published agenda)."""

ABOVE_READING = []
LIVE = []
LIVE_FOR_VIEWER = []
LIVE_STAMPS = []
READING_TOOLS = []
THREAD_TOOLS = []
PRINT_FIRST = []
