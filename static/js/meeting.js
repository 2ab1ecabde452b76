// The meeting page: count down the current question's minutes.
function tick() {
  const countdown = document.querySelector("[data-countdown]");
  if (!countdown || !countdown.dataset.started) return;
  const end = Date.parse(countdown.dataset.started) + Number(countdown.dataset.minutes) * 60_000;
  const left = Math.round((end - Date.now()) / 1000);
  const sign = left < 0 ? "over by " : "";
  const seconds = Math.abs(left);
  countdown.textContent = `${sign}${Math.floor(seconds / 60)}:${String(seconds % 60).padStart(2, "0")} ${left < 0 ? "" : "left"}`.trim();
  countdown.classList.toggle("countdown--over", left < 0);
}
tick();
setInterval(tick, 1000);
