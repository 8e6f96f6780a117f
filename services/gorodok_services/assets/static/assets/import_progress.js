// The register import's progress page: polls the import's small JSON status and draws the bar.
(function () {
  "use strict";
  var box = document.getElementById("asset-import-progress");
  if (!box) { return; }
  var bar = box.querySelector("progress");
  var text = box.querySelector(".asset-import-state");
  var url = box.getAttribute("data-status-url");
  var labels = JSON.parse(box.getAttribute("data-labels"));

  function describe(state) {
    var parts = [labels[state.status] || state.status];
    if (!state.checked) {
      parts.push(labels.checked + ": " + state.rowsChecked);
    } else {
      parts.push(labels.written + ": " + state.rowsDone + " / " + state.rowsTotal);
    }
    parts.push(labels.created + ": " + state.created, labels.updated + ": " + state.updated);
    if (state.rejected) { parts.push(labels.rejected + ": " + state.rejected); }
    return parts.join(" · ");
  }

  function poll() {
    fetch(url, {credentials: "same-origin", headers: {"Accept": "application/json"}})
      .then(function (response) { return response.json(); })
      .then(function (state) {
        bar.value = state.percent;
        bar.textContent = state.percent + "%";
        text.textContent = describe(state);
        if (state.finished) {
          window.location.reload();  // the finished page shows the report
        } else {
          window.setTimeout(poll, 1000);
        }
      })
      .catch(function () { window.setTimeout(poll, 3000); });
  }
  if (box.getAttribute("data-finished") !== "true") { poll(); }
})();
