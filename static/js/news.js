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
  let shownElsewhere = 0;
  let awaited = null; // the part "Next new" is loading
  let last = null; // the thread it went to last
  // A long reading comes in parts: the server says which hold news.
  const newParts = news.dataset.newParts.split(",").filter(Boolean).map(Number);
  const loadedParts = () => [...document.querySelectorAll("[data-part]")].map((part) => Number(part.dataset.part));
  // Parts with news not on the page: those after it first, then those before.
  const partsElsewhere = () => {
    const loaded = loadedParts();
    const end = Math.max(...loaded);
    const missing = newParts.filter((n) => !loaded.includes(n));
    return [...missing.filter((n) => n > end), ...missing.filter((n) => n < end)];
  };

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
    const elsewhere = partsElsewhere().length;
    if (links.length !== shown || elsewhere !== shownElsewhere) {
      shown = links.length;
      shownElsewhere = elsewhere;
      const more = elsewhere ? " More in other parts of the reading." : "";
      if (shown) {
        status.textContent = `${shown} thread${shown === 1 ? "" : "s"} with new posts since your last visit.${more}`;
      } else {
        status.textContent = elsewhere
          ? "Nothing new in this part since your last visit; new posts in other parts of the reading."
          : "Nothing new since your last visit.";
      }
      button.hidden = !(shown || elsewhere);
    }
    return links;
  };

  const next = () => {
    const links = mark();
    // The first new thread after the focus, in reading order; past the last one
    // on the page, the next part with news (loaded below when it comes next,
    // else opened); with none, the first on the page again.
    // From the thread it last went to when the button itself has the focus.
    const here = document.activeElement === button && last?.isConnected ? last : document.activeElement;
    const after = links.find((link) => here.compareDocumentPosition(link) & Node.DOCUMENT_POSITION_FOLLOWING);
    const [part] = after ? [] : partsElsewhere();
    if (part !== undefined) {
      const loader = document.querySelector(".part-nav [hx-get]");
      if (part === Math.max(...loadedParts()) + 1 && loader) {
        awaited = part; // `next` again once it is on the page (the observer below)
        loader.click();
      } else {
        status.textContent = `Opening part ${part}, which has new posts.`;
        const url = new URL(window.location.href);
        // As the server's part links: `kind` is a filter unless it goes with `discuss`.
        if (url.searchParams.has("discuss")) url.searchParams.delete("kind");
        for (const name of ["at", "discuss"]) url.searchParams.delete(name);
        url.searchParams.set("part", part);
        url.hash = "";
        window.location.assign(url);
      }
      return;
    }
    const target = after || links[0];
    if (!target) return;
    last = target;
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
  new MutationObserver(() => {
    mark();
    if (awaited && document.querySelector(`[data-part="${awaited}"]`)) {
      awaited = null;
      next();
    }
  }).observe(document.body, { childList: true, subtree: true });
  news.hidden = false;
  mark();
}
