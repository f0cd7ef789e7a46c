package httpapi

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"reflect"
	"strconv"
	"strings"
	"time"

	"github.com/labstack/echo/v4"
)

// readBody reads a JSON request body (the size limit is enforced by middleware).
func readBody(c echo.Context) ([]byte, error) {
	ct := c.Request().Header.Get(echo.HeaderContentType)
	if ct != "" && !strings.HasPrefix(ct, "application/json") && !strings.HasPrefix(ct, "application/merge-patch+json") {
		return nil, problem(http.StatusUnsupportedMediaType, "unsupported-media-type", "send the body as application/json")
	}
	body, err := io.ReadAll(c.Request().Body)
	if err != nil {
		var he *echo.HTTPError
		if errors.As(err, &he) {
			return nil, he
		}
		var mbe *http.MaxBytesError
		if errors.As(err, &mbe) {
			return nil, echo.ErrStatusRequestEntityTooLarge
		}
		return nil, badRequest("", "unable to read the body: %v", err)
	}
	return body, nil
}

// decodeObject decodes a JSON object onto dst field by field, so that a PATCH
// changes only the fields it names and every error names its field. Keys listed
// in extra are returned undecoded; any other unknown key is an error.
func decodeObject(body []byte, dst any, extra ...string) (map[string]json.RawMessage, error) {
	var fields map[string]json.RawMessage
	if err := json.Unmarshal(body, &fields); err != nil || fields == nil {
		return nil, badRequest("", "the body must be a JSON object")
	}
	known := jsonFields(reflect.TypeOf(dst).Elem())
	out := map[string]json.RawMessage{}
	for _, k := range extra {
		if v, ok := fields[k]; ok {
			out[k] = v
			delete(fields, k)
		}
	}
	for k, v := range fields {
		if !known[k] {
			// encoding/json matches names case-insensitively; the API does not.
			return nil, badRequest(k, "is not a field of this object (or cannot be set here)")
		}
		one, _ := json.Marshal(map[string]json.RawMessage{k: v})
		dec := json.NewDecoder(bytes.NewReader(one))
		dec.DisallowUnknownFields()
		if err := dec.Decode(dst); err != nil {
			return nil, fieldError(k, err)
		}
	}
	return out, nil
}

// jsonFields lists the JSON names of a struct's fields, embedded structs included.
func jsonFields(t reflect.Type) map[string]bool {
	out := map[string]bool{}
	for i := 0; i < t.NumField(); i++ {
		f := t.Field(i)
		name, _, _ := strings.Cut(f.Tag.Get("json"), ",")
		switch {
		case f.Anonymous && name == "":
			for k := range jsonFields(f.Type) {
				out[k] = true
			}
		case name == "-" || !f.IsExported():
		case name == "":
			out[f.Name] = true
		default:
			out[name] = true
		}
	}
	return out
}

// decodeValue decodes one JSON value strictly.
func decodeValue(field string, raw []byte, dst any) error {
	dec := json.NewDecoder(bytes.NewReader(raw))
	dec.DisallowUnknownFields()
	if err := dec.Decode(dst); err != nil {
		return fieldError(field, err)
	}
	if dec.More() {
		return badRequest(field, "must be a single JSON value")
	}
	return nil
}

func fieldError(field string, err error) error {
	var te *json.UnmarshalTypeError
	var pe *time.ParseError
	switch {
	case strings.HasPrefix(err.Error(), "json: unknown field"):
		name := strings.Trim(strings.TrimPrefix(err.Error(), "json: unknown field "), `"`)
		if field == "" || field == name {
			return badRequest(name, "is not a field of this object (or cannot be set here)")
		}
		return badRequest(field+"."+name, "is not a field of this object")
	case errors.As(err, &te):
		f := field
		if te.Field != "" && te.Field != field {
			f = te.Field
		}
		return badRequest(f, "must be a JSON %s", jsonKind(te.Type.Kind().String()))
	case errors.As(err, &pe):
		return badRequest(field, "must be an RFC 3339 time such as 2026-12-05T18:00:00Z")
	}
	return badRequest(field, "is not valid JSON here: %v", err)
}

func jsonKind(goKind string) string {
	switch goKind {
	case "string":
		return "string"
	case "int", "int64", "int32", "float64", "uint":
		return "number"
	case "bool":
		return "boolean"
	case "slice":
		return "array"
	}
	return "object"
}

// expectedRevision reads the revision an edit is based on: the If-Match ETag, or
// a "revision" field in the body. Nil when the client sent neither.
func expectedRevision(c echo.Context, extra map[string]json.RawMessage) (*int64, error) {
	if h := c.Request().Header.Get("If-Match"); h != "" && h != "*" {
		v, err := strconv.ParseInt(strings.Trim(strings.TrimPrefix(h, "W/"), `"`), 10, 64)
		if err != nil {
			return nil, badRequest("If-Match", "must be an ETag this API sent, such as \"12\"")
		}
		return &v, nil
	}
	if raw, ok := extra["revision"]; ok {
		var v int64
		if err := decodeValue("revision", raw, &v); err != nil {
			return nil, err
		}
		return &v, nil
	}
	return nil, nil
}

func etag(revision int64) string { return fmt.Sprintf(`"%d"`, revision) }
