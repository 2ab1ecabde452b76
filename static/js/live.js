// Live updates: every few seconds ask whether the discussion changed (a
// conditional GET), and swap in the passages and open threads that did.
// Nothing is replaced while the reader is typing or selecting inside it; a
// piece holding focus is replaced with focus kept on the same element; what
// changed is said in the page's status region (announce.js).

const config = document.querySelector("[data-live-url]");
const INTERVAL = 2000;
const viewer = document.querySelector("[data-viewer]")?.dataset.viewer;

// The element in a new piece that stands for `element` in the old one: the
// piece itself, the same id, or the same place among its kind.
const counterpart = (piece, element) => {
  if (element === piece) return (fresh) => fresh;
  if (element.id) return (fresh) => fresh.querySelector(`#${CSS.escape(element.id)}`);
  const index = [...piece.querySelectorAll(element.tagName)].indexOf(element);
  return (fresh) => fresh.querySelectorAll(element.tagName)[index];
};

// Posts by others that a margin now counts: its count grew, and some thread's
// newest post is someone else's (one's own reply was said when posted).
const newPosts = (current, replacement) => {
  const added = Number(replacement.dataset.activity) - Number(current.dataset.activity);
  if (!(added > 0)) return 0;
  const before = new Map(
    [...current.querySelectorAll("[data-thread-link]")].map((link) => [link.id, link.dataset.posted]),
  );
  const links = [...replacement.querySelectorAll("[data-thread-link]")];
  const byOthers = links.some(
    (link) => link.dataset.posted !== before.get(link.id) && link.dataset.poster !== viewer,
  );
  return byOthers ? added : 0;
};

if (config) {
  let version = `"${config.dataset.liveVersion}"`;

  const busy = (element) => {
    const focused = document.activeElement;
    if (element.contains(focused) && focused.matches("textarea, input, select")) return true;
    // A draft: a textarea whose text differs from what the page gave it.
    if ([...element.querySelectorAll("textarea")].some((area) => area.value !== area.defaultValue)) {
      return true;
    }
    const selection = window.getSelection();
    return !selection.isCollapsed && element.contains(selection.anchorNode);
  };

  const apply = (html) => {
    const incoming = new DOMParser().parseFromString(html, "text/html");
    let applied = true;
    const said = [];
    for (const piece of incoming.querySelectorAll("template[data-live]")) {
      const current = document.getElementById(piece.dataset.live);
      if (!current) continue;
      if (busy(current)) {
        applied = false; // ask again next time, when the reader is done
        continue;
      }
      const replacement = piece.content.firstElementChild;
      const followed = current.dataset.followAnchor;
      const focused = current.contains(document.activeElement) ? document.activeElement : null;
      const refocus = focused && counterpart(current, focused);
      const added = newPosts(current, replacement);
      if (added) said.push(`${added} new post${added === 1 ? "" : "s"} on this passage.`);
      const news = replacement.dataset.announce;
      if (news && news !== current.dataset.announce) said.push(news);
      // A margin showing all its threads (asked for) keeps that list; the rest is renewed.
      const everyThread = current.querySelector("[data-all-threads]");
      current.replaceWith(replacement);
      if (everyThread) replacement.querySelector(".thread-list")?.replaceWith(everyThread);
      window.htmx?.process(replacement);
      const again = refocus?.(replacement);
      if (again) {
        // A post that announce.js made focusable is so again.
        if (focused.hasAttribute("tabindex")) again.tabIndex = focused.tabIndex;
        again.focus({ preventScroll: true });
      }
      // Following a meeting: the reading scrolls to the passage now discussed.
      const anchor = replacement.dataset.followAnchor;
      if (anchor && anchor !== followed) {
        const passage = document.getElementById(anchor);
        if (passage) {
          passage.scrollIntoView({ behavior: matchMedia("(prefers-reduced-motion: reduce)").matches ? "auto" : "smooth", block: "center" });
        } else if (!busy(document.body)) {
          // In another part of the reading: open that part, unless a draft would be lost.
          window.location.assign(`${window.location.pathname}?at=${encodeURIComponent(anchor)}#${anchor}`);
        }
      }
    }
    if (said.length) {
      document.dispatchEvent(new CustomEvent("announce", { detail: { message: said.join(" ") } }));
    }
    return applied;
  };

  const poll = async () => {
    if (document.hidden) return;
    const url = new URL(config.dataset.liveUrl, window.location.href);
    for (const [key, value] of new URLSearchParams(window.location.search)) {
      url.searchParams.set(key, value);
    }
    const open = [...document.querySelectorAll("[data-thread]")].map((t) => t.dataset.thread);
    url.searchParams.set("open", open.join(","));
    // Only the parts of the reading on the page: what changed elsewhere is not asked for.
    const parts = [...document.querySelectorAll("[data-part]")].map((part) => part.dataset.part);
    url.searchParams.set("parts", parts.join(","));
    try {
      const response = await fetch(url, { headers: { "If-None-Match": version }, cache: "no-store" });
      // A 304 may still bring a fuller ETag than the page was rendered with.
      if (response.status === 304 || (response.status === 200 && apply(await response.text()))) {
        version = response.headers.get("ETag") || version;
      }
    } catch {
      // Offline for a moment: the next poll tries again.
    }
  };

  setInterval(poll, INTERVAL);
}
