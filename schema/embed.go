// Package schema holds Tribune's published contracts, embedded so that the server
// serves the very files the tests check: the OpenAPI document of the REST API and
// the JSON Schemas of the websocket feed's messages.
package schema

import "embed"

// OpenAPI is openapi.yaml, the REST contract.
//
//go:embed openapi.yaml
var OpenAPI []byte

// Feeds holds the feed messages' JSON Schemas, feed-*.schema.json.
//
//go:embed feed-*.schema.json
var Feeds embed.FS
