// Progress of a running import: polls the job's status and updates the <progress> element and
// its status text (a polite live region). When the import has finished, the page reloads to show
// the outcome. Without this script the page still works: its "Refresh" link does the same.
(function () {
  "use strict";
  var section = document.querySelector("[data-status-url]");
  if (!section || !window.fetch) {
    return;
  }
  var url = section.getAttribute("data-status-url");
  var bar = document.getElementById("import-progress");
  var text = document.getElementById("import-progress-text");

  function poll() {
    fetch(url, { credentials: "same-origin", headers: { Accept: "application/json" } })
      .then(function (response) {
        return response.ok ? response.json() : null;
      })
      .then(function (data) {
        if (!data) {
          return;
        }
        if (data.finished) {
          window.location.reload();
          return;
        }
        bar.max = Math.max(data.expected, data.read, 1);
        bar.value = data.read;
        bar.textContent = String(data.read);
        text.textContent = data.text;
        window.setTimeout(poll, 1500);
      })
      .catch(function () {
        window.setTimeout(poll, 5000);
      });
  }
  window.setTimeout(poll, 1000);
})();
