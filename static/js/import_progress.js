// The progress bar of a large import (imdi_reporting/import_job.html): asks the status
// of the job every second and reloads the page, which shows the result, once it is done.
(function () {
  "use strict";
  var bar = document.getElementById("import-progress");
  var text = document.getElementById("import-progress-text");
  if (!bar || !text) {
    return;
  }
  function show(status) {
    if (status.finished) {
      window.location.reload();
      return;
    }
    if (status.rows_total) {
      bar.max = status.rows_total;
      bar.value = Math.min(status.rows_done, status.rows_total);
    }
    text.textContent = status.text;
    window.setTimeout(poll, 1000);
  }
  function poll() {
    fetch(bar.dataset.statusUrl, {
      credentials: "same-origin",
      headers: { Accept: "application/json" },
    })
      .then(function (response) {
        return response.json();
      })
      .then(show)
      .catch(function () {
        window.setTimeout(poll, 3000);
      });
  }
  window.setTimeout(poll, 1000);
})();
