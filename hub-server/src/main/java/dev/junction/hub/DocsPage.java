package dev.junction.hub;

import java.nio.charset.StandardCharsets;

/** /docs: a small offline page that loads /openapi.json and lists the operations, parameters and responses. */
final class DocsPage {

    private static final byte[] HTML = """
            <!doctype html>
            <html lang="en"><head><meta charset="utf-8"><title>Junction hub-server API</title>
            <style>
            body{font-family:system-ui,sans-serif;max-width:60rem;margin:2rem auto;padding:0 1rem;color:#222}
            h2{border-bottom:1px solid #ddd;margin-top:2rem} .op{margin:.8rem 0;padding:.5rem .8rem;border-left:4px solid #888;background:#f7f7f7}
            .m{font-weight:bold;display:inline-block;width:4.5rem} .GET{border-color:#2a7} .POST{border-color:#27c} .DELETE{border-color:#c33}
            code{background:#eee;padding:0 .2rem} small{color:#666}
            </style></head><body>
            <h1>Junction hub-server API</h1>
            <p>The machine-readable document is <a href="/openapi.json">/openapi.json</a> (OpenAPI 3.1).
            Send <code>Authorization: Bearer &lt;key&gt;</code>: the admin key for tenants and keys, a tenant key for the rest.</p>
            <div id="ops">Loading…</div>
            <script>
            fetch('/openapi.json').then(r => r.json()).then(doc => {
              const byTag = {};
              for (const [path, item] of Object.entries(doc.paths)) {
                for (const [method, op] of Object.entries(item)) {
                  (byTag[op.tags[0]] = byTag[op.tags[0]] || []).push({path, method: method.toUpperCase(), op});
                }
              }
              const esc = s => String(s).replace(/[&<>]/g, c => ({'&':'&amp;','<':'&lt;','>':'&gt;'}[c]));
              let html = '';
              for (const [tag, ops] of Object.entries(byTag)) {
                html += '<h2>' + esc(tag) + '</h2>';
                for (const {path, method, op} of ops) {
                  const params = (op.parameters || []).map(p => '<code>' + esc(p.name) + '</code> <small>(' + p.in + (p.required ? ', required' : '') + ')</small>').join(', ');
                  const body = op.requestBody ? ' body: <code>' + esc(op.requestBody.content['application/json'].schema.$ref.split('/').pop()) + '</code>' : '';
                  html += '<div class="op ' + method + '"><span class="m">' + method + '</span><code>' + esc(path) + '</code><br>'
                    + esc(op.summary) + '<br><small>' + params + body + ' · responses: ' + Object.keys(op.responses).join(', ') + '</small></div>';
                }
              }
              document.getElementById('ops').innerHTML = html;
            });
            </script></body></html>
            """.getBytes(StandardCharsets.UTF_8);

    private DocsPage() {}

    static byte[] html() {
        return HTML.clone();
    }
}
