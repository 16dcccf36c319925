// Where the keyboard's focus goes on every page.
// - The 跳到主要内容 link (.app-skip-link) moves the focus into <main> without putting #main in the address: a form
//   posted afterwards would otherwise come back at …#main, and the browser would focus <main> after this script had
//   focused the form's error summary.
// - A form sent back with errors: the focus moves to its error summary ([data-error-summary], the `alert` tag's
//   error_summary option), so that a screen reader reads it at once and the next Tab reaches its links, each of
//   which moves the focus to the field it names.
(function () {
  "use strict";
  const skip = document.querySelector(".app-skip-link");
  const main = document.getElementById("main");
  if (skip && main) {
    skip.addEventListener("click", (event) => {
      event.preventDefault();
      main.focus();
      main.scrollIntoView();
    });
  }
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
