// The page's one status region says what an in-place update did, and focus
// moves to what it made (a new post, the button pressed again). Servers ask
// through htmx's HX-Trigger-After-Settle header (accounts/announce.py); the
// live poll raises the same "announce" event.

const region = document.querySelector("[data-announcer]");
const FOCUSABLE = "a[href], button, input, select, textarea, summary, [tabindex]";

document.addEventListener("announce", (event) => {
  const { message, focus } = event.detail;
  const target = focus && document.querySelector(focus);
  if (target) {
    // A post is not a stop in the tab order, but focus may rest on it.
    if (!target.matches(FOCUSABLE)) target.tabIndex = -1;
    target.focus();
  }
  // Emptied first, so that the same words twice (two votes) are said twice.
  region.textContent = "";
  setTimeout(() => {
    region.textContent = message;
  }, 50);
});
