// The reading page: select words (mouse, touch or keyboard) and ask or comment
// on them; open a passage's composer from its margin; open a thread from a mark.
// Without this script every action still works through links and plain forms.

const toolbar = document.querySelector("[data-selection-toolbar]");
const toolbarStatus = toolbar.querySelector("[role=status]");
const template = document.getElementById("composer-template");
const CONTEXT = 32;

// Selector positions count Unicode code points, as the W3C model and Python do.
const codePoints = (text) => Array.from(text).length;

// The words of a range within one passage's text, as a selector, or null.
function selectorOf(range, body) {
  if (!range.toString().trim()) return null;
  const before = document.createRange();
  before.setStart(body, 0);
  before.setEnd(range.startContainer, range.startOffset);
  const text = Array.from(body.textContent);
  const start = codePoints(before.toString());
  const end = start + codePoints(range.toString());
  return {
    body,
    anchor: body.id.replace(/^text-/, ""),
    exact: text.slice(start, end).join(""),
    prefix: text.slice(Math.max(0, start - CONTEXT), start).join(""),
    suffix: text.slice(end, end + CONTEXT).join(""),
    start,
    end,
  };
}

// The selection cut to each passage whose words it takes: one selector each.
// Words can be discussed when there is exactly one.
function selectedParts() {
  const selection = window.getSelection();
  if (!selection || selection.rangeCount === 0 || selection.isCollapsed) return [];
  const range = selection.getRangeAt(0);
  const parts = [];
  for (const body of document.querySelectorAll("[data-passage-text]")) {
    if (!range.intersectsNode(body)) continue;
    const part = range.cloneRange();
    if (!body.contains(part.startContainer)) part.setStart(body, 0);
    if (!body.contains(part.endContainer)) part.setEnd(body, body.childNodes.length);
    const selector = selectorOf(part, body);
    if (selector) parts.push(selector);
  }
  return parts;
}

function openComposer(anchor, kind, selector) {
  const row = document.getElementById(`row-${anchor}`);
  if (!row || !template) return;
  row.querySelector("[data-compose-form]")?.remove();
  const form = template.content.firstElementChild.cloneNode(true);
  form.setAttribute("hx-target", `#row-${anchor}`);
  form.elements.passage.value = anchor;
  for (const name of ["exact", "prefix", "suffix", "start", "end"]) {
    form.elements[name].value = selector ? selector[name] : "";
  }
  const target = form.querySelector("[data-compose-target]");
  if (selector) {
    target.textContent = "On the words: ";
    const quote = document.createElement("q");
    quote.textContent = selector.exact;
    target.append(quote);
  }
  // The chosen kind's button comes first, so Enter in the form picks it.
  const actions = form.querySelector(".compose-actions");
  const chosen = actions.querySelector(`button[value="${kind}"]`);
  if (chosen) actions.prepend(chosen);
  form.querySelector("[data-compose-cancel]").addEventListener("click", (event) => {
    event.preventDefault();
    form.remove();
    document.getElementById(`text-${anchor}`)?.focus();
  });
  row.append(form);
  window.htmx?.process(form);
  hideToolbar();
  form.elements.body.focus();
}

function hideToolbar() {
  toolbar.hidden = true;
  toolbar.selector = null;
}

// Below the selection, with room for a touch screen's selection handles, and
// never past the viewport's right edge. The toolbar sits in a positioned
// passage, so first find where that puts its origin.
function placeToolbar(rect) {
  const gap = window.matchMedia("(pointer: coarse)").matches ? 32 : 8;
  toolbar.style.left = "0px";
  toolbar.style.top = "0px";
  const origin = toolbar.getBoundingClientRect();
  const right = document.documentElement.clientWidth - origin.width - 8;
  toolbar.style.left = `${Math.max(8, Math.min(rect.left, right)) - origin.left}px`;
  toolbar.style.top = `${rect.bottom + gap - origin.top}px`;
  toolbar.scrollIntoView({ block: "nearest" });
}

// The toolbar follows the passage's text in the document, so Tab from the
// passage reaches it and a screen reader finds it there; words across two
// passages get a reason instead of buttons.
function showToolbar() {
  const parts = selectedParts();
  if (parts.length === 0) return hideToolbar();
  const text = parts.at(-1).body.closest(".passage-text");
  if (text.nextElementSibling !== toolbar) text.after(toolbar); // moving it would drop focus
  toolbar.selector = parts.length === 1 ? parts[0] : null;
  for (const button of toolbar.querySelectorAll("button")) button.hidden = !toolbar.selector;
  toolbar.hidden = false;
  placeToolbar(window.getSelection().getRangeAt(0).getBoundingClientRect());
  // Written once the region is shown, so screen readers announce it.
  requestAnimationFrame(() => {
    toolbarStatus.textContent = toolbar.selector ? "" : toolbarStatus.dataset.straddling;
  });
}

// The selector is the one shown, not read again: a tap may clear the selection.
toolbar.addEventListener("mousedown", (event) => event.preventDefault()); // keep the selection
toolbar.addEventListener("click", (event) => {
  const button = event.target.closest("[data-compose]");
  const selector = toolbar.selector;
  if (button && selector) openComposer(selector.anchor, button.dataset.compose, selector);
});
toolbar.addEventListener("keydown", (event) => {
  if (event.key === "Escape") toolbar.selector?.body.focus(); // the words stay selected
});
document.addEventListener("selectionchange", () => {
  clearTimeout(showToolbar.timer);
  showToolbar.timer = setTimeout(showToolbar, 150);
});

// Keyboard selection: a passage is a stop in the tab order; arrows move a
// caret in it, Shift+arrows select, Q asks about the selection, C comments.
const MOVES = {
  ArrowLeft: ["backward", "character"],
  ArrowRight: ["forward", "character"],
  ArrowUp: ["backward", "line"],
  ArrowDown: ["forward", "line"],
  Home: ["backward", "lineboundary"],
  End: ["forward", "lineboundary"],
};
// The template makes each passage's text focusable, so it stays so when re-rendered.
document.addEventListener("focusin", (event) => {
  const body = event.target;
  const selection = window.getSelection();
  if (body.matches?.("[data-passage-text]") && !body.contains(selection.anchorNode)) {
    selection.collapse(body, 0);
  }
});
document.addEventListener("keydown", (event) => {
  const body = event.target.closest?.("[data-passage-text]");
  if (!body || event.altKey || event.metaKey) return;
  const move = MOVES[event.key];
  const selection = window.getSelection();
  if (move) {
    const granularity = event.ctrlKey && move[1] === "character" ? "word" : move[1];
    selection.modify(event.shiftKey ? "extend" : "move", move[0], granularity);
    event.preventDefault();
  } else if (!event.ctrlKey && (event.key === "q" || event.key === "c")) {
    const parts = selectedParts();
    if (parts.length === 1) {
      event.preventDefault();
      openComposer(parts[0].anchor, event.key === "q" ? "question" : "comment", parts[0]);
    }
  } else if (event.key === "Escape") {
    hideToolbar();
  }
});

document.addEventListener("click", (event) => {
  // The margin's "Ask a question" and "Comment": the whole passage.
  const link = event.target.closest("a[data-compose]");
  if (link) {
    event.preventDefault();
    openComposer(link.dataset.anchor, link.dataset.compose, null);
    return;
  }
  // A mark opens the first thread it belongs to, beside the passage: by its
  // link in the margin, or, when the margin lists only the liveliest, by itself.
  const mark = event.target.closest("mark[data-annotations]");
  if (mark && window.getSelection().isCollapsed) {
    const id = mark.dataset.annotations.split(" ")[0];
    const link = document.querySelector(`[data-thread-link="${id}"]`);
    if (link) {
      link.click();
    } else {
      const anchor = mark.closest(".passage-row").dataset.anchor;
      window.htmx?.ajax("GET", `${window.location.pathname}t/${id}/`, `#thread-in-${anchor}`);
    }
    return;
  }
  // A link to a passage already on the page (`?at=<anchor>#<anchor>`) only moves to it.
  const at = event.target.closest("a[href*='?at=']");
  const url = at && new URL(at.href);
  if (url && url.pathname === window.location.pathname && document.getElementById(url.hash.slice(1))) {
    event.preventDefault();
    window.location.hash = url.hash;
  }
});

// A link to a passage by its anchor alone (`#p-3f9a1c`), as links were before
// the reading came in parts: open the part that holds it.
const wanted = decodeURIComponent(window.location.hash.slice(1));
if (/^p-[0-9a-f]{6}$/.test(wanted) && !document.getElementById(wanted) && !new URLSearchParams(window.location.search).has("at")) {
  window.location.replace(`${window.location.pathname}?at=${encodeURIComponent(wanted)}#${wanted}`);
}

// A thread opens into its passage's panel (htmx, from the margin's links). The
// panel shows while it holds a thread, and each link says whether its thread
// is open there: worked out again whenever the passages change, as htmx, the
// live updates and closing all change them.
const passages = document.getElementById("text");
function showThreads() {
  for (const panel of passages.querySelectorAll("[data-thread-panel]")) {
    panel.hidden = !panel.querySelector("[data-thread]");
  }
  for (const link of passages.querySelectorAll("[data-thread-link]")) {
    const panel = link.closest(".passage-row").querySelector("[data-thread-panel]");
    const open = panel.querySelector(`[data-thread="${link.dataset.threadLink}"]`);
    link.setAttribute("aria-controls", panel.id);
    link.setAttribute("aria-expanded", String(Boolean(open)));
  }
}
new MutationObserver(showThreads).observe(passages, { childList: true, subtree: true });
showThreads();

// Closing empties the panel (so live updates stop asking for its thread) and
// brings focus back to the link that opened it.
function closeThread(panel) {
  const id = panel.querySelector("[data-thread]")?.dataset.thread;
  panel.querySelector("[data-thread-slot]").replaceChildren();
  panel.closest(".passage-row").querySelector(`[data-thread-link="${id}"]`)?.focus();
}
document.addEventListener("click", (event) => {
  const button = event.target.closest("[data-thread-close]");
  if (button) closeThread(button.closest("[data-thread-panel]"));
});
document.addEventListener("keydown", (event) => {
  const panel = event.key === "Escape" && event.target.closest?.("[data-thread-panel]");
  const field = event.target;
  // Escape in a reply being written keeps the draft.
  if (panel && !(field.matches("textarea") && field.value !== field.defaultValue)) {
    closeThread(panel);
  }
});
