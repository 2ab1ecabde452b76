// Live updates: every few seconds ask whether the discussion changed (a
// conditional GET), and swap in the passages and open threads that did.
// Nothing is replaced while the reader is typing or selecting inside it.

const config = document.querySelector("[data-live-url]");
const INTERVAL = 2000;

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
    for (const piece of incoming.querySelectorAll("template[data-live]")) {
      const current = document.getElementById(piece.dataset.live);
      if (!current) continue;
      if (busy(current)) {
        applied = false; // ask again next time, when the reader is done
        continue;
      }
      const replacement = piece.content.firstElementChild;
      const followed = current.dataset.followAnchor;
      current.replaceWith(replacement);
      window.htmx?.process(replacement);
      // Following a meeting: the reading scrolls to the passage now discussed.
      const anchor = replacement.dataset.followAnchor;
      if (anchor && anchor !== followed) {
        document.getElementById(anchor)?.scrollIntoView({ behavior: matchMedia("(prefers-reduced-motion: reduce)").matches ? "auto" : "smooth", block: "center" });
      }
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
