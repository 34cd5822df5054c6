/* Accessible names for the admin widgets that build their own inputs in JavaScript.
 *
 * The rich-text editor (django-prose-editor) and the autocomplete boxes (select2) hide the real
 * form field and show their own element, which the field's <label> does not name. This names
 * them after that label, and hides select2's mouse-only "remove all" cross, which sits inside its
 * list of choices, from assistive technology. select2 redraws its choices on every change, so the
 * fixes are re-applied whenever the form's DOM changes.
 */
(function () {
  "use strict";

  function labelFor(field) {
    return field && field.id ? document.querySelector('label[for="' + field.id + '"]') : null;
  }

  function labelText(label) {
    return label.textContent.replace(/:\s*$/, "").trim();
  }

  function nameRichTextEditors(root) {
    root.querySelectorAll(".prose-editor").forEach(function (wrapper) {
      var editable = wrapper.querySelector("[contenteditable]");
      var label = labelFor(wrapper.querySelector("textarea"));
      if (!editable || !label || editable.hasAttribute("aria-labelledby")) return;
      if (!label.id) label.id = label.htmlFor + "_label";
      editable.setAttribute("aria-labelledby", label.id);
      editable.setAttribute("aria-multiline", "true");
    });
  }

  function nameAutocompletes(root) {
    root.querySelectorAll(".select2-container").forEach(function (container) {
      var label = labelFor(container.previousElementSibling);
      var search = container.querySelector(".select2-search__field");
      if (label && search && !search.hasAttribute("aria-label")) {
        search.setAttribute("aria-label", labelText(label));
      }
      container.querySelectorAll(".select2-selection__clear").forEach(function (cross) {
        cross.setAttribute("aria-hidden", "true");
      });
    });
  }

  function applyAll() {
    nameRichTextEditors(document);
    nameAutocompletes(document);
  }

  document.addEventListener("DOMContentLoaded", function () {
    applyAll();
    new MutationObserver(applyAll).observe(document.body, { childList: true, subtree: true });
  });
})();
