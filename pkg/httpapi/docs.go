package httpapi

import (
	"bytes"
	"html/template"
	"io/fs"
	"net/http"
	"path"
	"sort"
	"strings"
	"sync"

	"github.com/labstack/echo/v4"
	"github.com/tribune-act/tribune/schema"
	"go.yaml.in/yaml/v4"
)

// docsRoutes serve the REST contract and a page that reads it.
func (s *Server) docsRoutes(e *echo.Echo) {
	e.GET("/api/v1/openapi.yaml", s.openAPISpec)
	e.GET("/api/v1/docs", s.apiDocs)
	e.GET("/api/v1/schemas/:name", s.feedSchema)
}

func (s *Server) openAPISpec(c echo.Context) error {
	c.Response().Header().Set("Cache-Control", "no-cache")
	return c.Blob(http.StatusOK, "application/yaml", schema.OpenAPI)
}

func (s *Server) feedSchema(c echo.Context) error {
	name := c.Param("name")
	if path.Base(name) != name || !strings.HasSuffix(name, ".schema.json") {
		return problem(http.StatusNotFound, "not-found", "no such schema")
	}
	b, err := fs.ReadFile(schema.Feeds, name)
	if err != nil {
		return problem(http.StatusNotFound, "not-found", "no such schema; the schemas are feed-snapshot.schema.json and feed-change.schema.json")
	}
	return c.Blob(http.StatusOK, "application/schema+json", b)
}

func (s *Server) apiDocs(c echo.Context) error {
	page, err := docsPage()
	if err != nil {
		return err
	}
	// The page's only style is inline; it has no script.
	c.Response().Header().Set("Content-Security-Policy", "default-src 'none'; style-src 'unsafe-inline'; frame-ancestors 'none'")
	return c.HTMLBlob(http.StatusOK, page)
}

// The parts of an OpenAPI document the docs page shows.
type (
	specDoc struct {
		Info struct {
			Title, Version, Description string
		}
		Tags       []specTag
		Paths      map[string]specPath
		Components struct {
			Parameters map[string]specParam
			Responses  map[string]specResponse
		}
	}
	specTag struct {
		Name, Description string
		Operations        []docOperation
	}
	specPath struct {
		Parameters                    []specParam
		Get, Post, Put, Patch, Delete *specOperation
	}
	specOperation struct {
		Tags                 []string
		Summary, Description string
		Parameters           []specParam
		RequestBody          *struct {
			Description string
			Content     map[string]any
		} `yaml:"requestBody"`
		Responses map[string]specResponse
	}
	specParam struct {
		Ref                   string `yaml:"$ref"`
		Name, In, Description string
		Required              bool
	}
	specResponse struct {
		Ref         string `yaml:"$ref"`
		Description string
	}
	docOperation struct {
		Method, Path string
		*specOperation
		Params    []specParam
		Body      []string
		Responses []docResponse
	}
	docResponse struct{ Status, Description string }
)

var docsTemplate = template.Must(template.New("docs").Parse(`<!doctype html>
<html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1">
<title>{{.Info.Title}}</title>
<style>
body{font:16px/1.5 system-ui,sans-serif;max-width:60rem;margin:0 auto;padding:1rem;color:#222}
pre,.desc{white-space:pre-wrap}code,pre{font:0.9em ui-monospace,monospace}
.op{border:1px solid #ccc;border-radius:6px;margin:1rem 0;padding:0.5rem 1rem}
.op h3{margin:0.2rem 0;font-size:1rem}.method{display:inline-block;min-width:4.5rem;font-weight:bold}
table{border-collapse:collapse}td,th{text-align:left;vertical-align:top;padding:0.1rem 0.6rem 0.1rem 0}
nav a{margin-right:0.8rem}.muted{color:#666}
</style></head><body>
<h1>{{.Info.Title}} <span class="muted">{{.Info.Version}}</span></h1>
<p>The machine-readable contract: <a href="/api/v1/openapi.yaml">openapi.yaml</a>.
Feed messages: <a href="/api/v1/schemas/feed-snapshot.schema.json">snapshot</a>,
<a href="/api/v1/schemas/feed-change.schema.json">change</a>.</p>
<nav>{{range .Tags}}{{if .Operations}}<a href="#tag-{{.Name}}">{{.Name}}</a>{{end}}{{end}}</nav>
<div class="desc">{{.Info.Description}}</div>
{{range .Tags}}{{if .Operations}}
<h2 id="tag-{{.Name}}">{{.Name}}</h2>{{if .Description}}<p class="desc">{{.Description}}</p>{{end}}
{{range .Operations}}<section class="op" id="{{.Method}}-{{.Path}}">
<h3><span class="method">{{.Method}}</span><code>{{.Path}}</code></h3>
<p><strong>{{.Summary}}</strong></p>{{if .Description}}<div class="desc">{{.Description}}</div>{{end}}
{{if .Params}}<h4>Parameters</h4><table>{{range .Params}}<tr><td><code>{{.Name}}</code></td><td class="muted">{{.In}}{{if .Required}}, required{{end}}</td><td class="desc">{{.Description}}</td></tr>{{end}}</table>{{end}}
{{if .Body}}<h4>Body</h4><p>{{range .Body}}<code>{{.}}</code> {{end}}</p>{{end}}
<h4>Responses</h4><table>{{range .Responses}}<tr><td><code>{{.Status}}</code></td><td class="desc">{{.Description}}</td></tr>{{end}}</table>
</section>{{end}}{{end}}{{end}}
</body></html>
`))

// docsPage renders the embedded spec once.
var docsPage = sync.OnceValues(func() ([]byte, error) {
	var doc specDoc
	if err := yaml.Unmarshal(schema.OpenAPI, &doc); err != nil {
		return nil, err
	}
	resolveParam := func(p specParam) specParam {
		if p.Ref != "" {
			return doc.Components.Parameters[path.Base(p.Ref)]
		}
		return p
	}
	tagIndex := map[string]int{}
	for i, t := range doc.Tags {
		tagIndex[t.Name] = i
	}
	paths := make([]string, 0, len(doc.Paths))
	for p := range doc.Paths {
		paths = append(paths, p)
	}
	sort.Strings(paths)
	for _, p := range paths {
		item := doc.Paths[p]
		for _, m := range []struct {
			name string
			op   *specOperation
		}{{"GET", item.Get}, {"POST", item.Post}, {"PUT", item.Put}, {"PATCH", item.Patch}, {"DELETE", item.Delete}} {
			if m.op == nil {
				continue
			}
			op := docOperation{Method: m.name, Path: p, specOperation: m.op}
			for _, prm := range append(append([]specParam{}, item.Parameters...), m.op.Parameters...) {
				op.Params = append(op.Params, resolveParam(prm))
			}
			if m.op.RequestBody != nil {
				for ct := range m.op.RequestBody.Content {
					op.Body = append(op.Body, ct)
				}
				sort.Strings(op.Body)
			}
			for status, r := range m.op.Responses {
				if r.Ref != "" {
					r = doc.Components.Responses[path.Base(r.Ref)]
				}
				op.Responses = append(op.Responses, docResponse{Status: status, Description: r.Description})
			}
			sort.Slice(op.Responses, func(i, j int) bool { return op.Responses[i].Status < op.Responses[j].Status })
			tag := "other"
			if len(m.op.Tags) > 0 {
				tag = m.op.Tags[0]
			}
			i, ok := tagIndex[tag]
			if !ok {
				doc.Tags = append(doc.Tags, specTag{Name: tag})
				i = len(doc.Tags) - 1
				tagIndex[tag] = i
			}
			doc.Tags[i].Operations = append(doc.Tags[i].Operations, op)
		}
	}
	var b bytes.Buffer
	if err := docsTemplate.Execute(&b, doc); err != nil {
		return nil, err
	}
	return b.Bytes(), nil
})
