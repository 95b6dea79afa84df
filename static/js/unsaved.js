// Warns before the browser leaves a page whose form has edits that are not saved.
// A form opts in with the attribute data-warn-unsaved; the value "changed" marks a form
// that already holds unsaved text when the page loads (after a conflict, say).
(function () {
  "use strict";
  var forms = document.querySelectorAll("form[data-warn-unsaved]");
  if (!forms.length) {
    return;
  }
  var changed = new Set();
  forms.forEach(function (form) {
    if (form.dataset.warnUnsaved === "changed") {
      changed.add(form);
    }
    form.addEventListener("input", function () {
      changed.add(form);
    });
    form.addEventListener("change", function () {
      changed.add(form);
    });
    form.addEventListener("submit", function () {
      changed.delete(form);
    });
  });
  window.addEventListener("beforeunload", function (event) {
    if (changed.size) {
      event.preventDefault();
      // Older browsers show the dialog only when returnValue is set.
      event.returnValue = "";
    }
  });
})();
