// A form sent back with errors: the focus moves to its error summary ([data-error-summary], the `alert` tag's
// error_summary option), so that a screen reader reads it at once and the next Tab reaches its links, each of
// which moves the focus to the field it names. Does nothing on a page without a summary.
(function () {
  "use strict";
  const summary = document.querySelector("[data-error-summary]");
  if (!summary) {
    return;
  }
  summary.focus();
  summary.addEventListener("click", (event) => {
    const link = event.target.closest("a[href^='#']");
    const field = link && document.getElementById(link.getAttribute("href").slice(1));
    if (field) {
      event.preventDefault();
      field.focus();
      field.scrollIntoView({ block: "center" });
    }
  });
})();
