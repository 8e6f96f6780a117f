// Polls a console task's state and moves its progress bar; reloads the page once the task has finished,
// so the result (a download, a link, an error) is rendered by the server.
(function () {
  "use strict";
  var box = document.getElementById("task-progress");
  if (!box || box.dataset.finished === "true") { return; }
  var bar = box.querySelector("progress");
  var label = box.querySelector("[data-step]");
  var percent = box.querySelector("[data-percent]");
  function poll() {
    fetch(box.dataset.stateUrl, { credentials: "same-origin", headers: { "Accept": "application/json" } })
      .then(function (response) { return response.ok ? response.json() : null; })
      .then(function (state) {
        if (!state) { window.setTimeout(poll, 3000); return; }
        bar.value = state.percent;
        percent.textContent = state.percent + "%";
        if (state.step) { label.textContent = state.step; }
        if (state.finished) { window.location.reload(); return; }
        window.setTimeout(poll, 1000);
      })
      .catch(function () { window.setTimeout(poll, 3000); });
  }
  window.setTimeout(poll, 500);
})();
