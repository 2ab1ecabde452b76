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
  // A file over the limit is refused here, before it is sent: the server would
  // refuse it too, and the rest of the form would have to be typed again.
  for (const input of form.querySelectorAll("input[type=file][data-max-bytes]")) {
    input.addEventListener("change", () => {
      const limit = Number(input.dataset.maxBytes);
      const tooLarge = [...input.files].some((file) => file.size > limit);
      input.setCustomValidity(tooLarge ? input.dataset.tooLarge : "");
      input.reportValidity();
    });
  }
}
