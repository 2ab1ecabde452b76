// "Copy link" beside a read-only field; without JavaScript the field is still selectable.
const source = document.querySelector("[data-copy-source]");
const button = document.querySelector("[data-copy-button]");
if (source && button && navigator.clipboard) {
  button.hidden = false;
  button.addEventListener("click", async () => {
    await navigator.clipboard.writeText(source.value);
    button.textContent = "Copied";
    setTimeout(() => { button.textContent = "Copy link"; }, 2000);
  });
}
