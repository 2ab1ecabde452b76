// What is new since the member's visit before this one: threads whose newest
// post came after it and is not their own get a "New" label, and the "Next
// new" button (or the N key) moves focus from one to the next. The margins are
// cached for every member alike, so each thread link says when (a discussion
// version) and by whom it was last posted in, and the page says who is looking
// and when they last looked. Without this script nothing is marked.

const news = document.querySelector("[data-news]");

if (news) {
  const seen = Number(news.dataset.seen);
  const viewer = news.dataset.viewer;
  const status = news.querySelector("[data-news-status]");
  const button = news.querySelector("[data-next-new]");
  let shown = -1;

  const isNew = (link) => Number(link.dataset.posted) > seen && link.dataset.poster !== viewer;

  // Label the new threads, those the live poll and htmx swap in too.
  const mark = () => {
    const links = [...document.querySelectorAll("[data-thread-link]")].filter(isNew);
    for (const link of links) {
      if (link.querySelector(".new-mark")) continue;
      const label = document.createElement("span");
      label.className = "badge new-mark";
      label.textContent = "New";
      link.prepend(label, " ");
    }
    if (links.length !== shown) {
      shown = links.length;
      status.textContent = shown
        ? `${shown} thread${shown === 1 ? "" : "s"} with new posts since your last visit.`
        : "Nothing new since your last visit.";
      button.hidden = !shown;
    }
    return links;
  };

  const next = () => {
    const links = mark();
    if (!links.length) return;
    // The first new thread after the focus, in reading order; after the last, the first.
    const here = document.activeElement;
    const target =
      links.find((link) => here.compareDocumentPosition(link) & Node.DOCUMENT_POSITION_FOLLOWING) ||
      links[0];
    target.scrollIntoView({ block: "center" });
    target.focus();
    status.textContent = `New thread ${links.indexOf(target) + 1} of ${links.length}.`;
  };

  button.addEventListener("click", next);
  document.addEventListener("keydown", (event) => {
    if (event.key !== "n" || event.ctrlKey || event.metaKey || event.altKey) return;
    if (event.target.closest("input, textarea, select, [contenteditable]")) return;
    event.preventDefault();
    next();
  });
  new MutationObserver(mark).observe(document.body, { childList: true, subtree: true });
  news.hidden = false;
  mark();
}
