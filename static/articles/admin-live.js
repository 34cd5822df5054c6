// The live desk: Ctrl+Enter (Cmd+Enter on a Mac) posts the update being written, from any of
// its fields, the rich-text editor included; buttons that delete or end ask first.
(function () {
  "use strict";

  document.addEventListener("keydown", function (event) {
    if (event.key !== "Enter" || !(event.ctrlKey || event.metaKey)) return;
    var form = event.target.closest && event.target.closest("form[data-ctrl-enter-submits]");
    if (!form) return;
    // Before the rich-text editor turns it into a line break.
    event.preventDefault();
    event.stopPropagation();
    // The editor copies its text into the form's textarea as you type; submit after that.
    window.setTimeout(function () { form.requestSubmit(); }, 0);
  }, true);

  document.addEventListener("submit", function (event) {
    var question = event.target.dataset && event.target.dataset.confirm;
    if (question && !window.confirm(question)) event.preventDefault();
  });
})();
