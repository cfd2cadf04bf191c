// After the library's script has registered a passkey, go back to the sign-in security page.
(function () {
  "use strict";
  var box = document.getElementById("passkey-setup");
  if (!box) return;
  document.addEventListener("otp_webauthn.register_complete", function () {
    window.location.assign(box.getAttribute("data-done-url"));
  });
})();
