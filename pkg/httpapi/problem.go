package httpapi

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"net/http"

	"github.com/labstack/echo/v4"
	"github.com/tribune-act/tribune/pkg/agenda"
	"github.com/tribune-act/tribune/pkg/store"
)

// Problem is an RFC 9457 problem body: every error response has this shape.
type Problem struct {
	Type   string              `json:"type"`
	Title  string              `json:"title"`
	Status int                 `json:"status"`
	Detail string              `json:"detail,omitempty"`
	Field  string              `json:"field,omitempty"`
	Errors []agenda.FieldError `json:"errors,omitempty"`
	// Current is the object as it is now, sent with 412 so a client can merge and retry.
	Current any `json:"current,omitempty"`
}

func (p *Problem) Error() string { return fmt.Sprintf("%d %s: %s", p.Status, p.Title, p.Detail) }

func problem(status int, kind, detail string) *Problem {
	return &Problem{Type: "/problems/" + kind, Title: http.StatusText(status), Status: status, Detail: detail}
}

func badRequest(field, format string, args ...any) *Problem {
	return invalid(agenda.Invalid(field, format, args...))
}

func invalid(ve *agenda.ValidationError) *Problem {
	p := problem(http.StatusBadRequest, "validation", ve.Error())
	p.Errors = ve.Errors
	if len(ve.Errors) > 0 {
		p.Field = ve.Errors[0].Field
	}
	return p
}

// staleError carries the current object of a refused stale edit.
type staleError struct {
	current any
	err     error
}

func (e *staleError) Error() string { return e.err.Error() }
func (e *staleError) Unwrap() error { return e.err }

// toProblem maps every error to one problem, in one place.
func toProblem(err error) *Problem {
	var p *Problem
	var ve *agenda.ValidationError
	var stale *staleError
	var he *echo.HTTPError
	switch {
	case errors.As(err, &p):
		return p
	case errors.As(err, &ve):
		return invalid(ve)
	case errors.As(err, &stale):
		p := problem(http.StatusPreconditionFailed, "stale-revision",
			"the object changed since the revision this edit is based on; merge with current and retry")
		p.Current = stale.current
		return p
	case errors.Is(err, agenda.ErrStale):
		return problem(http.StatusPreconditionFailed, "stale-revision", err.Error())
	case errors.Is(err, agenda.ErrNotFound):
		return problem(http.StatusNotFound, "not-found", "no such object")
	case errors.Is(err, agenda.ErrLiveState):
		return problem(http.StatusConflict, "live-state", err.Error())
	case errors.Is(err, store.ErrConflict):
		return problem(http.StatusConflict, "conflict", err.Error())
	case errors.As(err, &he):
		detail := fmt.Sprint(he.Message)
		kind := map[int]string{
			http.StatusNotFound: "not-found", http.StatusMethodNotAllowed: "method-not-allowed",
			http.StatusRequestEntityTooLarge: "too-large", http.StatusUnauthorized: "unauthorized",
			http.StatusForbidden: "forbidden", http.StatusUnsupportedMediaType: "unsupported-media-type",
		}[he.Code]
		if kind == "" {
			kind = "http"
		}
		if he.Code == http.StatusRequestEntityTooLarge {
			detail = "the request body is larger than 1 MiB"
		}
		return problem(he.Code, kind, detail)
	case errors.Is(err, context.Canceled):
		return problem(499, "canceled", "the client went away")
	}
	return problem(http.StatusInternalServerError, "internal", "an internal error happened; it has been logged")
}

// errorHandler writes every error as application/problem+json.
func errorHandler(log *slog.Logger) echo.HTTPErrorHandler {
	return func(err error, c echo.Context) {
		if c.Response().Committed {
			return
		}
		p := toProblem(err)
		if p.Status >= 500 {
			log.Error("request failed", "method", c.Request().Method, "path", c.Path(), "err", err)
		}
		c.Response().Header().Set(echo.HeaderContentType, "application/problem+json")
		if c.Request().Method == http.MethodHead {
			_ = c.NoContent(p.Status)
			return
		}
		_ = c.JSON(p.Status, p)
	}
}
