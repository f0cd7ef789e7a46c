//go:build !linux

package main

import (
	"fmt"
	"io"
	"syscall"
)

// raiseFileLimit only warns off Linux: the tool measures on Linux (it reads /proc).
func raiseFileLimit(need int, stderr io.Writer) uint64 {
	fmt.Fprintf(stderr, "tribune-load: make sure %d files may be open (`ulimit -n %d`)\n", need, need)
	return 0
}

func fileLimit() uint64 { return 0 }

func childAttrs() *syscall.SysProcAttr { return nil }
