/* Suggestions for the comma-separated tags box in the article admin.
 *
 * The box stays a plain text field (it works without JavaScript). As the editor types, the
 * fragment after the last comma is looked up among existing tags, and a <datalist> offers each
 * match appended to what is already typed, quoted when it contains a space or comma (taggit's
 * syntax), so choosing one completes the fragment instead of replacing the whole list.
 */
(function () {
  "use strict";

  var timer = null;

  function quoted(name) {
    return /[\s,]/.test(name) ? '"' + name.replace(/"/g, "") + '"' : name;
  }

  function suggest(input) {
    var value = input.value;
    var cut = value.lastIndexOf(",");
    var rest = value.slice(cut + 1);
    // Keep exactly what was typed before the fragment, so the browser still matches the options.
    var typed = value.slice(0, cut + 1) + rest.match(/^\s*/)[0];
    var fragment = rest.trim();
    var list = document.getElementById(input.getAttribute("list"));
    if (!list) return;
    if (!fragment) {
      list.replaceChildren();
      return;
    }
    var url = input.dataset.tagAutocomplete + "?q=" + encodeURIComponent(fragment);
    fetch(url, { credentials: "same-origin", headers: { Accept: "application/json" } })
      .then(function (response) { return response.ok ? response.json() : { results: [] }; })
      .then(function (data) {
        list.replaceChildren.apply(list, data.results.map(function (name) {
          var option = document.createElement("option");
          option.value = typed + quoted(name) + ", ";
          option.label = name;
          return option;
        }));
      })
      .catch(function () { list.replaceChildren(); });
  }

  document.addEventListener("input", function (event) {
    var input = event.target;
    if (!(input instanceof HTMLInputElement) || !input.dataset.tagAutocomplete) return;
    clearTimeout(timer);
    timer = setTimeout(function () { suggest(input); }, 150);
  });
})();
