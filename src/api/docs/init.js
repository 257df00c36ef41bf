// The documentation page of urbaclic (/api/docs): Swagger UI reading /api/openapi.json.
// A file of its own: the Content-Security-Policy refuses inline scripts.
// validatorUrl null: no badge fetched from the public validator, the page needs no network.
window.ui = SwaggerUIBundle({
  url: "/api/openapi.json",
  dom_id: "#api-docs",
  validatorUrl: null,
  deepLinking: true,
  docExpansion: "list",
});
