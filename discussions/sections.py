"""What the apps built on discussions add to a reading page (facilitation: the
running meeting and the published agenda). They register from their
AppConfig.ready(), so discussions imports none of them.

- ABOVE_READING: functions of (assignment, passages) giving the HTML shown
  above the discussion tools; `passages` is the page's outline of the reading
  (id, anchor, kind, position, text).
- LIVE: functions of (assignment) giving `<template data-live="…">` pieces
  that every live update with changes carries."""

ABOVE_READING = []
LIVE = []
