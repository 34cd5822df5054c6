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
      var select = container.previousElementSibling;
      var label = labelFor(select);
      // A field in a table row (a tabular inline) has no <label>, only the select's aria-label.
      var name = label ? labelText(label) : select && select.getAttribute("aria-label");
      var search = container.querySelector(".select2-search__field");
      if (name && search && !search.hasAttribute("aria-label")) {
        search.setAttribute("aria-label", name);
      }
      container.querySelectorAll('[role="textbox"]:not([aria-label]):not([aria-labelledby])')
        .forEach(function (box) {
          // The chosen value alone, empty until one is made (an empty "Add article" form).
          if (label && box.id) {
            if (!label.id) label.id = label.htmlFor + "_label";
            var names = label.id + " " + box.id; // "Lead image" and the chosen value, if any
            box.setAttribute("aria-labelledby", names);
            var combobox = box.closest('[role="combobox"]');
            if (combobox) combobox.setAttribute("aria-labelledby", names);
          } else if (name) {
            box.setAttribute("aria-label", name);
          }
        });
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
