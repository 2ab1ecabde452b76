// The reading page: select words (mouse, touch or keyboard) and ask or comment
// on them; open a passage's composer from its margin; open a thread from a mark.
// Without this script every action still works through links and plain forms.

const toolbar = document.querySelector("[data-selection-toolbar]");
const template = document.getElementById("composer-template");
const CONTEXT = 32;

// Selector positions count Unicode code points, as the W3C model and Python do.
const codePoints = (text) => Array.from(text).length;

function bodyOf(node) {
  const element = node && (node.nodeType === Node.ELEMENT_NODE ? node : node.parentElement);
  return element ? element.closest("[data-passage-text]") : null;
}

// The selection as a selector on one passage's text, or null.
function currentSelection() {
  const selection = window.getSelection();
  if (!selection || selection.rangeCount === 0 || selection.isCollapsed) return null;
  const range = selection.getRangeAt(0);
  const body = bodyOf(range.startContainer);
  if (!body || body !== bodyOf(range.endContainer)) return null;
  const before = document.createRange();
  before.setStart(body, 0);
  before.setEnd(range.startContainer, range.startOffset);
  const text = Array.from(body.textContent);
  const start = codePoints(before.toString());
  const end = start + codePoints(range.toString());
  if (!range.toString().trim()) return null;
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
}

function showToolbar() {
  const selector = currentSelection();
  if (!selector) return hideToolbar();
  const rect = window.getSelection().getRangeAt(0).getBoundingClientRect();
  toolbar.hidden = false;
  toolbar.style.top = `${window.scrollY + rect.bottom + 8}px`;
  toolbar.style.left = `${Math.max(8, window.scrollX + rect.left)}px`;
}

toolbar.addEventListener("mousedown", (event) => event.preventDefault()); // keep the selection
toolbar.addEventListener("click", (event) => {
  const button = event.target.closest("[data-compose]");
  const selector = currentSelection();
  if (button && selector) openComposer(selector.anchor, button.dataset.compose, selector);
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
    const selector = currentSelection();
    if (selector) {
      event.preventDefault();
      openComposer(selector.anchor, event.key === "q" ? "question" : "comment", selector);
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
  // A mark opens the first thread it belongs to, beside the passage.
  const mark = event.target.closest("mark[data-annotations]");
  if (mark && window.getSelection().isCollapsed) {
    const id = mark.dataset.annotations.split(" ")[0];
    document.querySelector(`[data-thread-link="${id}"]`)?.click();
  }
});
