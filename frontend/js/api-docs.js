// The open data API's reference on /api/: Swagger UI (loaded before this file, from
// dist/swagger-ui/) draws the OpenAPI schema that /api/schema/ serves. Without JavaScript
// the page still lists every endpoint and links to the schema.
const reference = document.getElementById("api-reference");
if (reference && window.SwaggerUIBundle) {
  window.SwaggerUIBundle({
    url: reference.dataset.schemaUrl,
    domNode: reference,
    presets: [window.SwaggerUIBundle.presets.apis],
    layout: "BaseLayout",
    // The API only reads; its tokens are the reader's own session cookie.
    supportedSubmitMethods: ["get"],
    deepLinking: false,
    defaultModelsExpandDepth: 0,
    // Swagger UI colours code with inline styles of its own; plain text keeps to the
    // site's styles and contrast.
    syntaxHighlight: false,
    // No call to a validator on the internet.
    validatorUrl: null,
  });
}
