// Passkeys in the desk (articles/desk/second_factor.py): adding one, and signing in with one as
// the second step. Each button carries the endpoint it talks to; the server checks everything.
(function () {
  "use strict";

  function csrfToken() {
    const field = document.querySelector("input[name=csrfmiddlewaretoken]");
    return field ? field.value : "";
  }

  async function post(url, body) {
    const response = await fetch(url, {
      method: "POST",
      credentials: "same-origin",
      headers: { "Content-Type": "application/json", "X-CSRFToken": csrfToken() },
      body: JSON.stringify(body),
    });
    const data = await response.json().catch(() => ({ error: "The server did not answer." }));
    if (!response.ok || data.error) {
      throw new Error(data.error || "Something went wrong.");
    }
    return data;
  }

  function showError(button, message) {
    const box = document.getElementById(button.dataset.errorBox);
    if (box) {
      box.textContent = message;
      box.hidden = false;
    }
  }

  async function run(button) {
    if (!window.PublicKeyCredential || !PublicKeyCredential.parseCreationOptionsFromJSON) {
      showError(button, "This browser cannot use passkeys.");
      return;
    }
    button.disabled = true;
    try {
      const url = button.dataset.passkeyUrl;
      const extra = {};
      const options = await post(url, { step: "options" });
      let credential;
      if (button.dataset.passkey === "register") {
        const nameField = document.getElementById(button.dataset.nameField);
        extra.name = nameField ? nameField.value : "";
        credential = await navigator.credentials.create({
          publicKey: PublicKeyCredential.parseCreationOptionsFromJSON(options),
        });
      } else {
        credential = await navigator.credentials.get({
          publicKey: PublicKeyCredential.parseRequestOptionsFromJSON(options),
        });
        extra.next = button.dataset.next || "";
      }
      const result = await post(url, { credential: credential.toJSON(), ...extra });
      window.location.assign(result.redirect);
    } catch (error) {
      const cancelled = error && error.name === "NotAllowedError";
      showError(button, cancelled ? "Cancelled, or no passkey answered. Try again." : error.message);
      button.disabled = false;
    }
  }

  document.addEventListener("click", function (event) {
    const button = event.target.closest("[data-passkey]");
    if (button) {
      event.preventDefault();
      run(button);
    }
  });
})();
