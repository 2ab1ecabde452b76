// Library upload: while the server imports a file, say so and stop double submits.
for (const form of document.querySelectorAll("[data-upload-form]")) {
  const status = form.querySelector("[data-upload-status]");
  const button = form.querySelector("button[type=submit]");
  form.addEventListener("submit", () => {
    status.hidden = false;
    button.disabled = true;
  });
  // Coming back to the page from history must not leave the form stuck.
  window.addEventListener("pageshow", () => {
    status.hidden = true;
    button.disabled = false;
  });
}
