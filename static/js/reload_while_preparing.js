// Reloads the page while a background task is making something it shows (the stored
// PDFs of a submitted period); the element says how often. Without script the page
// still says what is happening, and a reload by hand shows the progress.
(function () {
  "use strict";
  var marker = document.querySelector("[data-reload-seconds]");
  if (!marker) {
    return;
  }
  var seconds = parseInt(marker.getAttribute("data-reload-seconds"), 10) || 10;
  window.setTimeout(function () {
    window.location.reload();
  }, seconds * 1000);
})();
