package main

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/url"
	"strings"
	"time"
)

// apiClient calls Tribune's organizer API with a personal API token.
type apiClient struct {
	base   string // http://host:port
	token  string
	client *http.Client
}

func newAPIClient(base, token string) *apiClient {
	return &apiClient{base: strings.TrimRight(base, "/"), token: token, client: newHTTPClient(128, nil)}
}

// newHTTPClient keeps up to conns connections open to a host; from, when not
// nil, is the local address to connect from.
func newHTTPClient(conns int, from net.IP) *http.Client {
	d := &net.Dialer{Timeout: 10 * time.Second}
	if from != nil {
		d.LocalAddr = &net.TCPAddr{IP: from}
	}
	return &http.Client{
		Timeout: 60 * time.Second,
		Transport: &http.Transport{
			DialContext: d.DialContext, MaxIdleConns: conns, MaxIdleConnsPerHost: conns,
			IdleConnTimeout: 30 * time.Second,
		},
	}
}

// apiError is a response outside 2xx.
type apiError struct {
	method, path string
	status       int
	body         string
}

func (e *apiError) Error() string {
	return fmt.Sprintf("%s %s: %d %s", e.method, e.path, e.status, strings.TrimSpace(e.body))
}

// do sends a request with body encoded as JSON (when not nil) and decodes the
// response into out (when not nil).
func (c *apiClient) do(ctx context.Context, method, path string, body, out any) error {
	return doJSON(ctx, c.client, method, c.base+path, c.token, body, out)
}

func doJSON(ctx context.Context, client *http.Client, method, url, token string, body, out any) error {
	var rd io.Reader
	if body != nil {
		b, err := json.Marshal(body)
		if err != nil {
			return err
		}
		rd = bytes.NewReader(b)
	}
	req, err := http.NewRequestWithContext(ctx, method, url, rd)
	if err != nil {
		return err
	}
	if body != nil {
		req.Header.Set("Content-Type", "application/json")
	}
	if token != "" {
		req.Header.Set("Authorization", "Bearer "+token)
	}
	res, err := client.Do(req)
	if err != nil {
		return err
	}
	defer res.Body.Close()
	data, err := io.ReadAll(res.Body)
	if err != nil {
		return err
	}
	if res.StatusCode/100 != 2 {
		return &apiError{method: method, path: req.URL.Path, status: res.StatusCode, body: string(data)}
	}
	if out != nil && len(data) > 0 {
		if err := json.Unmarshal(data, out); err != nil {
			return fmt.Errorf("%s %s: %w", method, req.URL.Path, err)
		}
	}
	return nil
}

// wsURL turns http(s)://host into ws(s)://host and appends path.
func wsURL(base, path string) string {
	u, err := url.Parse(strings.TrimRight(base, "/") + path)
	if err != nil {
		return base + path
	}
	if u.Scheme == "https" {
		u.Scheme = "wss"
	} else {
		u.Scheme = "ws"
	}
	return u.String()
}

// loopbackV4 reports whether base's host is an IPv4 loopback address: then
// the tool may connect from any 127.x.y.z address.
func loopbackV4(base string) bool {
	u, err := url.Parse(base)
	if err != nil {
		return false
	}
	ip := net.ParseIP(u.Hostname())
	return ip != nil && ip.To4() != nil && ip.IsLoopback()
}
