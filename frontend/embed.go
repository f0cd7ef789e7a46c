// Package frontend holds Tribune's web UI (viewer, overlay, speaker page and
// organizer console), built by Vite into dist/ and embedded in the binary.
package frontend

import (
	"embed"
	"io/fs"
)

//go:embed all:dist
var dist embed.FS

// Dist is the built web UI. Before `npm run build` it holds only a placeholder;
// Built tells the two apart.
func Dist() fs.FS {
	sub, err := fs.Sub(dist, "dist")
	if err != nil {
		panic(err) // dist is embedded at compile time: it always exists
	}
	return sub
}

// Built reports whether Dist holds a real build, not just the placeholder.
func Built() bool {
	_, err := fs.Stat(Dist(), "viewer.html")
	return err == nil
}
