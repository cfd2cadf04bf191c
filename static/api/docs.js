// The API docs page: Swagger UI from our own static files, reading the schema named on the page.
// No inline script (strict CSP): the schema URL comes from a data attribute.
(function () {
  "use strict";
  var root = document.getElementById("swagger-ui");
  if (!root || typeof window.SwaggerUIBundle !== "function") return;
  window.SwaggerUIBundle({
    url: root.dataset.schemaUrl,
    domNode: root,
    deepLinking: true,
    validatorUrl: null,  // never call validator.swagger.io
    tryItOutEnabled: false,
    defaultModelsExpandDepth: 0,
    docExpansion: "list",
  });
})();
