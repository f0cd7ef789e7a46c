package httpapi_test

import (
	"bytes"
	"context"
	"errors"
	"io"
	"log/slog"
	"net/http"
	"regexp"
	"strings"
	"sync"
	"testing"

	"github.com/getkin/kin-openapi/openapi3"
	"github.com/getkin/kin-openapi/openapi3filter"
	"github.com/getkin/kin-openapi/routers"
	"github.com/getkin/kin-openapi/routers/gorillamux"
	"github.com/labstack/echo/v4"
	"github.com/tribune-act/tribune/pkg/httpapi"
)

// specPath is the REST contract, schema/openapi.yaml at the top of the module.
const specPath = "../../schema/openapi.yaml"

// loadSpec loads and validates the OpenAPI document once for the whole package.
var loadSpec = sync.OnceValues(func() (*openapi3.T, error) {
	loader := openapi3.NewLoader()
	doc, err := loader.LoadFromFile(specPath)
	if err != nil {
		return nil, err
	}
	if err := doc.Validate(context.Background()); err != nil {
		return nil, err
	}
	return doc, nil
})

var loadRouter = sync.OnceValues(func() (routers.Router, error) {
	doc, err := loadSpec()
	if err != nil {
		return nil, err
	}
	return gorillamux.NewRouter(doc)
})

func spec(t *testing.T) (*openapi3.T, routers.Router) {
	t.Helper()
	doc, err := loadSpec()
	if err != nil {
		t.Fatalf("%s: %v", specPath, err)
	}
	router, err := loadRouter()
	if err != nil {
		t.Fatalf("%s: router: %v", specPath, err)
	}
	return doc, router
}

func TestOpenAPIDocumentIsValid(t *testing.T) {
	spec(t)
}

// TestOpenAPICoversEveryRoute: every route echo serves is in the spec with the
// same method, and every operation in the spec is a route echo serves.
func TestOpenAPICoversEveryRoute(t *testing.T) {
	doc, _ := spec(t)
	param := regexp.MustCompile(`:([A-Za-z0-9_]+)`)
	served := map[string]bool{}
	e := httpapi.New(nil, nil, slog.New(slog.NewTextHandler(io.Discard, nil)), httpapi.Config{})
	for _, r := range e.Routes() {
		if r.Method == echo.RouteNotFound {
			continue // the catch-all a group with middleware registers
		}
		path := param.ReplaceAllString(r.Path, "{$1}")
		key := r.Method + " " + path
		served[key] = true
		item := doc.Paths.Value(path)
		if item == nil || item.GetOperation(r.Method) == nil {
			t.Errorf("%s is served but not in %s", key, specPath)
		}
	}
	for path, item := range doc.Paths.Map() {
		for method := range item.Operations() {
			if key := method + " " + path; !served[key] {
				t.Errorf("%s is in %s but not served", key, specPath)
			}
		}
	}
}

// checkOpenAPI makes the harness validate every exchange against the spec: each
// response must have a status the operation documents, and its headers and body
// must match that response. The request of a successful exchange must match the
// operation too (a failed one is often bad on purpose).
func checkOpenAPI(t *testing.T, h *harness) {
	t.Helper()
	_, router := spec(t)
	opts := &openapi3filter.Options{
		IncludeResponseStatus: true,
		MultiError:            true,
		SkipSettingDefaults:   true,
		// The server checks tokens; the spec check need not.
		AuthenticationFunc: openapi3filter.NoopAuthenticationFunc,
	}
	h.onResponse = func(req *http.Request, body []byte, res *response) {
		what := req.Method + " " + req.URL.RequestURI()
		route, params, err := router.FindRoute(req)
		if err != nil {
			// Only a request to no route at all may miss the spec.
			if (errors.Is(err, routers.ErrPathNotFound) && res.status == http.StatusNotFound) ||
				(errors.Is(err, routers.ErrMethodNotAllowed) && res.status == http.StatusMethodNotAllowed) {
				return
			}
			t.Errorf("openapi: %s (status %d): %v", what, res.status, err)
			return
		}
		in := &openapi3filter.RequestValidationInput{Request: req, PathParams: params, Route: route, Options: opts}
		if res.status < 300 || res.status == http.StatusNotModified {
			req.Body = io.NopCloser(bytes.NewReader(body))
			if err := openapi3filter.ValidateRequest(context.Background(), in); err != nil {
				t.Errorf("openapi: %s answered %d, but the request does not match the spec:\n%v", what, res.status, err)
			}
		}
		if res.status == http.StatusNotModified {
			// ValidateResponse skips 304; it must still be documented, with its headers.
			r := route.Operation.Responses.Status(res.status)
			if r == nil {
				t.Errorf("openapi: %s: status 304 is not documented", what)
				return
			}
			for name, hdr := range r.Value.Headers {
				if hdr.Value.Required && res.header.Get(name) == "" {
					t.Errorf("openapi: %s: 304 without the required header %s", what, name)
				}
			}
			return
		}
		out := &openapi3filter.ResponseValidationInput{
			RequestValidationInput: in, Status: res.status, Header: res.header, Options: opts,
		}
		out.SetBodyBytes(res.body)
		if err := openapi3filter.ValidateResponse(context.Background(), out); err != nil {
			t.Errorf("openapi: %s answered %d, which does not match the spec:\n%v\nbody: %s", what, res.status, err, abbreviate(res.body))
		}
	}
}

func abbreviate(body []byte) string {
	s := string(body)
	if len(s) > 2000 {
		s = s[:2000] + "…"
	}
	return strings.TrimSpace(s)
}
